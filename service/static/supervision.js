/* Ticking an area ticks all its groups; a group alone is allowed (seed 004 执业自查项目确定). */
document.querySelectorAll('.sv-area-box').forEach(function (box) {
  box.addEventListener('change', function () {
    document.querySelectorAll('input[data-parent="' + box.dataset.area + '"]').forEach(function (c) { c.checked = box.checked; });
  });
});
document.querySelectorAll('input[data-parent]').forEach(function (c) {
  c.addEventListener('change', function () {
    var all = document.querySelectorAll('input[data-parent="' + c.dataset.parent + '"]');
    document.querySelector('.sv-area-box[data-area="' + c.dataset.parent + '"]').checked = Array.prototype.every.call(all, function (x) { return x.checked; });
  });
});
