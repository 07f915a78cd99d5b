"""The portfolio in a terminal: a table of repositories, then the practices missing most widely.

Every piece of repository text is handed to rich as a `Text` (never as a
markup string) after `safe()` has made its control characters visible, so a
repository named `[red]…` or holding an escape sequence cannot restyle, move or
clear the terminal.
"""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from readycheck.portfolio import Portfolio, Practice, Row
from readycheck.renderers import portfolio_common as common
from readycheck.renderers.svg import fmt_score
from readycheck.renderers.terminal import LEVEL_STYLE, safe, score_style

#: Practices listed; the HTML, Markdown and JSON portfolios have them all.
PRACTICES_SHOWN = 10


def print_portfolio(portfolio: Portfolio, console: Console) -> None:
    """The portfolio on `console`: headline, level spread, repositories, top practices."""
    console.print(_headline(portfolio))
    console.print(_levels(portfolio))
    console.print()
    if portfolio.rows:
        console.print(_repositories(portfolio))
    else:
        console.print(Text("No repository in this portfolio.", style="dim"))
    console.print()
    _practices(portfolio, console)
    _rejected(portfolio, console)
    rulebook = (
        f" · rulebook {safe(portfolio.rulebook_version)}" if portfolio.rulebook_version else ""
    )
    console.print(
        Text(f"readycheck {safe(portfolio.tool_version)}{rulebook}", style="dim"),
    )


def _headline(portfolio: Portfolio) -> Text:
    mean = portfolio.mean_score
    headline = Text.assemble(
        ("readycheck portfolio", "bold"),
        (f"  {common.repositories_phrase(len(portfolio.rows))} · mean ", ""),
        (fmt_score(mean), f"bold {score_style(mean)}"),
        (" / 100", "dim"),
        (f"  generated {safe(common.when(portfolio.generated_at) or '')}", "dim"),
    )
    if portfolio.previous_run:
        previous = common.when(portfolio.previous_run) or ""
        headline.append(f" · compared with {safe(previous)}", style="dim")
    return headline


def _levels(portfolio: Portfolio) -> Text:
    line = Text()
    for index, level in enumerate(portfolio.levels):
        if index:
            line.append(" · ", style="dim")
        line.append(f"{level.title} ", style=LEVEL_STYLE.get(level.rank, "bold"))
        line.append(str(level.count), style="bold" if level.count else "dim")
    return line


def _repositories(portfolio: Portfolio) -> Table:
    scan = common.has_scan_column(portfolio)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("Repository", overflow="fold")
    table.add_column("Score", justify="right", no_wrap=True)
    table.add_column("Level", no_wrap=True)
    for pillar in common.PILLARS:
        table.add_column(_pillar_header(pillar.value), justify="right", no_wrap=True)
    table.add_column("Commit", no_wrap=True)
    table.add_column("Change", overflow="fold")
    if scan:
        table.add_column("Scan", no_wrap=True)
    for row in portfolio.rows:
        table.add_row(*_cells(row, scan))
    return table


def _pillar_header(pillar_id: str) -> str:
    short = {"infrastructure": "Infra", "monitoring": "Monit", "human_in_the_loop": "HITL"}
    return short.get(pillar_id, common.pillar_name(pillar_id))


def _cells(row: Row, scan: bool) -> list[Text]:
    snap = row.snapshot
    cells = [
        Text(safe(snap.name), style="bold"),
        Text(fmt_score(snap.score), style=f"bold {score_style(snap.score)}"),
        Text(safe(snap.level_title), style=LEVEL_STYLE.get(snap.level_rank, "bold")),
    ]
    for pillar in common.PILLARS:
        value = common.pillar_score(snap, pillar)
        cells.append(Text(fmt_score(value), style=score_style(value)))
    commit = common.short_commit(safe(snap.commit)) if snap.commit else "none"
    cells += [Text(commit, style="dim"), _change(row)]
    if scan:
        cells.append(Text(common.scan_label(row.rescanned), style="dim"))
    return cells


def _change(row: Row) -> Text:
    moved = row.change
    if moved is None:
        return Text("new", style="dim")
    style = "green" if moved.score_delta > 0 else "red" if moved.score_delta < 0 else "dim"
    text = Text(common.delta(moved), style=f"bold {style}")
    level = common.level_move(moved, row.snapshot)
    if level:
        text.append(f"  {safe(level)}", style=style)
    if moved.newly_lacking:
        text.append(f"  -{', '.join(safe(r) for r in moved.newly_lacking)}", style="red")
    if moved.newly_met:
        text.append(f"  +{', '.join(safe(r) for r in moved.newly_met)}", style="green")
    return text


def _practices(portfolio: Portfolio, console: Console) -> None:
    practices = portfolio.practices
    if not practices:
        console.print(Text("Every practice that applies is in place everywhere.", style="green"))
        console.print()
        return
    shown = practices[:PRACTICES_SHOWN]
    title = "Practices missing across the organisation"
    more = f" (top {len(shown)} of {len(practices)})" if len(practices) > len(shown) else ""
    console.print(Text(title + more, style="bold"))
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("Practice", overflow="fold", ratio=3)
    table.add_column("Missing", no_wrap=True)
    table.add_column("Gain", justify="right", no_wrap=True)
    table.add_column("Example to copy", overflow="fold", ratio=3)
    for practice in shown:
        table.add_row(*_practice_cells(practice))
    console.print(table)
    console.print(
        Text(
            "Gain: points added to the organisation's mean score if fixed everywhere.",
            style="dim",
        )
    )
    console.print()


def _practice_cells(practice: Practice) -> list[Text]:
    name = Text.assemble((safe(practice.rule_id), "dim"), " ", safe(practice.title))
    missing = Text(f"{len(practice.lacking)} of {practice.applicable}")
    if practice.partial:
        missing.append(f" (+{len(practice.partial)} partly)", style="yellow")
    gain = Text(f"+{fmt_score(practice.mean_gain)}", style="bold green")
    if not practice.examples:
        return [name, missing, gain, Text("no repository has it yet", style="dim")]
    first = practice.examples[0]
    example = Text(safe(first.repository), style="bold")
    if first.path is not None:
        place = first.path + (f":{first.line}" if first.line else "")
        example.append(f" {safe(place)}", style="cyan")
    else:
        example.append(f" {safe(first.detail)}", style="dim")
    return [name, missing, gain, example]


def _rejected(portfolio: Portfolio, console: Console) -> None:
    if portfolio.rejected:
        console.print(Text(f"Inputs left out ({len(portfolio.rejected)})", style="bold yellow"))
        for rejected in portfolio.rejected:
            console.print(
                Text.assemble(
                    ("  ✘ ", "yellow"),
                    (safe(rejected.source), "cyan"),
                    f": {safe(rejected.reason)}",
                )
            )
        console.print()
    for note in portfolio.notes:
        console.print(Text(f"  ℹ {safe(note)}", style="dim"))
    if portfolio.notes:
        console.print()
