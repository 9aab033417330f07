/* The statistics page's chart (ECharts), drawn from the page's own table so that the table
   stays the source of truth and the page works without scripts. Tooltips are drawn on the
   canvas (renderMode 'richText'): the HTML tooltip would need inline styles the CSP forbids. */
(function () {
  'use strict';
  var holder = document.getElementById('stats-chart');
  var table = document.getElementById('stats-count');
  if (!holder || !table || !window.echarts) { return; }
  var rows = Array.prototype.slice.call(table.querySelectorAll('tbody tr[data-label]'));
  if (!rows.length) { return; }
  var columns = Array.prototype.slice.call(table.querySelectorAll('thead th[data-key]'))
    .map(function (th) { return th.textContent.trim(); });
  var labels = rows.map(function (tr) { return tr.getAttribute('data-label'); });
  var numbers = function (tr) {
    return Array.prototype.map.call(tr.querySelectorAll('td[data-value]'), function (td) {
      return Number(td.getAttribute('data-value'));
    });
  };
  var series;
  if (columns.length) {  // crossed: one stacked series per column of the second dimension
    series = columns.map(function (name, n) {
      return {name: name, type: 'bar', stack: 'count',
              data: rows.map(function (tr) { return numbers(tr)[n]; })};
    });
  } else {
    var beds = document.getElementById('stats-beds-table');
    var bedRows = beds ? beds.querySelectorAll('tbody tr[data-label]') : [];
    series = [{name: '机构数', type: 'bar', data: rows.map(function (tr) { return numbers(tr)[0]; })},
              {name: '床位数', type: 'line', yAxisIndex: 1,
               data: Array.prototype.map.call(bedRows, function (tr) { return numbers(tr)[0]; })}];
  }
  holder.hidden = false;
  var chart = window.echarts.init(holder, null, {locale: 'ZH', renderer: 'canvas'});
  chart.setOption({
    title: {text: holder.getAttribute('data-title'), left: 'center', textStyle: {fontSize: 14}},
    tooltip: {trigger: 'axis', renderMode: 'richText'},
    legend: {type: 'scroll', bottom: 0},
    grid: {left: 60, right: 60, top: 40, bottom: 90},
    xAxis: {type: 'category', data: labels, axisLabel: {interval: 0, rotate: labels.length > 6 ? 30 : 0}},
    yAxis: columns.length ? [{type: 'value', name: '机构数'}]
      : [{type: 'value', name: '机构数'}, {type: 'value', name: '床位数'}],
    series: series
  });
  chart.on('click', function (params) {
    var drill = rows[params.dataIndex] && rows[params.dataIndex].getAttribute('data-drill');
    if (drill) { window.location.href = drill; }
  });
  window.addEventListener('resize', function () { chart.resize(); });
  holder.setAttribute('data-rendered', 'true');
}());
