// 数据 page: the upload's progress bar, the coordinate system asked only where it is needed,
// and refusals (4xx fragments) shown in place. No inline script: the CSP forbids it.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form) return;
  var bar = document.getElementById("upload-progress");
  var dataset = document.getElementById("upload-dataset");
  var crs = document.getElementById("upload-crs");
  var crsLabel = document.getElementById("upload-crs-label");
  var agency = document.getElementById("upload-agency");

  function datasetChanged() {
    var option = dataset.options[dataset.selectedIndex];
    var coordinates = option && option.getAttribute("data-coordinates") === "1";
    crsLabel.hidden = !coordinates;
    crs.required = coordinates;
    if (!coordinates) crs.value = "";
    if (option && option.value && !agency.value) {
      agency.placeholder = "例如：" + option.getAttribute("data-agency");
    }
  }
  dataset.addEventListener("change", datasetChanged);
  datasetChanged();

  form.addEventListener("htmx:xhr:progress", function (event) {
    if (event.detail.lengthComputable && event.detail.total > 0) {
      bar.hidden = false;
      bar.value = Math.round((event.detail.loaded / event.detail.total) * 100);
    }
  });
  form.addEventListener("htmx:beforeRequest", function () {
    bar.value = 0;
    bar.hidden = false;
  });
  form.addEventListener("htmx:afterRequest", function () {
    bar.hidden = true;
  });
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status >= 400 && status < 500 && event.detail.target.id === "upload-result") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
