// 数据 page: the upload's progress bar, the coordinate system asked only where it is needed,
// the fields offered for a value the file lacks (the chosen dataset's), refusals (4xx
// fragments) shown in place, and the batch list read again after an import. No inline script:
// the CSP forbids it.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form) return;
  var bar = document.getElementById("upload-progress");
  var status = document.getElementById("upload-status");
  var dataset = document.getElementById("upload-dataset");
  var crs = document.getElementById("upload-crs");
  var crsLabel = document.getElementById("upload-crs-label");
  var agency = document.getElementById("upload-agency");

  function columnsOf(id) {
    var templates = form.querySelectorAll("template.set-columns");
    for (var i = 0; i < templates.length; i++) {
      if (templates[i].getAttribute("data-dataset") === id) return templates[i];
    }
    return null;
  }

  function datasetChanged() {
    var option = dataset.options[dataset.selectedIndex];
    var coordinates = option && option.getAttribute("data-coordinates") === "1";
    crsLabel.hidden = !coordinates;
    crs.required = coordinates;
    if (!coordinates) crs.value = "";
    if (option && option.value) {
      agency.placeholder = "机关全称（" + option.getAttribute("data-agency") + "）";
    }
    var columns = option && option.value ? columnsOf(option.value) : null;
    var selects = form.querySelectorAll("select.set-column");
    for (var i = 0; i < selects.length; i++) {
      var kept = selects[i].value;
      selects[i].replaceChildren();
      if (columns) {
        selects[i].appendChild(columns.content.cloneNode(true));
      } else {
        selects[i].appendChild(new Option("先选择数据集", ""));
      }
      selects[i].value = kept;
      if (selects[i].value !== kept) selects[i].value = "";
    }
  }
  dataset.addEventListener("change", datasetChanged);
  datasetChanged();

  function megabytes(bytes) {
    return (bytes / (1 << 20)).toFixed(1) + " MB";
  }

  // The bar follows the upload only: htmx's own htmx:xhr:progress mixes in the download of
  // the response, so the request's upload is listened to directly.
  form.addEventListener("htmx:beforeSend", function (event) {
    var xhr = event.detail.xhr;
    bar.value = 0;
    bar.hidden = false;
    status.textContent = "正在上传……";
    xhr.upload.addEventListener("progress", function (progress) {
      if (!progress.lengthComputable || progress.total <= 0) return;
      bar.value = Math.round((progress.loaded / progress.total) * 100);
      status.textContent =
        "已上传 " + bar.value + "%（" + megabytes(progress.loaded) + " / " + megabytes(progress.total) + "）";
    });
    xhr.upload.addEventListener("load", function () {
      bar.value = 100;
      status.textContent = "上传完成，正在导入（大文件需要一些时间）……";
    });
  });
  form.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr || xhr.status === 0) {
      status.textContent = "上传中断：未能连接服务器，请重试。";
      return;
    }
    if (bar.value !== 100) {
      status.textContent = "";
    } else if (xhr.status >= 400) {
      status.textContent = "已上传 100%；文件尚未导入，见下方说明。";
    } else {
      status.textContent = "已上传 100%。";
    }
  });
  // The sheet and mapping forms answer in the same place: the upload's words are then stale.
  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.elt !== form && event.detail.target && event.detail.target.id === "upload-result") {
      status.textContent = "";
      bar.hidden = true;
    }
  });
  // A file imported: the batch list and the datasets' counts below are read again (the page
  // as it is addressed, so its filter and page stay).
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target.id === "upload-result" && document.getElementById("import-result")) {
      window.htmx.ajax("GET", location.pathname + location.search, {
        target: "#data-lists",
        select: "#data-lists",
        swap: "outerHTML",
      });
    }
  });
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var code = event.detail.xhr.status;
    if (code >= 400 && code < 500 && event.detail.target.id === "upload-result") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
