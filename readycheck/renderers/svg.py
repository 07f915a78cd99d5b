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

# The radar is laid out for a phone: its viewBox is scaled to the card's width, so a
# label's size on screen is its size here times (card width / RADAR_WIDTH). At 20 units
# in 560, a name renders at 12.8 px in the 360 px chart of a 390 px phone (and larger in
# every wider layout the stylesheet gives it), and the chart leaves room for names that
# size (see `_radar_layout`).
RADAR_WIDTH = 560.0
NAME_SIZE = 20.0  # user units; the stylesheet sets the same sizes
SCORE_SIZE = 23.0
#: The average advance of a label's character, in em, measured on DejaVu Sans Bold (the
#: wide face Linux falls back to); narrower system fonts only leave more room.
CHAR_WIDTH = 0.68
SCORE_CHARS = 4  # "40.7": the room a score takes, whatever it is, so the layout is the same
LINE = 1.18  # line height, in em
MARGIN = 6.0
GAP = 10.0  # between a spoke's end and its label
MAX_RADIUS = 160.0
#: The zero ring's share of the radius: a score of 0 sits on it, not at the centre, so a
#: low-scoring repository still draws a shape with a dot per area instead of a sliver.
FLOOR = 0.14


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


@dataclass(frozen=True)
class _Label:
    """Where an axis's label goes: its direction from the centre, and its text block."""

    axis: Axis
    cos: float
    sin: float
    names: tuple[str, ...]

    @property
    def width(self) -> float:
        widest = max([len(n) * NAME_SIZE for n in self.names] + [SCORE_CHARS * SCORE_SIZE])
        return widest * CHAR_WIDTH

    @property
    def height(self) -> float:
        return LINE * (NAME_SIZE * len(self.names) + SCORE_SIZE)

    @property
    def side(self) -> int:
        """-1 for a label left of its spoke, 1 right of it, 0 centred above or below."""
        return 0 if abs(self.cos) < 0.01 else (1 if self.cos > 0 else -1)


@dataclass(frozen=True)
class _Layout:
    cx: float
    cy: float
    radius: float
    height: float


def _radar_layout(labels: Sequence[_Label]) -> _Layout:
    """The largest radius, and the centre, that keep every label inside the viewBox.

    The labels beside the spokes decide the width: the centre moves off the middle when
    one side's names are longer (Infrastructure on the right, Hygiene on the left)."""
    radius = MAX_RADIUS
    if not _fits(labels, radius):
        fits, too_big = 20.0, MAX_RADIUS
        for _ in range(30):  # bisection: the room for the centre shrinks as the radius grows
            middle = (fits + too_big) / 2
            fits, too_big = (middle, too_big) if _fits(labels, middle) else (fits, middle)
        radius = fits
    low, high = _centre_span(labels, radius)
    tops = [_block_top(label, radius) for label in labels]
    top = min([-radius, *tops])
    bottom = max([radius, *(t + label.height for t, label in zip(tops, labels, strict=True))])
    return _Layout((low + high) / 2, MARGIN - top, radius, bottom - top + 2 * MARGIN)


def _fits(labels: Sequence[_Label], radius: float) -> bool:
    low, high = _centre_span(labels, radius)
    return low <= high


def _centre_span(labels: Sequence[_Label], radius: float) -> tuple[float, float]:
    """Where the centre may sit, left to right, for the chart and its labels to fit."""
    low, high = MARGIN, RADAR_WIDTH - MARGIN
    for label in labels:
        x = radius * label.cos
        if label.side == 0:
            low = max(low, MARGIN + label.width / 2)
            high = min(high, RADAR_WIDTH - MARGIN - label.width / 2)
        elif label.side > 0:
            high = min(high, RADAR_WIDTH - MARGIN - GAP - label.width - x)
        else:
            low = max(low, MARGIN + GAP + label.width - x)
    return low, high


def _block_top(label: _Label, radius: float) -> float:
    """The top of a label's text block, relative to the centre: above a top spoke, below a
    bottom one, centred on the end of the others."""
    y = radius * label.sin
    if label.side == 0:
        return y - GAP - label.height if label.sin < 0 else y + GAP
    return y - label.height / 2


def _angle(index: int, count: int) -> float:
    return -math.pi / 2 + 2 * math.pi * index / count  # the first axis points straight up


def _point(cx: float, cy: float, radius: float, index: int, count: int) -> tuple[float, float]:
    angle = _angle(index, count)
    return cx + radius * math.cos(angle), cy + radius * math.sin(angle)


