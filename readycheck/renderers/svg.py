"""Charts for the HTML scorecard, drawn as inline SVG so the page needs no script library,
no network and no fonts of its own, and prints as sharp vectors.

Colours encode the same bands as the readiness levels (see `band`), so a red
axis label means the same thing as a red level badge.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from readycheck import score
from readycheck.renderers.markup import Html, el
from readycheck.score import LEVEL_BANDS

GRIDLINES = (25, 50, 75, 100)
LINE = 1.2  # label line height, in em


def band(score: float | None) -> str:
    """The colour band of a score: the id of the level whose overall minimum it reaches
    (green production_ready at 80, teal pre_production at 60, amber pilot at 35, red
    prototype below), or "na" when there is no score."""
    if score is None:
        return "na"
    return next(b.level.id for b in LEVEL_BANDS if score >= b.min_overall)


fmt_score = score.fmt_score  # one rounding rule for every output and the gate


@dataclass(frozen=True)
class Axis:
    """One spoke of the radar: a pillar id, its label and its score (None: not applicable)."""

    key: str
    label: str
    score: float | None


def _point(cx: float, cy: float, radius: float, index: int, count: int) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / count  # first axis points straight up
    return cx + radius * math.cos(angle), cy + radius * math.sin(angle)


def _points(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def radar(axes: Sequence[Axis], overall_band: str, title: str) -> Html:
    """A radar chart of `axes` (0-100), with gridlines at 25/50/75/100; an axis without a
    score is drawn at 0 and labelled "n/a"."""
    width, height = 620, 444
    cx, cy, radius = width / 2, 238.0, 176.0
    count = len(axes)
    grid = [
        el(
            "polygon",
            class_="grid" + (" outer" if level == 100 else ""),
            points=_points([_point(cx, cy, radius * level / 100, i, count) for i in range(count)]),
        )
        for level in GRIDLINES
    ]
    grid_labels = [
        el(
            "text",
            str(level),
            class_="grid-label",
            x=cx + 5,
            y=f"{cy - radius * level / 100 + 12:.1f}",
        )
        for level in GRIDLINES[:-1]  # the outer ring needs no "100" beside the top score
    ]
    spokes = [
        el("line", class_="spoke", x1=cx, y1=cy, x2=f"{x:.1f}", y2=f"{y:.1f}")
        for x, y in (_point(cx, cy, radius, i, count) for i in range(count))
    ]
    vertices = [
        _point(cx, cy, radius * (axis.score or 0) / 100, i, count) for i, axis in enumerate(axes)
    ]
    shape = el("polygon", class_=f"shape band-{overall_band}", points=_points(vertices))
    dots = [
        el("circle", class_=f"dot band-{band(axis.score)}", cx=f"{x:.1f}", cy=f"{y:.1f}", r=5)
        for axis, (x, y) in zip(axes, vertices, strict=True)
    ]
    labels = [
        _label(axis, _point(cx, cy, radius + 14, i, count), cx, cy) for i, axis in enumerate(axes)
    ]
    summary = "; ".join(f"{axis.label} {fmt_score(axis.score)}" for axis in axes)
    return el(
        "svg",
        el("title", title),
        el("desc", summary),
        el("g", grid, spokes, grid_labels),
        shape,
        dots,
        labels,
        id="radar",
        class_="radar",
        viewBox=f"0 0 {width} {height}",
        role="img",
        aria_label=f"{title}: {summary}",
        xmlns="http://www.w3.org/2000/svg",
    )


def _lines(label: str, longest: int = 12) -> list[str]:
    """A long label as two lines broken at the space nearest its middle ("Human in / the loop")."""
    spaces = [i for i, char in enumerate(label) if char == " "]
    if len(label) <= longest or not spaces:
        return [label]
    cut = min(spaces, key=lambda i: abs(i - len(label) / 2))
    return [label[:cut], label[cut + 1 :]]


def _label(axis: Axis, at: tuple[float, float], cx: float, cy: float) -> Html:
    """The pillar's name (wrapped to stay inside the chart) and its score, beside its spoke."""
    x, y = at
    anchor = "middle" if abs(x - cx) < 1 else ("start" if x > cx else "end")
    names = _lines(axis.label)
    # Stack the lines above a top spoke, below a bottom one, centred beside the others.
    if anchor == "middle" and y < cy:
        first = -0.3 - LINE * len(names)
    elif y > cy + 40:
        first = 0.9
    else:
        first = 0.35 - LINE * len(names) / 2
    lines = [
        el("tspan", name, class_="axis-name", x=f"{x:.1f}", dy=f"{first if i == 0 else LINE:.2f}em")
        for i, name in enumerate(names)
    ]
    score = el(
        "tspan",
        fmt_score(axis.score),
        class_=f"axis-score band-{band(axis.score)}",
        x=f"{x:.1f}",
        dy=f"{LINE:.2f}em",
        data_pillar=axis.key,
        data_score="" if axis.score is None else axis.score,
    )
    return el(
        "text", lines, score, class_="axis-label", x=f"{x:.1f}", y=f"{y:.1f}", text_anchor=anchor
    )


