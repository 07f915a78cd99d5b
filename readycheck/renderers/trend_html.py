"""The trend page: one repository's readiness over its history, as one self-contained page.

It follows the scorecard's rules (see `html`): every string the repository controls
(its name, commit subjects, tags, failure reasons) goes through the escaping builder
in `markup`, styles are inline, and a Content-Security-Policy forbids every fetch.
The page needs no script at all, so the policy allows none. Only `https://`
addresses become links: a subject or a remote cannot smuggle in `javascript:`.
"""

from __future__ import annotations

from collections.abc import Sequence

from readycheck.forge import web_remote
from readycheck.model import Pillar
from readycheck.renderers.html_assets import STYLE
from readycheck.renderers.markup import Html, el
from readycheck.renderers.page import head as page_head
from readycheck.renderers.svg import band, fmt_score, line_chart
from readycheck.trend import Failed, Mover, Point, Trend

#: Added to the scorecard's stylesheet: the charts' grid, the tables and the deltas.
TREND_STYLE = """
.trend-summary { font-size: 17px; margin: 8px 0 0; }
.trend-summary .score { font-weight: 750; font-variant-numeric: tabular-nums; }
.line-chart { width: 100%; height: auto; display: block; }
.pillar-charts { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 12px;
  margin: 12px 0 0; padding: 0; list-style: none; }
.pillar-charts h3 { font-size: 13px; color: var(--muted); margin: 0 0 4px; }
.up { color: var(--production_ready); font-weight: 700; }
.down { color: var(--prototype); font-weight: 700; }
.flat { color: var(--muted); }
.movers { list-style: none; margin: 8px 0 0; padding: 8px 16px; }
.movers li { display: grid; grid-template-columns: 90px 70px 1fr; gap: 10px; padding: 5px 0;
  border-top: 1px solid var(--line); overflow-wrap: anywhere; }
.movers li:first-child { border-top: 0; }
.movers .pillar-name { color: var(--muted); font-size: 13px; display: block; }
.points { width: 100%; border-collapse: collapse; font-size: 13px; background: var(--card); }
.points th, .points td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line);
  vertical-align: top; }
.points .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.points .subject { overflow-wrap: anywhere; }
.points time, .points .level-name { white-space: nowrap; }
.table-wrap { overflow-x: auto; margin-top: 8px; }
@media (max-width: 900px) { .pillar-charts { grid-template-columns: 1fr 1fr; } }
"""


def render(trend: Trend) -> str:
    """The whole page, ready to write to a file; it needs nothing else to display or print."""
    body = el(
        "div",
        _masthead(trend),
        el(
            "main",
            _charts(trend),
            _movers(trend.movers),
            _table(trend),
            _failed(trend.failed),
            _warnings(trend.warnings),
        ),
        _footer(trend),
        class_="page",
    )
    page = el("html", _head(trend), el("body", body), lang="en")
    return "<!DOCTYPE html>\n" + page + "\n"


def _head(trend: Trend) -> Html:
    """The page runs no script at all: its content security policy allows none."""
    return page_head(f"{trend.name} · readiness over time", trend.tool_version, STYLE + TREND_STYLE)


def link(text: str, url: str | None) -> Html:
    """`text` as a link to `url` when that is an https address, else as plain code."""
    if url and url.startswith("https://"):
        return el("a", el("code", text), href=url, rel="noopener noreferrer")
    return el("code", text)


def short(commit: str) -> str:
    return commit[:10]


def day(date: str) -> str:
    """The day of an ISO 8601 date (`2026-11-25`); the committer's own offset is kept,
    so a commit shows the day its author saw."""
    return date[:10]


def signed(delta: float) -> Html:
    """A change of score with its sign, green up, red down."""
    if round(delta, 1) == 0:
        return el("span", "±0", class_="flat", data_delta=delta)
    css, sign = ("up", "+") if delta > 0 else ("down", "−")
    return el("span", f"{sign}{fmt_score(abs(delta))}", class_=css, data_delta=delta)


def _masthead(trend: Trend) -> Html:
    # The link is the remote's clean web address: no credentials, no port.
    https = trend.remote is not None and trend.remote.startswith("https://")
    remote = web_remote(trend.remote) if https else None
    name = el("a", trend.name, href=remote, rel="noopener noreferrer") if remote else trend.name
    summary: list[Html | str] = []
    if trend.points:
        first, last = trend.points[0], trend.points[-1]
        summary = [
            el("span", fmt_score(first.score), class_=f"score band-{band(first.score)}"),
            " → ",
            el("span", fmt_score(last.score), class_=f"score band-{band(last.score)}"),
            " (",
            signed(last.score - first.score),
            f") over {len(trend.points)} commits, {day(first.date)} to {day(last.date)}",
        ]
    else:
        summary = ["No commit could be scanned."]
    return el(
        "header",
        el(
            "div",
            el("div", "Production readiness over time", class_="eyebrow"),
            el("h1", name, id="target-name"),
            el("ul", el("li", trend.selection), class_="meta"),
            el("p", summary, class_="trend-summary", id="trend-summary"),
        ),
        class_="masthead",
    )


