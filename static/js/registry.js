// Progressive enhancement only: every page works without this file.
// Move keyboard focus to a form's error summary so that screen readers announce it first.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }
});
