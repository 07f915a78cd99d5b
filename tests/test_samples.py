"""The sample projects are ordered as an ML platform engineer would order them, for the right reasons."""

from __future__ import annotations

import shutil

import pytest

from readycheck.model import Report, Status
from readycheck.pipeline import ScanOptions, scan
from readycheck.rulebook import Rulebook
from tests.conftest import SAMPLES, rule_result


@pytest.fixture(scope="module")
def reports(rulebook: Rulebook, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Report]:
    """Scan copies outside this repository, so its own git history cannot change the results."""
    copies = tmp_path_factory.mktemp("samples")
    found = {}
    for name in (
        "churn-pilot",
        "fraud-detector",
        "credit-risk-service",
        "support-bot-pilot",
        "rag-assistant-service",
    ):
        shutil.copytree(SAMPLES / name, copies / name)
        found[name] = scan(ScanOptions(path=copies / name), rulebook)
    return found


def _status(report: Report, rule_id: str) -> Status:
    return rule_result(report, rule_id).status


def _where(report: Report, rule_id: str) -> set[str]:
    result = rule_result(report, rule_id)
    return {str(f.location) for f in result.findings if f.location}


def test_pilot_scores_below_half_way_below_production(reports: dict[str, Report]) -> None:
    pilot, half_way, production = (
        reports["churn-pilot"],
        reports["fraud-detector"],
        reports["credit-risk-service"],
    )
    assert pilot.score < half_way.score < production.score
    assert pilot.level.id == "prototype"
    assert production.level.id == "production_ready"
    assert production.score >= 90


def test_samples_scan_without_warnings(reports: dict[str, Report]) -> None:
    for name, report in reports.items():
        assert report.warnings == (), name


def test_pilot_key_findings(reports: dict[str, Report]) -> None:
    pilot = reports["churn-pilot"]
    notebook = "notebooks/churn_model.ipynb"
    assert _status(pilot, "RC-SEC-001") is Status.FAIL
    assert all(where.startswith(f"{notebook} cell") for where in _where(pilot, "RC-SEC-001"))
    secret = rule_result(pilot, "RC-SEC-001").findings[0]
    assert "AKIAQYLPMN5HFIGVT3XQ" not in secret.snippet  # the secret itself is masked
    assert _status(pilot, "RC-SEC-002") is Status.FAIL  # pickle.load of the model
    assert _status(pilot, "RC-HYG-001") is Status.FAIL  # no tests
    assert _status(pilot, "RC-HYG-003") is Status.FAIL  # cells run out of order
    assert _status(pilot, "RC-HYG-004") is Status.FAIL  # !pip install in a cell
    assert _status(pilot, "RC-HYG-005") is Status.FAIL  # committed KeyError traceback
    assert _status(pilot, "RC-HYG-007") is Status.FAIL  # /Users/... and /home/... paths
    assert _status(pilot, "RC-INFRA-007") is Status.FAIL  # unpinned requirements


def test_half_way_key_findings(reports: dict[str, Report]) -> None:
    half_way = reports["fraud-detector"]
    for passing in ("RC-HYG-001", "RC-HYG-002", "RC-HYG-006", "RC-MON-001", "RC-MON-004"):
        assert _status(half_way, passing) is Status.PASS, passing
    assert _where(half_way, "RC-DATA-003") == {
        "src/fraud_detector/data.py:39"
    }  # requests.get, no timeout
    assert _where(half_way, "RC-SEC-002") == {"src/fraud_detector/predict.py:39"}  # joblib.load
    assert _status(half_way, "RC-INFRA-007") is Status.FAIL  # lower bounds only, no lock
    assert _status(half_way, "RC-MON-003") is Status.FAIL  # no drift monitoring
    assert _status(half_way, "RC-SEC-003") is Status.FAIL  # no model card


def test_production_service_passes_what_it_should(reports: dict[str, Report]) -> None:
    production = reports["credit-risk-service"]
    for rule_id in (
        "RC-DATA-001", "RC-DATA-002", "RC-INFRA-001", "RC-INFRA-003", "RC-INFRA-005", "RC-INFRA-006",
        "RC-MON-002", "RC-MON-003", "RC-MON-005", "RC-SEC-002", "RC-SEC-003", "RC-SEC-005",
        "RC-SEC-006", "RC-HITL-001", "RC-HITL-004", "RC-HITL-006",
    ):  # fmt: skip
        assert _status(production, rule_id) is Status.PASS, rule_id
    failing = [r.rule.id for r in production.results if r.status in (Status.FAIL, Status.PARTIAL)]
    assert failing == []


def test_the_llm_pilot_scores_far_below_the_llm_service(reports: dict[str, Report]) -> None:
    pilot, production = reports["support-bot-pilot"], reports["rag-assistant-service"]
    for report in (pilot, production):
        assert report.kind is not None and report.kind.id == "llm_app"
        assert report.checklist is not None and report.ml_test_score is None
    assert pilot.score < 25 < 85 <= production.score
    assert pilot.level.id == "prototype"
    assert production.level.id == "production_ready"


def test_llm_pilot_key_findings(reports: dict[str, Report]) -> None:
    pilot = reports["support-bot-pilot"]
    key = "sk-proj-Xq7Lm2Vt9Rb4Kw1Nz8Yc3Hd6Fp0Sg5Ju"
    where = _where(pilot, "RC-SEC-001")
    assert {"app/agent.py:11", "app/main.py:12"} < where
    assert any(w.startswith("notebooks/prototype.ipynb cell 3") for w in where)
    assert all(key not in f.snippet for f in rule_result(pilot, "RC-SEC-001").findings)
    assert _where(pilot, "RC-LLM-003") == {"app/agent.py:155", "app/main.py:43"}  # "gpt-4o"
    assert all("`gpt-4o`" in f.message for f in rule_result(pilot, "RC-LLM-003").findings)
    assert _where(pilot, "RC-LLM-007") == {"app/agent.py:136"}  # eval() of a tool argument
    assert _where(pilot, "RC-LLM-009") == {"app/agent.py:154"}  # while True around the model
    # the agent reads carriers' web pages and can e-mail and refund with no one approving
    assert _where(pilot, "RC-LLM-021") == {
        "app/agent.py:53",
        "app/agent.py:69",
    }  # at the tool names
    assert _where(pilot, "RC-LLM-022") == {"app/main.py:38"}  # the customer's e-mail in the prompt
    for missing in ("RC-LLM-001", "RC-LLM-004", "RC-LLM-005", "RC-LLM-008", "RC-LLM-010",
                    "RC-LLM-011", "RC-LLM-012", "RC-LLM-013", "RC-LLM-014", "RC-LLM-015",
                    "RC-SEC-007", "RC-HYG-001"):  # fmt: skip
        assert _status(pilot, missing) is Status.FAIL, missing


def test_llm_service_passes_every_llm_rule_that_applies(reports: dict[str, Report]) -> None:
    production = reports["rag-assistant-service"]
    llm_rules = [r for r in production.results if r.rule.id.startswith("RC-LLM")]
    assert len(llm_rules) == 23
    # the two hazards its safeguards cover (approval before acting, PII redaction) say so
    covered = {r.rule.id for r in llm_rules if (r.reason or "").startswith("covered:")}
    assert covered == {"RC-LLM-021", "RC-LLM-022"}
    assert all(r.status is Status.PASS for r in llm_rules if r.rule.id not in covered), [
        (r.rule.id, r.status.value) for r in llm_rules if r.status is not Status.PASS
    ]