def tip(point: Point, value: float | None) -> str:
    """A point's tooltip: which commit, when, what it said, and the score."""
    return f"{short(point.commit)} · {day(point.date)} · {point.subject} · {fmt_score(value)}"


def pillars(points: Sequence[Point]) -> list[tuple[str, str]]:
    """Every pillar met in the points, (id, title), in the order they first appear."""
    seen: dict[str, str] = {}
    for point in points:
        for cell in point.pillars:
            seen.setdefault(cell.id, cell.title)
    return list(seen.items())


def score_of(point: Point, pillar: str) -> float | None:
    return next((c.score for c in point.pillars if c.id == pillar), None)


def _charts(trend: Trend) -> Html | None:
    points = trend.points
    if not points:
        return None
    overall = line_chart(
        [p.score for p in points],
        [tip(p, p.score) for p in points],
        "Overall score by commit",
        ends=(day(points[0].date), day(points[-1].date)),
    )
    small = [
        el(
            "li",
            el("h3", title),
            line_chart(
                [score_of(p, key) for p in points],
                [tip(p, score_of(p, key)) for p in points],
                title,
                key=key,
                small=True,
            ),
            class_="card",
        )
        for key, title in pillars(points)
    ]
    return el(
        "section",
        el("div", el("div", "Overall score", class_="label"), overall, class_="card"),
        el("ul", small, class_="pillar-charts", aria_label="Score per pillar by commit"),
        aria_label="Charts",
    )


def _movers(movers: Sequence[Mover]) -> Html | None:
    if not movers:
        return None
    items = [
        el(
            "li",
            link(short(m.commit), m.url),
            el("span", signed(m.delta), class_="num"),
            el("span", el("span", m.pillar_title, class_="pillar-name"), m.subject),
            data_commit=m.commit,
            data_pillar=m.pillar,
        )
        for m in movers
    ]
    return el(
        "section",
        el("h2", "Commits that moved a pillar most", class_="section-title"),
        el("ol", items, class_="movers box", id="movers"),
    )


def _short_title(key: str, title: str) -> str:
    """A column header: the pillar's short name when readycheck knows it."""
    try:
        return Pillar(key).short
    except ValueError:
        return title


def _table(trend: Trend) -> Html | None:
    if not trend.points:
        return None
    keys = pillars(trend.points)
    head = el(
        "tr",
        [el("th", h) for h in ("Date", "Commit", "Tag", "Subject")],
        el("th", "Score", class_="num"),
        el("th", "Level"),
        [el("th", _short_title(k, t), class_="num", title=t) for k, t in keys],
    )
    rows = []
    previous: Point | None = None
    for point in trend.points:
        delta = None if previous is None else signed(point.score - previous.score)
        rows.append(
            el(
                "tr",
                el("td", el("time", day(point.date), datetime=point.date)),
                el("td", link(short(point.commit), point.url)),
                el("td", point.tag),
                el("td", point.subject, class_="subject"),
                el("td", fmt_score(point.score), " ", delta, class_="num", data_score=point.score),
                el("td", point.level_title, class_=f"level-name band-{point.level_id}"),
                [_pillar_cell(score_of(point, k), k) for k, _ in keys],
                data_commit=point.commit,
            )
        )
        previous = point
    return el(
        "section",
        el("h2", f"Every commit scanned ({len(trend.points)})", class_="section-title"),
        el(
            "div",
            el("table", el("thead", head), el("tbody", rows), class_="points", id="points"),
            class_="table-wrap",
        ),
    )


def _pillar_cell(value: float | None, key: str) -> Html:
    return el(
        "td",
        fmt_score(value),
        class_=f"num band-{band(value)}",
        data_pillar=key,
        data_score="" if value is None else value,
    )


def _failed(failed: Sequence[Failed]) -> Html | None:
    """Commits that could not be scanned: listed with the reason, never silently dropped."""
    if not failed:
        return None
    items = [el("li", el("code", short(f.commit), title=f.commit), " ", f.reason) for f in failed]
    return el(
        "section",
        el("h2", f"Commits that could not be scanned ({len(failed)})", class_="section-title"),
        el("ul", items, class_="box"),
        class_="warnings",
        id="failed",
    )


def _warnings(warnings: Sequence[str]) -> Html | None:
    """What made some points less than exact, said where the points are read."""
    if not warnings:
        return None
    return el(
        "section",
        el("h2", "Notes", class_="section-title"),
        el("ul", [el("li", warning) for warning in warnings], class_="box"),
        class_="warnings",
        id="notes",
    )


def _footer(trend: Trend) -> Html:
    return el(
        "footer",
        el(
            "p",
            f"readycheck {trend.tool_version} · rulebook {trend.rulebook_version} · "
            f"generated {trend.generated_at}",
        ),
        el(
            "p",
            "Each commit was scanned as it was committed, with the same rulebook. A pillar "
            "shown n/a, a gap in its line, had no rule that applied at that commit. This page "
            "is self-contained: it makes no network requests and can be printed to PDF.",
        ),
    )
