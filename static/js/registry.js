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

// Process diagrams (templates/variants/_diagram.html): fit to width, zoom and full screen.
// The drawing is resized through its width and height attributes (its viewBox stays), so the
// frame's scroll area is the drawing's real size; a CSS transform would leave it at 100 %.
document.addEventListener("DOMContentLoaded", function () {
  var LEVELS = [0.1, 0.25, 0.33, 0.5, 0.67, 0.8, 1, 1.25, 1.5, 2, 3, 4];
  var MIN_ZOOM = 0.05;
  var MAX_ZOOM = 4;
  // On first load a wide drawing shrinks to the frame, but never below this (its 9–11 pt
  // labels stay readable at about 8 px); beyond that the frame scrolls. It never grows.
  var READABLE_ZOOM = 0.6;
  var percent = new Intl.NumberFormat(document.documentElement.lang || undefined, {
    style: "percent",
    maximumFractionDigits: 0,
  });
  var count = 0;

  // Graphviz sizes drawings in points; the page works in CSS pixels (1 pt = 4/3 px).
  function cssPixels(length) {
    var match = /^\s*([\d.]+)\s*(pt|px)?\s*$/.exec(length || "");
    if (!match) {
      return null;
    }
    return parseFloat(match[1]) * (match[2] === "pt" ? 4 / 3 : 1);
  }

  function clamp(value, low, high) {
    return Math.min(high, Math.max(low, value));
  }

  function start(figure) {
    var frame = figure.querySelector(".diagram__frame");
    var svg = frame && frame.querySelector("svg");
    var tools = figure.querySelector(".diagram__tools");
    if (!svg || !tools) {
      return;
    }
    var width = cssPixels(svg.getAttribute("data-width") || svg.getAttribute("width"));
    var height = cssPixels(svg.getAttribute("data-height") || svg.getAttribute("height"));
    if (!width || !height) {
      var box = svg.getBoundingClientRect();
      width = box.width;
      height = box.height;
    }
    if (!width || !height) {
      return;
    }
    var status = tools.querySelector(".diagram__status");
    var keys = tools.querySelector(".diagram__keys");
    var fullscreenButton = tools.querySelector("[data-fullscreen]");
    var scale = 1;
    // "auto" (the first-load rule), "fit" (fit to width, kept on resize) or "manual".
    var mode = "auto";

    count += 1;
    keys.id = "diagram-keys-" + count;
    frame.setAttribute("aria-describedby", keys.id);

    function available() {
      var style = getComputedStyle(frame);
      return frame.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    }

    function fitScale() {
      return clamp(available() / width, MIN_ZOOM, MAX_ZOOM);
    }

    function apply(next, newMode) {
      next = clamp(next, MIN_ZOOM, MAX_ZOOM);
      // Keep the middle of what is in view in the middle after zooming.
      var middleX = (frame.scrollLeft + frame.clientWidth / 2) / Math.max(frame.scrollWidth, 1);
      var middleY = (frame.scrollTop + frame.clientHeight / 2) / Math.max(frame.scrollHeight, 1);
      scale = next;
      mode = newMode;
      // Rounded down, so that a drawing fitted to the width never needs a scroll bar.
      svg.setAttribute("width", String(Math.floor(width * scale)));
      svg.setAttribute("height", String(Math.floor(height * scale)));
      frame.scrollLeft = middleX * frame.scrollWidth - frame.clientWidth / 2;
      frame.scrollTop = middleY * frame.scrollHeight - frame.clientHeight / 2;
      status.textContent = figure.getAttribute("data-zoom-status").replace("{percent}", percent.format(scale));
    }

    function zoom(direction) {
      var next = scale;
      if (direction > 0) {
        next = LEVELS.filter(function (level) { return level > scale + 0.001; })[0] || MAX_ZOOM;
      } else {
        var lower = LEVELS.filter(function (level) { return level < scale - 0.001; });
        next = lower.length ? lower[lower.length - 1] : Math.min(scale, fitScale());
      }
      apply(next, "manual");
    }

    function firstView() {
      return clamp(fitScale(), Math.min(READABLE_ZOOM, 1), 1);
    }

    var actions = {
      fit: function () { apply(fitScale(), "fit"); },
      in: function () { zoom(1); },
      out: function () { zoom(-1); },
      actual: function () { apply(1, "manual"); },
    };
    tools.querySelectorAll("[data-zoom]").forEach(function (button) {
      button.addEventListener("click", actions[button.getAttribute("data-zoom")]);
    });

    // + and - zoom, 0 shows the full size while the frame has focus; the arrow keys scroll it
    // natively. Ctrl/Cmd/Alt combinations stay the browser's (page zoom).
    frame.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) {
        return;
      }
      var action = { "+": "in", "=": "in", "-": "out", "0": "actual" }[event.key];
      if (action) {
        event.preventDefault();
        actions[action]();
      }
    });

    if (document.fullscreenEnabled && figure.requestFullscreen) {
      fullscreenButton.hidden = false;
      fullscreenButton.addEventListener("click", function () {
        if (document.fullscreenElement === figure) {
          document.exitFullscreen();
        } else {
          figure.requestFullscreen().catch(function () {});
        }
      });
      // Browsers leave full screen on Esc themselves; this also covers those that pass the key on.
      figure.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && document.fullscreenElement === figure) {
          document.exitFullscreen();
        }
      });
      document.addEventListener("fullscreenchange", function () {
        var on = document.fullscreenElement === figure;
        fullscreenButton.textContent = figure.getAttribute(on ? "data-label-close-fullscreen" : "data-label-fullscreen");
        refit();
      });
    }

    // After a resize or a change to full screen, a fitted drawing fits again; a zoom the
    // reader chose stays. Nothing is said when the zoom stays the same.
    function refit() {
      var next = mode === "fit" ? fitScale() : mode === "auto" ? firstView() : scale;
      if (Math.abs(next - scale) > 0.0005) {
        apply(next, mode);
      }
    }

    tools.hidden = false;
    apply(firstView(), "auto");
    var pending = null;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(refit, 150);
    });
  }

  document.querySelectorAll("[data-diagram]").forEach(start);
});
