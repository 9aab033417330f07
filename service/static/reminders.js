// The live info window (实时信息窗): the home page's reminder counts refresh every minute
// without reloading. Without JavaScript the page shows the counts as of its loading.
(function () {
  "use strict";
  var board = document.querySelector("[data-reminder-counts]");
  if (!board || !window.fetch) { return; }
  var url = board.getAttribute("data-reminder-counts");
  var every = parseInt(board.getAttribute("data-refresh-seconds") || "60", 10) * 1000;
  var stamp = board.querySelector("[data-refreshed-at]");
  function show(counts) {
    Object.keys(counts).forEach(function (kind) {
      document.querySelectorAll('[data-reminder-count="' + kind + '"]').forEach(function (el) {
        el.textContent = String(counts[kind]);
        var stat = el.closest(".stat");
        if (stat) { stat.classList.toggle("attention", counts[kind] > 0); }
      });
    });
    if (stamp) {
      var now = new Date();
      stamp.textContent = ("0" + now.getHours()).slice(-2) + ":" + ("0" + now.getMinutes()).slice(-2) +
        ":" + ("0" + now.getSeconds()).slice(-2);
    }
  }
  function refresh() {
    if (document.hidden) { return; }
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) { if (body && body.counts) { show(body.counts); } })
      .catch(function () { /* offline for a moment: the next round tries again */ });
  }
  window.setInterval(refresh, every);
  document.addEventListener("visibilitychange", refresh);
})();
