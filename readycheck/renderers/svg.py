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
