"""The trend in the terminal: a row per commit, oldest first, then the commits that moved
a pillar most.

Commit subjects, tags and the repository name are the repository's text: they are
put in `Text` objects (never parsed as rich markup) and passed through `safe()`,
so a subject cannot recolour, move or clear the terminal.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from readycheck.model import Pillar
from readycheck.renderers.terminal import LEVEL_STYLE, safe, score_style
from readycheck.renderers.trend_html import day, pillars, score_of, short
from readycheck.score import LEVEL_BANDS, fmt_score
from readycheck.trend import Mover, Point, Trend

_RANKS = {b.level.id: b.level.rank for b in LEVEL_BANDS}
#: Column headers narrow enough for six pillars in 100 columns.
_HEADERS = {
    Pillar.DATA.value: "Data",
    Pillar.INFRASTRUCTURE.value: "Infra",
    Pillar.MONITORING.value: "Monitor",
    Pillar.SECURITY.value: "Security",
    Pillar.HUMAN_IN_THE_LOOP.value: "HITL",
    Pillar.HYGIENE.value: "Hygiene",
}


def print_trend(trend: Trend, console: Console) -> None:
    """The trend on `console`: the headline, the table of commits, the top movers and
    the commits that could not be scanned."""
    console.print(_headline(trend))
    console.print(Text(safe(trend.selection), style="dim"))
    if trend.points:
        console.print(_table(trend))
    if trend.movers:
        console.print()
        console.print(Text("Commits that moved a pillar most", style="bold"))
        console.print(_movers(trend.movers))
    if trend.failed:
        console.print()
    for failed in trend.failed:
        console.print(
            Text.assemble(
                ("Could not scan ", "yellow"),
                (safe(short(failed.commit)), "cyan"),
                ": ",
                safe(failed.reason),
            )
        )
    _warnings(trend, console)


def _warnings(trend: Trend, console: Console) -> None:
    for warning in trend.warnings:
        console.print(Text.assemble(("Note: ", "yellow"), safe(warning)))


def _headline(trend: Trend) -> Text:
    title = Text.assemble(("readycheck trend ", "bold"), (safe(trend.name), "bold cyan"))
    if not trend.points:
        return title + Text("  no commit could be scanned", style="yellow")
    first, last = trend.points[0].score, trend.points[-1].score
    return Text.assemble(
        title,
        "  ",
        (fmt_score(first), score_style(first)),
        " → ",
        (fmt_score(last), f"bold {score_style(last)}"),
        " (",
        _delta(last - first),
        f") over {len(trend.points)} commits",
    )


def _delta(delta: float) -> Text:
    """A signed change, green up and red down; ASCII signs, so a log greps them."""
    if round(delta, 1) == 0:
        return Text("±0", style="dim")
    if delta > 0:
        return Text(f"+{fmt_score(delta)}", style="green")
    return Text(f"-{fmt_score(-delta)}", style="red")


def _table(trend: Trend) -> Table:
    keys = pillars(trend.points)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("Date", no_wrap=True)
    table.add_column("Commit", no_wrap=True, style="cyan")
    table.add_column("Tag", no_wrap=True)
    table.add_column("Score", no_wrap=True, justify="right")
    table.add_column("Level", no_wrap=True)
    for key, title in keys:
        table.add_column(Text(_HEADERS.get(key, safe(title))), justify="right", no_wrap=True)
    table.add_column("Subject", overflow="ellipsis", no_wrap=True, max_width=50)
    previous: Point | None = None
    for point in trend.points:
        cell = Text(fmt_score(point.score), style=f"bold {score_style(point.score)}")
        if previous is not None:
            cell += Text(" ") + _delta(point.score - previous.score)
        level = Text(point.level_title, style=LEVEL_STYLE.get(_RANKS.get(point.level_id, 0), ""))
        scores = [_pillar(score_of(point, key)) for key, _ in keys]
        table.add_row(
            Text(safe(day(point.date))),
            Text(safe(short(point.commit))),
            Text(safe(point.tag or "")),
            cell,
            level,
            *scores,
            Text(safe(point.subject)),
        )
        previous = point
    return table


def _movers(movers: Sequence[Mover]) -> Table:
    """One line per mover, columns aligned: commit, signed change, pillar, subject."""
    table = Table(box=None, show_header=False, pad_edge=False, padding=(0, 2, 0, 0))
    table.add_column("Commit", style="cyan", no_wrap=True)
    table.add_column("Change", justify="right", no_wrap=True)
    table.add_column("Pillar", no_wrap=True)
    table.add_column("Subject", overflow="ellipsis", no_wrap=True)
    for mover in movers:
        table.add_row(
            Text("  " + safe(short(mover.commit))),
            _delta(mover.delta),
            Text(mover.pillar_title),
            Text(safe(mover.subject)),
        )
    return table


def _pillar(value: float | None) -> Text:
    return Text("–" if value is None else fmt_score(value), style=score_style(value))
