"""The renderers of `readycheck trend` (HTML, terminal, JSON) and the scorecard's trend line.

A trend is built by hand: four commits, one with a hostile subject, one where the
monitoring pillar had no rule that applied (None: a gap, never a zero).
"""

from __future__ import annotations

import copy
import dataclasses
import io
import json
import re
from importlib import resources
from typing import Any

import jsonschema
import pytest
from rich.console import Console

from readycheck.model import Pillar, Report
from readycheck.portfolio import PillarCell
from readycheck.renderers import html, trend_html, trend_json
from readycheck.renderers.svg import fmt_score, line_path, sparkline
from readycheck.renderers.trend_terminal import print_trend
from readycheck.trend import Failed, Mover, Point, Trend
from tests.test_html import SERVICE, Page, Scan

HOSTILE = "<img src=x onerror=alert(1)>"
REMOTE = "https://github.com/acme/loans"
SHAS = ("a1" * 20, "b2" * 20, "c3" * 20, "d4" * 20)
SCORES = ((30.0, 40.0), (45.5, 50.0), (52.0, None), (61.25, 70.0))  # overall, monitoring


def _cells(monitoring: float | None, base: float) -> tuple[PillarCell, ...]:
    return tuple(
        PillarCell(p.value, p.title, monitoring if p is Pillar.MONITORING else base) for p in Pillar
    )


def _trend(**changes: Any) -> Trend:
    subjects = ("Initial import", "Add data validation", HOSTILE, "Add drift monitoring")
    points = tuple(
        Point(
            commit=sha,
            date=f"2026-0{i + 1}-15T10:00:00+00:00",
            subject=subject,
            score=overall,
            level_id="pilot" if overall < 60 else "pre_production",
            level_title="Pilot" if overall < 60 else "Pre-production",
            pillars=_cells(monitoring, overall),
            url=f"{REMOTE}/commit/{sha}",
            tag="v1.0" if i == 3 else None,
        )
        for i, (sha, subject, (overall, monitoring)) in enumerate(
            zip(SHAS, subjects, SCORES, strict=True)
        )
    )
    movers = (
        Mover(SHAS[3], "Add drift monitoring", "security", "Security and governance", 9.25,
              f"{REMOTE}/commit/{SHAS[3]}"),
        Mover(SHAS[2], HOSTILE, "data", "Data pipeline robustness", -4.0, "javascript:alert(1)"),
    )  # fmt: skip
    trend = Trend(
        name="loans",
        path="/src/loans",
        remote=REMOTE,
        selection="the last 4 commits of main",
        points=points,
        movers=movers,
        failed=(Failed("e5" * 20, f"cannot read {HOSTILE}"),),
        generated_at="2026-05-01T08:00:00+00:00",
        tool_version="9.9.9",
        rulebook_version="2026.04",
    )
    return dataclasses.replace(trend, **changes)


# --- HTML ---------------------------------------------------------------------------------


def test_trend_page_escapes_commit_subjects_and_reasons() -> None:
    markup = trend_html.render(_trend())
    page = Page(markup)
    assert "<img" not in markup
    assert not [a for _, a in page.elements if any(k.startswith("on") for k in a)]
    assert HOSTILE in page.content  # the subject still reads as what it says
    assert f"cannot read {HOSTILE}" in page.content
    tooltips = " ".join(page.text)
    assert f"{SHAS[2][:10]} · 2026-03-15 · {HOSTILE} · 52" in tooltips


def test_trend_page_fetches_nothing_and_runs_no_script() -> None:
    markup = trend_html.render(_trend())
    page = Page(markup)
    assert markup.startswith("<!DOCTYPE html>")
    # Nothing loads: no attribute of any tag fetches (the escaped subject holds `src=` as text).
    assert not re.search(r"<[^>]*\ssrc=", markup) and "http://" not in markup
    for _, attrs in page.elements:
        for name in ("src", "srcset", "data", "poster", "action"):
            assert name not in attrs, attrs
    assert "@import" not in markup and "url(" not in markup
    assert "script" not in [t for t, _ in page.elements]
    policy = page.all("meta", **{"http-equiv": "Content-Security-Policy"})[0]["content"] or ""
    assert "default-src 'none'" in policy and "script-src 'none'" in policy
    assert page.all("meta", name="referrer", content="no-referrer")
    for tag, attrs in page.elements:
        if tag == "link":
            assert (attrs.get("href") or "").startswith("data:"), attrs