def _points(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def _distance(radius: float, value: float | None) -> float:
    """How far from the centre a score sits: 0 on the zero ring, 100 on the outer one."""
    floor = radius * FLOOR
    return floor + (radius - floor) * max(0.0, min(value or 0.0, 100.0)) / 100


def radar(axes: Sequence[Axis], overall_band: str, title: str) -> Html:
    """A radar chart of `axes` (0-100): a ring at 0 (the floor every score starts from)
    and at 25/50/75/100, a dot per axis coloured by its band, and each axis's name with
    its score as a number, so even a score near 0 reads. An axis without a score is drawn
    on the zero ring and labelled "n/a"."""
    count = len(axes)
    angles = [_angle(i, count) for i in range(count)]
    labels = [
        _Label(axis, math.cos(angle), math.sin(angle), _lines(axis.label))
        for axis, angle in zip(axes, angles, strict=True)
    ]
    layout = _radar_layout(labels)
    cx, cy, radius = layout.cx, layout.cy, layout.radius
    rings = [
        el(
            "polygon",
            class_="grid" + (" outer" if level == 100 else "") + (" floor" if level == 0 else ""),
            points=_points(
                [_point(cx, cy, _distance(radius, level), i, count) for i in range(count)]
            ),
        )
        for level in (0, *GRIDLINES)
    ]
    ring_labels = [
        el(
            "text",
            str(level),
            class_="grid-label",
            x=f"{cx + 6:.1f}",
            y=f"{cy - _distance(radius, level) - 3:.1f}",
        )
        for level in (0, *GRIDLINES[:-1])  # the outer ring needs no "100" beside the top name
    ]
    spokes = [
        el("line", class_="spoke", x1=f"{cx:.1f}", y1=f"{cy:.1f}", x2=f"{x:.1f}", y2=f"{y:.1f}")
        for x, y in (_point(cx, cy, radius, i, count) for i in range(count))
    ]
    vertices = [
        _point(cx, cy, _distance(radius, axis.score), i, count) for i, axis in enumerate(axes)
    ]
    shape = el("polygon", class_=f"shape band-{overall_band}", points=_points(vertices))
    dots = [
        el("circle", class_=f"dot band-{band(axis.score)}", cx=f"{x:.1f}", cy=f"{y:.1f}", r=6)
        for axis, (x, y) in zip(axes, vertices, strict=True)
    ]
    texts = [_label(label, cx, cy, radius) for label in labels]
    summary = "; ".join(f"{axis.label} {fmt_score(axis.score)}" for axis in axes)
    return el(
        "svg",
        el("title", title),
        el("desc", summary),
        el("g", rings, spokes, ring_labels),
        shape,
        dots,
        texts,
        id="radar",
        class_="radar",
        viewBox=f"0 0 {RADAR_WIDTH:g} {layout.height:.0f}",
        role="img",
        aria_label=f"{title}: {summary}",
        xmlns="http://www.w3.org/2000/svg",
    )


def _lines(label: str, longest: int = 12) -> tuple[str, ...]:
    """A long label as two lines broken at the space nearest its middle ("Human in / the loop")."""
    spaces = [i for i, char in enumerate(label) if char == " "]
    if len(label) <= longest or not spaces:
        return (label,)
    cut = min(spaces, key=lambda i: abs(i - len(label) / 2))
    return (label[:cut], label[cut + 1 :])


def _label(label: _Label, cx: float, cy: float, radius: float) -> Html:
    """The axis's name (wrapped to stay inside the chart) over its score, beside its spoke."""
    axis = label.axis
    anchor = {0: "middle", 1: "start"}.get(label.side, "end")
    x = cx + radius * label.cos + GAP * label.side
    top = cy + _block_top(label, radius)
    baselines = [top + LINE * NAME_SIZE * (i + 0.8) for i in range(len(label.names))]
    lines = [
        el("tspan", name, class_="axis-name", x=f"{x:.1f}", y=f"{y:.1f}")
        for name, y in zip(label.names, baselines, strict=True)
    ]
    score_y = top + LINE * (NAME_SIZE * len(label.names) + SCORE_SIZE * 0.8)
    score = el(
        "tspan",
        fmt_score(axis.score),
        class_=f"axis-score band-{band(axis.score)}",
        x=f"{x:.1f}",
        y=f"{score_y:.1f}",
        data_pillar=axis.key,
        data_score="" if axis.score is None else axis.score,
    )
    return el("text", lines, score, class_="axis-label", text_anchor=anchor)


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
