"""The stakeholder scorecard: one self-contained HTML page, readable offline and in print.

Above the fold: what was scanned, the overall score and level, a radar of the
six areas (the five pillars and engineering hygiene, which counts as much) and the
actions worth most points, grouped by pillar with what the pillar would reach once
they are done. Below: a section per pillar with what failed (why it matters, how to
fix, where), what passed (with its evidence), suppressed findings with their
reasons, then scan warnings.

Printed, the first page is that summary and each pillar starts a page of its own,
with its lists set compactly (see the print rules in `html_assets`).

Everything the scanned repository controls (paths, snippets, messages, the
folder and branch names) goes through the escaping builder in `markup`, and a
Content-Security-Policy lets only this module's own script run and forbids
every network fetch, as a second line of defence. Score elements carry
`data-score` / `data-gain` attributes with the JSON report's exact values; a group of
top actions carries `data-reach` and `data-overall-gain`, as `score.after_fixing` gives.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from readycheck import score, verdicts
from readycheck.model import (
    Pillar,
    PillarScore,
    Report,
    RuleResult,
    Severity,
    grouped_warnings,
    with_article,
)
from readycheck.renderers.html_assets import SCRIPT, STYLE
from readycheck.renderers.html_mltest import checklist_section, ml_test_score_section
from readycheck.renderers.html_pillars import pillar_score, pillar_section, prose
from readycheck.renderers.markup import Html, el, join, raw
from readycheck.renderers.page import head as page_head
from readycheck.renderers.page import when
from readycheck.renderers.svg import Axis, band, fmt_score, radar, sparkline
from readycheck.verdicts import Verdict

LIST_SHOWN = 100  # scan warnings, fixed findings; the JSON report has every one
ACTIONS = 5


def render(report: Report, history: Sequence[tuple[str, float]] = ()) -> str:
    """The whole page, ready to write to a file; it needs nothing else to display or print.

    `history` is the overall score of earlier scans, (date or short commit, score), oldest
    first and ending with this one; from two points on, a trend line shows beside the score.
    """
    body = el(
        "div",
        _masthead(report),
        el(
            "main",
            _hero(report, history),
            _pillar_strip(report),
            _filters(),
            join(pillar_section(p, report) for p in report.pillars),
            ml_test_score_section(report.ml_test_score),
            checklist_section(report.checklist),
            _warnings(report),
            _fixed(report),
        ),
        _footer(report),
        class_="page",
    )
    page = el(
        "html",
        _head(report),
        el("body", body, el("script", raw(SCRIPT))),
        lang="en",
    )
    return "<!DOCTYPE html>\n" + page + "\n"


def _head(report: Report) -> Html:
    title = f"{report.target.name} · readiness scorecard"
    return page_head(title, report.tool_version, STYLE, SCRIPT)


def _masthead(report: Report) -> Html:
    target = report.target
    facts: list[Html] = []
    if target.commit:
        commit = [el("b", "Commit"), " ", el("code", target.commit[:10], title=target.commit)]
        if target.branch:
            commit += [" on ", el("code", target.branch)]
        facts.append(el("li", commit, data_commit=target.commit))
        committed = when(target.commit_date, with_time=False)
        if committed:
            facts.append(
                el(
                    "li",
                    el("b", "Committed"),
                    " ",
                    el("time", committed, datetime=target.commit_date),
                )
            )
    else:
        facts.append(el("li", el("b", "Commit"), " none (not a git repository)"))
    facts.append(
        el(
            "li",
            el("b", "Scanned"),
            " ",
            el("time", when(report.scanned_at, with_time=True), datetime=report.scanned_at),
        )
    )
    facts.append(el("li", el("b", f"{target.files}"), " files"))
    facts.append(el("li", el("b", "Rulebook"), " ", report.rulebook_version))
    config = el("code", target.config) if target.config else "none"
    facts.append(el("li", el("b", "Config"), " ", config))
    if report.warnings:
        count = len(report.warnings)
        link = el("a", f"⚠ {count} scan warning{'s' if count > 1 else ''}", href="#warnings")
        facts.append(el("li", link, class_="warned"))
    return el(
        "header",
        el(
            "div",
            el("div", "Production-readiness scorecard", class_="eyebrow"),
            el("h1", target.name, id="target-name"),
            el("ul", facts, class_="meta"),
        ),
        class_="masthead",
    )


def _hero(report: Report, history: Sequence[tuple[str, float]]) -> Html:
    return el(
        "section",
        _overall(report, history),
        _chart(report),
        _actions(report),
        class_="hero",
        aria_label="Summary",
    )


def _overall(report: Report, history: Sequence[tuple[str, float]] = ()) -> Html:
    tally_of = verdicts.counts(report.results)
    capped = None
    if report.level_capped_by is not None:
        weakest = next(p for p in report.pillars if p.pillar is report.level_capped_by)
        capped = el(
            "p",
            f"Held back by its weakest pillar: {weakest.pillar.title} ({fmt_score(weakest.score)})",
            class_="capped",
            data_capped_by=weakest.pillar.value,
        )
    if report.level_capped_by_rules:
        capped = el(
            "div",
            capped,
            el(
                "p",
                "Capped by a risk found: " + ", ".join(report.level_capped_by_rules),
                class_="capped",
                data_capped_by_rules=" ".join(report.level_capped_by_rules),
            ),
        )
    groups = (
        ("Seen", "pass", (Verdict.SEEN,)),
        ("Partly seen", "partial", (Verdict.PARTLY_SEEN,)),
        ("Missing", "fail", (Verdict.MISSING, Verdict.BLOCKED)),
        ("Risks found", "risk", (Verdict.RISK, Verdict.RISK_OUTSIDE)),
    )
    tally = el(
        "dl",
        (
            el(
                "div",
                el("dt", label),
                el(
                    "dd",
                    str(sum(tally_of[v] for v in members)),
                    _blocked_note(tally_of[Verdict.BLOCKED])
                    if Verdict.BLOCKED in members
                    else None,
                ),
                class_=f"tally-{css}",
            )
            for label, css, members in groups
        ),
        class_="tally",
        aria_label=f"Practices and risks, of {len(report.results)} rules",
    )
    kind = None
    if report.kind is not None:
        seen = report.kind.evidence
        where = f" ({seen.location})" if seen is not None and seen.location is not None else ""
        reason = "declared in its configuration" if report.kind.declared else report.kind.reason
        kind = el(
            "p",
            f"Judged as {with_article(report.kind.title)}: {reason}{where}.",
            class_="kind",
            data_kind=report.kind.id,
        )
    return el(
        "div",
        el("div", "Overall score", class_="label"),
        el(
            "div",
            fmt_score(report.score),
            el("small", " / 100"),
            # the level's colour, not the score's band: a 38 held back to Prototype by its
            # weakest pillar is red, as its level is, not amber beside a red badge
            class_=f"big band-{band_of_level(report.level.rank)}",
            id="overall-score",
            data_score=report.score,
        ),
        el(
            "div",
            report.level.title,
            class_=f"level band-{band_of_level(report.level.rank)}",
            id="level",
            data_level=report.level.id,
        ),
        el("p", report.level.summary),
        _history(history),
        capped,
        kind,
        el("div", f"Rules ({len(report.results)})", class_="label rules-label"),
        tally,
        _gate(report),
        _legend(),
        class_="card overall",
    )


def _history(history: Sequence[tuple[str, float]]) -> Html | None:
    """The overall score over the last scans, when there are at least two to join:
    one number says where the repository is, the line says where it is heading."""
    if len(history) < 2:
        return None
    return el(
        "div",
        el("div", f"Score over the last {len(history)} scans", class_="label rules-label"),
        sparkline(history),
        class_="history",
        data_points=len(history),
    )


def _legend() -> Html:
    """What the colours mean: each readiness level and the overall score it starts at."""
    bands = score.LEVEL_BANDS
    items = [
        el(
            "li",
            el(
                "span",
                f"{b.level.title} "
                + (f"≥ {b.min_overall:g}" if b.min_overall else f"< {bands[i - 1].min_overall:g}"),
            ),
            class_=f"band-{b.level.id}",
        )
        for i, b in enumerate(bands)
    ]
    floors = ", ".join(f"{b.level.title} {b.min_weakest:g}" for b in bands if b.min_weakest)
    return el(
        "div",
        el(
            "ul",
            items,
            class_="legend",
            aria_label="Colour key: readiness level by overall score",
        ),
        el(
            "p",
            f"A level also needs its weakest pillar at least at: {floors}; "
            "below that, the level is held back whatever the overall score.",
            class_="legend-note",
        ),
    )


def _blocked_note(blocked: int) -> Html | None:
    """How many of the missing practices wait on a missing prerequisite: the terminal and
    Markdown summaries say "23 missing, 16 blocked", the tally counts both as missing."""
    if not blocked:
        return None
    return el("span", f" ({blocked} blocked)", class_="tally-note", data_blocked=blocked)


def band_of_level(rank: int) -> str:
    """The colour band of a readiness level, so a level and a score of that level match."""
    return next(b.level.id for b in score.LEVEL_BANDS if b.level.rank == rank)


def _gate(report: Report) -> Html | None:
    gate = report.gate
    if gate is None:
        return None
    if gate.passed:
        return el("p", "✔ CI gate passed", class_="gate passed")
    return el("p", "✘ CI gate failed: ", "; ".join(gate.reasons), class_="gate failed")


def _chart(report: Report) -> Html:
    """The radar of all six areas: hygiene counts in the overall score as much as any
    pillar, so leaving it off the chart hid a sixth of the score."""
    scores = {p.pillar: p.score for p in report.pillars}
    axes = [Axis(p.value, p.short, scores.get(p)) for p in Pillar]
    chart = radar(axes, band_of_level(report.level.rank), "Pillar scores")
    return el(
        "div",
        el("div", "The five pillars and hygiene", class_="label"),
        chart,
        class_="card chart",
    )


@dataclass(frozen=True)
class ActionGroup:
    """The top actions of one pillar, and what they would bring together: when every
    action is worth about the same, the pillar they lift and how far is what stands out."""

    now: PillarScore
    reach: float | None
    overall_gain: float
    actions: tuple[RuleResult, ...]


def action_groups(report: Report, actions: Sequence[RuleResult]) -> list[ActionGroup]:
    """`actions` grouped by pillar, the group that adds most to the overall score first
    (ties: the group of the bigger single action). Scores after the fixes are recomputed
    by `score.after_fixing`, never added up from the gains."""
    by_pillar: dict[Pillar, list[RuleResult]] = {}
    for action in actions:
        by_pillar.setdefault(action.rule.pillar, []).append(action)
    now = {p.pillar: p for p in report.pillars}
    overall_now = score.overall_score(score.pillar_scores(report.results))
    groups = []
    for pillar, members in by_pillar.items():
        after = score.after_fixing(report.results, (r.rule.id for r in members))
        reach = next(p.score for p in after if p.pillar is pillar)
        gain = round(max(0.0, score.overall_score(after) - overall_now), 1)
        groups.append(ActionGroup(now[pillar], reach, gain, tuple(members)))
    return sorted(groups, key=lambda g: -g.overall_gain)  # stable: ties keep gain order


def _actions(report: Report) -> Html:
    actions = score.top_actions(report.results, limit=ACTIONS)
    if not actions:
        tally = verdicts.counts(report.results)
        body: Html = el(
            "div",
            el("div", "✓", class_="all-clear-mark", aria_hidden="true"),
            el(
                "p",
                el("strong", "Nothing to fix."),
                f" All {tally[Verdict.SEEN]} practices that apply were seen and no risk was "
                f"found; {tally[Verdict.NOT_APPLICABLE]} rules do not apply to this repository.",
            ),
            class_="all-clear",
        )
    else:
        groups = action_groups(report, actions)
        body = el("ol", (_action_group(g) for g in groups), id="top-actions")
    return el(
        "div",
        el("h2", "What would raise the score most"),
        body,
        el(
            "p",
            "Points are computed by the scoring formula: fixing a rule adds exactly its points "
            "to the overall score; a pillar's arrow shows the score it reaches once all its "
            "actions here are done.",
            class_="note",
        ),
        class_="card actions",
    )


def _action_group(group: ActionGroup) -> Html:
    pillar = group.now.pillar
    now, reach = group.now.score, group.reach
    head = el(
        "div",
        el("a", pillar.short, href=f"#pillar-{pillar.value}", class_="group-name"),
        el(
            "span",
            el("span", fmt_score(now), class_=f"band-{band(now)}"),
            el("span", " → ", aria_hidden="true"),
            el("span", " would reach ", class_="visually-hidden"),
            el("strong", fmt_score(reach), class_=f"band-{band(reach)}"),
            class_="reach",
            title=f"{pillar.title}: its score now, and once these actions are done",
        ),
        el(
            "span",
            f"+{group.overall_gain:.1f} overall",
            class_="group-gain",
            title="overall points once these actions are done",
        ),
        class_="group-head",
    )
    return el(
        "li",
        head,
        el("ol", (_action(r) for r in group.actions), class_="group-actions"),
        class_="action-group",
        data_pillar=pillar.value,
        data_score="" if now is None else now,
        data_reach="" if reach is None else reach,
        data_overall_gain=group.overall_gain,
    )


def _action(result: RuleResult) -> Html:
    rule = result.rule
    open_findings = [f for f in result.findings if f.suppression is None]
    meta = [
        el("span", rule.severity.value, class_=f"sev sev-{rule.severity.value}"),
        el("span", rule.id),
    ]
    if len(open_findings) > 1:
        meta.append(el("span", f"{len(open_findings)} places"))
    return el(
        "li",
        el("span", f"+{result.gain:.1f}", class_="gain", title="overall points"),
        el(
            "a",
            el("span", prose(rule.title), class_="action-title"),
            el("span", meta, class_="action-meta"),
            href=f"#rule-{rule.id}",
        ),
        data_rule=rule.id,
        data_gain=result.gain,
    )


def _pillar_strip(report: Report) -> Html:
    chips = []
    for pillar in report.pillars:
        tally = verdicts.counts(r for r in report.results if r.rule.pillar is pillar.pillar)
        to_fix = sum(tally[v] for v in Verdict if verdicts.VERDICTS[v].to_act)
        if pillar.score is None:
            detail = "not applicable"
        else:
            detail = f"{to_fix} to fix" if to_fix else "nothing to fix"
        card = el(
            "div",
            el("span", pillar.pillar.short, class_="chip-name", title=pillar.pillar.title),
            pillar_score(pillar, "chip-score"),
            el("span", detail, class_="chip-counts"),
            class_="card",
        )
        chips.append(
            el(
                "li",
                el("a", card, href=f"#pillar-{pillar.pillar.value}"),
                class_="hygiene" if pillar.pillar is Pillar.HYGIENE else None,
            )
        )
    return el("ul", chips, class_="pillar-strip", aria_label="Score per pillar")


def _filters() -> Html:
    options = [el("option", "All pillars", value="all")] + [
        el("option", p.short, value=p.value) for p in Pillar
    ]
    severities = [
        el(
            "label",
            el("input", type="checkbox", name="severity", value=s.value, checked=True),
            s.value.capitalize(),
        )
        for s in Severity
    ]
    return el(
        "div",
        el(
            "label",
            el("span", "Pillar", class_="visually-hidden"),
            el("select", options, id="filter-pillar"),
        ),
        el("fieldset", el("legend", "Severity"), severities),
        el(
            "label",
            el("input", type="checkbox", id="filter-passed", checked=True),
            "Show passed and not applicable",
        ),
        el("output", id="filter-count"),
        id="filters",
        class_="card filters",
        role="search",
        aria_label="Filter findings",
        hidden=True,
    )


def _warnings(report: Report) -> Html | None:
    """Scan notes, one list per kind (unread files, suppressions, rules, cache, git)."""
    if not report.warnings:
        return None
    parts: list[Html | None] = [
        el("h2", f"Scan notes ({len(report.warnings)})", class_="section-title"),
        el("p", "The scan went on; each kind of note has its own list.", class_="note"),
    ]
    for title, warnings in grouped_warnings(report.warnings):
        shown = warnings[:LIST_SHOWN]
        items = [
            el(
                "li",
                el("code", w.path, class_="loc") if w.path else None,
                w.message,
                el("span", w.code, class_="mark"),
            )
            for w in shown
        ]
        if len(warnings) > len(shown):
            items.append(
                el(
                    "li",
                    f"… and {len(warnings) - len(shown)} more (see the JSON report)",
                    class_="more",
                )
            )
        parts += [el("h3", f"{title} ({len(warnings)})"), el("ul", items, class_="box")]
    return el("section", *parts, class_="warnings", id="warnings")


def _fixed(report: Report) -> Html | None:
    if not report.fixed:
        return None
    return el(
        "section",
        el("h2", f"Fixed since the baseline ({len(report.fixed)})", class_="section-title"),
        el("ul", (el("li", "✔ ", item) for item in report.fixed[:LIST_SHOWN]), class_="box"),
        class_="fixed",
    )


def _footer(report: Report) -> Html:
    return el(
        "footer",
        el(
            "p",
            f"Rulebook {report.rulebook_version} · readycheck {report.tool_version} · "
            f"{len(report.results)} rules · scanned {report.scanned_at}",
        ),
        el(
            "p",
            "The overall score is the mean of the pillar scores (the five pillars and "
            "engineering hygiene count equally); the level also needs a strong enough weakest "
            "pillar. Not-applicable rules are left out of every score.",
        ),
        el(
            "p",
            "This page is self-contained: it makes no network requests and can be printed "
            "to PDF from the browser.",
            class_="filters-note",
        ),
    )
