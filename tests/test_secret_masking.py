"""A secret found in the repository is reported, never repeated: every output masks it."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

import pytest

from readycheck.model import Report
from readycheck.renderers import renderer

Scan = Callable[[Mapping[str, str | bytes]], Report]

TOKEN = "hf_q8ZrT4vXk2LmN9pW3sYbC7dE"
PASSWORD = "s3cr3t-Pa55word-2026"

REPOSITORY = {
    "Dockerfile": (
        "FROM python:3.11-slim\n"
        f"ARG HF_TOKEN={TOKEN}\n"
        f"ENV DB_PASSWORD={PASSWORD}\n"
        "ENV TOKENIZERS_PARALLELISM=false\n"
        'CMD ["uvicorn", "app:app", "--host", "0.0.0.0"]\n'
    ),
    "app.py": "from fastapi import FastAPI\napp = FastAPI()\n",
}


def _sec012(report: Report) -> list[str]:
    result = next(r for r in report.results if r.rule.id == "RC-SEC-012")
    return [f"{f.message} {f.snippet}" for f in result.findings]


def test_dockerfile_secrets_are_reported_with_their_values_masked(scan_tree: Scan) -> None:
    report = scan_tree(REPOSITORY)
    shown = _sec012(report)
    assert len(shown) == 2  # the token and the password; TOKENIZERS_PARALLELISM is no secret
    assert any("HF_TOKEN" in text for text in shown)
    for text in shown:
        assert TOKEN not in text and PASSWORD not in text


@pytest.mark.parametrize("name", ["json", "sarif", "junit", "markdown", "html", "github"])
def test_no_output_format_repeats_the_secret(scan_tree: Scan, name: str) -> None:
    output = renderer(name)(scan_tree(REPOSITORY))
    if name == "json":
        output = json.dumps(json.loads(output))
    assert TOKEN not in output
    assert PASSWORD not in output