def bar(score: float | None, label: str) -> Html:
    """A thin horizontal score bar; a drawing, so it prints without background graphics."""
    filled = 0.0 if score is None else max(0.0, min(score, 100.0))
    return el(
        "svg",
        el("rect", class_="bar-track", x=0, y=0, width=100, height=6, rx=3),
        el(
            "rect",
            class_=f"bar-fill band-{band(score)}",
            x=0,
            y=0,
            width=f"{filled:g}",
            height=6,
            rx=3,
        )
        if filled
        else None,
        class_="bar",
        viewBox="0 0 100 6",
        preserveAspectRatio="none",
        role="img",
        aria_label=f"{label}: {fmt_score(score)} of 100",
        xmlns="http://www.w3.org/2000/svg",
    )


# Line charts: a score over time, x the scan's position in order, y 0 to 100.
# They carry their look as presentation attributes rather than classes, so a page that
# shows one needs no extra stylesheet (the scorecard stays byte-identical without one),
# and no `xmlns`: inline in HTML the parser puts <svg> in the SVG namespace by itself,
# so the trend page holds no `http://` text at all.
MUTED = "#5b6675"
FAINT = "#8a94a3"
GRID = "#dde2e8"
AXIS = "#c4cbd4"


@dataclass(frozen=True)
class Frame:
    """A chart's size, the margins around its plot area (viewBox units) and its marks."""

    width: float
    height: float
    left: float
    right: float
    top: float
    bottom: float
    dot: float
    stroke: float

    def x(self, index: int, count: int) -> float:
        """Where the `index`-th of `count` points sits; a single point sits in the middle."""
        span = self.width - self.left - self.right
        return self.left + (span / 2 if count < 2 else span * index / (count - 1))

    def y(self, value: float) -> float:
        span = self.height - self.top - self.bottom
        return self.top + span * (100 - max(0.0, min(value, 100.0))) / 100


SPARK = Frame(width=200, height=44, left=4, right=4, top=5, bottom=5, dot=2.5, stroke=1.5)
WIDE = Frame(width=960, height=250, left=34, right=14, top=10, bottom=28, dot=4, stroke=2)
SMALL = Frame(width=240, height=100, left=24, right=8, top=8, bottom=8, dot=2.5, stroke=1.5)


def line_path(points: Sequence[tuple[float, float] | None]) -> str:
    """An SVG path through `points`; None lifts the pen, so a missing value is a gap
    in the line (the next point starts a new `M`), never a drop to zero."""
    parts: list[str] = []
    pen_down = False
    for point in points:
        if point is None:
            pen_down = False
            continue
        parts.append(f"{'L' if pen_down else 'M'}{point[0]:.1f},{point[1]:.1f}")
        pen_down = True
    return " ".join(parts)


