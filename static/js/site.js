// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Move focus to an error summary so keyboard and screen-reader users land on the problem.
  var summary = document.querySelector("[data-autofocus]");
  if (summary) {
    summary.focus();
  }
  // Warn before leaving an editor whose text changed and was not saved.
  var changed = false;
  document.querySelectorAll("form[data-warn-unsaved]").forEach(function (form) {
    if (form.hasAttribute("data-unsaved")) { changed = true; }  // a preview, not yet saved
    form.addEventListener("input", function () { changed = true; });
    form.addEventListener("submit", function () { changed = false; });
  });
  window.addEventListener("beforeunload", function (event) {
    if (changed) {
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
