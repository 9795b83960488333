/*
 * Ramtid's few page-wide behaviours, loaded on every page (no inline scripts: the
 * Content-Security-Policy forbids them). Everything works without this file; it stops what a
 * double click would do twice, and tells the user when a request made in the background found
 * her signed out.
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
      // Signed in again in another tab since this page was loaded: the page's token is stale.
      var field = form.querySelector('input[name="csrfmiddlewaretoken"]');
      var token = csrfToken();
      if (field && token) {
        field.value = token;
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

  // --- Nothing focused behind a bar that sticks to the bottom of the screen ----------------------
  // The plan's "Spara" bar covers the bottom of the screen. The root's scroll-padding (app.css)
  // makes the browser scroll a field reached with Tab above it, but for a textarea Chromium only
  // brings the caret into view, so the rest of the box may stay behind the bar (WCAG 2.2, 2.4.11).

  document.addEventListener("focusin", function (event) {
    var element = event.target;
    var bar = document.querySelector(".save-bar");
    if (!bar || !(element instanceof Element) || bar.contains(element)) {
      return;
    }
    var under = bar.getBoundingClientRect();
    var box = element.getBoundingClientRect();
    var overlaps =
      box.bottom > under.top &&
      box.top < under.bottom &&
      box.right > under.left &&
      box.left < under.right;
    if (overlaps) {
      element.scrollIntoView({ block: "nearest" }); // above the bar, by the scroll-padding
    }
  });

  // --- A table wider than its column scrolls, and a keyboard must be able to scroll it ---------
  // A .table-wrap scrolls sideways when its table does not fit (a narrow column, a small screen
  // or a zoomed page). Only then is it made a named region in the tab order, so that the arrow
  // keys scroll it (WCAG 2.1.1; axe: scrollable-region-focusable); a table that fits stays out
  // of the tab order. Again after htmx swaps rows in and when the window changes size.

  function markScrollingTables() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      var ours = wrap.dataset.scrollRegion === "true";
      if (wrap.hasAttribute("tabindex") && !ours) {
        return; // the template made it a region itself
      }
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      if (scrolls && !ours) {
        var caption = wrap.querySelector("caption");
        wrap.dataset.scrollRegion = "true";
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute(
          "aria-label",
          (caption ? caption.textContent.trim() : "Tabell") + " (rullas i sidled)"
        );
      } else if (!scrolls && ours) {
        delete wrap.dataset.scrollRegion;
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    });
  }

  var resizing = null;
  markScrollingTables(); // the script is deferred: the page is parsed
  window.addEventListener("load", markScrollingTables); // images and charts laid out
  document.addEventListener("htmx:afterSettle", markScrollingTables);
  window.addEventListener("resize", function () {
    window.cancelAnimationFrame(resizing);
    resizing = window.requestAnimationFrame(markScrollingTables);
  });

  // --- Signed out while the page is open --------------------------------------------------------
  // An htmx request (the plan's autosave, the order's time basis) that finds the session ended
  // gets 401 and the event ramtid:signed-out with the address to sign in again
  // (ramtid/middleware.py); htmx swaps nothing, so the page stays as it was. Say so once, at the
  // top of the content, with a link that signs in again in a new tab and comes back to this
  // page there, so that nothing typed here is lost. The next request that succeeds removes it.

  var NOTICE_ID = "signed-out-notice";

  // Django's CSRF cookie (CSRF_COOKIE_NAME, not HttpOnly). Signing in rotates it, so a request
  // sent after signing in again in another tab must carry the cookie's token, not the one the
  // page was rendered with.
  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : null;
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (!token) {
      return;
    }
    event.detail.headers["X-CSRFToken"] = token;
    // A form included in the request carries the page's token, which Django reads first.
    if (event.detail.formData && event.detail.formData.has("csrfmiddlewaretoken")) {
      event.detail.formData.set("csrfmiddlewaretoken", token);
    }
  });

  document.addEventListener("ramtid:signed-out", function (event) {
    var main = document.getElementById("main");
    if (!main || document.getElementById(NOTICE_ID)) {
      return;
    }
    var here = window.location.pathname + window.location.search;
    var loginUrl =
      (event.detail && event.detail.login_url) || "/logga-in/?next=" + encodeURIComponent(here);
    var notice = document.createElement("p");
    notice.id = NOTICE_ID;
    notice.className = "message message--warning signed-out";
    notice.setAttribute("role", "alert");
    var title = document.createElement("strong");
    title.textContent = "Du har blivit utloggad.";
    var link = document.createElement("a");
    link.href = loginUrl;
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = "Logga in igen i en ny flik";
    notice.append(
      title,
      " Inget av det du har skrivit på sidan har försvunnit, men det sparas inte förrän du har " +
        "loggat in igen. ",
      link,
      " och fortsätt sedan här."
    );
    main.insertBefore(notice, main.firstChild);
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var notice = document.getElementById(NOTICE_ID);
    if (notice && event.detail.successful) {
      notice.remove(); // signed in again: the requests go through
    }
  });
})();
