// Haven: keyboard shortcuts for handlers, and the live notifications badge. Every page works
// without this file; it only adds j/k (next/previous), r (reply), n (note), a (assign to me),
// / (search), e (close) and ? (help), and refreshes the badge without a reload.
(function () {
  "use strict";

  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  // items are the rows of the inbox, or the entries of a case's timeline.
  function items() {
    var rows = document.querySelectorAll("table.cases tbody tr[data-href]");
    if (rows.length) return rows;
    return document.querySelectorAll(".timeline > li");
  }

  function move(step) {
    var list = items();
    if (!list.length) return;
    var current = -1;
    for (var i = 0; i < list.length; i++) {
      if (list[i].classList.contains("current")) current = i;
    }
    var next = Math.max(0, Math.min(list.length - 1, current + step));
    if (current >= 0) list[current].classList.remove("current");
    var el = list[next];
    el.classList.add("current");
    if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "-1");
    el.focus();
    el.scrollIntoView({ block: "nearest" });
  }

  function focusField(id) {
    var el = document.getElementById(id);
    if (!el) return false;
    var details = el.closest("details");
    if (details) details.open = true;
    el.focus();
    return true;
  }

  function closeCase() {
    var to = document.getElementById("s-to");
    if (!to) return;
    for (var i = 0; i < to.options.length; i++) {
      if (to.options[i].value === "closed") to.selectedIndex = i;
    }
    focusField("s-outcome");
  }

  var actions = {
    "j": function () { move(1); },
    "k": function () { move(-1); },
    "r": function () { focusField("reply-text"); },
    "n": function () { focusField("note-body"); },
    "a": function () {
      var f = document.getElementById("assign-me");
      if (f) f.requestSubmit();
    },
    "/": function () {
      if (!focusField("q")) window.location.href = "/search";
    },
    "e": closeCase,
    "?": function () {
      var d = document.getElementById("keys");
      if (d && !d.open) d.showModal();
    }
  };

  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(ev.target)) return;
    if (ev.key === "Enter" && ev.target.matches && ev.target.matches("tr[data-href]")) {
      window.location.href = ev.target.getAttribute("data-href");
      return;
    }
    var act = actions[ev.key];
    if (!act) return;
    ev.preventDefault();
    act();
  });
})();

// The header's unread-notifications badge: drawn right by the server at page load, refreshed
// here every 30 seconds while the page is in view (and when it comes back into view). Screen
// readers hear of it, politely, only when a notification arrives, never on every refresh.
(function () {
  "use strict";

  var badge = document.getElementById("notify-badge");
  if (!badge || !window.fetch) return;
  var live = document.getElementById("notify-live");
  var last = parseInt(badge.getAttribute("data-count"), 10) || 0;
  var timer;

  function show(d) {
    badge.querySelector(".count").textContent = d.text;
    badge.querySelector(".visually-hidden").textContent = d.label;
    badge.hidden = d.count === 0;
    badge.setAttribute("data-count", String(d.count));
    if (d.count > last && live) live.textContent = d.label;
    last = d.count;
  }

  function poll() {
    if (document.hidden) return;
    fetch(badge.getAttribute("data-poll"), { credentials: "same-origin", redirect: "error", headers: { "Accept": "application/json" } })
      .then(function (r) {
        if (!r.ok) throw new Error("status " + r.status);
        return r.json();
      })
      .then(show)
      .catch(function () { clearInterval(timer); }); // signed out, or the server is gone: stop asking
  }

  timer = setInterval(poll, 30000);
  document.addEventListener("visibilitychange", poll);
})();

// The inbox (issue 16), each part an enhancement of a page that works without it: a click
// anywhere on a row opens its case (the number stays the link, and the keyboard's way); "select
// all on this page"; and every data-poll seconds (30) the page asks whether cases arrived in its
// list since it was read, and offers to show them, keeping the ticked cases ticked.
(function () {
  "use strict";
  var table = document.getElementById("cases");
  if (!table || !table.hasAttribute("data-fresh")) return;
  var selKey = "haven.inbox.selected";

  function boxes() {
    return table.querySelectorAll('tbody input[type="checkbox"][name="case"]');
  }

  table.addEventListener("click", function (ev) {
    if (ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.altKey) return;
    if (ev.target.closest("a, input, button, label, select, textarea")) return;
    var row = ev.target.closest("tbody tr[data-href]");
    var sel = window.getSelection && window.getSelection();
    if (!row || (sel && String(sel).length > 0)) return; // selecting text is not opening
    window.location.href = row.getAttribute("data-href");
  });

  var all = document.getElementById("all");
  function syncAll() {
    var list = boxes(), on = 0;
    for (var i = 0; i < list.length; i++) if (list[i].checked) on++;
    all.checked = list.length > 0 && on === list.length;
    all.indeterminate = on > 0 && on < list.length;
  }
  if (all) {
    all.hidden = false;
    all.addEventListener("change", function () {
      var list = boxes();
      for (var i = 0; i < list.length; i++) list[i].checked = all.checked;
    });
    table.addEventListener("change", function (ev) {
      if (ev.target !== all) syncAll();
    });
  }

  // Restore what was ticked before "show" reloaded the list.
  try {
    var kept = JSON.parse(sessionStorage.getItem(selKey) || "[]");
    sessionStorage.removeItem(selKey);
    var list = boxes();
    for (var i = 0; i < list.length; i++) if (kept.indexOf(list[i].value) >= 0) list[i].checked = true;
    if (all) syncAll();
  } catch (e) { /* storage refused: the ticks are lost, nothing else */ }

  var fresh = document.getElementById("fresh");
  var show = fresh && fresh.querySelector("a");
  if (!show) return;
  show.addEventListener("click", function () {
    var on = [], list = boxes();
    for (var i = 0; i < list.length; i++) if (list[i].checked) on.push(list[i].value);
    try { sessionStorage.setItem(selKey, JSON.stringify(on)); } catch (e) { /* as above */ }
  });

  var last = Date.now(), asking = false;
  function ask() {
    asking = true;
    fetch(table.getAttribute("data-fresh"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (j) {
        if (j && j["new"] > 0) {
          fresh.querySelector("span").textContent = j.text;
          show.hidden = false;
        }
      })
      .catch(function () { /* offline or signed out: ask again later */ })
      .then(function () { asking = false; last = Date.now(); });
  }
  // A one-second tick reads data-poll each time, so that a test can shorten it on a page
  // already open; a hidden tab does not ask.
  window.setInterval(function () {
    var every = 1000 * (parseFloat(table.getAttribute("data-poll")) || 30);
    if (!asking && !document.hidden && Date.now() - last >= every) ask();
  }, 1000);
})();
