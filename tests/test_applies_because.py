"""A finding about a practice missing from the whole repository has no line of its own, so
the report says where the rule's applies_when facts were seen: that is its "where"."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping

from rich.console import Console

from readycheck.model import Report, RuleResult, Status
from readycheck.renderers import html, json_report, sarif, terminal
from tests.conftest import rule_result

Scan = Callable[[Mapping[str, str | bytes]], Report]

CLIENT = (
    '"""Fetch features from the feature service."""\n'
    "from __future__ import annotations\n"
    "\n"
    "import requests\n"
    "\n"
    "\n"
    "def features(customer: str) -> dict[str, float]:\n"
    '    response = requests.get(f"https://features.internal/{customer}", timeout=2)\n'
    "    response.raise_for_status()\n"
    "    return response.json()\n"
)
SERVING = {
    "README.md": "# Scoring service\n",
    "src/scoring/client.py": CLIENT,
    "Dockerfile": 'FROM python:3.12-slim\nCOPY . /app\nCMD ["gunicorn", "scoring.app:app"]\n',
    "src/scoring/app.py": (
        "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        '@app.post("/predict")\ndef predict(row: dict) -> dict:\n    return {"score": 0.5}\n'
    ),
}


def _result(report: Report, rule_id: str) -> RuleResult:
    return rule_result(report, rule_id)


def test_a_missing_practice_names_the_fact_that_asks_for_it_and_where(scan_tree: Scan) -> None:
    retry = _result(scan_tree(SERVING), "RC-INFRA-011")
    assert retry.status is Status.FAIL
    assert [f.location for f in retry.findings] == [None]
    (because,) = retry.applies_because
    assert because.detail == "the code calls remote HTTP services"
    assert because.location is not None
    assert (because.location.path, because.location.line) == ("src/scoring/client.py", 4)


def test_a_rule_for_one_kind_of_repository_names_the_kind_and_where_it_was_seen(
    scan_tree: Scan,
) -> None:
    health = _result(scan_tree(SERVING), "RC-INFRA-003")  # judges online services only
    assert health.status is Status.FAIL
    (because,) = health.applies_because
    assert because.detail.startswith("the repository is an online service (it serves predictions")
    assert because.location is not None and because.location.path == "src/scoring/app.py"


def test_a_rule_that_does_not_judge_this_kind_of_repository_says_so(scan_tree: Scan) -> None:
    publish = "on: [release]\njobs:\n  pypi:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: pypa/gh-action-pypi-publish@release/v1\n"
    library = {"src/tabular/encoders.py": "def encode(x):\n    return x\n",
               ".github/workflows/release.yml": publish}  # fmt: skip
    health = _result(scan_tree(library), "RC-INFRA-003")
    assert health.status is Status.NOT_APPLICABLE and health.applies_because == ()
    assert health.reason == "it does not judge a library or project template"


def test_a_rule_of_one_kind_says_which_kind_it_is_for(scan_tree: Scan) -> None:
    """An LLM rule on a prediction service: "it does not judge an online service" read as
    if the service were at fault; the reason says what the rule is for."""
    timeouts = _result(scan_tree(SERVING), "RC-LLM-001")
    assert timeouts.status is Status.NOT_APPLICABLE
    assert timeouts.reason == "it judges only an LLM application or agent, not an online service"


def test_every_report_format_carries_it(scan_tree: Scan) -> None:
    report = scan_tree(SERVING)
    data = json_report.to_dict(report)
    retry = next(r for r in data["results"] if r["rule_id"] == "RC-INFRA-011")
    assert retry["applies_because"] == [
        {
            "detail": "the code calls remote HTTP services",
            "location": {"path": "src/scoring/client.py", "line": 4},
            "snippet": "import requests",
        }
    ]

    out = io.StringIO()
    terminal.render(report, Console(file=out, width=200, color_system=None))
    assert (
        "applies because the code calls remote HTTP services (src/scoring/client.py:4)"
        in out.getvalue()
    )

    page = html.render(report)
    assert (
        'It applies because the code calls remote HTTP services, seen at <code class="loc">src/scoring/client.py:4</code>'
        in page
    )

    results = sarif.to_dict(report)["runs"][0]["results"]
    message = next(r for r in results if r["ruleId"] == "RC-INFRA-011")["message"]["text"]
    assert (
        "It applies because the code calls remote HTTP services (src/scoring/client.py:4)."
        in message
    )
