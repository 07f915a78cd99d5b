"""The scorecard's stylesheet and script, kept as constants so the page is one file.

Both are inlined into every page: no CDN, no web font, no request of any kind.
The script only adds filtering; the page reads fully without it (the filter
bar is `hidden` until the script reveals it).
"""

from __future__ import annotations

STYLE = """
:root {
  --ink: #1f2933; --muted: #5b6675; --faint: #8a94a3; --line: #e3e7ec; --page: #f4f6f8;
  --card: #ffffff; --accent: #3b4cca;
  --production_ready: #177245; --production_ready-tint: #e3f4ea;
  --pre_production: #0b7285; --pre_production-tint: #dff3f6;
  --pilot: #a15c07; --pilot-tint: #fdf0d9;
  --prototype: #b42318; --prototype-tint: #fde8e6;
  --na: #6b7280; --na-tint: #eef0f3;
  --critical: #8c1d18; --high: #b42318; --medium: #a15c07; --low: #3f5b8a;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
    "Noto Sans", "Liberation Sans", sans-serif;
  color: var(--ink); background: var(--page); line-height: 1.5; font-size: 15px;
  -webkit-print-color-adjust: exact; print-color-adjust: exact;
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; }
body { margin: 0; }
.page { max-width: 1240px; margin: 0 auto; padding: 20px 28px 40px; }
code, pre, .mono { font-family: ui-monospace, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono",
  "Liberation Mono", monospace; font-size: 0.86em; }
a { color: var(--accent); }
h1, h2, h3, h4 { line-height: 1.25; margin: 0; }

.masthead { display: flex; justify-content: space-between; align-items: flex-end; gap: 24px;
  flex-wrap: wrap; padding-bottom: 14px; border-bottom: 1px solid var(--line); margin-bottom: 18px; }
.eyebrow { font-size: 12px; letter-spacing: .08em; text-transform: uppercase; color: var(--muted);
  font-weight: 600; }
.masthead h1 { font-size: 30px; font-weight: 700; overflow-wrap: anywhere; }
.meta { display: flex; flex-wrap: wrap; gap: 4px 18px; margin: 6px 0 0; padding: 0;
  color: var(--muted); font-size: 13.5px; list-style: none; }
.meta b { color: var(--ink); font-weight: 600; }
.meta code { background: var(--na-tint); padding: 1px 5px; border-radius: 4px; }

.card { background: var(--card); border: 1px solid var(--line); border-radius: 12px;
  padding: 18px 20px; }
.hero { display: grid; grid-template-columns: minmax(0, 0.72fr) minmax(0, 1.12fr) minmax(0, 1.36fr);
  gap: 16px; align-items: stretch; }
.label { font-size: 12px; letter-spacing: .07em; text-transform: uppercase; color: var(--muted);
  font-weight: 600; margin-bottom: 4px; }
.overall .big { font-size: 64px; font-weight: 750; line-height: 1; letter-spacing: -0.02em;
  margin: 6px 0 12px; font-variant-numeric: tabular-nums; white-space: nowrap; }
.overall .big small { font-size: 22px; color: var(--faint); font-weight: 500; letter-spacing: 0; }
.level { display: inline-block; font-size: 19px; font-weight: 700; padding: 4px 14px;
  border-radius: 999px; white-space: nowrap; }
.all-clear { text-align: center; padding: 36px 10px; color: var(--muted); }
.all-clear-mark { font-size: 44px; line-height: 1; color: var(--production_ready);
  background: var(--production_ready-tint); width: 84px; height: 84px; border-radius: 50%;
  display: grid; place-items: center; margin: 0 auto 16px; }
.all-clear strong { color: var(--ink); }
.overall p { margin: 10px 0 0; color: var(--muted); font-size: 14px; }
.overall .capped { color: var(--pilot); font-weight: 600; }
.counts { font-size: 13px; color: var(--muted); }
.rules-label { margin-top: 18px; }
.tally { display: grid; grid-template-columns: repeat(4, 1fr); gap: 6px; margin: 4px 0 0; }
.tally div { background: var(--na-tint); border-radius: 8px; padding: 6px 8px; text-align: center; }
.tally dt { font-size: 11.5px; color: var(--muted); }
.tally dd { margin: 0; font-size: 20px; font-weight: 750; font-variant-numeric: tabular-nums; }
.tally-note { font-size: 11px; font-weight: 500; color: var(--muted); white-space: nowrap; }
.tally-pass dd { color: var(--production_ready); }
.tally-partial dd { color: var(--pilot); }
.tally-fail dd { color: var(--prototype); }
.tally-not_applicable dd { color: var(--na); }
.tally-risk dd { color: var(--prototype); }
.overall .kind { color: var(--muted); font-size: 13px; margin: 6px 0 0; }
.legend { list-style: none; margin: 16px 0 0; padding: 10px 0 0; border-top: 1px solid var(--line);
  font-size: 12.5px; color: var(--muted); display: grid; gap: 3px; }
.legend li::before { content: ""; display: inline-block; width: 9px; height: 9px;
  border-radius: 50%; margin-right: 6px; background: currentColor; vertical-align: 0; }
.legend li { white-space: nowrap; }
.legend span { color: var(--muted); }
.legend-note { font-size: 12px; color: var(--muted); margin: 6px 0 0; }
.gate { margin-top: 12px; font-size: 13.5px; font-weight: 600; }
.gate.passed { color: var(--production_ready); }
.gate.failed { color: var(--prototype); }

.chart { display: flex; flex-direction: column; align-items: center; padding: 14px 8px 8px; }
.chart .label { align-self: flex-start; padding-left: 10px; }
.chart .radar { margin: auto 0; }
/* The radar's sizes are in viewBox units (560 wide), scaled with its card: 20 units is
   at least 12.5 px in the narrowest card, a phone's (see svg.RADAR_WIDTH). */
.radar { width: 100%; max-width: 500px; height: auto; display: block; font-size: 20px; }
.radar .grid { fill: none; stroke: #dde2e8; stroke-width: 1.2; }
.radar .grid.outer { stroke: #c4cbd4; }
.radar .grid.floor { fill: #eef0f3; stroke: #b8c0cc; stroke-dasharray: 4 3; }
.radar .spoke { stroke: #dde2e8; stroke-width: 1.2; }
.radar .grid-label { fill: var(--faint); font-size: 14px; }
.radar .shape { fill-opacity: .16; stroke-width: 3; stroke-linejoin: round; }
.radar .dot { stroke: #fff; stroke-width: 2; }
.radar .axis-name { fill: var(--ink); font-weight: 600; font-size: 20px; }
.radar .axis-score { font-weight: 750; font-size: 23px; }

.actions h2 { font-size: 17px; margin-bottom: 2px; }
.actions ol { list-style: none; margin: 0; padding: 0; }
#top-actions { display: grid; gap: 10px; margin-top: 10px; }
.action-group { border: 1px solid var(--line); border-radius: 10px; padding: 6px 12px 0; }
.group-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 2px 10px;
  padding-bottom: 4px; }
.group-name { font-weight: 700; font-size: 15px; color: var(--ink); }
.actions a.group-name { text-decoration: none; }
.reach { font-weight: 700; font-size: 15px; font-variant-numeric: tabular-nums;
  white-space: nowrap; }
.reach strong { font-size: 19px; font-weight: 750; }
.group-gain { margin-left: auto; font-size: 13px; font-weight: 700; white-space: nowrap;
  color: var(--production_ready); }
.group-actions > li { display: grid; grid-template-columns: 52px 1fr; gap: 10px;
  align-items: start; padding: 6px 0; border-top: 1px solid var(--line); }
.actions a { color: inherit; text-decoration: none; }
.actions a:hover .action-title, .actions a.group-name:hover { text-decoration: underline; }
.gain { display: inline-block; font-weight: 700; color: var(--production_ready);
  background: var(--production_ready-tint); border-radius: 8px; padding: 2px 8px;
  font-variant-numeric: tabular-nums; white-space: nowrap; text-align: center; }
.actions .gain { font-size: 13.5px; padding: 3px 0; width: 52px; }
.action-title { font-weight: 600; font-size: 14.5px; display: block; line-height: 1.35; }
.action-meta { font-size: 12.5px; color: var(--muted); display: flex; flex-wrap: wrap;
  gap: 0 10px; }
.action-meta span { white-space: nowrap; }
.action-meta .sev { font-size: 10px; padding: 0 6px; }
.note { font-size: 12px; color: var(--faint); margin: 8px 0 0; }

.pillar-strip { display: grid; grid-template-columns: repeat(6, minmax(0, 1fr)); gap: 10px;
  margin: 16px 0 0; padding: 0; list-style: none; }
.pillar-strip a { display: block; text-decoration: none; color: inherit; height: 100%; }
.pillar-strip .card { padding: 11px 14px; height: 100%; }
.pillar-strip .card:hover { border-color: #b8c0cc; }
.pillar-strip .hygiene .card { background: #fafbfc; border-style: dashed; }
.chip-name { font-size: 12.5px; color: var(--muted); font-weight: 600; display: block;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.chip-score { font-size: 24px; font-weight: 750; font-variant-numeric: tabular-nums; }
.chip-score.band-na { font-size: 18px; }
.bar { display: block; width: 100%; height: 6px; margin: 4px 0 3px; }
.bar-track { fill: #e8ebef; }
.chip-counts { font-size: 11.5px; color: var(--faint); }

.filters { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 18px; margin: 26px 0 0;
  padding: 10px 16px; font-size: 14px; position: sticky; top: 0; z-index: 2; }
.filters fieldset { border: 0; margin: 0; padding: 0; display: flex; align-items: center;
  flex-wrap: wrap; gap: 6px; }
.filters legend { float: left; margin-right: 6px; font-weight: 600; color: var(--muted); }
.filters label { display: inline-flex; align-items: center; gap: 5px; padding: 3px 9px;
  border: 1px solid var(--line); border-radius: 999px; cursor: pointer; background: #fff; }
.filters select { font: inherit; padding: 3px 8px; border-radius: 8px; border: 1px solid #c4cbd4;
  background: #fff; }
.filters output { margin-left: auto; color: var(--muted); font-size: 13px; }
.filters > label:first-child { border: 0; padding: 0; }

.pillar { margin-top: 26px; }
.pillar > header { display: flex; align-items: center; gap: 16px; flex-wrap: wrap;
  padding: 0 0 10px; border-bottom: 2px solid var(--line); }
.pillar > header h2 { font-size: 21px; }
.pillar > header .score { font-size: 21px; font-weight: 750; font-variant-numeric: tabular-nums; }
.pillar > header .bar { width: 140px; margin: 0; }
.pillar > header .counts { margin-left: auto; }
.pillar h3 { font-size: 13px; letter-spacing: .07em; text-transform: uppercase; color: var(--muted);
  margin: 18px 0 8px; }
.empty { color: var(--muted); font-style: italic; margin: 10px 0; }

.rule { margin: 0 0 12px; padding: 16px 18px 14px; border-left: 4px solid var(--line);
  border-radius: 6px;
  break-inside: avoid; page-break-inside: avoid; }
.rule.sev-critical { border-left-color: var(--critical); }
.rule.sev-high { border-left-color: var(--high); }
.rule.sev-medium { border-left-color: var(--medium); }
.rule.sev-low { border-left-color: var(--low); }
.rule > header { display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
.rule h4 { font-size: 16px; flex: 1 1 300px; }
.rule-id { color: var(--muted); font-size: 12.5px; }
.sev { display: inline-block; font-size: 11px; font-weight: 700; letter-spacing: .06em;
  text-transform: uppercase; padding: 2px 8px; border-radius: 5px; border: 1px solid currentColor;
  white-space: nowrap; }
.sev-critical .sev, .sev.sev-critical { color: #fff; background: var(--critical);
  border-color: var(--critical); }
.sev.sev-high { color: var(--high); background: var(--prototype-tint); }
.sev.sev-medium { color: var(--medium); background: var(--pilot-tint); }
.sev.sev-low { color: var(--low); background: #e8eef8; }
.tag { font-size: 12px; color: var(--muted); border: 1px solid var(--line); border-radius: 5px;
  padding: 1px 6px; }
.tag.partial { color: var(--pilot); border-color: #f1d4a5; background: var(--pilot-tint); }
.problem { margin: 8px 0 4px; font-weight: 500; }
.because { margin: 0 0 4px; font-size: 13px; color: var(--muted); }
.where { list-style: none; margin: 6px 0 8px; padding: 0; }
.where li { padding: 3px 0 3px 12px; border-left: 2px solid var(--line); margin: 2px 0;
  overflow-wrap: anywhere; }
.loc { color: #1d4ed8; background: #eef3fd; padding: 1px 5px; border-radius: 4px;
  margin-right: 6px; }
.snippet { margin: 4px 0 0; padding: 6px 10px; background: #f6f8fa; border: 1px solid #eaeef2;
  border-radius: 6px; white-space: pre-wrap; overflow-wrap: anywhere; color: #3b4350; }
.mark { font-size: 11.5px; color: var(--muted); border: 1px solid var(--line); border-radius: 4px;
  padding: 0 5px; margin-left: 6px; white-space: nowrap; }
.more { color: var(--muted); font-size: 13px; }
.explain { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 22px; margin-top: 6px; }
.explain h5 { margin: 0; font-size: 12px; letter-spacing: .06em; text-transform: uppercase;
  color: var(--muted); }
.explain p { margin: 2px 0 0; font-size: 14px; }
.explain .fix p { color: #14532d; }
.refs { margin: 8px 0 0; font-size: 12.5px; color: var(--muted); }
.confidence { font-size: 12px; color: var(--muted); font-style: italic; }

.checklist { list-style: none; margin: 0; padding: 0; }
.checklist li { display: grid; grid-template-columns: 22px 1fr; gap: 2px 8px; padding: 7px 4px;
  border-top: 1px solid var(--line); break-inside: avoid; }
.checklist li:first-child { border-top: 0; }
.checklist .icon { font-weight: 700; text-align: center; }
.passed .icon { color: var(--production_ready); }
.na .icon, .na { color: var(--muted); }
.checklist .title { font-weight: 600; font-size: 14.5px; }
.na .reason { color: var(--ink); font-size: 14px; }
.na-rules { list-style: none; margin: 2px 0 0; padding: 0; font-size: 13px; color: var(--muted);
  display: flex; flex-wrap: wrap; gap: 2px 18px; }
.na-rules li { border: 0; padding: 0; display: block; }
.checklist .rule-id { margin-left: 6px; }
.evidence { grid-column: 2; list-style: none; margin: 0; padding: 0; font-size: 13px;
  color: var(--muted); overflow-wrap: anywhere; }
.evidence li { border: 0; padding: 1px 0; display: block; }
.suppressed .reason { color: var(--ink); }
.box { background: var(--card); border: 1px solid var(--line); border-radius: 12px;
  padding: 4px 16px; }

.mltest .box { padding: 14px 18px; }
.ml-score { font-size: 34px; font-weight: 700; margin-right: 14px; }
.ml-band { font-style: italic; color: var(--muted); }
.ml-sums { list-style: none; display: flex; flex-wrap: wrap; gap: 8px 26px; margin: 6px 0;
  padding: 0; font-size: 14px; }
.ml-sums .ml-section { color: var(--muted); margin-right: 6px; }
.ml-sums .weakest strong { color: var(--prototype); }
.ml-tests-title { margin: 14px 0 0; font-size: 14px; }
.ml-tests { width: 100%; border-collapse: collapse; margin-top: 8px; font-size: 13px; }
.ml-tests th, .ml-tests td { text-align: left; padding: 4px 8px 4px 0;
  border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
.ml-tests .num { text-align: right; padding-right: 14px; }
.ml-tests .unverifiable { color: var(--muted); }

.warnings ul, .fixed ul { margin: 8px 0 0; padding: 8px 16px; list-style: none; }
.warnings li, .fixed li { margin: 3px 0; overflow-wrap: anywhere; }
.warnings li::before { content: "⚠"; color: var(--pilot); margin-right: 8px; }
.meta .warned a { color: var(--pilot); font-weight: 600; }
.suppressed .icon { color: var(--low); }
.section-title { font-size: 21px; margin-top: 30px; padding-bottom: 8px;
  border-bottom: 2px solid var(--line); }
footer { margin-top: 36px; padding-top: 14px; border-top: 1px solid var(--line);
  color: var(--muted); font-size: 12.5px; }
footer p { margin: 4px 0; }

.band-production_ready { color: var(--production_ready); fill: var(--production_ready);
  stroke: var(--production_ready); }
.band-pre_production { color: var(--pre_production); fill: var(--pre_production);
  stroke: var(--pre_production); }
.band-pilot { color: var(--pilot); fill: var(--pilot); stroke: var(--pilot); }
.band-prototype { color: var(--prototype); fill: var(--prototype); stroke: var(--prototype); }
.band-na { color: var(--na); fill: var(--na); stroke: var(--na); }
text.band-production_ready, text .band-production_ready, tspan[class*=band-], .bar-fill,
  .dot { stroke: none; }
.level.band-production_ready { background: var(--production_ready-tint); }
.level.band-pre_production { background: var(--pre_production-tint); }
.level.band-pilot { background: var(--pilot-tint); }
.level.band-prototype { background: var(--prototype-tint); }
.radar .dot { stroke: #fff; }

@media (max-width: 1100px) {
  .hero { grid-template-columns: 1fr 1fr; }
  .actions { grid-column: 1 / -1; }
  .pillar-strip { grid-template-columns: repeat(3, 1fr); }
}
@media (max-width: 860px) {
  .hero { grid-template-columns: minmax(0, 1fr); }
}
@media (max-width: 700px) {
  .explain { grid-template-columns: 1fr; }
  .pillar-strip { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  .page { padding: 12px 10px; }
  .card { padding: 14px; }
  .chart { padding: 12px 4px 6px; }
}

/* Print: page 1 is the summary (header, score and level, radar, top actions, pillar
   strip), fitted to the printable area of A4 and of Letter; each pillar then starts a
   page, set compactly: a stakeholder's PDF is read, not scrolled. No page size is forced,
   so the reader's paper is used. */
@page { margin: 12mm; }
@media print {
  :root { background: #fff; font-size: 12.5px; line-height: 1.4; }
  .page { max-width: none; padding: 0; }
  .filters, .filters-note { display: none !important; }
  a { color: inherit; text-decoration: none; }
  .card, .box { border-color: #d5dae1; }
  .card { padding: 10px 12px; border-radius: 8px; }

  .masthead { padding-bottom: 6px; margin-bottom: 8px; gap: 8px; }
  .masthead h1 { font-size: 22px; }
  .eyebrow { font-size: 10px; }
  .meta { font-size: 11px; gap: 2px 12px; margin-top: 2px; }
  .hero { grid-template-columns: minmax(0, 1fr) minmax(0, 1.25fr); gap: 8px; }
  .label { font-size: 10px; margin-bottom: 2px; }
  .overall .big { font-size: 40px; margin: 2px 0 6px; }
  .overall .big small { font-size: 16px; }
  .level { font-size: 14px; padding: 2px 10px; }
  .overall p { font-size: 11.5px; margin-top: 6px; }
  .overall .kind { font-size: 10.5px; margin-top: 4px; }
  .rules-label { margin-top: 8px; }
  .tally dt { font-size: 9.5px; }
  .tally dd { font-size: 15px; }
  .tally div { padding: 3px 4px; }
  .legend { grid-template-columns: 1fr 1fr; font-size: 10px; margin-top: 8px; padding-top: 6px;
    gap: 1px 8px; }
  .overall .legend-note { font-size: 9.5px; margin-top: 4px; }
  .gate { font-size: 11px; margin-top: 6px; }
  .chart { padding: 8px 4px 4px; }
  .chart .radar { max-width: 400px; }
  .actions { grid-column: 1 / -1; }
  .actions h2 { font-size: 14px; }
  #top-actions { grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 6px;
    margin-top: 6px; }
  .action-group { padding: 5px 10px 0; border-radius: 8px; }
  .group-head { padding-bottom: 2px; }
  .group-name, .reach { font-size: 13px; }
  .reach strong { font-size: 15px; }
  .group-gain { font-size: 11px; }
  .group-actions > li { grid-template-columns: 44px 1fr; gap: 8px; padding: 4px 0; }
  .actions .gain { font-size: 11.5px; width: 44px; padding: 1px 0; }
  .action-title { font-size: 12px; line-height: 1.3; }
  .action-meta { font-size: 10.5px; }
  .action-meta .sev { font-size: 9px; }
  .note { font-size: 10px; margin-top: 4px; }
  .pillar-strip { grid-template-columns: repeat(6, minmax(0, 1fr)); gap: 6px; margin-top: 8px; }
  .pillar-strip .card { padding: 5px 8px; }
  .chip-name { white-space: normal; font-size: 10px; line-height: 1.25; }
  .chip-score { font-size: 16px; }
  .chip-counts { font-size: 9.5px; }
  .hero, .pillar-strip, .rule, .checklist li, .pillar > header, .warnings li, .ml-tests tr {
    break-inside: avoid; page-break-inside: avoid; }

  .pillar { margin-top: 0; break-before: page; page-break-before: always; }
  .pillar > header, h3 { break-after: avoid; page-break-after: avoid; }
  .pillar > header { padding-bottom: 6px; gap: 10px; }
  .pillar > header h2, .pillar > header .score, .section-title { font-size: 17px; }
  .pillar > header .counts { font-size: 11px; }
  .pillar h3 { font-size: 10.5px; margin: 10px 0 4px; }
  .rule { padding: 8px 12px 6px; margin-bottom: 6px; }
  .rule h4 { font-size: 13px; }
  .rule-id, .tag, .mark { font-size: 10.5px; }
  .sev { font-size: 9px; padding: 1px 6px; }
  .problem { margin: 4px 0 2px; }
  .because, .more, .refs, .confidence { font-size: 10.5px; }
  .where { margin: 2px 0 4px; }
  .where li { padding: 1px 0 1px 8px; margin: 1px 0; font-size: 11px; }
  .snippet { padding: 2px 6px; font-size: 10px; }
  .explain { grid-template-columns: 1fr 1fr; gap: 2px 16px; margin-top: 4px; }
  .explain h5 { font-size: 9.5px; }
  .explain p { font-size: 11px; }
  .refs { margin-top: 3px; }
  .confidence { margin: 2px 0 0; }
  .box { padding: 2px 10px; border-radius: 8px; }
  /* Checklists run in two columns, one line per rule where it fits. */
  .checklist { columns: 2; column-gap: 18px; }
  .checklist li { display: block; position: relative; padding: 2px 0 2px 16px; border-top: 0; }
  .checklist .icon { position: absolute; left: 0; }
  .checklist li > div, .looked, .blocked-by { display: inline; }
  .checklist .title { font-size: 11.5px; }
  .checklist .rule-id { font-size: 9.5px; }
  .looked, .blocked-by { margin: 0 0 0 6px; font-size: 10px; color: var(--muted); }
  .evidence { font-size: 10px; line-height: 1.3; }
  .evidence li { display: inline; padding: 0; }
  .evidence li + li::before { content: " · "; }
  .na.checklist { columns: 1; }
  .na .reason { font-size: 11px; }
  .na-rules { font-size: 10px; gap: 0 12px; }
  .ml-score { font-size: 24px; }
  .ml-sums { font-size: 11.5px; }
  .ml-tests { font-size: 10.5px; margin-top: 4px; }
  .ml-tests th, .ml-tests td { padding: 2px 6px 2px 0; }
  .section-title { margin-top: 16px; }
  footer { font-size: 10px; margin-top: 16px; }
}
"""

