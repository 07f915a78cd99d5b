"""The portfolio page's own stylesheet and script, added to the scorecard's STYLE.

Like the scorecard, the page is one file that fetches nothing. The script only
sorts and filters the repository table: the table, in score order, reads fully
without it, and the filter bar stays `hidden` until the script reveals it.
"""

from __future__ import annotations

PORTFOLIO_STYLE = """
.summary { display: grid; grid-template-columns: minmax(0, 0.6fr) minmax(0, 1.4fr); gap: 16px; }
.summary .big { font-size: 56px; font-weight: 750; line-height: 1; margin: 6px 0 10px;
  font-variant-numeric: tabular-nums; white-space: nowrap; }
.summary .big small { font-size: 20px; color: var(--faint); font-weight: 500; }
.summary p { margin: 6px 0 0; color: var(--muted); font-size: 14px; }
.distribution { display: block; width: 100%; height: 28px; margin: 10px 0 12px;
  border-radius: 6px; overflow: hidden; }
.distribution rect { stroke: #fff; stroke-width: 0.4; }
.distribution .empty-bar { fill: #e8ebef; }
.level-counts { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap;
  gap: 6px 22px; font-size: 14px; }
.level-counts li::before { content: ""; display: inline-block; width: 10px; height: 10px;
  border-radius: 3px; margin-right: 7px; background: currentColor; }
.level-counts span { color: var(--ink); }
.level-counts b { color: var(--ink); font-variant-numeric: tabular-nums; margin-left: 4px; }
.level-counts li.zero { opacity: .55; }

#filters label { border: 0; padding: 0; }
.filters input[type=search] { font: inherit; padding: 3px 8px; border-radius: 8px;
  border: 1px solid #c4cbd4; min-width: 220px; }
.table-wrap { overflow-x: auto; margin-top: 12px; }
table.portfolio { width: 100%; border-collapse: collapse; background: var(--card); font-size: 13.5px;
  border: 1px solid var(--line); border-radius: 12px; }
.portfolio th, .portfolio td { padding: 7px 8px; border-bottom: 1px solid var(--line);
  text-align: left; vertical-align: top; }
.portfolio thead th { font-size: 12px; color: var(--muted); font-weight: 600; white-space: nowrap;
  background: #fafbfc; }
.portfolio thead th.pillar { white-space: normal; max-width: 92px; hyphens: manual; }
.portfolio .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.portfolio .name { font-weight: 600; overflow-wrap: anywhere; min-width: 140px; }
.portfolio .score { font-weight: 750; font-size: 15px; }
.portfolio .level { font-size: 12.5px; padding: 1px 9px; }
.portfolio .change { font-size: 12.5px; min-width: 170px; }
.portfolio .change .up { color: var(--production_ready); font-weight: 700; }
.portfolio .change .down { color: var(--prototype); font-weight: 700; }
.portfolio .change .same, .portfolio .none { color: var(--faint); }
.portfolio .change div { margin-top: 2px; overflow-wrap: anywhere; }
.portfolio .scan { font-size: 12.5px; color: var(--muted); white-space: nowrap; }
.sortable th[data-sort] { cursor: pointer; user-select: none; }
.sortable th[data-sort]:hover, .sortable th[data-sort]:focus { color: var(--accent); }
.sortable th[aria-sort=ascending]::after { content: " ▲"; }
.sortable th[aria-sort=descending]::after { content: " ▼"; }

.practice { margin: 0 0 12px; padding: 16px 18px 14px; border-left: 4px solid var(--line);
  border-radius: 6px; break-inside: avoid; page-break-inside: avoid; }
.practice.sev-critical { border-left-color: var(--critical); }
.practice.sev-high { border-left-color: var(--high); }
.practice.sev-medium { border-left-color: var(--medium); }
.practice.sev-low { border-left-color: var(--low); }
.practice > header { display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
.practice h3 { font-size: 16px; flex: 1 1 300px; }
.practice .reach { margin: 8px 0 4px; font-weight: 500; }
.practice .gain { margin-left: 8px; }
.practice h4 { margin: 10px 0 2px; font-size: 12px; letter-spacing: .06em; text-transform: uppercase;
  color: var(--muted); }
.practice p { margin: 2px 0 0; font-size: 14px; }
.practice .fix p { color: #14532d; }
.names { list-style: none; margin: 2px 0 0; padding: 0; display: flex; flex-wrap: wrap;
  gap: 2px 14px; font-size: 13.5px; }
.names li { overflow-wrap: anywhere; }
.examples { list-style: none; margin: 4px 0 0; padding: 0; font-size: 13.5px; }
.examples li { padding: 3px 0 3px 12px; border-left: 2px solid var(--line); margin: 2px 0;
  overflow-wrap: anywhere; }
.rejected li::before { content: "✘"; color: var(--prototype); margin-right: 8px; }
.notes li::before { content: "ℹ"; color: var(--low); margin-right: 8px; }
.rejected ul, .notes ul { margin: 8px 0 0; padding: 8px 16px; list-style: none; }
.rejected li, .notes li { margin: 3px 0; overflow-wrap: anywhere; }

@media (max-width: 800px) { .summary { grid-template-columns: 1fr; } }
@media print {
  .summary { grid-template-columns: minmax(0, 0.6fr) minmax(0, 1.4fr); }
  .portfolio { font-size: 11px; }
  .portfolio th, .portfolio td { padding: 4px 6px; }
  .practice, .portfolio tr { break-inside: avoid; page-break-inside: avoid; }
}
"""

