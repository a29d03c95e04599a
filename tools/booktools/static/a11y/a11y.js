/* The course's accessibility fixes that need the page's script (tools/booktools/a11y.py).

   1. The theme's header buttons (drawn by its templates): a name that contains what the button
      shows (WCAG 2.5.3, "label in name"), icons hidden from speech; the navigation's toggles of
      sub-pages (a chevron only) named by their entry's link.
   2. jupyterquiz's options, drawn by its script when the page loads: each option is a radio button
      inside its label, so Tab reaches a question's options and Space or the arrow keys answer; Enter
      answers too, and the feedback is announced when it changes. */
(function () {
  "use strict";

  function themeButtons(root) {
    // The search field shows "Search Ctrl+K" and is named "Search": its visible text names it.
    root.querySelectorAll(".search-button-field[aria-label]").forEach(function (b) {
      b.removeAttribute("aria-label");
      b.setAttribute("aria-keyshortcuts", "Control+K");
    });
    // Icons are decoration: the buttons' names are their labels or texts.
    root.querySelectorAll(
      ".theme-switch-button i, .search-button i, .search-button-field i, .article-header-buttons i, " +
      ".sidebar-toggle span[class*='fa-'], .btn__icon-container i"
    ).forEach(function (i) {
      i.setAttribute("aria-hidden", "true");
      i.removeAttribute("title");
    });
  }

  function navSummaries(root) {
    // The navigation's "open the sub-pages" toggles show only a chevron: each is named by the link
    // of its entry (a screen reader adds "collapsed" or "expanded").
    root.querySelectorAll("li.has-children > details > summary").forEach(function (summary, k) {
      var link = summary.parentElement.parentElement.querySelector(":scope > a");
      if (!link || summary.hasAttribute("aria-labelledby")) return;
      if (!link.id) link.id = "rb-nav-" + k;
      summary.setAttribute("aria-labelledby", link.id);
    });
  }

  function quizzes(root) {
    root.querySelectorAll(".Quiz .Feedback:not([aria-live])").forEach(function (fb) {
      fb.setAttribute("aria-live", "polite");  // the right/wrong feedback is read when it appears
    });
    root.querySelectorAll(".Quiz .MCButton input:not([data-rb-keys])").forEach(function (input) {
      input.setAttribute("data-rb-keys", "1");
      input.addEventListener("keydown", function (e) {
        if (e.key === "Enter") {  // Space and the arrows answer a radio button already
          e.preventDefault();
          input.click();
        }
      });
    });
  }

  function fix() {
    themeButtons(document);
    navSummaries(document);
    quizzes(document);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", fix);
  } else {
    fix();
  }
  // jupyterquiz draws its questions after the page has loaded (and again on a slide): fix them as they come
  new MutationObserver(function (records) {
    for (var r = 0; r < records.length; r++) {
      if (records[r].addedNodes.length) { quizzes(document); break; }
    }
  }).observe(document.documentElement, {childList: true, subtree: true});
})();
