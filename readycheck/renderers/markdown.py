"""A compact Markdown summary for a pull-request comment: score, level, a table per pillar,
the ML Test Score estimate in one line, the top actions and the new findings.

GitHub rejects comments over 65,536 characters, so the findings list is cut to
a budget and says how many it left out. Repository text (paths, messages,
snippets, the folder and branch names) is escaped, or shown as code, so it
cannot add markup, HTML, disguised links or @-mentions to the comment.
"""

from __future__ import annotations

import re
from collections import Counter

from readycheck import score, verdicts
from readycheck.forge import source_url
from readycheck.model import (
    Finding,
    Pillar,
    Report,
    RuleResult,
    Severity,
    grouped_warnings,
    with_article,
)
from readycheck.renderers.markup import visible
from readycheck.renderers.svg import band, fmt_score
from readycheck.verdicts import TABLE_COLUMNS, VERDICTS, table_counts

#: GitHub's limit for an issue or pull-request comment.
GITHUB_COMMENT_LIMIT = 65_536
#: What the summary may use: the limit, less room for a bot's own header or footer.
BUDGET = 60_000
LINE_LIMIT = 300  # characters of repository text per finding line
OPEN_FINDINGS = 5  # shown before the rest are folded into <details>

BAND_MARK = {
    "production_ready": "🟢",
    "pre_production": "🔵",
    "pilot": "🟠",
    "prototype": "🔴",
    "na": "⚪",
}
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")


def _flat(value: str, limit: int) -> str:
    """One line: controls made visible, whitespace runs made single spaces, cut to `limit`."""
    flat = re.sub(r"\s+", " ", visible(value))
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _escape(flat: str) -> str:
    # A zero-width space after @ keeps `@team` from notifying anyone.
    return _SPECIAL.sub(r"\\\1", flat).replace("@", "@\u200b")


def text(value: str, limit: int = LINE_LIMIT) -> str:
    """Repository or rule text as inert Markdown: one line, specials escaped, no mentions."""
    return _escape(_flat(value, limit).strip())


def code(value: str, limit: int = LINE_LIMIT, *, in_table: bool = False) -> str:
    """A code span that holds any text, backticks included (CommonMark: a longer fence).
    In a table a `|` would end the cell, so there (only) it is escaped."""
    flat = _flat(value, limit).strip()
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") or not flat else ""
    span = f"{fence}{pad}{flat}{pad}{fence}"
    return span.replace("|", "\\|") if in_table else span


def prose(value: str, limit: int = LINE_LIMIT) -> str:
    """Text whose `backticked` parts become code spans, as rule messages write them."""
    flat = _flat(value, limit).strip()
    parts = flat.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: no code spans
        return _escape(flat)
    return "".join(code(p) if i % 2 else _escape(p) for i, p in enumerate(parts) if p)


def size(markdown: str) -> int:
    """Length as GitHub may count it: UTF-16 code units, so an emoji counts twice."""
    return len(markdown.encode("utf-16-le")) // 2


def _bar(value: float | None, width: int = 10) -> str:
    if value is None:
        return ""
    filled = round(value / 100 * width)
    return "█" * filled + "░" * (width - filled)


def _header(report: Report) -> list[str]:
    target = report.target
    level_mark = BAND_MARK.get(report.level.id, BAND_MARK["na"])
    lines = [
        f"### readycheck: {text(target.name, 100)} scores **{fmt_score(report.score)}** / 100 · "
        f"{level_mark} {report.level.title}",
        "",
    ]
    note = report.level.summary
    if report.level_capped_by is not None:
        weakest = next(p for p in report.pillars if p.pillar is report.level_capped_by)
        note += f" Held back by its weakest pillar: {weakest.pillar.title} ({fmt_score(weakest.score)})."
    if report.level_capped_by_rules:
        note += f" Capped by a risk found: {', '.join(report.level_capped_by_rules)}."
    lines += [note, ""]
    if report.kind is not None:
        kind = report.kind
        where = (
            f" ({code(str(kind.evidence.location))})"
            if kind.evidence is not None and kind.evidence.location is not None
            else ""
        )
        how = "declared in its configuration" if kind.declared else text(kind.reason, 200)
        lines += [f"Judged as {with_article(kind.title)}: {how}{where}.", ""]
    facts = []
    if target.commit:
        facts.append(
            f"commit {code(target.commit[:10])}"
            + (f" on {code(target.branch, 80)}" if target.branch else "")
        )
    facts.append(f"rulebook {text(report.rulebook_version, 40)}")
    facts.append(f"config {code(target.config, 120)}" if target.config else "no config file")
    facts.append(verdicts.summary(report.results))
    lines += [" · ".join(facts), ""]
    return lines


