"""Suppressions in every form the README promises: inline in notebook cells, Dockerfiles and
YAML, and in the config, where an expired one or one without a reason hides nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from readycheck.cli import app
from tests.conftest import write_tree

runner = CliRunner()


@pytest.fixture(autouse=True)
def outside_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    """In GitHub Actions a gated scan also prints annotations on standard output."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


def _notebook(*cells: str) -> str:
    """A minimal nbformat 4 notebook whose code cells hold `cells`."""
    return json.dumps(
        {
            "cells": [
                {
                    "cell_type": "code",
                    "execution_count": index,
                    "id": f"cell{index}",
                    "metadata": {},
                    "outputs": [],
                    "source": source.splitlines(keepends=True),
                }
                for index, source in enumerate(cells, start=1)
            ],
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
            "nbformat": 4,
            "nbformat_minor": 5,
        },
        indent=1,
    )


def _report(root: Path, *args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["scan", str(root), "--no-cache", "--format", "json", *args])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)  # type: ignore[no-any-return]


def _findings(report: dict[str, Any], rule_id: str) -> list[dict[str, Any]]:
    return next(r["findings"] for r in report["results"] if r["rule_id"] == rule_id)


def _suppression_warnings(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [w for w in report["warnings"] if w["code"].startswith("suppression")]


def test_an_inline_ignore_in_a_notebook_cell_suppresses_only_that_cells_line(
    tmp_path: Path,
) -> None:
    notebook = _notebook(
        "import pickle\n",
        "# readycheck: ignore[RC-SEC-002] our own artefact, checksum verified above\n"
        "model = pickle.load(open('model.pkl', 'rb'))\n",
        "path = 'encoder.pkl'\nencoder = pickle.load(open(path, 'rb'))\n",  # also line 2
    )
    root = write_tree(tmp_path / "nb", {"notebooks/train.ipynb": notebook})
    report = _report(root)
    findings = {f["location"]["cell"]: f for f in _findings(report, "RC-SEC-002")}
    assert set(findings) == {2, 3}
    suppressed, open_finding = findings[2], findings[3]
    assert suppressed["location"]["path"] == "notebooks/train.ipynb"
    assert suppressed["suppression"]["reason"] == "our own artefact, checksum verified above"
    assert suppressed["suppression"]["source"] == "inline"
    assert suppressed["suppression"]["location"]["cell"] == 2
    assert suppressed["location"]["line"] == open_finding["location"]["line"] == 2
    assert suppressed["gating"] is False
    assert open_finding["suppression"] is None
    assert _suppression_warnings(report) == []


DOCKERFILE = """\
# readycheck: ignore[RC-INFRA-002] rebuilt nightly from our own hardened base
FROM acme/python-base:latest
WORKDIR /app
COPY . .
CMD ["gunicorn", "app:app"]
"""
TRAIN_DOCKERFILE = """\
FROM pytorch/pytorch
WORKDIR /train
COPY . .
ENTRYPOINT ["python", "train.py"]
"""


def test_an_inline_ignore_in_a_dockerfile_suppresses_only_its_from_line(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "img", {"Dockerfile": DOCKERFILE, "Dockerfile.train": TRAIN_DOCKERFILE}
    )
    report = _report(root, "--fail-on", "high")
    findings = {f["location"]["path"]: f for f in _findings(report, "RC-INFRA-002")}
    assert set(findings) == {"Dockerfile", "Dockerfile.train"}
    suppressed = findings["Dockerfile"]
    assert suppressed["location"]["line"] == 2
    assert suppressed["suppression"]["reason"] == "rebuilt nightly from our own hardened base"
    assert suppressed["suppression"]["location"] == {"path": "Dockerfile", "line": 1}
    assert findings["Dockerfile.train"]["suppression"] is None
    assert findings["Dockerfile.train"]["gating"] is True
    assert _suppression_warnings(report) == []


DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: churn-api
spec:
  replicas: 2
  selector:
    matchLabels: {app: churn-api}
  template:
    metadata:
      labels: {app: churn-api}
    spec:
      initContainers:
        - name: fetch-model
          image: amazon/aws-cli
      containers:
        - name: api
          image: ghcr.io/acme/churn-api:latest  # readycheck: ignore[RC-INFRA-010] dev cluster only, until: 2999-12-31
"""


def test_an_inline_ignore_in_a_kubernetes_manifest_suppresses_only_that_image(
    tmp_path: Path,
) -> None:
    root = write_tree(tmp_path / "k8s", {"deploy/deployment.yaml": DEPLOYMENT})
    report = _report(root)
    findings = {f["location"]["line"]: f for f in _findings(report, "RC-INFRA-010")}
    assert set(findings) == {15, 18}
    suppressed = findings[18]
    assert suppressed["suppression"]["reason"] == "dev cluster only"
    assert suppressed["suppression"]["until"] == "2999-12-31"
    assert suppressed["suppression"]["location"] == {"path": "deploy/deployment.yaml", "line": 18}
    assert findings[15]["suppression"] is None
    assert _suppression_warnings(report) == []


SERVICE = """\
import joblib

model = joblib.load("models/model.joblib")
"""


def _gate_reasons(report: dict[str, Any]) -> str:
    """What the gate failed on (the repository has other high findings: no tests, no CI)."""
    return " ".join(report["gate"]["reasons"])


def _config_suppression(tmp_path: Path, entry: str) -> dict[str, Any]:
    root = write_tree(
        tmp_path / "svc",
        {"app/model.py": SERVICE, ".readycheck.yml": f"suppressions:\n{entry}"},
    )
    return _report(root, "--fail-on", "high")


def test_a_config_suppression_with_a_reason_and_a_future_date_applies(tmp_path: Path) -> None:
    report = _config_suppression(
        tmp_path,
        "  - rule: RC-SEC-002\n    path: app/*.py\n    reason: signed registry artefact\n"
        "    until: 2999-12-31\n",
    )
    (finding,) = _findings(report, "RC-SEC-002")
    assert finding["suppression"]["source"] == "config"
    assert finding["suppression"]["reason"] == "signed registry artefact"
    assert finding["suppression"]["location"]["path"].endswith(".readycheck.yml")
    assert _suppression_warnings(report) == []
    assert "RC-SEC-002" not in _gate_reasons(report)


def test_an_expired_config_suppression_stops_applying_and_is_reported(tmp_path: Path) -> None:
    report = _config_suppression(
        tmp_path,
        "  - rule: RC-SEC-002\n    path: app/*.py\n    reason: signed registry artefact\n"
        "    until: 2000-01-01\n",
    )
    (finding,) = _findings(report, "RC-SEC-002")
    assert finding["suppression"] is None
    assert finding["gating"] is True
    (warning,) = _suppression_warnings(report)
    assert warning["code"] == "suppression-expired"
    assert "RC-SEC-002" in warning["message"] and "2000-01-01" in warning["message"]
    assert warning["path"].endswith(".readycheck.yml")
    assert "RC-SEC-002" in _gate_reasons(report)


def test_a_config_suppression_without_a_reason_is_ignored_and_reported(tmp_path: Path) -> None:
    report = _config_suppression(tmp_path, "  - rule: RC-SEC-002\n    path: app/*.py\n")
    (finding,) = _findings(report, "RC-SEC-002")
    assert finding["suppression"] is None
    (warning,) = _suppression_warnings(report)
    assert warning["code"] == "suppression-no-reason"
    assert "RC-SEC-002" in warning["message"]
    assert "RC-SEC-002" in _gate_reasons(report)


def test_a_config_suppression_with_a_blank_reason_counts_as_none(tmp_path: Path) -> None:
    report = _config_suppression(
        tmp_path, '  - rule: RC-SEC-002\n    path: app/*.py\n    reason: "   "\n'
    )
    assert _findings(report, "RC-SEC-002")[0]["suppression"] is None
    assert [w["code"] for w in _suppression_warnings(report)] == ["suppression-no-reason"]


def test_a_suppression_is_read_from_comments_only_never_from_strings_or_prose(
    tmp_path: Path,
) -> None:
    """A docstring that documents the syntax, a YAML value or a README that quotes it
    neither suppresses anything nor raises a warning about an unused suppression."""
    root = write_tree(
        tmp_path / "repo",
        {
            "README.md": "Accept a finding with `# readycheck: ignore[RC-SEC-002] reason`.\n",
            "src/load.py": (
                '"""Loading models.\n\n'
                "    model = pickle.load(f)  # readycheck: ignore[RC-SEC-002] explained here\n"
                '"""\n'
                "import pickle\n\n"
                'NOTE = "# readycheck: ignore[RC-SEC-002] not a comment"\n'
                "model = pickle.load(open('m.pkl', 'rb'))\n"
            ),
            "deploy.yaml": 'message: "# readycheck: ignore[RC-SEC-002] a value"\n',
        },
    )
    report = _report(root)
    (finding,) = _findings(report, "RC-SEC-002")
    assert finding["suppression"] is None
    assert _suppression_warnings(report) == []


def test_a_comment_after_code_in_a_notebook_cell_still_suppresses(tmp_path: Path) -> None:
    cell = "import pickle\nmodel = pickle.load(open('m.pkl', 'rb'))  # readycheck: ignore[RC-SEC-002] our own artefact\n"
    root = write_tree(tmp_path / "repo", {"explore.ipynb": _notebook(cell)})
    (finding,) = _findings(_report(root), "RC-SEC-002")
    assert finding["suppression"]["reason"] == "our own artefact"
