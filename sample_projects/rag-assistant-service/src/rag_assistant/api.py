"""HTTP API of the support assistant."""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request, status
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader
from pydantic import SecretStr
from redis import Redis, RedisError

from rag_assistant import __version__, audit, metrics
from rag_assistant.agent import SupportAgent, Toolbox
from rag_assistant.assistant import Assistant, InputTooLargeError
from rag_assistant.guardrails import Guardrails
from rag_assistant.human_review import (
    ActionNotFoundError,
    ActionNotPendingError,
    ApprovalQueue,
    FeedbackStore,
    HelpdeskClient,
    PendingAction,
)
from rag_assistant.llm import LLMClient, build_openai_client
from rag_assistant.prompts import PromptRegistry
from rag_assistant.quotas import RateLimiter, TokenBudget
from rag_assistant.redaction import Redactor
from rag_assistant.retrieval import Retriever, connect_collection
from rag_assistant.schemas import ActionDecision, ChatRequest, ChatResponse, FeedbackRequest
from rag_assistant.settings import Settings, get_settings
from rag_assistant.telemetry import configure_logging, configure_tracing, instrument_app, request_id_var

logger = logging.getLogger("rag_assistant.api")

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)
reviewer_key_header = APIKeyHeader(name="X-Reviewer-Key", auto_error=False)


@dataclass
class Services:
    assistant: Assistant
    rate_limiter: RateLimiter
    approvals: ApprovalQueue
    toolbox: Toolbox
    feedback: FeedbackStore
    redis: Redis

    def close(self) -> None:
        self.toolbox.close()
        self.assistant.helpdesk.close()
        self.redis.close()


def build_services(settings: Settings) -> Services:
    """Production wiring; tests pass their own factory to ``create_app``."""
    prompts = PromptRegistry.load(settings.prompts_dir, settings.prompt_versions)
    llm = LLMClient(build_openai_client(settings), settings)
    redis = Redis.from_url(settings.redis_url, socket_timeout=2, socket_connect_timeout=2, health_check_interval=30)
    token = settings.service_token.get_secret_value() if settings.service_token else None
    helpdesk = HelpdeskClient(settings.helpdesk_url, token, settings.http_timeout_seconds, settings.handoff_outbox_path)
    approvals = ApprovalQueue(redis, helpdesk)
    toolbox = Toolbox(settings)
    assistant = Assistant(
        settings=settings,
        prompts=prompts,
        redactor=Redactor(settings.spacy_model, settings.pii_score_threshold),
        guardrails=Guardrails(llm, settings.allowed_link_hosts),
        retriever=Retriever(
            connect_collection(settings), llm.embed, settings.retrieval_top_k, settings.retrieval_max_distance
        ),
        agent=SupportAgent(llm, toolbox, approvals, settings),
        helpdesk=helpdesk,
        budget=TokenBudget(redis, settings.conversation_token_budget, settings.conversation_ttl_seconds),
    )
    return Services(
        assistant=assistant,
        rate_limiter=RateLimiter(settings.rate_limit_storage_uri, settings.rate_limit),
        approvals=approvals,
        toolbox=toolbox,
        feedback=FeedbackStore(redis),
        redis=redis,
    )


# --- auth ------------------------------------------------------------------------------------
def _matches(presented: str, keys: list[SecretStr]) -> bool:
    return any(secrets.compare_digest(presented.encode(), k.get_secret_value().encode()) for k in keys)


def _caller_id(prefix: str, key: str) -> str:
    return f"{prefix}-" + hashlib.sha256(key.encode()).hexdigest()[:12]


def verify_api_key(api_key: str | None = Depends(api_key_header), settings: Settings = Depends(get_settings)) -> str:
    if api_key and _matches(api_key, settings.api_keys):
        return _caller_id("key", api_key)
    raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid or missing API key")


def verify_reviewer_key(
    key: str | None = Depends(reviewer_key_header), settings: Settings = Depends(get_settings)
) -> str:
    if key and _matches(key, settings.reviewer_api_keys):
        return _caller_id("reviewer", key)
    raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid or missing reviewer key")


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


