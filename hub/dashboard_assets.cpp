// The dashboard's style sheet and script, inlined into the page (allowed by the CSP nonce).
#include "hub/dashboard_assets.h"

namespace epsync::hub {

const char* const kDashboardStyle = R"css(
:root { --ink:#1d2733; --muted:#5b6878; --line:#d9dee5; --ready:#2e7d4f; --notready:#e39b2d; --bad:#b3261e;
  --badbg:#fdeceb; --warnbg:#fff6e0; --head:#0b3d6b; --paper:#ffffff; --bg:#f3f5f8; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif; color:var(--ink);
  background:var(--bg); }
header { background:var(--head); color:#fff; padding:18px 32px; display:flex; justify-content:space-between;
  align-items:flex-end; gap:24px; flex-wrap:wrap; }
header h1 { margin:0; font-size:22px; font-weight:600; }
header p { margin:4px 0 0; color:#c9d7e6; }
header form { display:flex; gap:8px; align-items:center; color:#c9d7e6; }
header input, header button { font:inherit; padding:4px 8px; border-radius:4px; border:1px solid #7f9cbc; }
header button { background:#fff; color:var(--head); cursor:pointer; }
main { padding:20px 32px 32px; max-width:1400px; margin:0 auto; }
.meta { color:var(--muted); margin:0 0 16px; }
.kpis { display:grid; grid-template-columns:repeat(6, 1fr); gap:12px; margin-bottom:20px; }
.kpi { background:var(--paper); border:1px solid var(--line); border-radius:8px; padding:12px 14px; }
.kpi .label { display:block; color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.04em; }
.kpi .value { display:block; font-size:26px; font-weight:650; font-variant-numeric:tabular-nums; }
.kpi .note { display:block; color:var(--muted); font-size:12px; }
.kpi.good .value { color:var(--ready); }
.kpi.alert { border-color:#e6b3af; background:var(--badbg); }
.kpi.alert .value { color:var(--bad); }
section { background:var(--paper); border:1px solid var(--line); border-radius:8px; padding:16px 20px;
  margin-bottom:20px; }
section h2 { margin:0 0 4px; font-size:17px; }
section > p.hint { margin:0 0 12px; color:var(--muted); }
.two { display:grid; grid-template-columns:minmax(0, 1fr) minmax(0, 1fr); gap:24px; align-items:start; }
.two.chart { grid-template-columns:minmax(0, 5fr) minmax(0, 7fr); }
table { border-collapse:collapse; width:100%; }
th, td { padding:5px 6px; border-bottom:1px solid var(--line); text-align:left; vertical-align:top; }
th { font-size:12px; color:var(--muted); font-weight:600; text-transform:uppercase; letter-spacing:.03em;
  vertical-align:bottom; }
table.sortable th { cursor:pointer; }
th[aria-sort="ascending"]::after { content:" \25B2"; }
th[aria-sort="descending"]::after { content:" \25BC"; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
tfoot td { font-weight:650; border-top:2px solid var(--ink); border-bottom:0; }
tr.empty td { color:#9aa5b1; }
tr.stale td { background:var(--badbg); }
tr.stale td:first-child { box-shadow:inset 4px 0 0 var(--bad); }
td.warn { background:var(--warnbg); }
.badge { display:inline-block; padding:0 6px; border-radius:10px; font-size:11px; font-weight:700;
  letter-spacing:.03em; background:var(--bad); color:#fff; margin-left:6px; }
.muted { color:var(--muted); }
code { font-family:ui-monospace, "DejaVu Sans Mono", monospace; font-size:12px; background:#eef1f5; padding:1px 4px;
  border-radius:3px; }
svg text { font:12px system-ui, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif; fill:var(--ink); }
svg text.n { fill:var(--muted); }
svg rect.ready { fill:var(--ready); }
svg rect.notready { fill:var(--notready); }
svg rect.track { fill:#eef1f5; }
svg rect.blocker { fill:#c0504d; }
figure { margin:0; }
td.key, td time { white-space:nowrap; }
.legend { display:flex; gap:16px; color:var(--muted); font-size:12px; margin:4px 0 8px; }
.legend i { display:inline-block; width:10px; height:10px; border-radius:2px; margin-right:4px; }
.legend i.ready { background:var(--ready); }
.legend i.notready { background:var(--notready); }
.toolbar { display:flex; justify-content:space-between; align-items:baseline; gap:12px; }
footer { color:var(--muted); font-size:12px; padding:0 32px 24px; max-width:1400px; margin:0 auto; }
@media (max-width: 1000px) { .two { grid-template-columns:1fr; } .kpis { grid-template-columns:repeat(3, 1fr); } }
)css";

const char* const kDashboardScript = R"js(
(function () {
  'use strict';
  document.documentElement.setAttribute('data-js', 'ready');
  // Click a column heading to sort the table by it (numbers by their data-value).
  function key(cell) {
    var v = cell.getAttribute('data-value');
    return v !== null ? parseFloat(v) : cell.textContent.trim().toLowerCase();
  }
  document.querySelectorAll('table.sortable').forEach(function (table) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      th.tabIndex = 0;
      function sort() {
        var asc = th.getAttribute('aria-sort') !== 'ascending';
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a.cells[col]), y = key(b.cells[col]);
          var c = x < y ? -1 : x > y ? 1 : 0;
          return asc ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      }
      th.addEventListener('click', sort);
      th.addEventListener('keydown', function (e) { if (e.key === 'Enter') sort(); });
    });
  });
  // Show only the centres that have not synced for a week.
  var only = document.getElementById('only-stale');
  if (only) only.addEventListener('change', function () {
    document.querySelectorAll('#centre-table tbody tr').forEach(function (r) {
      r.hidden = only.checked && !r.classList.contains('stale');
    });
  });
  // Say how old the figures are once the page has been open a while.
  var gen = document.getElementById('generated'), age = document.getElementById('age');
  if (gen && age) {
    var t0 = Date.parse(gen.getAttribute('datetime'));
    var tick = function () {
      var m = Math.floor((Date.now() - t0) / 60000);
      age.textContent = m >= 2 ? ' \u00b7 these figures are ' + m + ' minutes old; reload for the latest' : '';
    };
    tick();
    setInterval(tick, 30000);
  }
})();
)js";

}  // namespace epsync::hub
