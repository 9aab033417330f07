/* An import's page: while the run is under way, ask for its progress every second and move
   the bar; when it has finished, load the page again to show the result. Without scripts the
   page refreshes itself (a <noscript> refresh). */
(function () {
  var box = document.getElementById('import-progress');
  if (!box || box.dataset.finished === 'true') { return; }
  var bar = document.getElementById('import-bar');
  var count = document.getElementById('import-count');
  var status = document.getElementById('import-status');
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (s) {
        bar.value = s.progress;
        bar.textContent = s.progress + '%';
        count.textContent = s.progress + '%（已处理 ' + s.done + (s.rows !== null ? ' / ' + s.rows : '') + ' 行）';
        status.textContent = s.status_name;
        if (s.finished) { window.location.reload(); } else { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
