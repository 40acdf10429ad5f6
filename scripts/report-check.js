// Injected into a copy of report.html by scripts/check-report.sh: lists, in a preformatted block
// that --dump-dom prints (id report-check), every chart text outside its chart, every pair of
// overlapping legend entries, and a page wider than the window.
window.addEventListener('load', function () {
  var problems = [];
  var slack = 1;
  function inside(r, box) {
    return r.left >= box.left - slack && r.right <= box.right + slack && r.top >= box.top - slack && r.bottom <= box.bottom + slack;
  }
  function overlap(a, b) {
    return a.left < b.right - slack && b.left < a.right - slack && a.top < b.bottom - slack && b.top < a.bottom - slack;
  }
  var charts = document.querySelectorAll('svg.chart');
  charts.forEach(function (svg) {
    var name = svg.getAttribute('aria-label');
    var box = svg.getBoundingClientRect();
    svg.querySelectorAll('text').forEach(function (t) {
      var r = t.getBoundingClientRect();
      if (r.width > 0 && !inside(r, box)) problems.push('text outside its chart: "' + t.textContent + '" in "' + name + '"');
    });
    var entries = Array.prototype.slice.call(svg.querySelectorAll('.legend-entry')).map(function (g) {
      return { label: g.textContent, rect: g.getBoundingClientRect() };
    });
    for (var i = 0; i < entries.length; i++) {
      if (!inside(entries[i].rect, box)) problems.push('legend entry outside its chart: "' + entries[i].label + '" in "' + name + '"');
      for (var j = i + 1; j < entries.length; j++) {
        if (overlap(entries[i].rect, entries[j].rect)) problems.push('legend entries overlap: "' + entries[i].label + '" and "' + entries[j].label + '" in "' + name + '"');
      }
    }
  });
  var page = document.documentElement.scrollWidth, view = window.innerWidth;
  if (page > view + slack) problems.push('page overflows sideways: ' + page + ' px wide in a ' + view + ' px window');
  var out = document.createElement('pre');
  out.id = 'report-check';
  out.textContent = 'charts ' + charts.length + '\n' + problems.join('\n');
  document.body.appendChild(out);
});
