/*
 * The idle timeout's warning (ramtid/session_timeout.py). The page is told how many seconds its
 * session has left; a few minutes before the end it asks the server again (another tab, or this
 * page's own background saves, may have renewed the session) and, if the end is still near,
 * shows the alert dialog in base.html with focus on "Fortsätt vara inloggad". The button, or
 * Escape, renews the session. At the end the dialog says the user has been signed out, with a
 * link to sign in again; nothing on the page is removed.
 */
(function () {
  "use strict";

  var dialog = document.getElementById("session-warning");
  if (!dialog) {
    return;
  }
  var statusUrl = dialog.dataset.statusUrl;
  var loginUrl = dialog.dataset.loginUrl;
  var warningSeconds = parseInt(dialog.dataset.warningSeconds, 10) || 180;
  var title = document.getElementById("session-warning-title");
  var text = dialog.querySelector("[data-session-text]");
  var stay = dialog.querySelector("[data-session-stay]");
  var timer = null;
  var ticker = null;
  var deadline = 0;
  var returnFocus = null;

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function minutesText(seconds) {
    var minutes = Math.max(1, Math.ceil(seconds / 60));
    return minutes === 1 ? "1 minut" : minutes + " minuter";
  }

  function request(method) {
    return fetch(statusUrl, {
      method: method,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    }).then(function (response) {
      if (!response.ok) {
        throw new Error("session status " + response.status);
      }
      return response.json().then(function (body) {
        return body.seconds_left;
      });
    });
  }

  function schedule(secondsLeft) {
    window.clearTimeout(timer);
    deadline = Date.now() + secondsLeft * 1000;
    var until = Math.max(0, secondsLeft - warningSeconds) * 1000;
    timer = window.setTimeout(check, until);
  }

  function check() {
    request("GET").then(
      function (secondsLeft) {
        if (secondsLeft <= 0) {
          signedOut();
        } else if (secondsLeft > warningSeconds + 5) {
          hide();
          schedule(secondsLeft); // renewed elsewhere meanwhile
        } else {
          warn(secondsLeft);
        }
      },
      function () {
        // The server could not be asked (the network): try again in a little while.
        timer = window.setTimeout(check, 15000);
      }
    );
  }

  function updateText() {
    var left = Math.round((deadline - Date.now()) / 1000);
    if (left <= 0) {
      window.clearInterval(ticker);
      check();
      return;
    }
    text.textContent =
      "Du har inte använt Ramtid på en stund. Om " + minutesText(left) + " loggas du ut, " +
      "och det du inte har sparat går förlorat.";
  }

  function warn(secondsLeft) {
    deadline = Date.now() + secondsLeft * 1000;
    if (dialog.hidden) {
      returnFocus = document.activeElement;
      dialog.hidden = false;
      stay.hidden = false;
      title.textContent = "Du loggas snart ut";
      updateText();
      stay.focus();
      window.clearInterval(ticker);
      ticker = window.setInterval(updateText, 15000);
    }
    window.clearTimeout(timer);
    timer = window.setTimeout(check, secondsLeft * 1000 + 1000);
  }

  function hide() {
    window.clearInterval(ticker);
    if (dialog.hidden) {
      return;
    }
    dialog.hidden = true;
    if (returnFocus && document.contains(returnFocus) && returnFocus.focus) {
      returnFocus.focus();
    }
    returnFocus = null;
  }

  function signedOut() {
    window.clearInterval(ticker);
    window.clearTimeout(timer);
    var here = window.location.pathname + window.location.search;
    var link = document.createElement("a");
    link.href = loginUrl + "?next=" + encodeURIComponent(here);
    link.textContent = "Logga in igen";
    title.textContent = "Du har loggats ut";
    text.textContent =
      "Du har loggats ut eftersom du inte har använt Ramtid på en stund. Det som står på sidan " +
      "finns kvar tills du lämnar den, men det sparas inte. ";
    text.appendChild(link);
    stay.hidden = true;
    if (dialog.hidden) {
      returnFocus = document.activeElement;
      dialog.hidden = false;
    }
    title.focus();
  }

  function stayHere() {
    request("POST").then(
      function (secondsLeft) {
        if (secondsLeft <= 0) {
          signedOut();
        } else {
          hide();
          schedule(secondsLeft);
        }
      },
      function () {
        check();
      }
    );
  }

  stay.addEventListener("click", stayHere);
  dialog.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !stay.hidden) {
      event.preventDefault();
      stayHere();
    }
  });

  schedule(parseInt(dialog.dataset.secondsLeft, 10) || 0);
})();
