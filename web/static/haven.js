// Haven: keyboard shortcuts for handlers. Every page works without this file; it only adds
// j/k (next/previous), r (reply), n (note), a (assign to me), / (search), e (close) and ? (help).
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
