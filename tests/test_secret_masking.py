"""A secret found in the repository is reported, never repeated: every output masks it."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from typer.testing import CliRunner

from readycheck.cli import app
from readycheck.model import Report
from readycheck.renderers import renderer
from tests.conftest import rule_result, write_tree

Scan = Callable[[Mapping[str, str | bytes]], Report]

TOKEN = "hf_q8ZrT4vXk2LmN9pW3sYbC7dE"
PASSWORD = "s3cr3t-Pa55word-2026"
#: Starts near the end of a long line, where a snippet is clipped: masking after clipping
#: would leave its first characters showing.
CLIPPED = "Zq7Wn2Lp9Xv4Rt6Ys1Ku8Jm3Hb5"
#: What bandit's B105 quotes in its own message: a DagsHub token given to MLflow.
QUOTED = "c1ad859eaa3a688b39a56b84cb949867dd3db53d"
#: A compose service's environment (RC-SEC-018).
COMPOSED = "fs-4f9a1c7e2b6d8e0a"
SECRETS = (TOKEN, PASSWORD, CLIPPED, QUOTED, COMPOSED)

REPOSITORY = {
    "Dockerfile": (
        "FROM python:3.11-slim\n"
        f"ARG HF_TOKEN={TOKEN}\n"
        f"ENV DB_PASSWORD={PASSWORD}\n"
        "ENV TOKENIZERS_PARALLELISM=false\n"
        "ENV MLFLOW_TRACKING_URI=https://mlflow.acme.internal/api/2.0/mlflow/experiments/churn"
        "-model-weekly-retraining-pipeline "
        f"MLFLOW_TRACKING_PASSWORD={CLIPPED}\n"
        'CMD ["uvicorn", "app:app", "--host", "0.0.0.0"]\n'
    ),
    "app.py": "from fastapi import FastAPI\napp = FastAPI()\n",
    "src/register.py": (
        "import os\n\nimport mlflow\n\n"
        'os.environ["MLFLOW_TRACKING_USERNAME"] = "churn-bot"\n'
        f'os.environ["MLFLOW_TRACKING_PASSWORD"] = "{QUOTED}"\n'
        'mlflow.set_tracking_uri("https://dagshub.com/acme/churn.mlflow")\n'
    ),
    "docker-compose.yml": (
        "services:\n  api:\n    build: .\n    environment:\n"
        f"      FEATURE_STORE_API_KEY: {COMPOSED}\n"
    ),
}


def _shown(report: Report, rule_id: str) -> list[str]:
    result = rule_result(report, rule_id)
    return [f"{f.message} {f.snippet}" for f in result.findings]


def _repeats(text: str, secret: str) -> bool:
    """Whether text holds more of a secret than its first four characters."""
    return any(secret[start : start + 5] in text for start in range(len(secret) - 4))


def test_dockerfile_secrets_are_reported_with_their_values_masked(scan_tree: Scan) -> None:
    report = scan_tree(REPOSITORY)
    shown = _shown(report, "RC-SEC-012")
    assert len(shown) == 3  # token, password, tracking password; TOKENIZERS_PARALLELISM is none
    assert any("HF_TOKEN" in text for text in shown)
    for text in shown:
        assert not any(_repeats(text, secret) for secret in SECRETS), text


def test_bandits_quoted_password_is_masked_in_its_message_and_snippet(scan_tree: Scan) -> None:
    (shown,) = _shown(scan_tree(REPOSITORY), "RC-SEC-009")
    assert "Possible hardcoded password: 'c1ad********'" in shown
    assert 'os.environ["MLFLOW_TRACKING_PASSWORD"] = "c1ad********"' in shown
    assert not _repeats(shown, QUOTED)


def test_config_secrets_are_masked(scan_tree: Scan) -> None:
    (shown,) = _shown(scan_tree(REPOSITORY), "RC-SEC-018")
    assert shown.endswith("FEATURE_STORE_API_KEY: fs-4********")


@pytest.mark.parametrize("name", ["json", "sarif", "junit", "markdown", "html", "github"])
def test_no_output_format_repeats_the_secret(scan_tree: Scan, name: str) -> None:
    output = renderer(name)(scan_tree(REPOSITORY))
    if name == "json":
        output = json.dumps(json.loads(output))
    for secret in SECRETS:
        assert not _repeats(output, secret), secret


def test_the_terminal_report_does_not_repeat_the_secret(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", REPOSITORY)
    result = CliRunner().invoke(app, ["scan", str(root), "--no-cache", "--verbose"])
    assert "RC-SEC-009" in result.output and "RC-SEC-018" in result.output
    for secret in SECRETS:
        assert not _repeats(result.output, secret), secret
