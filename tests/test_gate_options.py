"""The gate's thresholds: the command line overrides the config file's, one option at a time,
and machine-readable formats on standard output stay parseable."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from readycheck.cli import app
from tests.conftest import SAMPLES

runner = CliRunner()


@pytest.fixture(autouse=True)
def outside_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    """In GitHub Actions a gated scan also prints annotations on standard output."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


@pytest.fixture()
def fraud(tmp_path: Path) -> Path:
    """A copy of the half-way sample package (scores in the 40s, high findings, no critical)."""
    root = tmp_path / "fraud-detector"
    shutil.copytree(SAMPLES / "fraud-detector", root)
    return root


def _gate(root: Path, config: str | None, *args: str) -> dict:  # type: ignore[type-arg]
    """The JSON report's gate, with `config` as the repository's .readycheck.yml."""
    if config is not None:
        (root / ".readycheck.yml").write_text(config, encoding="utf-8")
    result = runner.invoke(app, ["scan", str(root), "--no-cache", "--format", "json", *args])
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.output)
    gate = report["gate"]
    assert gate is not None, "a gate was configured, so the report must carry its result"
    assert result.exit_code == (0 if gate["passed"] else 1), "the exit code follows the gate"
    return gate  # type: ignore[no-any-return]


def _report(root: Path) -> dict:  # type: ignore[type-arg]
    result = runner.invoke(app, ["scan", str(root), "--no-cache", "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)  # type: ignore[no-any-return]


def test_the_sample_sits_between_the_thresholds_these_tests_use(fraud: Path) -> None:
    report = _report(fraud)
    assert 10 < report["summary"]["score"] < 90
    data = next(p["score"] for p in report["pillars"] if p["id"] == "data")
    assert 10 < data < 90
    # What the gate sees: findings (a practice blocked by a missing one has none of its own).
    failing = {r["severity"] for r in report["results"] if r["findings"]}
    assert "high" in failing and "critical" not in failing


@pytest.mark.parametrize(
    ("strict_file", "lenient_file", "strict_cli", "lenient_cli", "failure", "strict", "lenient"),
    [
        pytest.param(
            "gate:\n  fail_under: 90\n", "gate:\n  fail_under: 10\n",
            ["--fail-under", "90"], ["--fail-under", "10"],
            "is under 90", "score ≥ 90", "score ≥ 10",
            id="fail-under",
        ),
        pytest.param(
            "gate:\n  fail_on: high\n", "gate:\n  fail_on: critical\n",
            ["--fail-on", "high"], ["--fail-on", "critical"],
            "at or above high", "no new high+ findings", "no new critical+ findings",
            id="fail-on",
        ),
        pytest.param(
            "gate:\n  min_pillar:\n    data: 90\n", "gate:\n  min_pillar:\n    data: 10\n",
            ["--min-pillar", "data=90"], ["--min-pillar", "data=10"],
            "is under its minimum 90", "data ≥ 90", "data ≥ 10",
            id="min-pillar",
        ),
    ],
)  # fmt: skip
def test_the_command_line_overrides_the_files_threshold_in_both_directions(
    fraud: Path,
    strict_file: str,
    lenient_file: str,
    strict_cli: list[str],
    lenient_cli: list[str],
    failure: str,
    strict: str,
    lenient: str,
) -> None:
    gate = _gate(fraud, strict_file)
    assert gate["passed"] is False
    assert any(failure in reason for reason in gate["reasons"])
    gate = _gate(fraud, strict_file, *lenient_cli)
    assert gate["passed"] is True
    assert gate["checked"] == [lenient]

    assert _gate(fraud, lenient_file)["passed"] is True
    gate = _gate(fraud, lenient_file, *strict_cli)
    assert gate["passed"] is False
    assert gate["checked"] == [strict]


def test_overriding_one_threshold_keeps_the_files_others(fraud: Path) -> None:
    config = "gate:\n  fail_under: 90\n  fail_on: critical\n  min_pillar:\n    data: 10\n"
    gate = _gate(fraud, config, "--fail-under", "10")
    assert gate["passed"] is True
    assert gate["checked"] == ["score ≥ 10", "data ≥ 10", "no new critical+ findings"]
    gate = _gate(fraud, config, "--fail-on", "high")
    assert gate["passed"] is False
    assert gate["checked"] == ["score ≥ 90", "data ≥ 10", "no new high+ findings"]
    assert len(gate["reasons"]) == 2  # the file's score threshold and the command line's fail-on


def _stdout(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """readycheck as a separate process, so standard output and standard error stay apart."""
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "CI")}
    return subprocess.run(
        [sys.executable, "-m", "readycheck", "scan", str(root), "--no-cache", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=root.parent,
        env=env,
    )


def test_format_sarif_without_output_writes_sarif_json_to_stdout(fraud: Path) -> None:
    result = _stdout(fraud, "--format", "sarif", "--fail-on", "high")
    assert result.returncode == 1, result.stderr  # the gate fails; stdout is still SARIF alone
    sarif = json.loads(result.stdout)
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    assert run["tool"]["driver"]["name"] == "readycheck"
    assert any(r["ruleId"].startswith("RC-") for r in run["results"])
    assert not (fraud / "readycheck.sarif").exists()


def test_format_junit_without_output_writes_junit_xml_to_stdout(fraud: Path) -> None:
    result = _stdout(fraud, "--format", "junit")
    assert result.returncode == 0, result.stderr
    root = ET.fromstring(result.stdout)
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert suites and all(suite.findall("testcase") for suite in suites)
    names = {case.get("name", "") for case in root.iter("testcase")}
    assert any("RC-SEC-" in name for name in names)
    assert root.find(".//failure") is not None
