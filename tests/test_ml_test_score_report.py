"""The ML Test Score block (Breck et al. 2017), estimated from static evidence, in every report.

The built-in map ties each of the paper's 28 tests to the rules that evidence it;
the estimate (sections summed, the score their minimum, the paper's band for it)
must read the same in the terminal, the JSON and the Markdown summary.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re

import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from readycheck import mltestscore
from readycheck.cli import app
from readycheck.model import MLTestScore, Report
from readycheck.renderers import json_report, markdown
from readycheck.rulebook import Rulebook
from tests.conftest import SAMPLES

PRODUCTION = "credit-risk-service"
PACKAGE = "fraud-detector"
PILOT = "churn-pilot"
#: The classic-ML samples: the LLM ones are shown their own checklist (test_checklist.py).
CLASSIC = (PILOT, PACKAGE, PRODUCTION)
#: The paper's four sections, seven tests each, in its order.
SECTIONS = {
    "Data": "Data",
    "Model": "Model",
    "Infrastructure": "Infra",
    "Monitoring": "Monitor",
}


def _flat(text: str) -> str:
    """Terminal output with its wrapping undone: every whitespace run a single space."""
    return " ".join(text.split())


def _markdown_text(source: str) -> str:
    """What a reviewer reads of a Markdown comment: the rendered text, tags removed."""
    rendered = MarkdownIt("commonmark").enable("table").render(source)
    return _flat(html.unescape(re.sub(r"<[^>]+>", "", rendered)))


def _estimate(report: Report) -> MLTestScore:
    assert report.ml_test_score is not None
    return report.ml_test_score


def test_the_built_in_map_holds_the_papers_28_tests_in_four_sections(rulebook: Rulebook) -> None:
    spec = rulebook.ml_test_score
    assert spec is not None
    assert [name for name, _tests in spec.sections] == list(SECTIONS)
    for name, tests in spec.sections:
        assert [t.id for t in tests] == [f"{SECTIONS[name]} {n}" for n in range(1, 8)]
        assert all(t.title for t in tests)
    assert sum(len(tests) for _name, tests in spec.sections) == 28


def test_every_rule_the_map_names_is_in_the_rulebook(rulebook: Rulebook) -> None:
    spec = rulebook.ml_test_score
    assert spec is not None
    known = {rule.id for rule in rulebook.rules}
    named = {rule_id for _name, tests in spec.sections for t in tests for rule_id in t.rules}
    assert named, "the map evidences no test at all"
    assert named <= known, sorted(named - known)
    # The automation facts it reads exist too.
    assert {fact.lstrip("!") for fact in spec.automated_when} <= set(rulebook.facts)


@pytest.mark.parametrize("sample", [PRODUCTION, PACKAGE, PILOT])
def test_the_estimate_is_the_minimum_of_its_section_sums(
    samples: dict[str, Report], rulebook: Rulebook, sample: str
) -> None:
    estimate = _estimate(samples[sample])
    assert rulebook.ml_test_score is not None
    unmapped = {t.id for _n, tests in rulebook.ml_test_score.sections for t in tests if not t.rules}
    sums = []
    for _name, points, tests in estimate.sections:
        assert len(tests) == 7
        for test in tests:
            assert test.points in (None, 0.0, 0.5, 1.0), test
            if test.id in unmapped:  # no static trace: never scored, and said so
                assert test.points is None and test.note.startswith("not verifiable"), test
        assert points == sum(t.points or 0.0 for t in tests)
        sums.append(points)
    assert estimate.score == min(sums)
    assert estimate.band == mltestscore.band(estimate.score)


def test_the_terminal_report_shows_the_score_its_band_and_the_section_sums() -> None:
    result = CliRunner().invoke(app, ["scan", str(SAMPLES / PRODUCTION), "--no-cache"])
    assert result.exit_code == 0, result.output
    output = _flat(result.output)
    document = CliRunner().invoke(
        app, ["scan", str(SAMPLES / PRODUCTION), "--no-cache", "--format", "json"]
    )
    estimate = json.loads(document.output)["ml_test_score"]
    assert f"ML Test Score (static estimate, Breck et al. 2017): {estimate['score']:g}" in output
    assert _flat(estimate["band"]) in output
    sums = " · ".join(
        f"{s['name']} {s['points']:g}/{len(s['tests'])}" for s in estimate["sections"]
    )
    assert f"{sums} (the weakest section is the score)" in output
    # Between the pillar table and the findings.
    assert (
        output.index("Engineering hygiene")
        < output.index("ML Test Score")
        < output.index("practices (")
    )


def test_verbose_lists_all_28_tests_and_marks_the_unverifiable_ones() -> None:
    result = CliRunner().invoke(
        app, ["scan", str(SAMPLES / PILOT), "--no-cache", "--verbose"], env={"COLUMNS": "240"}
    )
    assert result.exit_code == 0, result.output
    rows = {
        match.group(1): match.group(2)
        for match in re.finditer(
            r"^\s+((?:Data|Model|Infra|Monitor) [1-7])\s+(\S+)\s", result.output, re.M
        )
    }
    assert len(rows) == 28
    assert rows["Data 2"] == "–"  # needs ablation results, not code
    assert "not verifiable: needs ablation results, not code" in result.output
    assert rows["Infra 1"] in ("0", "0.5", "1")


def test_the_json_and_the_markdown_agree_with_the_terminal_numbers(
    samples: dict[str, Report],
) -> None:
    for report in (samples[name] for name in CLASSIC):
        estimate = _estimate(report)
        document = json_report.to_dict(report)["ml_test_score"]
        assert document["score"] == estimate.score
        assert document["band"] == estimate.band
        assert [(s["name"], s["points"]) for s in document["sections"]] == [
            (name, points) for name, points, _tests in estimate.sections
        ]
        assert sum(len(s["tests"]) for s in document["sections"]) == 28
        text = _markdown_text(markdown.render(report))
        assert f"ML Test Score (static estimate, Breck et al. 2017): {estimate.score:g}" in text
        assert estimate.band in text


def test_the_production_sample_outscores_the_pilot_and_the_package(
    samples: dict[str, Report],
) -> None:
    """The ML Test Score follows the overall score across the samples, never against it.

    It is a minimum over sections, so the package and the pilot tie at 0 (each has a
    section with nothing automated); their section totals still order them."""
    by_overall = sorted((samples[name] for name in CLASSIC), key=lambda r: r.score)
    assert [r.target.name for r in by_overall] == [PILOT, PACKAGE, PRODUCTION]
    estimates = [_estimate(r).score for r in by_overall]
    assert estimates == sorted(estimates)
    assert _estimate(samples[PRODUCTION]).score > _estimate(samples[PACKAGE]).score
    assert _estimate(samples[PRODUCTION]).score > _estimate(samples[PILOT]).score
    totals = [sum(p for _n, p, _t in _estimate(r).sections) for r in by_overall]
    assert totals[0] < totals[1] < totals[2]


@pytest.mark.parametrize(
    ("sample", "weakest"),
    [
        (PRODUCTION, "weakest section: Data 2.5/7."),
        (PILOT, "weakest sections: Data 0/7, Model 0/7, Monitoring 0/7."),
    ],
)
def test_the_markdown_summary_has_one_ml_test_score_line(
    samples: dict[str, Report], sample: str, weakest: str
) -> None:
    report = samples[sample]
    estimate = _estimate(report)
    source = markdown.render(report)
    (line,) = [line for line in source.splitlines() if "ML Test Score" in line]
    text = _markdown_text(line)
    assert text == (
        f"ML Test Score (static estimate, Breck et al. 2017): {estimate.score:g} · "
        f"{weakest} {estimate.band}"
    )
    assert len(line) < 300
    # After the pillar table, before the actions (or the note that there are none).
    actions = re.search(r"^\*\*(What would raise|Nothing to fix)", source, re.M)
    assert actions is not None
    assert source.index("| Pillar |") < source.index(line) < actions.start()


def test_the_markdown_line_is_inert_and_bounded(samples: dict[str, Report]) -> None:
    report = samples[PILOT]
    estimate = _estimate(report)
    hostile = "<b>D</b> @org/t [x](https://e.x) " + "D" * 5000
    sections = ((hostile, 0.0, estimate.sections[0][2]), *estimate.sections[1:])
    tainted = dataclasses.replace(
        report, ml_test_score=dataclasses.replace(estimate, sections=sections)
    )
    (line,) = [line for line in markdown.render(tainted).splitlines() if "ML Test Score" in line]
    assert len(line) < 600
    rendered = MarkdownIt("commonmark").render(line)
    assert "<b>" not in rendered and "<a " not in rendered
    assert "@\u200borg/t" in line  # nobody is notified
    text = _markdown_text(line)
    assert "<b>D</b> @\u200borg/t [x](https://e.x) DDD" in text  # shown as text, then cut
    assert "D…" in text and "D" * 100 not in text


def test_the_markdown_says_nothing_without_an_ml_test_map(samples: dict[str, Report]) -> None:
    report = dataclasses.replace(samples[PILOT], ml_test_score=None)
    assert "ML Test Score" not in markdown.render(report)


def test_the_html_scorecard_has_the_ml_test_score_section(samples: dict[str, Report]) -> None:
    from readycheck.renderers import html as html_renderer

    report = samples[PRODUCTION]
    estimate = _estimate(report)
    page = html_renderer.render(report)
    section = page.split('id="ml-test-score"', 1)[1].split("</section>", 1)[0]
    assert f'data-ml-test-score="{estimate.score:g}"' in section
    assert html.escape(estimate.band) in section
    for name, points, tests in estimate.sections:
        assert re.search(rf">{name}</span><strong>{points:g}</strong> / {len(tests)}<", section), (
            name
        )
    assert section.count("<tr") == 1 + 28  # the header and one row per test
    assert '>Data 2</td><td class="num">–</td>' in section
    assert "needs ablation results, not code" in section
    assert page.index('id="ml-test-score"') > page.index('class="pillar')


def test_a_document_earns_half_a_point_even_when_ci_runs(samples: dict[str, Report]) -> None:
    """Data 4 rests on a datasheet: the production sample has one and runs CI, but no CI
    run executes a document, so it earns what the paper gives a test done by hand."""
    tests = {t.id: t for _n, _p, items in _estimate(samples[PRODUCTION]).sections for t in items}
    assert tests["Data 4"].points == 0.5
    assert tests["Data 1"].points == 1.0  # schema validation, which CI runs
