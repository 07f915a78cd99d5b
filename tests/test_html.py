"""The HTML scorecard, read as markup: self-contained, escaped, and true to the JSON report.

The browser test (test_browser.py) checks the same page as it renders; these
tests need no browser and run everywhere.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import math
import re
from collections import Counter
from collections.abc import Callable, Mapping
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from readycheck import score
from readycheck.cli import app
from readycheck.model import (
    Basis,
    Evidence,
    Location,
    Pillar,
    Report,
    RuleType,
    ScanWarning,
    Status,
    Suppression,
)
from readycheck.renderers import html, html_pillars, json_report
from readycheck.renderers import svg as svg_module
from readycheck.renderers.html_assets import SCRIPT
from readycheck.renderers.svg import Axis, fmt_score, radar
from tests.conftest import rule_result, write_tree

Scan = Callable[[Mapping[str, str | bytes]], Report]

SERVICE = {
    "README.md": "# Loan scoring\n",
    "app/main.py": (
        "from fastapi import FastAPI\nimport pickle\nimport requests\n\napp = FastAPI()\n"
        "model = pickle.load(open('model.pkl', 'rb'))\n\n"
        "@app.post('/predict')\ndef predict(payload: dict) -> dict:\n"
        "    requests.get('http://features')\n"
        "    return {'y': model.predict([payload])}\n"
    ),
    "tests/test_app.py": "def test_ok():\n    assert True\n",
    "Dockerfile": "FROM python:3.11\nCOPY . /app\nCMD uvicorn app.main:app\n",
    "requirements.txt": "fastapi==0.110.0\nscikit-learn\n",
}
HOSTILE = "<script>window.pwned=1</script>"


class Page(HTMLParser):
    """Every element of a page, with its attributes, and the text outside scripts and styles."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._skip = 0
        self.feed(markup)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)

    def all(self, tag: str | None = None, **attrs: str) -> list[dict[str, str | None]]:
        return [
            a
            for t, a in self.elements
            if (tag is None or t == tag) and all(a.get(k) == v for k, v in attrs.items())
        ]

    @property
    def content(self) -> str:
        return " ".join(" ".join(self.text).split())


@pytest.fixture()
def report(scan_tree: Scan) -> Report:
    return scan_tree(SERVICE)


def test_page_is_self_contained(report: Report) -> None:
    markup = html.render(report)
    page = Page(markup)
    assert markup.startswith("<!DOCTYPE html>")
    # Nothing the browser would fetch: no external scripts, styles, images, fonts or frames.
    for tag, attrs in page.elements:
        for name in ("src", "srcset", "data", "poster", "action"):
            assert name not in attrs, (tag, attrs)
        if tag == "link":
            assert (attrs.get("href") or "").startswith("data:"), attrs
        if tag == "a":  # references are links a reader may follow, never loaded by the page
            assert (attrs["href"] or "").startswith(("#", "https://", "http://")), attrs
    assert "@import" not in markup and "url(" not in markup
    assert [t for t, _ in page.elements].count("script") == 1
    # A policy that forbids every fetch and runs only the page's own script.
    policy = page.all("meta", **{"http-equiv": "Content-Security-Policy"})[0]["content"] or ""
    assert "default-src 'none'" in policy
    digest = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in policy
    assert f"<script>{SCRIPT}</script>" in markup


def test_hostile_repository_text_is_escaped(scan_tree: Scan) -> None:
    report = scan_tree(
        {
            **SERVICE,
            # Nested folders, so the path reads as a whole script element.
            "x<script>window.pwned=1</script>.py": "import pickle\npickle.loads(payload)  # </pre><script>alert(1)</script>\n",
        }
    )
    assert any(HOSTILE in str(f.location) for f in report.findings)
    report = _taint(report)
    markup = html.render(report)
    page = Page(markup)

    assert "<script>window" not in markup and "<script>alert" not in markup
    assert "<img" not in markup
    assert [t for t, _ in page.elements].count("script") == 1
    assert not [a for _, a in page.elements if any(k.startswith("on") for k in a)]
    # ... and everything still reads as the text it is.
    assert f"x{HOSTILE}.py" in page.content
    assert "</pre><script>alert(1)</script>" in page.content
    for hostile in (report.target.name, report.target.branch, "bidi \\u202e reversed"):
        assert hostile and hostile in page.content
    assert "\u202e" not in markup


