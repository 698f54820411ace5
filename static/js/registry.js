// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  // Move keyboard focus to a form's error summary so that screen readers announce it first.
  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }

  // A table wider than the screen scrolls inside its .table-wrap box. Keyboard users can only
  // scroll that box when it can take focus, so it becomes a named, focusable region (the name
  // is the table's caption) while it actually scrolls.
  function markScrollingTables() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      if (scrolls && !wrap.hasAttribute("tabindex")) {
        var caption = wrap.querySelector("caption");
        var name = caption ? caption.textContent.trim() : "";
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("data-scroll-focus", "");
        if (name) {
          wrap.setAttribute("role", "region");
          wrap.setAttribute("aria-label", name);
        }
      } else if (!scrolls && wrap.hasAttribute("data-scroll-focus")) {
        ["tabindex", "data-scroll-focus", "role", "aria-label"].forEach(function (attribute) {
          wrap.removeAttribute(attribute);
        });
      }
    });
  }
  markScrollingTables();
  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(markScrollingTables, 150);
  });
});
