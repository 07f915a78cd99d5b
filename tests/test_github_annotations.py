"""GitHub Actions annotations: one per finding that can fail the gate, at the right file
and line, escaped so that no path or message can break or forge a workflow command."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from typer.testing import CliRunner

from readycheck import baseline
from readycheck.cli import app
from readycheck.gate import GateOptions
from readycheck.model import Report, Severity
from readycheck.pipeline import ScanOptions, scan
from readycheck.renderers import github
from readycheck.rulebook import Rulebook
from tests.conftest import write_tree

Scan = Callable[[Mapping[str, str | bytes]], Report]
runner = CliRunner()
LOADER = "import pickle\n\nmodel = pickle.load(open('model.pkl', 'rb'))\n"
SECRET = 'AWS_ACCESS_KEY_ID = "AKIAQYLPMN5HFIGVT3XQ"\n'
SERVICE = {"README.md": "# Scoring\n", "app/main.py": LOADER}
# What the runner reads: `::name key=value,key=value::message`, properties free of `:`.
COMMAND = re.compile(r"::(?P<name>[a-z]+)(?: (?P<properties>[^:]*))?::(?P<message>.*)")


def unescape(text: str) -> str:
    for escaped, plain in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, plain)
    return text


def commands(output: str) -> list[tuple[str, dict[str, str], str]]:
    parsed = []
    for line in output.splitlines():
        if not line.startswith("::"):
            continue
        match = COMMAND.fullmatch(line)
        assert match, line
        properties = dict(
            pair.split("=", 1) for pair in (match["properties"] or "").split(",") if pair
        )
        parsed.append(
            (
                match["name"],
                {key: unescape(value) for key, value in properties.items()},
                unescape(match["message"]),
            )
        )
    return parsed


def test_escaping_matches_the_actions_toolkit() -> None:
    value = "percent % percent % cr \r cr \r lf \n lf \n colon : colon : comma , comma ,"
    assert github.command("some-command", {"name": value}, "") == (
        "::some-command name=percent %25 percent %25 cr %0D cr %0D lf %0A lf %0A "
        "colon %3A colon %3A comma %2C comma %2C::"
    )
    assert github.command("some-command", {}, "%25 %0D %0A %3A %2C") == (
        "::some-command::%2525 %250D %250A %253A %252C"
    )


def test_one_annotation_per_gating_finding_with_mapped_severity(scan_tree: Scan) -> None:
    suppressed = SECRET.rstrip() + "  # readycheck: ignore[RC-SEC-001] AWS documentation key\n"
    report = scan_tree(SERVICE | {"app/settings.py": suppressed, "app/batch.py": LOADER})
    annotations = commands(github.render(report))
    gating = [f for f in report.findings if f.gating]
    assert len([a for a in annotations if a[1].get("title", "").startswith("RC-")]) == len(gating)
    titles = [properties["title"] for _, properties, _ in annotations]
    assert not any(title.startswith("RC-SEC-001") for title in titles)
    loads = [a for a in annotations if a[1]["title"].startswith("RC-SEC-002 ")]
    assert sorted((p["file"], p["line"]) for _, p, _ in loads) == [
        ("app/batch.py", "3"),
        ("app/main.py", "3"),
    ]
    assert {name for name, _, _ in loads} == {"error"}
    assert all("Fix: " in message and "pickle.load()" in message for _, _, message in loads)
    expected = {"critical": "error", "high": "error", "medium": "warning", "low": "notice"}
    severities = {r.rule.id: r.rule.severity.value for r in report.results}
    for name, properties, _ in annotations:
        rule_id = properties["title"].split(" ")[0]
        assert name == expected[severities[rule_id]]
    ranks = [
        ["low", "medium", "high", "critical"].index(severities[p["title"].split(" ")[0]])
        for _, p, _ in annotations
    ]
    assert ranks == sorted(ranks, reverse=True), "most severe first"


def test_findings_in_the_baseline_are_not_annotated(tmp_path: Path, rulebook: Rulebook) -> None:
    root = write_tree(tmp_path / "svc", SERVICE)
    known = tmp_path / "baseline.json"
    known.write_text(baseline.to_json(scan(ScanOptions(path=root), rulebook)), encoding="utf-8")
    write_tree(root, {"app/settings.py": SECRET})
    annotations = commands(github.render(scan(ScanOptions(path=root, baseline=known), rulebook)))
    assert [(p["title"].split(" ")[0], p["file"]) for _, p, _ in annotations] == [
        ("RC-SEC-001", "app/settings.py")
    ]


def test_a_failed_gate_says_why(tmp_path: Path, rulebook: Rulebook) -> None:
    root = write_tree(tmp_path / "svc", SERVICE)
    report = scan(ScanOptions(path=root, gate=GateOptions(fail_under=99.0)), rulebook)
    assert report.gate is not None and not report.gate.passed
    name, properties, message = commands(github.render(report))[0]
    assert (name, properties) == ("error", {"title": "readycheck gate failed"})
    assert message == "\n".join(report.gate.reasons)
    passed = scan(ScanOptions(path=root, gate=GateOptions(fail_under=0.0)), rulebook)
    assert passed.gate is not None and passed.gate.passed
    assert all(
        p.get("title") != "readycheck gate failed" for _, p, _ in commands(github.render(passed))
    )


def test_hostile_file_names_cannot_break_or_forge_commands(scan_tree: Scan) -> None:
    names = [
        "app/100%0A::warning file=x::forged.py",
        "app/new\n::error::forged.py",
        "app/a,b:c.py",
        "app/<script>.py",
    ]
    report = scan_tree({"README.md": "# x\n"} | dict.fromkeys(names, LOADER))
    output = github.render(report)
    lines = output.splitlines()
    assert all(line.startswith("::") for line in lines)
    assert not any(line.startswith("::error::forged") for line in lines)
    loads = [
        properties["file"]
        for _, properties, _ in commands(output)
        if properties.get("title", "").startswith("RC-SEC-002")
    ]
    assert sorted(loads) == sorted(names)


def test_control_characters_are_shown_not_acted_on(scan_tree: Scan) -> None:
    report = scan_tree({"README.md": "# x\n", "app/red\x1b[31m\u202e.py": LOADER})
    output = github.render(report)
    assert "\x1b" not in output and "\u202e" not in output
    assert "file=app/red\\u001b[31m\\u202e.py" in output


def test_notebook_annotations_use_the_ipynb_line(scan_tree: Scan) -> None:
    source = ["import pickle\n", "model = pickle.load(open('m.pkl', 'rb'))\n"]
    notebook = (
        '{\n "cells": [\n  {\n   "cell_type": "code",\n   "execution_count": 1,\n'
        '   "metadata": {},\n   "outputs": [],\n   "source": [\n'
        f'    "{source[0][:-1]}\\n",\n    "{source[1][:-1]}\\n"\n   ]\n  }}\n ],\n'
        ' "metadata": {},\n "nbformat": 4,\n "nbformat_minor": 5\n}\n'
    )
    report = scan_tree({"README.md": "# x\n", "model.ipynb": notebook})
    (load,) = [
        p for _, p, _ in commands(github.render(report)) if p["title"].startswith("RC-SEC-002")
    ]
    assert load["file"] == "model.ipynb"
    assert load["line"] == str(notebook.splitlines().index('    "' + source[1][:-1] + '\\n"') + 1)


def test_the_cli_annotates_in_github_actions_when_a_gate_is_set(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "svc", SERVICE)
    actions = {"GITHUB_ACTIONS": "true"}
    result = runner.invoke(app, ["scan", str(root), "--fail-on", "high", "--no-cache"], env=actions)
    assert result.exit_code == 1, result.output
    assert "::error file=app/main.py,line=3,title=RC-SEC-002 " in result.output
    assert "::error title=readycheck gate failed::" in result.output
    no_gate = runner.invoke(app, ["scan", str(root), "--no-cache"], env=actions)
    assert no_gate.exit_code == 0 and "::error" not in no_gate.output
    outside = runner.invoke(
        app, ["scan", str(root), "--fail-on", "high", "--no-cache"], env={"GITHUB_ACTIONS": ""}
    )
    assert outside.exit_code == 1 and "::error" not in outside.output
    as_format = runner.invoke(app, ["scan", str(root), "--format", "github", "--no-cache"])
    assert as_format.exit_code == 0
    assert "::error file=app/main.py,line=3,title=RC-SEC-002 " in as_format.output


@pytest.mark.parametrize("fmt", ["json", "sarif", "github"])
def test_a_machine_report_on_stdout_stays_whole_in_github_actions(tmp_path: Path, fmt: str) -> None:
    """In Actions a gated scan also annotates; the annotations must not break a JSON or
    SARIF report piped to a file, nor be written twice with --format github."""
    root = write_tree(tmp_path / "svc", SERVICE)
    result = CliRunner().invoke(
        app,
        ["scan", str(root), "--no-cache", "--format", fmt, "--fail-on", "high"],
        env={"GITHUB_ACTIONS": "true"},
    )
    assert result.exit_code == 1
    if fmt == "github":
        lines = result.stdout.splitlines()
        assert lines and len(lines) == len(set(lines))
    else:
        json.loads(result.stdout)
        assert "::error file=app/main.py,line=3,title=RC-SEC-002 " in result.stderr


def test_with_fail_on_only_what_can_fail_the_gate_is_annotated_and_as_an_error(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    """--fail-on critical used to exit 0 while printing errors, warnings and notices for
    every high, medium and low finding: the annotations now say what the gate says."""
    root = write_tree(tmp_path / "svc", SERVICE | {"app/settings.py": SECRET})
    report = scan(ScanOptions(path=root, gate=GateOptions(fail_on=Severity.CRITICAL)), rulebook)
    annotations = [
        c for c in commands(github.render(report)) if c[1].get("title", "").startswith("RC-")
    ]
    severities = {r.rule.id: r.rule.severity for r in report.results}
    assert annotations, "the hard-coded key is critical and fails the gate"
    assert {severities[p["title"].split(" ")[0]] for _, p, _ in annotations} == {Severity.CRITICAL}
    assert {name for name, _, _ in annotations} == {"error"}
    relaxed = scan(ScanOptions(path=root, gate=GateOptions(fail_on=Severity.HIGH)), rulebook)
    high = [c for c in commands(github.render(relaxed)) if c[1].get("title", "").startswith("RC-")]
    assert len(high) > len(annotations) and {name for name, _, _ in high} == {"error"}