def _taint(report: Report) -> Report:
    """The report with every repository-controlled string made hostile."""
    results = []
    for result in report.results:
        findings = tuple(
            dataclasses.replace(
                f,
                message=f.message + " " + HOSTILE,
                snippet=f.snippet + HOSTILE,
                suppression=Suppression(f"ok {HOSTILE}", "inline", Location(f"s{HOSTILE}", 1))
                if i == 1
                else None,
            )
            for i, f in enumerate(result.findings)
        )
        evidence = tuple(
            dataclasses.replace(e, detail=e.detail + HOSTILE, snippet=HOSTILE)
            for e in result.evidence
        )
        results.append(dataclasses.replace(result, findings=findings, evidence=evidence))
    target = dataclasses.replace(
        report.target,
        name='loan"><img src=x onerror=alert(1)>',
        commit="0123456789abcdef",
        branch=f"feature/{HOSTILE}",
    )
    warnings = (
        ScanWarning("parse-error", f"cannot parse {HOSTILE}", f"w{HOSTILE}.py"),
        ScanWarning("odd-name", "bidi \u202e reversed", None),
    )
    return dataclasses.replace(
        report, target=target, results=tuple(results), warnings=warnings, fixed=(f"RC-X {HOSTILE}",)
    )


def test_numbers_equal_the_json_report(report: Report) -> None:
    page = Page(html.render(report))
    data = json_report.to_dict(report)
    by_pillar = {p["id"]: p["score"] for p in data["pillars"]}

    overall = page.all(id="overall-score")[0]
    assert float(overall["data-score"] or "nan") == data["summary"]["score"]
    assert page.all(id="level")[0]["data-level"] == data["summary"]["level"]["id"]
    scored = [a for a in page.all() if "data-pillar" in a and "data-score" in a]
    # Each pillar's score is on the radar, in the strip, in its section, and heads the top
    # actions of that pillar.
    groups = page.all("li", **{"class": "action-group"})
    assert groups
    assert len(scored) == 6 + 6 + 6 + len(groups)
    for attrs in scored:
        value = attrs["data-score"]
        assert (float(value) if value else None) == by_pillar[attrs["data-pillar"] or ""], attrs
    gains = {r["rule_id"]: r["gain"] for r in data["results"]}
    shown = [a for a in page.all() if "data-gain" in a]
    assert shown
    for attrs in shown:
        assert float(attrs["data-gain"] or "nan") == gains[attrs["data-rule"] or ""], attrs


def test_top_actions_are_the_scoring_codes(report: Report) -> None:
    page = Page(html.render(report))
    actions = [a for t, a in page.elements if t == "li" and "data-gain" in a]
    expected = score.top_actions(report.results)
    assert 3 <= len(expected) <= 5
    assert sorted((a["data-rule"] or "", float(a["data-gain"] or 0)) for a in actions) == sorted(
        (r.rule.id, r.gain) for r in expected
    )
    for result in expected:
        assert f"+{result.gain:.1f}" in page.content


def _action_groups(markup: str) -> list[tuple[dict[str, str | None], list[str]]]:
    """Each group of top actions: its attributes, and the rules listed in it, in order."""
    block = markup.split('id="top-actions"', 1)[1].split('<p class="note">', 1)[0]
    groups = []
    for part in block.split('<li class="action-group"')[1:]:
        attrs = Page("<li" + part.split(">", 1)[0] + ">").elements[0][1]
        groups.append((attrs, re.findall(r'<li data-rule="([^"]+)"', part)))
    return groups