# --- routes ----------------------------------------------------------------------------------
router = APIRouter()


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness: the process is up. Does not touch dependencies."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(services: Services = Depends(get_services)) -> dict[str, str]:
    """Readiness: Redis answers and the knowledge base is not empty."""
    try:
        services.redis.ping()
        if not services.assistant.retriever.ping():
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "knowledge base is empty")
    except (RedisError, httpx.HTTPError, ConnectionError, ValueError) as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "dependency unavailable") from exc
    return {"status": "ready"}


@router.post("/v1/chat", response_model=ChatResponse)
def chat(
    body: ChatRequest,
    caller: str = Depends(verify_api_key),
    services: Services = Depends(get_services),
) -> ChatResponse | JSONResponse:
    if not services.rate_limiter.hit(body.customer_id):
        metrics.RATE_LIMITED.inc()
        retry_after = services.rate_limiter.retry_after_seconds(body.customer_id)
        return JSONResponse(
            {"detail": "too many messages, please wait a moment"},
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(retry_after)},
        )
    try:
        return services.assistant.chat(body)
    except InputTooLargeError as exc:
        raise HTTPException(status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, "message too long") from exc


@router.post("/v1/feedback", status_code=status.HTTP_202_ACCEPTED)
def feedback(
    body: FeedbackRequest,
    caller: str = Depends(verify_api_key),
    services: Services = Depends(get_services),
) -> dict[str, str]:
    entry_id = services.feedback.write({**body.model_dump(), "caller": caller, "request_id": request_id_var.get()})
    metrics.FEEDBACK.labels(rating=body.rating).inc()
    audit.record(
        "feedback",
        message_id=body.message_id,
        conversation_id=body.conversation_id,
        rating=body.rating,
        reason=body.reason,
    )
    return {"status": "accepted", "feedback_id": entry_id}


@router.post("/internal/v1/actions/{action_id}/decision", response_model=PendingAction)
def decide_action(
    action_id: str,
    body: ActionDecision,
    reviewer: str = Depends(verify_reviewer_key),
    services: Services = Depends(get_services),
) -> PendingAction:
    """Called by the support console when an agent approves or rejects a proposed action."""
    try:
        action = services.approvals.decide(
            action_id, approved=body.approved, reviewer_id=body.reviewer_id, note=body.note
        )
    except ActionNotFoundError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown action") from exc
    except ActionNotPendingError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    if action.status != "approved":
        return action
    try:
        result = services.toolbox.execute(action)
    except httpx.HTTPError as exc:
        logger.exception("approved action failed", extra={"action_id": action_id, "tool": action.tool})
        services.approvals.record_execution(action, ok=False, result={"error": type(exc).__name__})
        raise HTTPException(status.HTTP_502_BAD_GATEWAY, "action failed, see the helpdesk task") from exc
    return services.approvals.record_execution(action, ok=True, result=result)


# --- app -------------------------------------------------------------------------------------
def create_app(services_factory: Callable[[Settings], Services] = build_services) -> FastAPI:
    settings = get_settings()
    configure_tracing(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings = get_settings()
        configure_logging(settings.log_level)
        app.state.services = services_factory(settings)
        metrics.ASSISTANT_ENABLED.set(1 if settings.assistant_enabled else 0)
        logger.info(
            "assistant started",
            extra={
                "version": __version__,
                "assistant_enabled": settings.assistant_enabled,
                "primary_model": settings.primary_model,
                "fallback_model": settings.fallback_model,
                "prompts": app.state.services.assistant.prompts.describe(),
            },
        )
        yield
        app.state.services.close()

    app = FastAPI(title="rag-assistant", version=__version__, lifespan=lifespan)
    app.include_router(router)
    app.mount("/metrics", metrics.create_metrics_app())
    instrument_app(app, settings)

    @app.middleware("http")
    async def request_context(request: Request, call_next):  # type: ignore[no-untyped-def]
        request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status_code = 500
        try:
            content_length = request.headers.get("content-length", "0")
            if not content_length.isdigit() or int(content_length) > get_settings().max_request_bytes:
                # reject oversized bodies before they are parsed or reach the prompt
                status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
                return JSONResponse({"detail": "request body too large"}, status_code=status_code)
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
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            request_id_var.reset(token)

    return app


app = create_app()