#: Filters findings by pillar, severity and outcome. Plain ES5 DOM code, no library.
SCRIPT = """
(function () {
  var bar = document.getElementById("filters");
  if (!bar) { return; }
  bar.hidden = false;
  var pillar = document.getElementById("filter-pillar");
  var passed = document.getElementById("filter-passed");
  var count = document.getElementById("filter-count");
  function apply() {
    var severities = {};
    var boxes = bar.querySelectorAll("input[name=severity]");
    for (var i = 0; i < boxes.length; i++) { severities[boxes[i].value] = boxes[i].checked; }
    var shown = 0, total = 0;
    var sections = document.querySelectorAll("section.pillar");
    for (var s = 0; s < sections.length; s++) {
      var section = sections[s];
      section.hidden = pillar.value !== "all" && section.getAttribute("data-pillar") !== pillar.value;
      var items = section.querySelectorAll("[data-severity]");
      for (var j = 0; j < items.length; j++) {
        var item = items[j];
        var status = item.getAttribute("data-status");
        var optional = status === "pass" || status === "not_applicable";
        var visible = severities[item.getAttribute("data-severity")] && (!optional || passed.checked);
        item.hidden = !visible;
        if (status === "fail") { total++; if (visible && !section.hidden) { shown++; } }
      }
      var groups = section.querySelectorAll("[data-group]");
      for (var g = 0; g < groups.length; g++) {
        groups[g].hidden = !groups[g].querySelector("[data-severity]:not([hidden])");
      }
    }
    count.textContent = shown + " of " + total + " findings shown";
  }
  bar.addEventListener("change", apply);
  apply();
})();
"""
