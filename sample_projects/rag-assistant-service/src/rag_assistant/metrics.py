"""Prometheus metrics exposed on /metrics."""

from __future__ import annotations

import os
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, make_asgi_app, multiprocess

CHAT_LATENCY = Histogram(
    "assistant_chat_latency_seconds",
    "End-to-end time to answer one chat turn",
    ["status"],
    buckets=(0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30),
)
LLM_LATENCY = Histogram(
    "assistant_llm_request_seconds",
    "Latency of one model call (including SDK retries)",
    ["model"],
    buckets=(0.25, 0.5, 1, 2, 4, 8, 15, 30),
)
LLM_ERRORS = Counter(
    "assistant_llm_errors_total",
    "Failed model calls by model and error type",
    ["model", "error"],
)
LLM_FALLBACKS = Counter(
    "assistant_llm_fallbacks_total",
    "Requests served by the fallback model because the primary failed",
    ["model"],
)
LLM_TOKENS = Counter(
    "assistant_llm_tokens_total",
    "Tokens reported by the provider in response.usage",
    ["model", "kind"],
)
LLM_COST = Counter(
    "assistant_llm_cost_usd_total",
    "Estimated provider cost in USD, from response.usage and the price table",
    ["model"],
)
STRUCTURED_OUTPUT_FAILURES = Counter(
    "assistant_structured_output_failures_total",
    "Model answers rejected by validation (answered with the fallback text instead)",
    ["reason"],
)
GUARDRAIL_BLOCKS = Counter(
    "assistant_guardrail_blocks_total",
    "Inputs or outputs blocked by the guardrails",
    ["stage", "reason"],
)
PII_REDACTIONS = Counter(
    "assistant_pii_redactions_total",
    "PII entities redacted before text was sent to the provider",
    ["entity"],
)
RETRIEVED_CHUNKS = Histogram(
    "assistant_retrieved_chunks",
    "Chunks kept after the distance cut-off",
    buckets=(0, 1, 2, 3, 5, 8, 13, 20),
)
AGENT_STEPS = Histogram(
    "assistant_agent_steps",
    "Model calls needed for one chat turn",
    buckets=(1, 2, 3, 4, 5, 6, 8, 10),
)
AGENT_STEP_LIMIT = Counter(
    "assistant_agent_step_limit_total",
    "Turns stopped because the agent reached max_agent_steps",
)
TOOL_CALLS = Counter(
    "assistant_tool_calls_total",
    "Tool calls requested by the model",
    ["tool", "outcome"],
)
APPROVALS = Counter(
    "assistant_action_decisions_total",
    "Human decisions on actions proposed by the assistant",
    ["tool", "decision"],
)
HANDOFFS = Counter(
    "assistant_handoffs_total",
    "Conversations handed to a human agent, by reason",
    ["reason"],
)
ANSWERS = Counter(
    "assistant_answers_total",
    "Chat turns by outcome and model",
    ["status", "model"],
)
RATE_LIMITED = Counter(
    "assistant_rate_limited_total",
    "Requests rejected by the per-customer rate limit",
)
FEEDBACK = Counter(
    "assistant_feedback_total",
    "Customer feedback on answers",
    ["rating"],
)
HTTP_REQUESTS = Counter(
    "http_requests_total",
    "HTTP requests by route and status code",
    ["method", "route", "status"],
)
ASSISTANT_ENABLED = Gauge(
    "assistant_enabled",
    "1 when the assistant answers, 0 when the kill switch routes everything to humans",
    multiprocess_mode="liveall",
)


def create_metrics_app() -> Any:
    """ASGI app for /metrics; aggregates gunicorn workers in multiprocess mode."""
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return make_asgi_app(registry=registry)
    return make_asgi_app()
