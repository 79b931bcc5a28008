// 线索: "select all on this page" in the queue. The list is replaced by htmx when filters or the
// page change, so the listener sits on the document.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var all = event.target;
    if (!all || all.id !== "pick-all") return;
    var boxes = document.querySelectorAll('#dispatch-form input[name="lead_ids"]');
    for (var i = 0; i < boxes.length; i++) boxes[i].checked = all.checked;
  });
})();