@pytest.mark.parametrize("sample", ["fraud-detector", "support-bot-pilot", "churn-pilot"])
def test_top_actions_are_grouped_by_pillar_with_what_the_pillar_would_reach(
    samples: dict[str, Report], sample: str
) -> None:
    """When the actions are all worth about the same, the pillar they lift, and how far
    once all are done (recomputed by the scoring code, not added up), is what stands out."""
    report = samples[sample]
    actions = score.top_actions(report.results, limit=html.ACTIONS)
    groups = _action_groups(html.render(report))
    now = {p.pillar.value: p.score for p in report.pillars}
    overall_now = score.overall_score(score.pillar_scores(report.results))

    # Every top action, once, under its own pillar, biggest gain first within the group.
    listed = [rule for _, rules in groups for rule in rules]
    assert sorted(listed) == sorted(r.rule.id for r in actions)
    by_id = {r.rule.id: r for r in actions}
    for attrs, rules in groups:
        assert {by_id[rule].rule.pillar.value for rule in rules} == {attrs["data-pillar"]}
        members = sorted((by_id[rule] for rule in rules), key=score.biggest_gain_first)
        assert rules == [r.rule.id for r in members]
    assert len({attrs["data-pillar"] for attrs, _ in groups}) == len(groups)

    gains = []
    for attrs, rules in groups:
        pillar = attrs["data-pillar"] or ""
        after = score.after_fixing(report.results, rules)
        reach = next(p.score for p in after if p.pillar.value == pillar)
        gain = round(score.overall_score(after) - overall_now, 1)
        assert float(attrs["data-score"] or "nan") == now[pillar]  # the JSON report's value
        assert float(attrs["data-reach"] or "nan") == reach
        assert float(attrs["data-overall-gain"] or "nan") == gain
        assert reach is not None and reach > (now[pillar] or 0)
        gains.append(gain)
    assert gains == sorted(gains, reverse=True)  # the group that adds most comes first


def test_after_fixing_recomputes_the_scores_the_gains_come_from(
    samples: dict[str, Report],
) -> None:
    report = samples["support-bot-pilot"]
    results = report.results
    overall_now = score.overall_score(score.pillar_scores(results))
    assert score.after_fixing(results, []) == score.pillar_scores(results)
    actions = score.top_actions(results, limit=html.ACTIONS)
    for action in actions:  # one rule fixed: exactly its gain
        alone = score.overall_score(score.after_fixing(results, [action.rule.id]))
        assert round(alone - overall_now, 1) == action.gain
    blocked = next(r for r in results if r.basis is Basis.BLOCKED)
    assert score.after_fixing(results, [blocked.rule.id]) == score.pillar_scores(results)
    # Several in one pillar, fixed together, lift it more than any of them alone.
    pillar = Counter(a.rule.pillar for a in actions).most_common(1)[0][0]
    several = [a.rule.id for a in actions if a.rule.pillar is pillar]
    assert len(several) >= 2
    together = next(p for p in score.after_fixing(results, several) if p.pillar is pillar)
    for rule_id in several:
        one = next(p for p in score.after_fixing(results, [rule_id]) if p.pillar is pillar)
        assert (together.score or 0) > (one.score or 0)


def test_a_section_per_pillar_with_what_passed_and_what_failed(report: Report) -> None:
    markup = html.render(report)
    page = Page(markup)
    sections = [
        a["data-pillar"] for t, a in page.elements if t == "section" and a.get("data-pillar")
    ]
    assert sections == [p.value for p in Pillar]

    failed = rule_result(report, "RC-SEC-002")
    assert failed.status is Status.FAIL
    card = page.all("article", id="rule-RC-SEC-002")[0]
    assert card["data-severity"] == failed.rule.severity.value
    assert "app/main.py:6" in page.content  # where
    assert failed.rule.why.split("`")[0][:60] in page.content  # why it matters
    assert "How to fix" in page.content

    passed = next(
        r
        for r in report.results
        if r.status is Status.PASS and r.evidence and r.evidence[0].location
    )
    where = passed.evidence[0].location
    assert where is not None
    assert str(where) in page.content  # evidence: file and line
    assert f"Rulebook {report.rulebook_version}" in page.content
    assert "Not applicable" in page.content