def _pillar_table(report: Report) -> list[str]:
    labels = " | ".join(VERDICTS[column].phrase.capitalize() for column in TABLE_COLUMNS)
    lines = [f"| Pillar | Score | | {labels} |", "|:--|--:|:--|--:|--:|--:|--:|--:|"]
    for pillar in report.pillars:
        tally = table_counts(r for r in report.results if r.rule.pillar is pillar.pillar)
        name = (
            pillar.pillar.title
            if pillar.pillar is not Pillar.HYGIENE
            else f"*{pillar.pillar.title}*"
        )
        numbers = " | ".join(str(tally[column]) for column in TABLE_COLUMNS)
        lines.append(
            f"| {BAND_MARK[band(pillar.score)]} {name} | **{fmt_score(pillar.score)}** | "
            f"{_bar(pillar.score)} | {numbers} |"
        )
    return [*lines, ""]


def _ml_test_score(report: Report) -> list[str]:
    """One paragraph: the estimate's final score, its weakest section(s) and the paper's
    reading of that score. Section names come from the rulebook, so they are escaped too."""
    estimate = report.ml_test_score
    if estimate is None or not estimate.sections:
        return []
    low = min(points for _name, points, _tests in estimate.sections)
    weakest = [
        f"{text(name, 40)} {points:g}/{len(tests)}"
        for name, points, tests in estimate.sections
        if points == low
    ]
    shown = ", ".join(weakest[:4]) + (f" and {len(weakest) - 4} more" if len(weakest) > 4 else "")
    label = "weakest section" if len(weakest) == 1 else "weakest sections"
    return [
        f"**ML Test Score** (static estimate, Breck et al. 2017): **{estimate.score:g}** · "
        f"{label}: {shown}. {text(estimate.band, 200)}",
        "",
    ]


def _checklist(report: Report) -> list[str]:
    """A kind's own checklist in place of the ML Test Score: one line per section."""
    shown = report.checklist
    if shown is None:
        return []
    tallies = " · ".join(
        f"{text(section.name, 40)} {section.met:g}/{section.applicable}"
        for section in shown.sections
    )
    missing = [
        text(item.title, 120)
        for section in shown.sections
        for item in section.items
        if item.status == "missing"
    ]
    lines = [
        f"**{text(shown.name, 80)}** ({text(shown.reference, 160)}): {tallies} items met. "
        f"{text(shown.reason, 200)}.",
        "",
    ]
    if missing:
        lines += [f"Missing: {'; '.join(missing)}.", ""]
    return lines


def _actions(report: Report) -> list[str]:
    actions = score.top_actions(report.results)
    if not actions:
        return ["**Nothing to fix:** every practice was seen and no risk found.", ""]
    lines = [
        "**What would raise the score most**",
        "",
        "| Gain | Fix | Pillar | Severity |",
        "|--:|:--|:--|:--|",
    ]
    for result in actions:
        rule = result.rule
        lines.append(
            f"| **+{result.gain:.1f}** | {text(rule.title, 160)} ({code(rule.id, 40, in_table=True)}) | "
            f"{rule.pillar.short} | {rule.severity.value} |"
        )
    return [*lines, ""]


def _where(finding: Finding, report: Report) -> str:
    """Where a finding is: its line on the forge at the scanned commit when the remote is
    known (the link is built from checked parts, never from repository text), else the
    path as code."""
    if finding.location is None:
        return "whole repository"
    target = report.target
    shown = code(str(finding.location))
    url = source_url(target.remote, target.commit, target.repository_path, finding.location)
    return f"[{shown}]({url})" if url else shown


def _finding_line(result: RuleResult, finding: Finding, report: Report) -> str:
    rule = result.rule
    where = _where(finding, report)
    return f"- **{rule.severity.value}** {code(rule.id, 40)} {prose(finding.message)} · {where}"


