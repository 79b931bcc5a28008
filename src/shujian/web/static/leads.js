// 线索: "select all on this page" in the queue, and the case chosen before a refused 成案 chosen
// again once the list of open cases has loaded. The list is replaced by htmx when filters or the
// page change, so the listeners sit on the document.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var all = event.target;
    if (!all || all.id !== "pick-all") return;
    var boxes = document.querySelectorAll('#bulk-form input[name="lead_ids"]');
    for (var i = 0; i < boxes.length; i++) boxes[i].checked = all.checked;
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || target.id !== "b-case" || !target.dataset.chosen) return;
    target.value = target.dataset.chosen;
  });
})();
