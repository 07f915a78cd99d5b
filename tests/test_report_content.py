"""What the reports say about a scan: heuristics flagged, where the code came from,
hostile snippets kept inert, secrets in notebook outputs masked, and half credit
for evidence that lives only in a notebook or the docs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import re
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import git
import pytest
from rich.console import Console
from typer.testing import CliRunner

from readycheck.cli import app
from readycheck.model import Basis, Pillar, Report, ScanWarning, Status
from readycheck.pipeline import ScanOptions, scan
from readycheck.renderers import html, json_report, markdown, renderer, terminal
from readycheck.rulebook import Rulebook
from readycheck.score import fmt_score
from tests.conftest import SAMPLES, rule_result, write_tree

Scan = Callable[[Mapping[str, str | bytes]], Report]

#: A small prediction service: fails heuristic rules (low and medium confidence)
#: and exact ones (pickle, pinned dependencies) alike.
SERVICE = {
    "app/main.py": (
        "from fastapi import FastAPI\nimport pickle\n\napp = FastAPI()\n"
        "model = pickle.load(open('model.pkl', 'rb'))\n\n\n"
        "@app.post('/predict')\ndef predict(payload: dict) -> dict:\n"
        "    return {'y': model.predict([payload['x']])[0]}\n"
    ),
    "requirements.txt": "fastapi==0.110.0\nscikit-learn\n",
}
HEADING = re.compile(r"^ (CRITICAL|HIGH|MEDIUM|LOW)  (RC-[A-Z]+-\d+) ", re.M)


def _notebook(cells: list[dict[str, Any]]) -> str:
    return json.dumps(
        {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}, indent=1
    )


def _code_cell(source: str, outputs: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "cell_type": "code",
        "execution_count": 1,
        "metadata": {},
        "source": source,
        "outputs": outputs or [],
    }


def _terminal_blocks(output: str) -> dict[str, str]:
    """Each failing rule's block of the terminal report, by rule id."""
    starts = list(HEADING.finditer(output))
    ends = [m.start() for m in starts[1:]] + [len(output)]
    return {m.group(2): output[m.start() : end] for m, end in zip(starts, ends, strict=True)}


def _html_cards(markup: str) -> dict[str, str]:
    """Each failing rule's card in the HTML scorecard, by rule id."""
    return {
        m.group(1): m.group(0)
        for m in re.finditer(
            r'<article[^>]* id="rule-(RC-[A-Z]+-\d+)"[^>]*>.*?</article>', markup, re.S
        )
    }


# --- heuristic rules say so -------------------------------------------------------------