def _grid(frame: Frame, labelled: bool) -> list[Html]:
    """Gridlines at 25/50/75/100, the radar's rings, with their values on the left, over
    a baseline at 0 that shows where the scale ends."""
    base = f"{frame.y(0):.1f}"
    right = frame.width - frame.right
    marks = [el("line", x1=frame.left, y1=base, x2=right, y2=base, stroke=AXIS)]
    for level in GRIDLINES:
        y = f"{frame.y(level):.1f}"
        marks.append(el("line", x1=frame.left, y1=y, x2=right, y2=y, stroke=GRID))
        if labelled:
            marks.append(
                el(
                    "text",
                    str(level),
                    x=frame.left - 6,
                    y=y,
                    dy="0.32em",
                    text_anchor="end",
                    fill=FAINT,
                    font_size=10,
                )
            )
    return marks


def _line(frame: Frame, values: Sequence[float | None], key: str | None) -> Html:
    count = len(values)
    points = [None if v is None else (frame.x(i, count), frame.y(v)) for i, v in enumerate(values)]
    return el(
        "path",
        class_="line",
        d=line_path(points),
        fill="none",
        stroke=MUTED,
        stroke_width=frame.stroke,
        stroke_linejoin="round",
        data_pillar=key,
    )


def _dots(frame: Frame, values: Sequence[float | None], tips: Sequence[str]) -> list[Html]:
    """A dot per scored point, coloured by its band, with its tooltip as `<title>`."""
    count = len(values)
    return [
        el(
            "circle",
            el("title", tip),
            class_=f"dot band-{band(value)}",
            cx=f"{frame.x(i, count):.1f}",
            cy=f"{frame.y(value):.1f}",
            r=frame.dot,
            data_score=value,
        )
        for i, (value, tip) in enumerate(zip(values, tips, strict=True))
        if value is not None
    ]


def _summary(values: Sequence[float | None]) -> str:
    scored = [v for v in values if v is not None]
    if not scored:
        return "no score at any point"
    return f"{fmt_score(scored[0])} to {fmt_score(scored[-1])} over {len(values)} points"


def line_chart(
    values: Sequence[float | None],
    tips: Sequence[str],
    title: str,
    *,
    key: str | None = None,
    ends: tuple[str, str] | None = None,
    small: bool = False,
) -> Html:
    """A score over time: gridlines, one line (with a gap where a value is None) and a
    dot with a tooltip per scored point. `key` names the pillar drawn; `ends` labels the
    first and last point under the axis of a wide chart."""
    frame = SMALL if small else WIDE
    labels = None
    if ends is not None and not small:
        y = frame.height - 8
        labels = [
            el("text", ends[0], x=frame.left, y=y, fill=FAINT, font_size=11),
            el(
                "text",
                ends[1],
                x=frame.width - frame.right,
                y=y,
                fill=FAINT,
                font_size=11,
                text_anchor="end",
            ),
        ]
    return el(
        "svg",
        el("title", title),
        el("g", _grid(frame, labelled=True)),
        _line(frame, values, key),
        _dots(frame, values, tips),
        labels,
        class_="line-chart" + (" small" if small else ""),
        viewBox=f"0 0 {frame.width:g} {frame.height:g}",
        role="img",
        aria_label=f"{title}: {_summary(values)}",
        data_pillar=key,
    )


def sparkline(points: Sequence[tuple[str, float]], title: str = "Overall score") -> Html:
    """A small trend line of the overall score from (label, score) pairs, oldest first,
    the label a date or a short commit: the scorecard's glance at where the score is
    heading. Each point's tooltip gives its label and score."""
    values = [value for _, value in points]
    tips = [f"{label}: {fmt_score(value)}" for label, value in points]
    summary = _summary(values)
    if points:
        summary += f", from {points[0][0]} to {points[-1][0]}"
    return el(
        "svg",
        el("title", f"{title}: {summary}"),
        el("g", _grid(SPARK, labelled=False)),
        _line(SPARK, values, None),
        _dots(SPARK, values, tips),
        class_="sparkline",
        viewBox=f"0 0 {SPARK.width:g} {SPARK.height:g}",
        width="100%",
        height=SPARK.height,
        role="img",
        aria_label=f"{title}: {summary}",
    )
