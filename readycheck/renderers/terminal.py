"""The terminal report: the score and level first, then what to fix, biggest gain first.

Text that comes from the scanned repository (paths, snippets, details) is
never interpreted as rich markup and has its control characters made
visible, so a file name cannot recolour, move or clear the terminal.
"""

from __future__ import annotations

import io
import os
import re
import sys
from collections.abc import Iterable
from typing import TextIO

from rich import box
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from readycheck import score
from readycheck.model import (
    Basis,
    Finding,
    Pillar,
    PillarScore,
    Report,
    RuleResult,
    RuleType,
    Severity,
    Status,
    grouped_warnings,
    with_article,
)
from readycheck.verdicts import (
    TABLE_COLUMNS,
    VERDICTS,
    Verdict,
    summary,
    table_counts,
    verdict,
)

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
SEVERITY_STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "bold yellow",
    Severity.LOW: "bold blue",
}
LEVEL_STYLE = {4: "bold green", 3: "bold cyan", 2: "bold yellow", 1: "bold red"}
_FINDINGS_SHOWN = 5
#: Scan notes listed per kind; the JSON report has them all.
WARNINGS_SHOWN = 10


class _Console(Console):
    """Rich's console exits with status 1 when the reader of a pipe goes away (`| head`);
    here the rest of the report is dropped quietly, and the exit code stays the gate's."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError


def console() -> Console:
    """The console the report is printed on: standard output, no syntax highlighting."""
    return _Console(highlight=False)


#: The report's width when standard output is a file or a pipe and COLUMNS is not set:
#: wide enough that nothing is cut at 80 columns in the middle of a word.
PIPED_WIDTH = 160
#: Piped, the header box is read at a glance: never wider than this.
HEADER_WIDTH = 100


def text_console(file: TextIO, width: int) -> Console:
    """A console that writes plain text `width` columns wide whatever the environment
    says: no colour or style codes even under FORCE_COLOR, and the width kept even when
    TERM=dumb (rich falls back to 80 columns there unless a height is given too)."""
    return Console(file=file, width=width, height=25, highlight=False, color_system=None)


def print_report(report: Report, *, verbose: bool = False, show_passed: bool = False) -> None:
    """The report on standard output. On a terminal (or with COLUMNS set) it fits the
    window; piped or redirected, it is laid out PIPED_WIDTH wide and no line keeps the
    padding a terminal needs, so `grep`, `diff` and a CI log see whole lines."""
    out = console()
    if out.is_terminal or os.environ.get("COLUMNS"):
        render(report, out, verbose=verbose, show_passed=show_passed)
        return
    buffer = io.StringIO()
    render(
        report,
        text_console(buffer, PIPED_WIDTH),
        verbose=verbose,
        show_passed=show_passed,
        header_width=HEADER_WIDTH,
    )
    sys.stdout.write("\n".join(line.rstrip() for line in buffer.getvalue().split("\n")))


def safe(text: str) -> str:
    """Make control characters (escape sequences, bidi overrides, newlines, tabs) visible:
    a file name with a newline must not pass for two lines of the report."""
    return _CONTROL.sub(lambda m: repr(m.group(0))[1:-1], text)


def score_style(score: float | None) -> str:
    if score is None:
        return "dim"
    if score >= 80:
        return "green"
    if score >= 60:
        return "cyan"
    if score >= 35:
        return "yellow"
    return "red"


def _bar(score: float | None, width: int = 8) -> Text:
    if score is None:
        return Text("not applicable", style="dim")
    filled = round(score / 100 * width)
    return Text("█" * filled, style=score_style(score)) + Text("░" * (width - filled), style="dim")


def _header(report: Report) -> Panel:
    level_style = LEVEL_STYLE.get(report.level.rank, "bold")
    headline = Text.assemble(
        (score.fmt_score(report.score), f"bold {score_style(report.score)}"),
        (" / 100   ", "dim"),
        (report.level.title.upper(), level_style),
    )
    lines: list[RenderableType] = [headline, Text(report.level.summary)]
    if report.level_capped_by is not None:
        weakest = next(p for p in report.pillars if p.pillar is report.level_capped_by)
        lines.append(
            Text.assemble(
                ("Held back by its weakest pillar: ", "yellow"),
                (f"{weakest.pillar.title} ({score.fmt_score(weakest.score)})", "bold yellow"),
            )
        )
    if report.level_capped_by_rules:
        titles = {r.rule.id: r.rule.title for r in report.results}
        capping = "; ".join(f"{i} ({titles.get(i, '')})" for i in report.level_capped_by_rules)
        lines.append(Text.assemble(("Capped by a risk found: ", "red"), (capping, "bold red")))
    if report.kind is not None:
        lines.append(_kind_line(report))
    target = report.target
    facts = [f"{target.files} file" + ("" if target.files == 1 else "s")]
    if target.commit:
        facts.append(
            f"commit {target.commit[:10]}" + (f" on {safe(target.branch)}" if target.branch else "")
        )
    facts.append(f"rulebook {report.rulebook_version}")
    facts.append(f"config {safe(target.config)}" if target.config else "no config file")
    lines.append(Text(" · ".join(facts), style="dim"))
    title = Text.assemble(("readycheck ", "bold"), (safe(target.name), "bold cyan"))
    return Panel(Group(*lines), title=title, title_align="left", box=box.ROUNDED, padding=(0, 2))


def _kind_line(report: Report) -> Text:
    """What the repository was judged as, and on what evidence."""
    kind = report.kind
    assert kind is not None
    text = Text.assemble(("Judged as ", "dim"), (with_article(kind.title), "bold"), (": ", "dim"))
    text.append(safe(kind.reason), style="dim")
    if kind.evidence is not None and kind.evidence.location is not None:
        text.append(" (", style="dim")
        text.append(safe(str(kind.evidence.location)), style="cyan")
        text.append(")", style="dim")
    if not kind.declared:
        text.append(" (set `kind:` in the config if wrong)", style="dim")
    return text


#: The verdicts the pillar table counts, in its column order.


#: Pillar names for a terminal narrower than 56 columns.
_TINY_NAMES = {
    Pillar.DATA: "Data",
    Pillar.INFRASTRUCTURE: "Infra",
    Pillar.MONITORING: "Monitor",
    Pillar.SECURITY: "Security",
    Pillar.HUMAN_IN_THE_LOOP: "HITL",
    Pillar.HYGIENE: "Hygiene",
}


def _pillar_table(
    pillars: Iterable[PillarScore], results: Iterable[RuleResult], width: int = 80
) -> RenderableType:
    """The score and the verdict counts of each pillar. Narrower terminals lose the bar,
    then long names, then long column labels (explained in a legend), never a number."""
    wide, tiny = width >= 80, width < 56
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, expand=False)
    table.add_column("Pillar", no_wrap=True)
    table.add_column("Score", no_wrap=True, justify="left" if wide else "right")
    for column in TABLE_COLUMNS:
        style = "dim" if column is Verdict.NOT_APPLICABLE else None
        label = VERDICTS[column].label
        label = label[0] if tiny else label
        table.add_column(label, justify="right", style=style, no_wrap=True, min_width=len(label))
    items = list(results)
    for pillar in pillars:
        tally = table_counts(r for r in items if r.rule.pillar is pillar.pillar)
        score_text = "–" if pillar.score is None else score.fmt_score(pillar.score)
        title = (
            pillar.pillar.title
            if wide
            else _TINY_NAMES[pillar.pillar]
            if tiny
            else pillar.pillar.short
        )
        name = Text(title, style="dim" if pillar.pillar is Pillar.HYGIENE else "")
        cell = Text(
            f"{score_text:>5}" + (" " if wide else ""), style=f"bold {score_style(pillar.score)}"
        )
        if wide:
            cell += _bar(pillar.score)
        table.add_row(name, cell, *(str(tally[column] or "·") for column in TABLE_COLUMNS))
    if not tiny:
        return table
    legend = ", ".join(f"{VERDICTS[c].label[0]} {VERDICTS[c].label}" for c in TABLE_COLUMNS)
    return Group(table, Text(legend, style="dim"))


def _ml_test_score(report: Report, verbose: bool) -> list[RenderableType]:
    estimate = report.ml_test_score
    if estimate is None:
        return []
    sections = " · ".join(
        f"{name} {points:g}/{len(tests)}" for name, points, tests in estimate.sections
    )
    parts: list[RenderableType] = [
        Text.assemble(
            ("ML Test Score ", "bold"),
            ("(static estimate, Breck et al. 2017): ", "dim"),
            (f"{estimate.score:g}", "bold"),
        ),
        Text(f"  {estimate.band}", style="italic"),
        Text(f"  {sections}   (the weakest section is the score)", style="dim"),
    ]
    if verbose:
        table = Table(box=None, show_header=False, pad_edge=False)
        for column in ("test", "points", "title", "evidence"):
            table.add_column(column, style="dim" if column == "evidence" else None)
        for _name, _points, tests in estimate.sections:
            for test in tests:
                points = "–" if test.points is None else f"{test.points:g}"
                table.add_row("  " + test.id, points, test.title, test.note)
        parts.append(table)
    parts.append(Text(""))
    return parts


_CHECK_MARKS = {"met": ("✔", "green"), "partly": ("◐", "yellow"), "missing": ("✘", "red"),
                "not_applicable": ("–", "dim")}  # fmt: skip


def _checklist(report: Report, verbose: bool) -> list[RenderableType]:
    """A kind's own checklist (an LLM application's), in place of the ML Test Score: one
    line of section tallies, and with --verbose every item with its standing."""
    shown = report.checklist
    if shown is None:
        return []
    tallies = " · ".join(
        f"{safe(section.name)} {section.met:g}/{section.applicable}" for section in shown.sections
    )
    parts: list[RenderableType] = [
        Text(safe(shown.name), style="bold"),
        Text(f"  {tallies}", style="dim"),
        Text(
            f"  items met (a partly met one counts half); after {safe(shown.reference)}",
            style="dim",
        ),
        Text(f"  {safe(shown.reason)}", style="italic dim"),
    ]
    if verbose:
        table = Table(box=None, show_header=False, pad_edge=False)
        for column in ("mark", "item", "title", "rules"):
            table.add_column(column, style="dim" if column == "rules" else None)
        for section in shown.sections:
            for item in section.items:
                mark, style = _CHECK_MARKS[item.status]
                table.add_row(Text("  " + mark, style=style), safe(item.id), safe(item.title),
                              ", ".join(item.rules))  # fmt: skip
        parts.append(table)
    parts.append(Text(""))
    return parts


def _where(finding: Finding) -> Text:
    if finding.location is None:
        return Text("whole repository", style="dim italic")
    return Text(safe(str(finding.location)), style="cyan")


def _because(result: RuleResult) -> Text:
    """Why a practice missing from the whole repository is asked for, and where that shows."""
    text = Text("because ", style="dim")
    for index, seen in enumerate(result.applies_because):
        if index:
            text.append("; ", style="dim")
        text.append(safe(seen.detail), style="dim")
        if seen.location is not None:
            text.append(" (", style="dim")
            text.append(safe(str(seen.location)), style="cyan")
            text.append(")", style="dim")
    return text


def _marks(finding: Finding) -> Text:
    """Why a finding will not fail a gate: suppressed, known in the baseline, outside the change."""
    marks = Text()
    if finding.suppression is not None:
        marks.append("  [suppressed]", style="bold blue")
    if finding.in_baseline:
        marks.append("  [baseline]", style="dim")
    if finding.in_change is False:
        marks.append("  [outside the change]", style="dim")
    return marks


def _policy_section(report: Report) -> list[Text]:
    """With --since: what the change does to its own gate, weakening first."""
    if not report.policy_changes:
        return []
    changes = sorted(report.policy_changes, key=lambda c: not c.weakens)
    where = next((c.where for c in changes if c.where), None)
    title = f"Gate settings changed since {safe(report.since or 'the base')}"
    parts = [Text(title + (f" ({safe(where)})" if where else ""), style="bold yellow")]
    for change in changes:
        mark, style = ("▼ weakens: ", "yellow") if change.weakens else ("• ", "dim")
        parts.append(Text.assemble(("  " + mark, style), (safe(change.text), style)))
    parts.append(Text())
    return parts


def _gate_line(report: Report) -> Text | None:
    gate = report.gate
    if gate is None:
        return None
    checked = "; ".join(gate.checked)
    if gate.passed:
        return Text.assemble(("✔ Gate passed", "bold green"), (f"  ({checked})", "dim"))
    return Text.assemble(
        ("✘ Gate failed: ", "bold red"), ("; ".join(gate.reasons), "red"), (f"  ({checked})", "dim")
    )


def _result_block(
    result: RuleResult, verbose: bool, blocks: list[RuleResult] | None = None
) -> RenderableType:
    rule = result.rule
    title = Text.assemble(
        (f" {rule.severity.value.upper()} ", SEVERITY_STYLE[rule.severity]),
        " ",
        (rule.id, "bold"),
        "  ",
        (rule.title, "bold"),
    )
    if result.status is Status.PARTIAL:
        title.append("  partial", style="yellow")
    heading = Table.grid(expand=True)
    heading.add_column(ratio=1)
    heading.add_column(justify="right", no_wrap=True)
    heading.add_row(
        title, Text(f"+{result.gain:.1f} pts" if result.gain else "", style="bold green")
    )
    body = Table.grid(padding=(0, 1))
    body.add_column(style="dim", no_wrap=True)
    body.add_column()
    shown = result.findings if verbose else result.findings[:_FINDINGS_SHOWN]
    for finding in shown:
        if finding.location is None:
            body.add_row("what", Text(safe(finding.message)) + _marks(finding))
            if result.applies_because:
                body.add_row("applies", _because(result))
            continue
        body.add_row(
            "at", _where(finding) + Text("  ") + Text(safe(finding.message)) + _marks(finding)
        )
        if finding.snippet and finding.snippet not in finding.message:
            body.add_row("", Text("│ " + safe(finding.snippet), style="dim"))
        if finding.suppression is not None:
            body.add_row(
                "",
                Text(
                    f"suppressed ({finding.suppression.source}): "
                    f"{safe(finding.suppression.reason)}",
                    style="dim italic",
                ),
            )
    hidden = len(result.findings) - len(shown)
    if hidden > 0:
        body.add_row("", Text(f"... and {hidden} more (--verbose shows all)", style="dim"))
    if rule.confidence.value != "high":
        note = f"a heuristic ({rule.confidence.value} confidence): it infers intent from names and calls"
        body.add_row("note", Text(note, style="dim italic"))
    for other in blocks or ():
        waits = f"; already in the code at {other.waiting_at}" if other.waiting_at else ""
        body.add_row(
            "blocks",
            Text(f"{other.rule.id} {other.rule.title} (it needs this first{waits})", style="dim"),
        )
    body.add_row("why", Text(rule.why))
    body.add_row("fix", Text(rule.fix, style="green"))
    return Group(heading, Padding(body, (0, 0, 1, 6)))


def _findings_section(report: Report, verbose: bool) -> list[RenderableType]:
    acting = [r for r in report.results if VERDICTS[verdict(r)].to_act]
    if not acting:
        return [Text("No findings: every practice was seen and no risk found.", style="bold green")]
    blocked = [r for r in acting if r.basis is Basis.BLOCKED]
    missing = [r for r in acting if r.rule.type is RuleType.PRACTICE and r not in blocked]
    risks = [r for r in acting if r.rule.type is RuleType.HAZARD]
    parts: list[RenderableType] = []
    for heading, items, note in (
        ("Missing practices", missing, "  by pillar, biggest score gains first"),
        ("Risks found", risks, "  by pillar, biggest score gains first"),
    ):
        if items:
            parts.append(Text.assemble((heading, "bold underline"), (note, "dim")))
            parts.append(Text(""))
            parts.extend(_by_pillar(report, items, blocked, verbose))
    return parts


def _by_pillar(
    report: Report, failing: list[RuleResult], blocked: list[RuleResult], verbose: bool
) -> list[RenderableType]:
    parts: list[RenderableType] = []
    available = {
        pillar: sum(r.gain for r in failing if r.rule.pillar is pillar) for pillar in Pillar
    }
    pillars = sorted(
        {r.rule.pillar for r in failing}, key=lambda p: (-available[p], list(Pillar).index(p))
    )
    for pillar in pillars:
        pillar_score = next(p.score for p in report.pillars if p.pillar is pillar)
        parts.append(
            Text.assemble(
                (f"▍{pillar.title}", "bold magenta"),
                (
                    f"  {score.fmt_score(pillar_score)}/100" if pillar_score is not None else "",
                    "dim",
                ),
            )
        )
        items = sorted(
            (r for r in failing if r.rule.pillar is pillar), key=score.biggest_gain_first
        )
        parts.extend(
            _result_block(r, verbose, [b for b in blocked if b.blocked_by == r.rule.id])
            for r in items
        )
    return parts


def _passed_section(report: Report) -> list[RenderableType]:
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(style="green", no_wrap=True)
    table.add_column(style="bold")
    table.add_column()
    for result in (r for r in report.results if verdict(r) is Verdict.SEEN):
        first = result.evidence[0] if result.evidence else None
        where = safe(str(first.location)) if first and first.location else ""
        table.add_row("✓ " + result.rule.id, result.rule.title, Text(where, style="dim cyan"))
    for result in (r for r in report.results if verdict(r) is Verdict.CLEAR):
        looked = (
            f"none found in {result.examined} file{'s' if result.examined != 1 else ''}"
            if result.basis is Basis.CLEAR
            else "nothing to examine"
        )
        table.add_row(
            Text("○ " + result.rule.id, style="dim green"), result.rule.title,
            Text(f"{looked} (a risk's absence earns no points)", style="dim"),
        )  # fmt: skip
    na = [r for r in report.results if r.status is Status.NOT_APPLICABLE]
    for result in na:
        table.add_row(
            Text("– " + result.rule.id, style="dim"),
            Text(result.rule.title, style="dim"),
            Text(f"n/a: {result.reason}", style="dim"),
        )
    return [Text("Seen, clear and not applicable", style="bold underline"), table, Text("")]


def _warnings_section(report: Report) -> list[RenderableType]:
    """Scan notes under one heading per kind (unread files, suppressions, rules, cache...)."""
    lines: list[RenderableType] = []
    for title, warnings in grouped_warnings(report.warnings):
        lines.append(Text(f"{title} ({len(warnings)})", style="bold yellow"))
        for warning in warnings[:WARNINGS_SHOWN]:
            lines.append(Text.assemble(("  ! ", "yellow"), (safe(str(warning)), "")))
        if len(warnings) > WARNINGS_SHOWN:
            more = len(warnings) - WARNINGS_SHOWN
            lines.append(Text(f"  ... and {more} more (see --format json)", style="dim"))
        lines.append(Text(""))
    return lines


def render(
    report: Report,
    console: Console,
    *,
    verbose: bool = False,
    show_passed: bool = False,
    header_width: int | None = None,
) -> None:
    """Print the report to `console` (the header box at most `header_width` wide)."""
    console.print(_header(report), width=min(console.width, header_width or console.width))
    console.print(_pillar_table(report.pillars, report.results, console.width))
    console.print()
    for part in _ml_test_score(report, verbose):
        console.print(part)
    for part in _checklist(report, verbose):
        console.print(part)
    for part in _findings_section(report, verbose):
        console.print(part)
    if show_passed or verbose:
        for part in _passed_section(report):
            console.print(part)
    for part in _warnings_section(report):
        console.print(part)
    for part in _policy_section(report):
        console.print(part)
    if report.fixed:
        console.print(Text(f"Fixed since the baseline ({len(report.fixed)})", style="bold green"))
        for item in report.fixed[:20]:
            console.print(Text("  ✔ " + safe(item), style="green"))
        console.print()
    console.print(
        Text(
            summary(report.results)
            + ("" if show_passed or verbose else "  (--show-passed lists what was seen)"),
            style="dim",
        )
    )
    suppressed = sum(1 for f in report.findings if f.suppression is not None)
    if suppressed:
        console.print(
            Text(
                f"{suppressed} finding{'s' if suppressed > 1 else ''} suppressed, with reasons shown above",
                style="dim",
            )
        )
    gate_line = _gate_line(report)
    if gate_line is not None:
        console.print(gate_line)
