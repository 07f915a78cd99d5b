"""The Markdown summary for pull-request comments: readable tables, inert text, bounded size.

Rendering uses markdown-it (installed with rich) in CommonMark mode with GitHub's
table extension, so the assertions are about what a reviewer sees, not the source.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from readycheck import score
from readycheck.cli import app
from readycheck.model import Location, Report, ScanWarning, Suppression
from readycheck.renderers import json_report, markdown
from tests.conftest import write_tree

Scan = Callable[[Mapping[str, str | bytes]], Report]

SERVICE = {
    "README.md": "# Loan scoring\n",
    "app/main.py": (
        "from fastapi import FastAPI\nimport pickle\n\napp = FastAPI()\n"
        "model = pickle.load(open('model.pkl', 'rb'))\n"
    ),
    "requirements.txt": "fastapi\nscikit-learn\n",
}


class Rendered(HTMLParser):
    """The HTML GitHub would make of the comment: its tables, tags and text."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None
        self.text: list[str] = []
        self.feed(MarkdownIt("commonmark").enable("table").render(source))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)

    @property
    def content(self) -> str:
        return " ".join(" ".join(self.text).split())


@pytest.fixture()
def report(scan_tree: Scan) -> Report:
    return scan_tree(SERVICE)


def test_summary_reads_as_score_level_table_and_actions(report: Report) -> None:
    source = markdown.render(report)
    page = Rendered(source)
    data = json_report.to_dict(report)
    assert f"{report.score:g}" in page.content.replace(".0 ", " ")
    assert report.level.title in page.content

    pillars, actions = page.tables
    header, *rows = pillars
    assert header[:2] == ["Pillar", "Score"]
    assert len(rows) == 6 and all(len(row) == len(header) for row in rows)
    for row, pillar in zip(rows, data["pillars"], strict=True):
        assert pillar["title"] in row[0]
        assert row[1] == (
            "n/a" if pillar["score"] is None else f"{pillar['score']:.1f}".removesuffix(".0")
        )

    header, *rows = actions
    expected = score.top_actions(report.results)
    assert len(rows) == len(expected) >= 3
    for row, result in zip(rows, expected, strict=True):
        assert row[0] == f"+{result.gain:.1f}"
        assert result.rule.id in row[1]
    # no baseline and no --since: nothing for a finding to be new against
    assert "Findings (" in page.content and "New findings" not in page.content


def test_new_findings_leave_out_suppressed_and_known_ones(report: Report) -> None:
    results = []
    for result in report.results:
        findings = []
        for index, finding in enumerate(result.findings):
            if result.rule.id == "RC-SEC-002":
                finding = dataclasses.replace(finding, suppression=Suppression("signed", "inline"))
            elif result.rule.id == "RC-INFRA-007" and index == 0:
                finding = dataclasses.replace(finding, in_baseline=True)
            findings.append(finding)
        results.append(dataclasses.replace(result, findings=tuple(findings)))
    marked = dataclasses.replace(report, results=tuple(results))
    page = Rendered(markdown.render(marked))
    new = [f for f in marked.findings if f.gating]
    assert f"New findings ({len(new)})" in page.content
    assert "calls pickle.load()" not in page.content
    assert "Not listed: 1 suppressed with a reason, 1 already in the baseline." in page.content


def test_repository_text_cannot_add_markup(report: Report) -> None:
    hostile = "<script>alert(1)</script> [click](https://evil.example) @org/team | `x` **b**"
    finding = dataclasses.replace(
        report.findings[0],
        message=hostile,
        location=Location("a|b`c<img src=x>.py", 3),
    )
    results = tuple(
        dataclasses.replace(r, findings=(finding,)) if r.findings else r for r in report.results
    )
    target = dataclasses.replace(
        report.target, name="repo <b>x</b> | [y](https://z)", commit="abc123", branch="<i>b</i>"
    )
    tainted = dataclasses.replace(report, results=results, target=target)
    source = markdown.render(tainted)
    page = Rendered(source)
    tags = {tag for tag, _ in page.tags}
    assert not tags & {"script", "img", "a", "b", "i"}
    assert "<script>alert(1)</script>" in page.content  # shown as text
    assert "a|b`c<img src=x>.py:3" in page.content
    assert "[click](https://evil.example)" in page.content
    assert "@\u200borg/team" in page.content  # nobody is notified
    assert "repo <b>x</b> | [y](https://z)" in page.content
    # The tables keep their shape.
    for table in page.tables:
        assert len({len(row) for row in table}) == 1


def test_large_reports_fit_in_a_github_comment(report: Report) -> None:
    template = report.findings[0]
    many = tuple(
        dataclasses.replace(
            template,
            message="🔥" * 2000 + f" finding {i}",  # two UTF-16 units each
            location=Location(f"{'deep/' * 60}m{i}.py", i),
            fingerprint=str(i),
        )
        for i in range(20_000)
    )
    results = tuple(
        dataclasses.replace(r, findings=many) if r.findings else r for r in report.results
    )
    huge = dataclasses.replace(
        report,
        results=results,
        warnings=tuple(ScanWarning("w", "y" * 500, f"p{i}") for i in range(5000)),
        fixed=tuple(f"RC-X-{i} {'z' * 300}" for i in range(5000)),
        target=dataclasses.replace(report.target, name="n" * 5000),
    )
    source = markdown.render(huge)
    assert len(source.encode("utf-16-le")) // 2 <= markdown.BUDGET < markdown.GITHUB_COMMENT_LIMIT
    page = Rendered(source)
    assert re.search(r"… and \d+ more: see the full report", page.content)
    assert "</details>" in source and source.count("<details>") == 1


def test_a_clean_report_says_so(report: Report) -> None:
    results = tuple(dataclasses.replace(r, findings=(), gain=0.0) for r in report.results)
    page = Rendered(markdown.render(dataclasses.replace(report, results=results)))
    assert "Findings: none." in page.content
    assert "Nothing to fix" in page.content


def test_cli_markdown_format(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "svc", SERVICE)
    result = CliRunner().invoke(app, ["scan", str(root), "--format", "markdown"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("### readycheck: svc scores")
    out = tmp_path / "summary.md"
    result = CliRunner().invoke(app, ["scan", str(root), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert "| Pillar | Score |" in out.read_text(encoding="utf-8")


def test_findings_are_new_only_against_a_base(report: Report) -> None:
    assert "**New findings" not in markdown.render(report)
    assert "**New findings" in markdown.render(dataclasses.replace(report, since="origin/main"))
