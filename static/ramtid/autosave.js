/*
 * Autosave that tells the truth and loses nothing when the connection goes (plans are written
 * on tablets in clients' homes).
 *
 * The form is marked <form data-autosave="KEY" data-autosave-trigger="ID" data-autosave-status="ID">.
 * htmx does the saving: the element with id data-autosave-trigger posts the form to the
 * autosave endpoint as she writes, and its answer fills the status line and refreshes, out of
 * band, the version and what depends on the saved plan. This script adds what htmx cannot know:
 *
 * - Every change is also kept in this browser (localStorage) until the server has saved it.
 * - Without a connection nothing is sent: the status line says so, "Spara" does not lead to the
 *   browser's error page, and what was typed stays in the page and in the browser.
 * - When the connection returns, the kept fields are sent, with the version they were written
 *   against, so that a save made elsewhere meanwhile is still caught as a conflict.
 * - Opening the page again finds what was never saved: fields written against the version now
 *   shown are put back and saved; fields written against an older version are offered, never
 *   imposed (someone else has saved since).
 *
 * The server says how a save went in the X-Ramtid-Save header: saved, invalid or stale.
 */
(function () {
  "use strict";

  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.htmx) {
    return;
  }
  var trigger = document.getElementById(form.dataset.autosaveTrigger);
  var status = document.getElementById(form.dataset.autosaveStatus);
  var storageKey = "ramtid:osparat:" + form.dataset.autosave;
  var tab = Math.random().toString(36).slice(2);
  var edits = 0; // changes made in this page
  var sentEdits = 0; // how many of them the request under way carries
  var offline = !navigator.onLine;
  var inFlight = false; // an autosave request is under way
  var waitingSubmitter = null; // "Spara" pressed while it was: posted when it is done
  var leaving = false; // the form is being posted the ordinary way

  var OFFLINE_TEXT =
    "Inte sparat – ingen anslutning. Det du skriver finns kvar på den här enheten " +
    "och sparas när anslutningen är tillbaka.";
  var SIGNED_OUT_TEXT =
    "Inte sparat – du är utloggad. Det du skriver finns kvar på den här enheten och " +
    "sparas när du har loggat in igen.";
  var SKIPPED = /-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS$/;

  function say(text) {
    status.textContent = text;
  }

  function time(iso) {
    var when = new Date(iso);
    return ("0" + when.getHours()).slice(-2) + ":" + ("0" + when.getMinutes()).slice(-2);
  }

  function restorable(element) {
    return (
      element.name &&
      element.name !== "csrfmiddlewaretoken" &&
      element.name !== "version" &&
      !SKIPPED.test(element.name) &&
      element.type !== "submit" &&
      element.type !== "button" &&
      element.type !== "file"
    );
  }

  function snapshot() {
    var names = [];
    var values = [];
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!restorable(element)) {
        return;
      }
      if (names.indexOf(element.name) < 0) {
        names.push(element.name);
      }
      if ((element.type === "checkbox" || element.type === "radio") && !element.checked) {
        return;
      }
      if (element.tagName === "SELECT" && element.multiple) {
        Array.prototype.forEach.call(element.selectedOptions, function (option) {
          values.push([element.name, option.value]);
        });
        return;
      }
      values.push([element.name, element.value]);
    });
    return { names: names, values: values };
  }

  function grouped(values) {
    var byName = {};
    values.forEach(function (pair) {
      (byName[pair[0]] = byName[pair[0]] || []).push(pair[1]);
    });
    return byName;
  }

  // What the page held when it was opened: a field differing from it is one she changed.
  var baseline = null;

  function changedNames(fields) {
    var before = grouped(baseline ? baseline.values : []);
    var now = grouped(fields.values);
    return fields.names.filter(function (name) {
      return JSON.stringify(before[name] || []) !== JSON.stringify(now[name] || []);
    });
  }

  function read() {
    try {
      return JSON.parse(window.localStorage.getItem(storageKey) || "null");
    } catch (error) {
      return null;
    }
  }

  function remember() {
    var fields = snapshot();
    try {
      window.localStorage.setItem(
        storageKey,
        JSON.stringify({
          version: form.elements.version.value,
          at: new Date().toISOString(),
          tab: tab,
          submitted: false,
          names: changedNames(fields),
          values: fields.values.filter(function (pair) {
            return changedNames(fields).indexOf(pair[0]) >= 0;
          }),
        })
      );
    } catch (error) {
      // Storage full or switched off: the page itself still holds what was typed.
    }
  }

  function forget() {
    var kept = read();
    if (kept && kept.tab === tab) {
      window.localStorage.removeItem(storageKey);
    }
  }

  // Only the fields she changed are kept and put back: a save made elsewhere in the others
  // stays.
  function putBack(kept) {
    var byName = grouped(kept.values);
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!restorable(element) || kept.names.indexOf(element.name) < 0) {
        return;
      }
      var values = byName[element.name] || [];
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = values.indexOf(element.value) >= 0;
      } else if (element.tagName === "SELECT" && element.multiple) {
        Array.prototype.forEach.call(element.options, function (option) {
          option.selected = values.indexOf(option.value) >= 0;
        });
      } else {
        // Several cards share no name, so one value per name except for the lists above.
        element.value = values.length ? values.shift() : "";
      }
    });
  }

  function sameAsPage(kept) {
    var now = grouped(snapshot().values);
    var wanted = grouped(kept.values);
    return kept.names.every(function (name) {
      return JSON.stringify(wanted[name] || []) === JSON.stringify(now[name] || []);
    });
  }

  function save() {
    if (offline || !navigator.onLine) {
      offline = true;
      say(OFFLINE_TEXT);
      return;
    }
    window.htmx.trigger(trigger, "ramtid:resend");
  }

  // --- keeping every change in the browser until it is saved ---------------------------------

  function changed() {
    edits += 1;
    remember();
    if (offline || !navigator.onLine) {
      say(OFFLINE_TEXT);
    }
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);

  // --- the autosave requests ------------------------------------------------------------------

  trigger.addEventListener("htmx:beforeRequest", function (event) {
    if (leaving) {
      event.preventDefault(); // the ordinary post carries everything
      return;
    }
    if (!navigator.onLine) {
      event.preventDefault(); // nothing to send it over: keep it
      offline = true;
      say(OFFLINE_TEXT);
      return;
    }
    inFlight = true;
    sentEdits = edits;
  });
  trigger.addEventListener("htmx:sendError", function () {
    offline = true;
    say(OFFLINE_TEXT);
  });
  trigger.addEventListener("htmx:afterRequest", function (event) {
    inFlight = false;
    var xhr = event.detail.xhr;
    if (xhr && xhr.status) {
      offline = false;
      if (xhr.status === 401) {
        say(SIGNED_OUT_TEXT); // the session ended: what is kept waits for the next sign-in
      } else if (xhr.getResponseHeader("X-Ramtid-Save") === "saved" && edits === sentEdits) {
        forget(); // everything typed is on the server now
      }
    }
    if (waitingSubmitter !== null) {
      // "Spara" was pressed during the save: post now, with the version that save gave.
      var submitter = waitingSubmitter;
      waitingSubmitter = null;
      form.requestSubmit(submitter || undefined);
    }
  });
  window.addEventListener("offline", function () {
    offline = true;
    say(OFFLINE_TEXT);
  });
  window.addEventListener("online", function () {
    offline = false;
    if (read()) {
      say("Anslutningen är tillbaka. Sparar …");
      save();
    }
  });

  // --- "Spara" and "Markera planen som klar" without a connection -----------------------------

  form.addEventListener("submit", function (event) {
    if (offline || !navigator.onLine) {
      event.preventDefault(); // the browser's error page would hide what was typed
      offline = true;
      remember();
      say(OFFLINE_TEXT);
      return;
    }
    if (inFlight) {
      // Posting now would race the autosave with the same version and lose to it.
      event.preventDefault();
      waitingSubmitter = event.submitter || false;
      say("Sparar …");
      return;
    }
    leaving = true;
    var kept = read();
    if (kept) {
      // Sent the ordinary way: once the page comes back with a newer version, it was saved.
      kept.submitted = true;
      window.localStorage.setItem(storageKey, JSON.stringify(kept));
    }
  });

  // --- opening the page: what was never saved --------------------------------------------------
  // After htmx has set up the page (it does so when the document is loaded, and its listener
  // was added before this one), so that a save started here is heard.

  function offer(kept) {
    var box = document.createElement("div");
    box.className = "notice notice--warning notice--block";
    box.setAttribute("role", "alert");
    box.id = "unsaved-offer";
    var text = document.createElement("p");
    text.textContent =
      "Det finns ändringar från " +
      time(kept.at) +
      " som inte sparades, och någon har sparat planen efter det. Vill du lägga tillbaka dina " +
      "ändringar? De ersätter då det som är sparat i de fälten.";
    var restore = document.createElement("button");
    restore.type = "button";
    restore.className = "button button--secondary button--small";
    restore.textContent = "Lägg tillbaka mina ändringar";
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "button button--link button--small";
    discard.textContent = "Släng dem";
    restore.addEventListener("click", function () {
      putBack(kept);
      box.remove();
      edits += 1;
      remember();
      say("Dina ändringar från " + time(kept.at) + " är tillbaka. Sparar …");
      save();
    });
    discard.addEventListener("click", function () {
      window.localStorage.removeItem(storageKey);
      box.remove();
      say("Ändringarna är slängda.");
    });
    box.appendChild(text);
    box.appendChild(restore);
    box.appendChild(document.createTextNode(" "));
    box.appendChild(discard);
    form.parentNode.insertBefore(box, form);
  }

  function opened() {
    var kept = read();
    if (form.dataset.autosaveStale === "true") {
      // "Spara" met a save made elsewhere: the page shows what was typed, but nothing of it is
      // saved. Keep it, to be offered back once the page is reloaded with the newer version.
      if (kept) {
        kept.submitted = false;
      } else {
        var fields = snapshot();
        kept = { version: form.elements.version.value, at: new Date().toISOString(),
                 tab: tab, names: fields.names, values: fields.values };
      }
      kept.submitted = false;
      window.localStorage.setItem(storageKey, JSON.stringify(kept));
      return;
    }
    if (!kept) {
      return;
    }
    var pageVersion = form.elements.version.value;
    if (kept.version === pageVersion) {
      if (sameAsPage(kept)) {
        window.localStorage.removeItem(storageKey);
      } else {
        putBack(kept);
        kept.tab = tab;
        window.localStorage.setItem(storageKey, JSON.stringify(kept));
        edits += 1;
        say("Ändringar från " + time(kept.at) + " som inte hann sparas är tillbaka. Sparar …");
        save();
      }
    } else if (kept.submitted || sameAsPage(kept)) {
      window.localStorage.removeItem(storageKey); // "Spara" went through
    } else {
      offer(kept);
    }
  }
  baseline = snapshot();
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", opened);
  } else {
    window.setTimeout(opened, 0);
  }
  if (offline) {
    say(OFFLINE_TEXT);
  }

  // Back to this page from the browser's history: its version may be old, so read it anew.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      window.location.reload();
    }
    leaving = false;
  });
})();
