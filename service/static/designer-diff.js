// The version diff page: both versions side by side, the server's semantic diff coloured on
// them (added and changed on the new one, removed and changed on the old one).
(function() {
  'use strict';
  var box = document.getElementById('diff-diagrams');
  if (!box) { return; }
  var marks = JSON.parse(box.dataset.marks);
  var sides = [
    { url: box.dataset.old, container: '#diff-old', show: { removed: 'yz-diff-removed', changed: 'yz-diff-changed' } },
    { url: box.dataset.new, container: '#diff-new', show: { added: 'yz-diff-added', changed: 'yz-diff-changed' } }
  ];
  sides.forEach(function(side) {
    fetch(side.url, { credentials: 'same-origin' }).then(function(r) { return r.json(); }).then(function(source) {
      var viewer = window.YizhengModeler.createViewer({ container: side.container });
      return viewer.importXML(source.bpmn).then(function() {
        var canvas = viewer.get('canvas');
        var registry = viewer.get('elementRegistry');
        canvas.zoom('fit-viewport');
        Object.keys(side.show).forEach(function(kind) {
          marks[kind].forEach(function(id) {
            if (registry.get(id)) { canvas.addMarker(id, side.show[kind]); }
          });
        });
        document.querySelector(side.container).classList.add('ready');
      });
    });
  });
})();
