// Haven: who else is on this case's page. The page says it as it loads; this keeps it current
// and tells the others when this reader is writing a reply or a note. Without it the page works
// the same, only the presence line goes stale.
(function () {
  "use strict";
  var line = document.getElementById("presence");
  if (!line || !window.fetch) return;
  var url = "/cases/" + encodeURIComponent(line.getAttribute("data-case")) + "/presence";
  var writingUntil = 0;

  function ping() {
    var state = Date.now() < writingUntil && line.hasAttribute("data-can-reply") ? "replying" : "viewing";
    var body = new URLSearchParams({ state: state });
    fetch(url, { method: "POST", body: body, credentials: "same-origin", redirect: "error",
      headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (answer) {
        if (answer && line.textContent !== answer.text) line.textContent = answer.text;
      })
      .catch(function () { /* offline for a moment: the next ping tries again */ });
  }

  function writing() {
    var was = Date.now() < writingUntil;
    writingUntil = Date.now() + 30000;
    if (!was) ping();
  }

  ["reply-text", "note-body"].forEach(function (id) {
    var el = document.getElementById(id);
    if (el) el.addEventListener("input", writing);
  });
  var every = parseInt(line.getAttribute("data-every") || "15000", 10);
  ping();
  setInterval(function () { if (!document.hidden) ping(); }, every);
})();