def _findings(report: Report, room: int) -> list[str]:
    """The findings a change should fix: not suppressed, not in the baseline, on changed lines
    when the scan is diff-aware. The most severe few are shown, the rest folded away, all
    within `room` characters."""
    new = sorted(
        ((r, f) for r in report.results for f in r.findings if f.gating),
        key=lambda rf: (-rf[0].rule.severity.rank, -rf[0].gain, rf[0].rule.id, str(rf[1].location)),
    )
    # "New" only when there is something to be new against: a baseline or --since.
    compared = (
        report.since is not None
        or bool(report.fixed)
        or any(f.in_baseline for f in report.findings)
    )
    heading = "New findings" if compared else "Findings"
    if not new:
        lines = [f"**{heading}:** none.", ""]
    else:
        by_severity = Counter(r.rule.severity for r, _ in new)
        counts = ", ".join(f"{by_severity[s]} {s.value}" for s in Severity if by_severity[s])
        lines = [f"**{heading} ({len(new)}):** {counts}", ""]
        used = sum(size(line) + 1 for line in lines) + 200  # room for the fold and the cut notice
        folded = False
        for index, (result, finding) in enumerate(new):
            if index == OPEN_FINDINGS:
                folded = True
                fold = f"<details><summary>{len(new) - index} more {heading.lower()}</summary>"
                lines += ["", fold, ""]
            line = _finding_line(result, finding, report)
            if used + size(line) + 1 > room:
                lines.append(f"- … and {len(new) - index} more: see the full report.")
                break
            lines.append(line)
            used += size(line) + 1
        if folded:
            lines += ["", "</details>"]
        lines.append("")
    held = [f for f in report.findings if not f.gating]
    if held:
        suppressed = sum(1 for f in held if f.suppression is not None)
        known = sum(1 for f in held if f.suppression is None and f.in_baseline)
        outside = len(held) - suppressed - known
        parts = [
            f"{count} {what}"
            for count, what in (
                (suppressed, "suppressed with a reason"),
                (known, "already in the baseline"),
                (outside, "outside the changed lines"),
            )
            if count
        ]
        lines += [f"<sub>Not listed: {', '.join(parts)}.</sub>", ""]
    return lines


def _tail(report: Report) -> list[str]:
    lines = []
    gate = report.gate
    if gate is not None:
        if gate.passed:
            lines.append(f"✅ **CI gate passed** ({text('; '.join(gate.checked), 400)})")
        else:
            lines.append(f"❌ **CI gate failed:** {text('; '.join(gate.reasons), 1000)}")
        lines.append("")
    if report.policy_changes:
        weaker = [c for c in report.policy_changes if c.weakens]
        other = [c for c in report.policy_changes if not c.weakens]
        since = code(report.since or "the base", 80)
        listed = "; ".join(text(c.text, 200) for c in [*weaker, *other][:20])
        head = "⚠️ **This change weakens its own gate**" if weaker else "**Gate settings changed**"
        lines += [f"{head} (since {since}): {listed}", ""]
    if report.fixed:
        shown = ", ".join(code(item, 120) for item in report.fixed[:20])
        more = f" and {len(report.fixed) - 20} more" if len(report.fixed) > 20 else ""
        lines += [f"**Fixed since the baseline ({len(report.fixed)}):** {shown}{more}", ""]
    if report.warnings:
        kinds = "; ".join(
            f"{title.lower()}: {len(items)}" for title, items in grouped_warnings(report.warnings)
        )
        lines += [f"<sub>⚠ Scan notes ({kinds}); see the full report.</sub>", ""]
    lines.append(
        f"<sub>readycheck {text(report.tool_version, 40)} · rulebook "
        f"{text(report.rulebook_version, 40)}</sub>"
    )
    return lines


def render(report: Report) -> str:
    head = (
        _header(report)
        + _pillar_table(report)
        + _ml_test_score(report)
        + _checklist(report)
        + _actions(report)
    )
    tail = _tail(report)
    fixed_size = sum(size(line) + 1 for line in head + tail)
    body = _findings(report, max(BUDGET - fixed_size, 1000))
    return "\n".join(head + body + tail) + "\n"