def test_only_https_addresses_become_links() -> None:
    page = Page(trend_html.render(_trend()))
    hrefs = [a["href"] or "" for a in page.all("a")]
    assert hrefs and all(h.startswith("https://") for h in hrefs), hrefs
    assert REMOTE in hrefs  # the repository name links to its remote
    page = Page(trend_html.render(_trend(remote="file:///src/loans")))
    assert REMOTE not in [a["href"] for a in page.all("a")]


def test_movers_link_their_commit_on_the_forge_with_a_signed_delta() -> None:
    markup = trend_html.render(_trend())
    page = Page(markup)
    movers = page.all("li", **{"data-pillar": "security"})
    assert movers and movers[0]["data-commit"] == SHAS[3]
    assert f'href="{REMOTE}/commit/{SHAS[3]}"' in markup
    assert "javascript:" not in markup  # a mover whose url is not https has no link
    assert '<span class="up" data-delta="9.25">+9.2</span>' in markup
    assert '<span class="down" data-delta="-4.0">−4</span>' in markup
    assert "Commits that moved a pillar most" in page.content


def test_chart_draws_a_line_per_pillar_with_a_gap_where_a_pillar_had_no_score() -> None:
    page = Page(trend_html.render(_trend()))
    lines = [a for a in page.all("path") if a.get("data-pillar")]
    assert [a["data-pillar"] for a in lines] == [p.value for p in Pillar]
    monitoring = next(a["d"] or "" for a in lines if a["data-pillar"] == "monitoring")
    # Two segments (points 1-2, then 4 alone) and three points: no vertex at zero.
    assert monitoring.count("M") == 2 and len(re.findall(r"[ML]", monitoring)) == 3
    data = next(a["d"] or "" for a in lines if a["data-pillar"] == "data")
    assert data.count("M") == 1 and len(re.findall(r"[ML]", data)) == 4
    grids = [a for a in page.all("line") if a.get("stroke") == "#dde2e8"]
    assert len(grids) == 4 * (1 + len(Pillar))  # 25/50/75/100 on each chart


def test_each_point_has_a_tooltip_and_the_overall_line_has_four_points() -> None:
    page = Page(trend_html.render(_trend()))
    overall = next(
        a for a in page.all("path") if a.get("class") == "line" and "data-pillar" not in a
    )
    assert len(re.findall(r"[ML]", overall["d"] or "")) == 4
    dots = page.all("circle")
    assert len(dots) == 4 + 4 * len(Pillar) - 1  # one pillar value is missing
    assert "61.2" in page.content and "Initial import" in page.content


def test_table_lists_every_commit_with_tag_level_and_pillar_scores() -> None:
    page = Page(trend_html.render(_trend()))
    rows = page.all("tr", **{"data-commit": SHAS[2]})
    assert rows
    assert page.all("td", **{"data-pillar": "monitoring", "data-score": ""})
    assert "v1.0" in page.content and "Pre-production" in page.content
    assert "30 → 61.2" in page.content  # first to last score in the header
    assert "readycheck 9.9.9 · rulebook 2026.04" in page.content


def test_trend_page_without_points_says_so() -> None:
    page = Page(trend_html.render(_trend(points=(), movers=())))
    assert "No commit could be scanned." in page.content


def test_line_path_lifts_the_pen_at_a_gap() -> None:
    assert line_path([(0, 1), None, (2, 3), (4, 5)]) == "M0.0,1.0 M2.0,3.0 L4.0,5.0"


# --- terminal -----------------------------------------------------------------------------


def _terminal(trend: Trend) -> str:
    buffer = io.StringIO()
    print_trend(trend, Console(file=buffer, width=160, color_system=None, highlight=False))
    return buffer.getvalue()


