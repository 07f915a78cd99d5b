"""A pull request cannot quietly weaken its own gate: with --since, every change to the
gate settings and suppressions is shown, and --fail-on-weaker-gate fails on a weakening."""

from __future__ import annotations

import io
import json
from pathlib import Path

import git
import jsonschema
from rich.console import Console
from typer.testing import CliRunner

from readycheck.cli import app
from readycheck.gate import GateOptions
from readycheck.model import Report
from readycheck.pipeline import ScanOptions, scan
from readycheck.renderers import json_report, markdown, terminal
from tests.conftest import write_tree

SERVICE = """\
import pickle

from fastapi import FastAPI

app = FastAPI()
model = pickle.load(open("model.pkl", "rb"))


@app.post("/predict")
def predict(row: dict) -> dict:
    return {"score": float(model.predict_proba([list(row.values())])[0, 1])}
"""
STRICT = """\
gate:
  fail_under: 60
  fail_on: high
rules:
  disable: []
suppressions:
  - rule: RC-INFRA-003
    reason: the platform probes the port
"""
LOOSE = """\
gate:
  fail_under: 10
rules:
  disable: [RC-SEC-002]
suppressions:
  - rule: RC-INFRA-003
    reason: the platform probes the port
  - rule: RC-SEC-007
    reason: internal network only
  - rule: RC-DATA-002
    reason: later
"""


def _repository(root: Path, config: str) -> git.Repo:
    write_tree(root, {"app/main.py": SERVICE, ".readycheck.yml": config})
    repo = git.Repo.init(root, initial_branch="main")
    with repo.config_writer() as writer:
        writer.set_value("user", "name", "Dev")
        writer.set_value("user", "email", "dev@example.com")
    repo.index.add(["app/main.py", ".readycheck.yml"])
    repo.index.commit("service with a strict gate")
    repo.git.checkout("-b", "feature")
    return repo


def _loosened(tmp_path: Path) -> Path:
    """A repository whose feature branch relaxes the strict gate of main."""
    root = tmp_path / "svc"
    repo = _repository(root, STRICT)
    (root / ".readycheck.yml").write_text(LOOSE)
    repo.index.add([".readycheck.yml"])
    repo.index.commit("relax the gate")
    return root


def _scan(root: Path, fail_on_weaker_gate: bool = False) -> Report:
    options = ScanOptions(
        path=root, since="main", gate=GateOptions(fail_on_weaker_gate=fail_on_weaker_gate)
    )
    return scan(options)


def test_a_change_that_loosens_its_config_lists_every_weakening(tmp_path: Path) -> None:
    root = _loosened(tmp_path)

    report = _scan(root)
    weakening = {c.text for c in report.policy_changes if c.weakens}
    assert weakening == {
        "lowers fail_under from 60 to 10",
        "removes fail_on (was high)",
        "disables RC-SEC-002",
        "adds 2 suppressions",
    }
    assert all(c.where == str(root / ".readycheck.yml") for c in report.policy_changes)
    # shown, not enforced, unless asked for
    assert report.gate is not None and report.gate.passed is False  # fail_under 10 still fails
    summary = markdown.render(report)
    assert "This change weakens its own gate" in summary
    assert "lowers fail\\_under from 60 to 10" in summary  # Markdown escapes the underscore


def test_fail_on_weaker_gate_fails_the_change_and_says_why(tmp_path: Path) -> None:
    root = tmp_path / "svc"
    repo = _repository(root, STRICT.replace("fail_under: 60", "fail_under: 0"))
    (root / ".readycheck.yml").write_text(
        STRICT.replace("fail_under: 60", "fail_under: 0").replace(
            "disable: []", "disable: [RC-SEC-002]"
        )
    )
    repo.index.add([".readycheck.yml"])
    repo.index.commit("turn off the pickle rule")

    assert _scan(root).gate is not None
    gate = _scan(root, fail_on_weaker_gate=True).gate
    assert gate is not None and not gate.passed
    assert any("weakens its own gate: disables RC-SEC-002" in r for r in gate.reasons)


def test_a_change_that_tightens_the_gate_is_shown_and_passes(tmp_path: Path) -> None:
    root = tmp_path / "svc"
    repo = _repository(root, STRICT.replace("fail_under: 60", "fail_under: 0"))
    (root / ".readycheck.yml").write_text(
        STRICT.replace("fail_under: 60", "fail_under: 5").replace(
            "fail_on: high", "fail_on: medium"
        )
    )
    repo.index.add([".readycheck.yml"])
    repo.index.commit("raise the bar")
    report = _scan(root, fail_on_weaker_gate=True)
    assert {(c.text, c.weakens) for c in report.policy_changes} == {
        ("raises fail_under from 0 to 5", False),
        ("changes fail_on from high to medium", False),
    }
    assert report.gate is not None
    assert not any("weakens" in reason for reason in report.gate.reasons)


