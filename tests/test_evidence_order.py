"""A pass shows its most telling evidence first: the route that predicts, before the
routes that list, count or export stored predictions (precision round 39 judged passes
false whose first evidence was a statistics route)."""

from __future__ import annotations

from readycheck.model import Status
from tests.conftest import Scan, rule_result

ROUTES = """\
import joblib
from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from app.security import verify_token

router = APIRouter()
model = joblib.load("models/loan.joblib")


class PredictionInput(BaseModel):
    income: float
    debt: float


@router.get("/predictions/stats")
def get_prediction_stats(days: int = Query(7, ge=1, le=90), user=Depends(verify_token)) -> dict:
    return {"days": days, "count": 0}


@router.post("/predict")
def predict(input_data: PredictionInput, user=Depends(verify_token)) -> dict:
    return {"approved": int(model.predict([[input_data.income, input_data.debt]])[0])}
"""

SECURITY = """\
from fastapi import Header, HTTPException


def verify_token(authorization: str = Header(...)) -> str:
    if authorization != "Bearer secret-from-env":
        raise HTTPException(status_code=401, detail="invalid token")
    return authorization
"""


def test_the_predicting_route_is_shown_before_a_statistics_route(scan_tree: Scan) -> None:
    report = scan_tree(
        {
            "requirements.txt": "fastapi==0.115.0\nscikit-learn==1.5.1\njoblib==1.4.2\n",
            "app/routes.py": ROUTES,
            "app/security.py": SECURITY,
        }
    )
    for rule_id in ("RC-DATA-002", "RC-SEC-007"):
        result = rule_result(report, rule_id)
        assert result.status is Status.PASS, rule_id
        first = result.evidence[0]
        assert first.location is not None and first.location.line in (21, 22), (  # /predict
            rule_id,
            [(e.location, e.detail) for e in result.evidence],
        )


_SERVICE_LOGGER = """\
import logging

import joblib
from fastapi import FastAPI

logger = logging.getLogger(__name__)
app = FastAPI()
model = joblib.load("models/loan.joblib")


@app.post("/predict")
def predict(income: float) -> dict:
    logger.info("scoring an application")
    return {"approved": int(model.predict([[income]])[0])}
"""

_BENCHMARK = """\
import logging
import time

logging.basicConfig(level=logging.INFO)


def run() -> None:
    started = time.perf_counter()
    logging.info("took %.2f s", time.perf_counter() - started)
"""


def test_a_pass_shows_the_service_s_logger_before_a_benchmark_script_s(scan_tree: Scan) -> None:
    """DCC-BS/bentoml-faster-whisper (round 44): the service logs through its own
    loggers, but the pass quoted two benchmark scripts' basicConfig, the form the rule
    lists first; every form that holds is evidence now, the product's first."""
    report = scan_tree(
        {
            "requirements.txt": "fastapi==0.115.0\nscikit-learn==1.5.1\njoblib==1.4.2\n",
            "app/main.py": _SERVICE_LOGGER,
            "tools/benchmark.py": _BENCHMARK,
        }
    )
    result = rule_result(report, "RC-MON-001")
    assert result.status is Status.PASS
    first = result.evidence[0].location
    assert first is not None and first.path == "app/main.py"