def test_terminal_shows_scores_with_deltas_and_the_movers() -> None:
    out = _terminal(_trend())
    assert "45.5 +15.5" in out and "61.2 +9.2" in out
    assert "Commits that moved a pillar most" in out
    assert "+9.2" in out and "-4" in out
    assert "v1.0" in out and SHAS[0][:10] in out
    assert "–" in out  # the pillar without a score


def test_terminal_prints_repository_text_literally() -> None:
    tricky = "[bold red]rich markup[/] \x1b[2J"
    out = _terminal(_trend(name=tricky, points=_trend().points[:1]))
    assert "[bold red]rich markup[/]" in out
    assert "\x1b" not in out and "\\x1b[2J" in out
    out = _terminal(_trend())
    assert HOSTILE in out


# --- JSON ---------------------------------------------------------------------------------


def _schema() -> dict[str, Any]:
    text = (resources.files("readycheck") / "schemas" / "trend.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def test_json_validates_against_the_trend_schema() -> None:
    document = json.loads(trend_json.render(_trend()))
    jsonschema.Draft202012Validator.check_schema(_schema())
    jsonschema.validate(document, _schema(), cls=jsonschema.Draft202012Validator)
    assert document["schema_version"] == trend_json.SCHEMA_VERSION == "1.0.0"
    assert document["points"][2]["subject"] == HOSTILE
    monitoring = [c for c in document["points"][2]["pillars"] if c["id"] == "monitoring"]
    assert monitoring == [{"id": "monitoring", "title": Pillar.MONITORING.title, "score": None}]
    assert document["movers"][1]["url"] is None  # a `javascript:` address is not passed on


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.update(extra=1),
        lambda d: d["points"][0].update(score=101),
        lambda d: d["points"][0]["pillars"][0].update(id="vibes"),
        lambda d: d["movers"][0].update(url="http://github.com/acme/loans"),
        lambda d: d["movers"][0]["pillar"].pop("title"),
        lambda d: d.update(schema_version="2.0.0"),
    ],
    ids=["unknown-key", "score-over-100", "unknown-pillar", "plain-http", "missing", "major"],
)
def test_schema_rejects_a_mutated_document(mutate: Any) -> None:
    document = json.loads(trend_json.render(_trend()))
    broken = copy.deepcopy(document)
    mutate(broken)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, _schema(), cls=jsonschema.Draft202012Validator)


# --- the scorecard's trend line -----------------------------------------------------------


@pytest.fixture()
def report(scan_tree: Scan) -> Report:
    return scan_tree(SERVICE)


def test_scorecard_shows_a_sparkline_from_two_history_points(report: Report) -> None:
    history = [("2026-03-01", 41.0), ("2026-04-01", 48.5), ("2026-05-01", report.score)]
    markup = html.render(report, history)
    page = Page(markup)
    assert "Score over the last 3 scans" in page.content
    spark = page.all("svg", **{"class": "sparkline"})
    assert len(spark) == 1 and spark[0]["role"] == "img"
    assert f"41 to {fmt_score(report.score)} over 3 points, from 2026-03-01 to 2026-05-01" in (
        spark[0]["aria-label"] or ""
    )
    drawn = re.search(r'<svg class="sparkline".*?</svg>', markup, re.S)
    assert drawn and len(Page(drawn.group(0)).all("circle")) == 3
    assert "2026-04-01: 48.5" in " ".join(page.text)


def test_scorecard_is_unchanged_without_history(report: Report) -> None:
    plain = html.render(report)
    assert html.render(report, ()) == plain
    assert html.render(report, [("2026-05-01", report.score)]) == plain  # one point: no line
    assert "sparkline" not in plain and "Score over the last" not in plain


def test_sparkline_escapes_its_labels() -> None:
    markup = sparkline([(HOSTILE, 10.0), ("b", 20.0)])
    assert "<img" not in markup and HOSTILE not in markup
    assert len(Page(markup).all("title")) == 3  # the chart's and one per point