#: Sorts the repository table by a clicked header and filters it by name and level.
#: Plain ES5 DOM code, no library; cells sort by their `data-value` when they have one.
PORTFOLIO_SCRIPT = """
(function () {
  var table = document.getElementById("repositories");
  var bar = document.getElementById("filters");
  if (!table || !bar) { return; }
  bar.hidden = false;
  table.className += " sortable";
  var body = table.tBodies[0];
  var name = document.getElementById("filter-name");
  var level = document.getElementById("filter-level");
  var count = document.getElementById("filter-count");
  function apply() {
    var needle = name.value.toLowerCase(), shown = 0, rows = body.rows;
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i];
      var visible = row.getAttribute("data-name").indexOf(needle) !== -1 &&
        (level.value === "all" || row.getAttribute("data-level") === level.value);
      row.hidden = !visible;
      if (visible) { shown++; }
    }
    count.textContent = shown + " of " + rows.length + " repositories shown";
  }
  function key(row, column, numeric) {
    var cell = row.cells[column];
    var value = cell.getAttribute("data-value");
    if (value === null) { value = cell.textContent; }
    if (!numeric) { return value.toLowerCase(); }
    var number = parseFloat(value);
    return isNaN(number) ? -Infinity : number;
  }
  var heads = table.querySelectorAll("th[data-sort]");
  function sort(head) {
    var column = head.cellIndex;
    var numeric = head.getAttribute("data-sort") === "number";
    var current = head.getAttribute("aria-sort");
    var ascending = current ? current !== "ascending" : !numeric;
    for (var h = 0; h < heads.length; h++) { heads[h].removeAttribute("aria-sort"); }
    head.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a, column, numeric), y = key(b, column, numeric);
      var order = x < y ? -1 : (x > y ? 1 : 0);
      return ascending ? order : -order;
    });
    for (var r = 0; r < rows.length; r++) { body.appendChild(rows[r]); }
  }
  for (var i = 0; i < heads.length; i++) {
    heads[i].tabIndex = 0;
    heads[i].addEventListener("click", function (event) { sort(event.currentTarget); });
    heads[i].addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sort(event.currentTarget); }
    });
  }
  name.addEventListener("input", apply);
  level.addEventListener("change", apply);
  apply();
})();
"""