def test_suppressed_findings_show_their_reasons(scan_tree: Scan) -> None:
    files = dict(SERVICE)
    files["app/main.py"] = files["app/main.py"].replace(
        "'rb'))\n", "'rb'))  # readycheck: ignore[RC-SEC-002] signed artefact, checksum checked\n"
    )
    report = scan_tree(files)
    assert any(f.suppression for f in report.findings)
    page = Page(html.render(report))
    assert "Suppressed (1)" in page.content
    assert "signed artefact, checksum checked" in page.content
    assert "suppressed (see below)" in page.content  # the rule's card says where its finding went


def test_scan_notes_are_listed_under_a_heading_for_their_kind(report: Report) -> None:
    warned = dataclasses.replace(
        report,
        warnings=(
            ScanWarning("parse-error", "not valid JSON", "nb/broken.ipynb"),
            ScanWarning("suppression-expired", "expired on 2026-01-01", "app.py"),
            ScanWarning("cache", "cache disabled: locked by another scan"),
        ),
    )
    page = Page(html.render(warned))
    assert "Scan notes (3)" in page.content
    assert "Files readycheck could not fully read (1)" in page.content
    assert "Suppressions that need attention (1)" in page.content
    assert "Cache (1)" in page.content
    assert "nb/broken.ipynb" in page.content and "not valid JSON" in page.content


def test_reads_fully_without_javascript(report: Report) -> None:
    markup = html.render(report)
    page = Page(markup)
    filters = page.all(id="filters")[0]
    assert "hidden" in filters  # only the script shows controls that need it
    assert "<details" not in markup  # nothing is folded away where print or no-JS cannot open it
    hidden = [a for _, a in page.elements if "hidden" in a and a is not filters]
    assert hidden == []
    assert "@media print" in markup


def _radar_of(markup: str) -> str:
    found = re.search(r'<svg id="radar".*?</svg>', markup, re.S)
    assert found is not None
    return found.group(0)


def _shape(page: Page, css: str) -> list[tuple[float, float]]:
    polygon = next(p for p in page.all("polygon") if css in (p["class"] or "").split())
    pairs = (xy.split(",") for xy in (polygon["points"] or "").split())
    return [(float(x), float(y)) for x, y in pairs]


def test_radar_draws_six_axes_with_their_names_and_exact_scores(report: Report) -> None:
    """Hygiene counts in the overall score as much as any pillar, so it is on the chart:
    six spokes, each labelled with its name and its score as the JSON report has it."""
    markup = _radar_of(html.render(report))
    page = Page(markup)
    by_pillar = {p["id"]: p["score"] for p in json_report.to_dict(report)["pillars"]}
    assert len(page.all("line", **{"class": "spoke"})) == 6
    assert len(_shape(page, "shape")) == 6
    assert len(page.all("circle")) == 6
    labels = re.findall(r'<text class="axis-label".*?</text>', markup, re.S)
    assert len(labels) == 6
    for pillar, label in zip(Pillar, labels, strict=True):
        parsed = Page(label)
        *names, shown = parsed.text
        value = next(a for t, a in parsed.elements if t == "tspan" and "data-pillar" in a)
        assert value["data-pillar"] == pillar.value
        expected = by_pillar[pillar.value]
        assert (float(value["data-score"]) if value["data-score"] else None) == expected
        assert " ".join(names) == pillar.short
        assert shown == fmt_score(expected)


def test_radar_keeps_low_scores_readable() -> None:
    """Scores near 0 sit on a ring of their own, each with a dot and its number, so the
    shape never collapses to a sliver at the centre."""
    axes = [
        Axis(p.value, p.short, s)
        for p, s in zip(Pillar, (0.0, 0.0, 2.5, 0.0, 9.0, 0.0), strict=True)
    ]
    page = Page(radar(axes, "prototype", "Pillar scores"))
    shape, floor = _shape(page, "shape"), _shape(page, "floor")
    centre = next(iter(page.all("line", **{"class": "spoke"})))
    middle = (float(centre["x1"] or 0), float(centre["y1"] or 0))
    # Each zero is on the floor ring, away from the centre; the others just beyond it.
    for i, point in enumerate(shape):
        if axes[i].score == 0:
            assert point == floor[i]
        assert math.dist(point, middle) >= math.dist(floor[i], middle) > 15
    assert len(page.all("circle")) == 6
    rings = [p for p in page.all("polygon") if "grid" in (p["class"] or "")]
    assert len(rings) == 5  # 0 (the floor), 25, 50, 75, 100
    labels = [a for t, a in page.elements if t == "tspan" and "data-score" in a]
    assert [a["data-score"] for a in labels] == ["0.0", "0.0", "2.5", "0.0", "9.0", "0.0"]
    assert "2.5" in page.content and "9" in page.content


