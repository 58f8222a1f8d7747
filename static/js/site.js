// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Move focus to an error summary so keyboard and screen-reader users land on the problem.
  var summary = document.querySelector("[data-autofocus]");
  if (summary) {
    summary.focus();
  }
  // Warn before leaving a page with a form whose entries changed and were not saved (an
  // autosave that caught up with the typing counts as saved: authoring.js says so).
  var unsaved = [];
  function forget(form) { unsaved = unsaved.filter(function (f) { return f !== form; }); }
  document.querySelectorAll("form[data-warn-unsaved]").forEach(function (form) {
    if (form.hasAttribute("data-unsaved")) { unsaved.push(form); }  // a preview, not saved
    form.addEventListener("input", function () {
      if (unsaved.indexOf(form) < 0) { unsaved.push(form); }
    });
    form.addEventListener("change", function () {
      if (unsaved.indexOf(form) < 0) { unsaved.push(form); }
    });
    form.addEventListener("submit", function () { forget(form); });
    form.addEventListener("nmt:saved", function () { forget(form); });
  });
  window.addEventListener("beforeunload", function (event) {
    if (unsaved.length) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
  // Stop a double click from sending a form twice (the server is safe either way).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.submitted) {
      event.preventDefault();
      return;
    }
    form.dataset.submitted = "true";
    window.setTimeout(function () { delete form.dataset.submitted; }, 4000);
  });
})();