def test_an_inline_suppression_added_by_the_change_counts(tmp_path: Path) -> None:
    root = tmp_path / "svc"
    repo = _repository(root, "gate:\n  fail_on: critical\n")
    (root / "app/main.py").write_text(
        SERVICE.replace(
            'model = pickle.load(open("model.pkl", "rb"))',
            'model = pickle.load(open("model.pkl", "rb"))  # readycheck: ignore[RC-SEC-002] trusted',
        )
    )
    repo.index.add(["app/main.py"])
    repo.index.commit("silence the pickle finding")
    report = _scan(root, fail_on_weaker_gate=True)
    assert [(c.text, c.weakens) for c in report.policy_changes] == [
        ("adds 1 inline suppression", True)
    ]
    assert report.gate is not None and not report.gate.passed


def test_a_config_added_by_the_change_is_compared_with_none(tmp_path: Path) -> None:
    root = tmp_path / "svc"
    write_tree(root, {"app/main.py": SERVICE})
    repo = git.Repo.init(root, initial_branch="main")
    with repo.config_writer() as writer:
        writer.set_value("user", "name", "Dev")
        writer.set_value("user", "email", "dev@example.com")
    repo.index.add(["app/main.py"])
    repo.index.commit("service")
    repo.git.checkout("-b", "feature")
    (root / ".readycheck.yml").write_text("rules:\n  disable: [RC-SEC-002]\n")
    report = _scan(root)
    assert [(c.text, c.weakens) for c in report.policy_changes] == [("disables RC-SEC-002", True)]


def test_the_json_report_carries_the_changes_and_matches_its_schema(tmp_path: Path) -> None:
    root = _loosened(tmp_path)
    document = json.loads(json_report.render(_scan(root)))
    schema = json.loads(
        (Path(__file__).parent.parent / "readycheck/schemas/report.schema.json").read_text()
    )
    jsonschema.validate(document, schema)
    assert document["since"] == "main"
    assert {"text": "disables RC-SEC-002", "weakens": True} in [
        {k: c[k] for k in ("text", "weakens")} for c in document["policy_changes"]
    ]


def test_without_since_no_comparison_is_made(tmp_path: Path) -> None:
    root = _loosened(tmp_path)
    report = scan(ScanOptions(path=root))
    assert report.policy_changes == () and report.since is None


def test_the_terminal_report_lists_the_changes_weakening_first(tmp_path: Path) -> None:
    root = _loosened(tmp_path)
    console = Console(file=io.StringIO(), width=200, color_system=None)
    terminal.render(_scan(root), console)
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert "Gate settings changed since main" in output
    assert "▼ weakens: lowers fail_under from 60 to 10" in output


def test_the_cli_fails_a_weaker_gate_and_annotates_the_config_in_github_actions(
    tmp_path: Path,
) -> None:
    root = tmp_path / "svc"
    repo = _repository(root, STRICT.replace("fail_under: 60", "fail_under: 0"))
    (root / ".readycheck.yml").write_text(
        STRICT.replace("fail_under: 60", "fail_under: 0").replace(
            "disable: []", "disable: [RC-SEC-002]"
        )
    )
    repo.index.add([".readycheck.yml"])
    repo.index.commit("turn off the pickle rule")
    runner = CliRunner()
    shown = runner.invoke(app, ["scan", str(root), "--since", "main", "--no-cache"])
    assert "▼ weakens: disables RC-SEC-002" in shown.output
    result = runner.invoke(
        app,
        [
            "scan",
            str(root),
            "--since",
            "main",
            "--fail-on-weaker-gate",
            "--no-cache",
            "-f",
            "github",
        ],
        env={"GITHUB_ACTIONS": "true"},
    )
    assert result.exit_code == 1
    assert (
        "::error title=readycheck%3A this change weakens its own gate,file=.readycheck.yml::"
        "disables RC-SEC-002"
    ) in result.output


def test_fail_on_weaker_gate_without_since_is_a_usage_error(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "svc", {"app/main.py": SERVICE})
    result = CliRunner().invoke(app, ["scan", str(root), "--fail-on-weaker-gate"])
    assert result.exit_code == 2
    assert "give --since REF" in result.output