def test_a_failing_heuristic_is_marked_in_the_terminal(tmp_path: Path, rulebook: Rulebook) -> None:
    root = write_tree(tmp_path / "svc", SERVICE)
    result = CliRunner().invoke(app, ["scan", str(root), "--no-cache"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    blocks = _terminal_blocks(result.output)
    confidence = {rule.id: rule.confidence.value for rule in rulebook.rules}
    shown = {rule_id: confidence[rule_id] for rule_id in blocks}
    assert {"low", "medium", "high"} <= set(shown.values())  # the fixture fails all three
    for rule_id, level in shown.items():
        note = rf"note +a heuristic \({level} confidence\): it infers intent from names and calls"
        if level == "high":
            assert "a heuristic" not in blocks[rule_id], rule_id
        else:
            assert re.search(note, blocks[rule_id]), rule_id


def test_a_failing_heuristic_is_marked_in_the_html_scorecard(scan_tree: Scan) -> None:
    report = scan_tree(SERVICE)
    cards = _html_cards(html.render(report))
    failing = {
        r.rule.id: r.rule.confidence.value
        for r in report.results
        if r.status in (Status.FAIL, Status.PARTIAL) and r.basis is not Basis.BLOCKED
    }
    assert set(cards) == set(failing)  # a blocked practice is listed, not a card of its own
    assert {"low", "medium", "high"} <= set(failing.values())
    for rule_id, level in failing.items():
        note = f'<p class="confidence">A {level}-confidence heuristic: check before acting.</p>'
        if level == "high":
            assert "heuristic" not in cards[rule_id], rule_id
        else:
            assert note in cards[rule_id], rule_id


# --- where the scanned code came from ---------------------------------------------------


def test_the_scorecard_header_shows_the_commit_and_the_dates(
    tmp_path: Path, rulebook: Rulebook, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(tmp_path / "churn", SERVICE)
    repo = git.Repo.init(root, initial_branch="main")
    repo.index.add(list(SERVICE))
    author = git.Actor("Ada Tester", "ada@example.com")
    committed = dt.datetime(2024, 3, 5, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    commit = repo.index.commit(
        "Serve the churn model",
        author=author,
        committer=author,
        author_date=committed,
        commit_date=committed,
    )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767268800")  # 2026-01-01 12:00 UTC

    markup = html.render(scan(ScanOptions(path=root), rulebook))

    header = re.search(r'<header class="masthead">.*?</header>', markup)
    assert header is not None
    assert header.start() < markup.index("<main>")  # first thing on the page, above the fold
    masthead = header.group(0)
    short = commit.hexsha[:10]
    assert f'<code title="{commit.hexsha}">{short}</code> on <code>main</code>' in masthead
    assert "<b>Committed</b> <time" in masthead and ">2024-03-05</time>" in masthead
    assert '<b>Scanned</b> <time datetime="2026-01-01T12:00:00' in masthead
    assert ">2026-01-01 12:00 UTC</time>" in masthead


# --- hostile snippets stay inert in the terminal -----------------------------------------


def test_escapes_and_markup_in_a_snippet_cannot_drive_the_terminal(tmp_path: Path) -> None:
    line = (
        'AWS_ACCESS_KEY_ID = "AKIAQYLPMN5HFIGVT3XQ"  '
        "# \x1b[2J \x1b[31m [bold red]x[/] [link=http://evil]x[/link]"
    )
    root = write_tree(tmp_path / "repo", {"settings.py": f"import os\n\n{line}\n"})
    result = CliRunner().invoke(
        app, ["scan", str(root), "--no-cache", "--verbose"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    block = _terminal_blocks(result.output)["RC-SEC-001"]
    assert "settings.py:3" in block
    assert "\x1b" not in result.output
    # The escapes are shown as text, and the markup as written: never interpreted.
    assert (
        '│ AWS_ACCESS_KEY_ID = "AKIA********"  # \\x1b[2J \\x1b[31m '
        "[bold red]x[/] [link=http://evil]x[/link]"
    ) in block


# --- a secret in a notebook's output ------------------------------------------------------

KEY = "AKIAZ7Q3M5XW2PL4TB6R"


def test_a_credential_in_a_cell_output_is_found_and_masked(scan_tree: Scan) -> None:
    notebook = _notebook(
        [
            {"cell_type": "markdown", "metadata": {}, "source": "# Explore the churn data\n"},
            _code_cell(
                "import os\nprint(os.environ['AWS_ACCESS_KEY_ID'])\n",
                [{"output_type": "stream", "name": "stdout", "text": [f"{KEY}\n"]}],
            ),
        ]
    )
    report = scan_tree({"notebooks/explore.ipynb": notebook})
    result = rule_result(report, "RC-SEC-001")
    assert result.status is Status.FAIL
    (finding,) = result.findings
    assert finding.message == "hard-coded credential in a cell output"
    assert finding.location is not None
    assert (finding.location.path, finding.location.cell, finding.location.line) == (
        "notebooks/explore.ipynb",
        2,
        None,
    )
    assert finding.snippet == "AKIA********"
    for name in ("json", "html", "markdown", "sarif"):
        assert KEY[4:] not in renderer(name)(report), name


# --- half credit for evidence only in a notebook or the docs ------------------------------

TRAINING = {
    "src/churn/train.py": (
        "import pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n\n\n"
        "def train(df: pd.DataFrame) -> LogisticRegression:\n"
        "    return LogisticRegression().fit(df[['tenure']], df.churned)\n"
    ),
    "notebooks/explore.ipynb": _notebook([_code_cell("import pandas as pd\n")]),
}
LOGGING = "import logging\n\nlogging.basicConfig(level=logging.INFO)\n"


@pytest.mark.parametrize(
    "only_there",
    [
        {"notebooks/explore.ipynb": _notebook([_code_cell(f"import pandas as pd\n{LOGGING}")])},
        {"docs/snippets/logging_setup.py": LOGGING},
    ],
    ids=["notebook", "docs"],
)
def test_evidence_only_in_a_notebook_or_the_docs_earns_half_the_weight(
    tmp_path: Path, rulebook: Rulebook, only_there: dict[str, str]
) -> None:
    def monitoring(name: str, files: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
        root = write_tree(tmp_path / name, files)
        data = json_report.to_dict(scan(ScanOptions(path=root), rulebook))
        pillar = next(p for p in data["pillars"] if p["id"] == Pillar.MONITORING.value)
        results = {r["rule_id"]: r for r in data["results"] if r["pillar"] == pillar["id"]}
        return pillar, results

    missing, _ = monitoring("missing", TRAINING)
    half, results = monitoring("half", {**TRAINING, **only_there})
    full, _ = monitoring("full", {**TRAINING, "src/churn/log.py": LOGGING})

    logging_rule = results["RC-MON-001"]
    assert logging_rule["status"] == "partial"
    weight = logging_rule["weight"]
    scored = {r: v for r, v in results.items() if v["status"] != "not_applicable"}
    assert len(scored) > 1  # the pillar is not this rule alone
    earned = {"pass": 1.0, "partial": 0.5, "fail": 0.0}
    assert half["earned"] == pytest.approx(
        sum(r["weight"] * earned[r["status"]] for r in scored.values())
    )
    assert half["score"] == round(100 * half["earned"] / half["possible"], 1)
    # Exactly half-way between the missing practice and the practice in production code.
    assert half["possible"] == missing["possible"] == full["possible"]
    assert half["earned"] - missing["earned"] == pytest.approx(weight / 2)
    assert full["earned"] - half["earned"] == pytest.approx(weight / 2)


def test_each_kind_of_scan_note_has_its_own_heading_in_terminal_and_markdown(
    samples: dict[str, Report],
) -> None:
    """A corrupt cache or an expired suppression is not "a file readycheck could not read"."""
    report = dataclasses.replace(
        samples["churn-pilot"],
        warnings=(
            ScanWarning("too-large", "larger than 5 MiB, not read", "data/big.py"),
            ScanWarning("suppression-unknown-rule", "RC-NOPE-1 is not a rule", ".readycheck.yml"),
            ScanWarning("cache", "cache disabled: locked by another scan"),
            ScanWarning("git-unavailable", "HEAD cannot be read"),
        ),
    )
    console = Console(file=io.StringIO(), width=120, color_system=None)
    terminal.render(report, console)
    shown = console.file.getvalue()  # type: ignore[attr-defined]
    for heading in (
        "Files readycheck could not fully read (1)",
        "Suppressions that need attention (1)",
        "Cache (1)",
        "Git history (1)",
    ):
        assert heading in shown
    assert (
        shown.index("Files readycheck")
        < shown.index("Suppressions that")
        < shown.index("Cache (1)")
    )
    summary = markdown.render(report)
    assert "suppressions that need attention: 1" in summary and "cache: 1" in summary


@pytest.mark.parametrize("width", [120, 80, 60, 40])
def test_a_narrow_terminal_keeps_every_pillars_score_and_counts(
    samples: dict[str, Report], width: int
) -> None:
    """At 60 columns the table used to lose its score and count columns, at 40 every number."""
    report = samples["churn-pilot"]
    console = Console(file=io.StringIO(), width=width, color_system=None)
    terminal.render(report, console)
    shown = console.file.getvalue()  # type: ignore[attr-defined]
    table = shown[shown.index("Pillar") :].split("\n\n")[0]
    assert max(len(line) for line in table.splitlines()) <= width
    rows = [line for line in table.splitlines()[2:] if line.strip()][: len(report.pillars)]
    for row, pillar in zip(rows, report.pillars, strict=True):
        cells = row.split()
        score_text = "–" if pillar.score is None else fmt_score(pillar.score)
        assert score_text in cells, (width, row)
        assert sum(cell.isdigit() or cell == "·" for cell in cells[-5:]) == 5, (width, row)


def test_a_piped_report_is_neither_cut_at_80_columns_nor_padded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Redirected to a file, rule texts used to break at column 80 in the middle of a word
    and every line carried the padding a terminal needs."""
    monkeypatch.delenv("COLUMNS", raising=False)
    root = tmp_path / "pilot"
    shutil.copytree(SAMPLES / "churn-pilot", root)
    result = CliRunner().invoke(app, ["scan", str(root), "--no-cache"])
    lines = result.output.splitlines()
    assert not [line for line in lines if line != line.rstrip()], "no trailing padding"
    assert max(len(line) for line in lines) > 80, "long lines are not cut at 80"
    assert max(len(line) for line in lines) <= terminal.PIPED_WIDTH


def test_every_output_counts_each_rule_once_in_the_same_columns(rulebook: Rulebook) -> None:
    """The pillar tables of the terminal and Markdown and the HTML tally use one set of
    columns: a partly seen practice is neither seen nor missing twice, a blocked one is
    missing (and the HTML says how many of those are blocked)."""
    import re

    from readycheck import verdicts
    from readycheck.renderers import html, markdown

    report = scan(ScanOptions(path=SAMPLES / "fraud-detector"), rulebook)
    titles = tuple(p.pillar.title for p in report.pillars)
    table = [
        line
        for line in markdown.render(report).splitlines()
        if line.startswith("| ") and line.split("|")[1].strip(" 🟢🔵🟠🔴⚪*") in titles
    ]
    assert len(table) == len(report.pillars)
    for line, pillar in zip(table, report.pillars, strict=True):
        results = [r for r in report.results if r.rule.pillar is pillar.pillar]
        numbers = [int(cell) for cell in line.strip("|").split("|")[3:]]
        expected = verdicts.table_counts(results)
        assert numbers == [expected[c] for c in verdicts.TABLE_COLUMNS], line
        rest = verdicts.counts(results)
        hidden = rest[verdicts.Verdict.CLEAR] + rest[verdicts.Verdict.ERROR]
        assert sum(numbers) + hidden == len(results)  # each rule in one column at most
    tally = verdicts.counts(report.results)
    assert tally[verdicts.Verdict.BLOCKED] and tally[verdicts.Verdict.PARTLY_SEEN]
    page = html.render(report)
    missing = re.search(
        r'class="tally-fail"><dt>Missing</dt><dd>(\d+)<span[^>]*>\s*\((\d+) blocked\)', page
    )
    assert missing is not None
    assert (
        int(missing.group(1)) == tally[verdicts.Verdict.MISSING] + tally[verdicts.Verdict.BLOCKED]
    )
    assert int(missing.group(2)) == tally[verdicts.Verdict.BLOCKED]
