"""HTTP API serving credit-risk decisions."""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Literal

import pandas as pd
from fastapi import Depends, FastAPI, HTTPException, Request, status
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, ConfigDict, Field

from credit_risk import audit, metrics
from credit_risk.explain import Explainer
from credit_risk.feedback import FeedbackStore
from credit_risk.logging_setup import configure_logging, request_id_var
from credit_risk.pipeline import load_model
from credit_risk.review_queue import ReviewQueueClient
from credit_risk.settings import Settings, get_settings

logger = logging.getLogger("credit_risk.api")
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)


class LoanApplication(BaseModel):
    model_config = ConfigDict(extra="forbid")

    applicant_age: int = Field(ge=18, le=100)
    annual_income: float = Field(ge=0, le=5_000_000)
    loan_amount: float = Field(ge=100, le=1_000_000)
    loan_term_months: Literal[12, 24, 36, 48, 60]
    employment_years: float = Field(ge=0, le=60)
    debt_to_income: float = Field(ge=0, le=1.5)
    credit_history_months: int = Field(ge=0, le=900)
    num_open_accounts: int = Field(ge=0, le=100)
    num_delinquencies_2y: int = Field(ge=0, le=50)
    home_ownership: Literal["rent", "own", "mortgage", "other"]
    loan_purpose: Literal["debt_consolidation", "home_improvement", "auto", "education", "medical", "other"]


class FeatureContribution(BaseModel):
    feature: str
    contribution: float


class RiskDecision(BaseModel):
    prediction_id: str
    probability: float | None = Field(description="P(default); null when the model is disabled")
    decision: Literal["approve", "decline", "manual_review"]
    model_version: str
    needs_review: bool
    explanation: list[FeatureContribution]


class Feedback(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prediction_id: str = Field(min_length=8, max_length=64)
    corrected_label: Literal["approve", "decline"]
    reviewer_id: str = Field(min_length=2, max_length=64)
    comment: str | None = Field(default=None, max_length=2000)


def verify_api_key(
    api_key: str | None = Depends(api_key_header),
    settings: Settings = Depends(get_settings),
) -> str:
    """Return a stable, non-secret caller id for the presented key."""
    if api_key and any(secrets.compare_digest(api_key, k.get_secret_value()) for k in settings.api_keys):
        return "key-" + hashlib.sha256(api_key.encode()).hexdigest()[:12]
    raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid or missing API key")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = get_settings()
    configure_logging(settings.log_level)
    app.state.model = None
    app.state.explainer = None
    try:  # load once per worker; /readyz stays 503 until this succeeds
        app.state.model = load_model(settings.model_path)
        app.state.explainer = Explainer(app.state.model)
        logger.info("model loaded", extra={"model_version": settings.model_version})
    except (OSError, ValueError):
        logger.exception("model failed to load", extra={"model_path": str(settings.model_path)})
    token = settings.review_queue_token.get_secret_value() if settings.review_queue_token else None
    app.state.review_queue = ReviewQueueClient(
        settings.review_queue_url, settings.review_outbox_path, token=token, timeout=settings.http_timeout
    )
    app.state.feedback_store = FeedbackStore(settings.feedback_store_path)
    metrics.MODEL_ENABLED.set(1 if settings.model_enabled else 0)
    yield
    app.state.review_queue.close()


app = FastAPI(title="credit-risk", version="1.4.2", lifespan=lifespan)
app.mount("/metrics", metrics.create_metrics_app())


@app.middleware("http")
async def request_context(request: Request, call_next):
    request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
    token = request_id_var.set(request_id)
    start = time.perf_counter()
    status_code = 500
    try:
        response = await call_next(request)
        status_code = response.status_code
        response.headers["X-Request-ID"] = request_id
        return response
    finally:
        route = getattr(request.scope.get("route"), "path", "unmatched")
        metrics.HTTP_REQUESTS.labels(request.method, route, str(status_code)).inc()
        logger.info(
            "request",
            extra={
                "route": route,
                "status": status_code,
                "duration_ms": round((time.perf_counter() - start) * 1000, 2),
            },
        )
        request_id_var.reset(token)


@app.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness: the process is up. Does not touch the model or dependencies."""
    return {"status": "ok"}


@app.get("/readyz")
def readyz(request: Request) -> dict[str, str]:
    """Readiness: only route traffic here once the model is loaded."""
    if request.app.state.model is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "model not loaded")
    return {"status": "ready"}


@app.post("/v1/predict", response_model=RiskDecision)
def predict(
    application: LoanApplication,
    request: Request,
    caller: str = Depends(verify_api_key),
    settings: Settings = Depends(get_settings),
) -> RiskDecision:
    prediction_id = uuid.uuid4().hex
    state = request.app.state
    inputs = application.model_dump()

    if not settings.model_enabled:  # kill switch: every case goes to a human
        result = RiskDecision(
            prediction_id=prediction_id,
            probability=None,
            decision="manual_review",
            model_version=settings.model_version,
            needs_review=True,
            explanation=[],
        )
        reason = "model_disabled"
    else:
        if state.model is None:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "model not loaded")
        frame = pd.DataFrame([inputs])
        with metrics.PREDICTION_LATENCY.time():
            probability = float(state.model.predict_proba(frame)[0, 1])
        if not math.isfinite(probability):
            logger.error("non-finite score for prediction %s", prediction_id)
            raise HTTPException(status.HTTP_500_INTERNAL_SERVER_ERROR, "model returned a non-finite score")
        needs_review = settings.review_band_low <= probability <= settings.review_band_high
        if needs_review:
            decision = "manual_review"
        else:
            decision = "decline" if probability > settings.review_band_high else "approve"
        result = RiskDecision(
            prediction_id=prediction_id,
            probability=round(probability, 4),
            decision=decision,
            model_version=settings.model_version,
            needs_review=needs_review,
            explanation=state.explainer.top_contributions(frame, k=3),
        )
        metrics.PREDICTED_PROBABILITY.observe(probability)
        reason = "low_confidence"

    if result.needs_review:
        metrics.ESCALATIONS.labels(reason=reason).inc()
        state.review_queue.enqueue(
            {
                "prediction_id": prediction_id,
                "reason": reason,
                "application": inputs,
                "model_output": result.model_dump(),
                "request_id": request_id_var.get(),
            }
        )

    metrics.PREDICTIONS.labels(decision=result.decision, model_version=settings.model_version).inc()
    audit.record_decision(
        request_id=request_id_var.get(),
        prediction_id=prediction_id,
        caller=caller,
        model_version=settings.model_version,
        inputs=inputs,
        output=result.model_dump(),
    )
    return result


@app.post("/v1/feedback", status_code=status.HTTP_202_ACCEPTED)
def feedback(item: Feedback, request: Request, caller: str = Depends(verify_api_key)) -> dict[str, str]:
    request.app.state.feedback_store.write({**item.model_dump(), "caller": caller, "request_id": request_id_var.get()})
    metrics.FEEDBACK.labels(corrected_label=item.corrected_label).inc()
    logger.info("feedback recorded", extra={"prediction_id": item.prediction_id, "reviewer_id": item.reviewer_id})
    return {"status": "accepted"}
