"""The same practice written another common way still counts: each test pins one
alternative form of evidence beside the one the rule case already covers."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping

import pytest
from rich.console import Console

from readycheck.model import Report, Status
from readycheck.renderers import html, terminal
from tests.conftest import rule_result

Scan = Callable[[Mapping[str, str | bytes]], Report]

SERVICE = """\
import joblib
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()
model = joblib.load("model.joblib")


class Features(BaseModel):
    tenure: int


@app.post("/predict")
def predict(features: Features) -> dict:
    return {"score": float(model.predict_proba([[features.tenure]])[0, 1])}
"""

TRAIN = """\
from sklearn.linear_model import LogisticRegression


def train(x, y):
    return LogisticRegression().fit(x, y)
"""

VARIANTS = {
    "RC-DATA-001": """\
import pandera as pa
from pandera.typing import Series


class Customers(pa.DataFrameModel):
    tenure: Series[int]
    monthly_charges: Series[float]


def load(frame):
    return Customers.validate(frame)
""",
    "RC-MON-003": """\
from scipy.stats import ks_2samp


def drifted(reference, live, alpha: float) -> bool:
    return ks_2samp(reference, live).pvalue < alpha
""",
    "RC-MON-013": """\
from pydantic import BaseModel, ConfigDict


class Scores(BaseModel):
    model_config = ConfigDict(allow_inf_nan=False)
    probability: float
""",
    "RC-HITL-009": """\
from prometheus_client import Counter

ESCALATIONS = Counter("triage_escalations", "Predictions sent to a person for review")
""",
}


@pytest.mark.parametrize("rule_id", sorted(VARIANTS))
def test_alternative_evidence_passes_the_rule(scan_tree: Scan, rule_id: str) -> None:
    files = {"src/svc/app.py": SERVICE, "src/svc/train.py": TRAIN}
    before = next(r for r in scan_tree(files).results if r.rule.id == rule_id)
    assert before.status is Status.FAIL
    files["src/svc/practice.py"] = VARIANTS[rule_id]
    after = next(r for r in scan_tree(files).results if r.rule.id == rule_id)
    assert after.status is Status.PASS, [f.message for f in after.findings]


def test_fairness_across_groups_is_asked_only_of_models_about_people(scan_tree: Scan) -> None:
    sensors = """\
import pandas as pd
from sklearn.ensemble import IsolationForest


def train(path: str) -> IsolationForest:
    readings = pd.read_parquet(path)[["vibration_rms", "bearing_temp_c", "rpm"]]
    return IsolationForest(random_state=7).fit(readings)
"""
    machines = next(
        r for r in scan_tree({"src/pm/train.py": sensors}).results if r.rule.id == "RC-HITL-010"
    )
    assert machines.status is Status.NOT_APPLICABLE
    people = sensors.replace('"rpm"]', '"rpm", "customer_id"]')
    customers = next(
        r for r in scan_tree({"src/pm/train.py": people}).results if r.rule.id == "RC-HITL-010"
    )
    assert customers.status is Status.FAIL


def test_a_blocked_practice_already_in_the_code_says_where_it_is(scan_tree: Scan) -> None:
    """Blocked by a missing delivery path, a practice is not credited; but where its own
    evidence was seen the finding must not read as if it were missing (round 37: a
    reviewer judged "it needs RC-INFRA-017 first" false beside an audit log in the code)."""
    training = {
        "requirements.txt": "scikit-learn==1.5.1\n",
        "src/train.py": (
            "from sklearn.linear_model import LogisticRegression\n\n\n"
            "def train(X, y):\n    return LogisticRegression().fit(X, y)\n"
        ),
    }
    without = scan_tree(training)  # first: both scans write into the same folder
    with_log = scan_tree(
        {
            **training,
            "src/audit.py": "def log_prediction(record: dict) -> None:\n    print(record)\n",
        }
    )
    seen, missing = rule_result(with_log, "RC-SEC-017"), rule_result(without, "RC-SEC-017")
    assert seen.blocked_by == missing.blocked_by == "RC-INFRA-017"
    assert "already in the code (src/audit.py:1)" in (seen.reason or "")
    assert seen.waiting_at is not None and str(seen.waiting_at) == "src/audit.py:1"
    assert "already" not in (missing.reason or "") and missing.waiting_at is None
    out = io.StringIO()
    terminal.render(with_log, Console(file=out, width=240, color_system=None))
    assert "RC-SEC-017" in out.getvalue()
    assert "already in the code at src/audit.py:1" in out.getvalue()
    assert "Already in the code at src/audit.py:1" in html.render(with_log)