def test_radar_draws_an_unscored_pillar_on_the_floor_marked_na() -> None:
    axes = [Axis("data", "Data", 80.0), Axis("infrastructure", "Infrastructure", None)] + [
        Axis(k, k.title(), 50.0) for k in ("monitoring", "security", "human_in_the_loop", "hygiene")
    ]
    page = Page(radar(axes, "pilot", "Pillar scores"))
    assert _shape(page, "shape")[1] == _shape(page, "floor")[1]
    assert "n/a" in page.content and "Infrastructure" in page.content
    assert page.all(**{"data-pillar": "infrastructure"})[0]["data-score"] == ""


def test_radar_fits_its_labels_in_its_view_box() -> None:
    """The labels are sized for a phone (20 units of a 560-wide chart); each must fit beside
    its spoke, so the chart's radius and centre make room for the longest names."""
    axes = [Axis(p.value, p.short, 50.0) for p in Pillar]
    markup = radar(axes, "pilot", "Pillar scores")
    page = Page(markup)
    svg = page.all("svg")[0]
    _, _, width, height = map(float, (svg["viewbox"] or "").split())
    assert width == svg_module.RADAR_WIDTH
    for attrs in page.all("tspan"):
        x, y = float(attrs["x"] or 0), float(attrs["y"] or 0)
        assert 0 <= x <= width and 0 <= y <= height, attrs
    outer = _shape(page, "outer")
    assert all(0 < x < width and 0 < y < height for x, y in outer)
    assert max(x for x, _ in outer) - min(x for x, _ in outer) > 0.4 * width  # not squeezed


def test_long_reports_stay_bounded(report: Report) -> None:
    many = tuple(
        dataclasses.replace(
            report.findings[0], location=Location(f"src/m{i}.py", i), message=f"m{i}"
        )
        for i in range(500)
    )
    results = tuple(
        dataclasses.replace(r, findings=many) if r.rule.id == "RC-SEC-002" else r
        for r in report.results
    )
    page = Page(html.render(dataclasses.replace(report, results=results)))
    assert f"… and {500 - html_pillars.FINDINGS_SHOWN} more" in page.content
    assert "src/m499.py" not in page.content


def test_evidence_is_capped_per_passed_rule(report: Report) -> None:
    passed = next(
        r for r in report.results if r.status is Status.PASS and r.rule.type is RuleType.PRACTICE
    )
    evidence = tuple(Evidence(Location(f"e{i}.py", 1), f"seen {i}") for i in range(9))
    results = tuple(
        dataclasses.replace(r, evidence=evidence) if r is passed else r for r in report.results
    )
    content = Page(html.render(dataclasses.replace(report, results=results))).content
    assert "… and 6 more places" in content


def test_cli_writes_the_scorecard(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "svc", SERVICE)
    out = tmp_path / "scorecard.html"
    result = CliRunner().invoke(app, ["scan", str(root), "-o", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    result = CliRunner().invoke(app, ["scan", str(root), "--format", "html"])
    assert result.exit_code == 0, result.output
    assert re.search(r'id="overall-score"[^>]*data-score="[\d.]+"', result.output)


def test_the_score_takes_its_levels_colour_and_the_legend_says_why_a_level_is_held_back(
    report: Report,
) -> None:
    """A 38.4 held back to Prototype by its weakest pillar was amber beside a red badge."""
    prototype = next(b.level for b in score.LEVEL_BANDS if b.level.id == "prototype")
    held_back = dataclasses.replace(report, score=38.4, level=prototype)
    page = html.render(held_back)
    assert re.search(r'class="big band-prototype"[^>]*id="overall-score"', page)
    assert "A level also needs its weakest pillar at least at: Production-ready 60" in page
