"""Structured JSON logging and OpenTelemetry tracing (model calls, HTTP requests)."""

from __future__ import annotations

import json
import logging
import os
import sys
from contextvars import ContextVar
from datetime import UTC, datetime

from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.openai import OpenAIInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from rag_assistant import __version__
from rag_assistant.settings import Settings

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")

_RESERVED = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "ts": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id_var.get(),
        }
        span_context = trace.get_current_span().get_span_context()
        if span_context.is_valid:
            payload["trace_id"] = format(span_context.trace_id, "032x")
        payload.update({k: v for k, v in vars(record).items() if k not in _RESERVED})
        if record.exc_info:
            payload["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str)


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # the audit trail must never be silenced by LOG_LEVEL
    logging.getLogger("audit").setLevel(logging.INFO)
    # the SDK logs request bodies at DEBUG; keep customer text out of the logs
    logging.getLogger("openai").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)


_tracing_configured = False


def configure_tracing(settings: Settings) -> None:
    """Export spans over OTLP (endpoint from OTEL_EXPORTER_OTLP_ENDPOINT) and instrument the OpenAI SDK.

    Every chat completion, embedding and moderation call becomes a span with model, token usage
    and latency attributes. Prompt and completion text is not recorded (TRACELOOP_TRACE_CONTENT=false).
    """
    global _tracing_configured
    if _tracing_configured or not settings.tracing_enabled:
        return
    os.environ.setdefault("TRACELOOP_TRACE_CONTENT", "false")
    resource = Resource.create(
        {
            "service.name": settings.service_name,
            "service.version": __version__,
            "deployment.environment": settings.environment,
        }
    )
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    OpenAIInstrumentor().instrument()
    _tracing_configured = True


def instrument_app(app: FastAPI, settings: Settings) -> None:
    if settings.tracing_enabled:
        FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,readyz,metrics")
