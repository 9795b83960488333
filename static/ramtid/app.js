/*
 * Ramtid's few page-wide behaviours, loaded on every page (no inline scripts: the
 * Content-Security-Policy forbids them). Everything works without this file; it only stops
 * what a double click would do twice.
 */
(function () {
  "use strict";

  // A form posted once is not posted again by a second click or Enter while the first request
  // is on its way (two saves would make the second look like someone else's). A page brought
  // back with the back button accepts a new post.
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!(form instanceof HTMLFormElement) || (form.method || "").toLowerCase() !== "post") {
        return;
      }
      if (form.dataset.submitting === "true") {
        event.preventDefault();
        return;
      }
      // A listener on the form itself (the plan's autosave, when the connection is lost) has
      // already run and may have stopped the post: then it is not under way.
      if (!event.defaultPrevented) {
        form.dataset.submitting = "true";
      }
    },
    false
  );

  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitting]").forEach(function (form) {
      delete form.dataset.submitting;
    });
  });
})();
