"""Prometheus metrics exposed on /metrics."""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, make_asgi_app, multiprocess

PREDICTION_LATENCY = Histogram(
    "prediction_latency_seconds",
    "Time spent scoring one application (feature prep + model)",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
)
PREDICTIONS = Counter(
    "predictions_total",
    "Predictions served, by decision and model version",
    ["decision", "model_version"],
)
ESCALATIONS = Counter(
    "escalations_total",
    "Applications escalated to the human review queue",
    ["reason"],
)
PREDICTED_PROBABILITY = Histogram(
    "predicted_default_probability",
    "Distribution of predicted probability of default",
    buckets=tuple(round(0.1 * i, 1) for i in range(1, 11)),
)
FEEDBACK = Counter(
    "feedback_total",
    "Reviewer feedback received",
    ["corrected_label"],
)
HTTP_REQUESTS = Counter(
    "http_requests_total",
    "HTTP requests by route and status code",
    ["method", "route", "status"],
)
MODEL_ENABLED = Gauge(
    "model_enabled",
    "1 when the model is serving, 0 when the kill switch is on",
    multiprocess_mode="liveall",
)


def create_metrics_app():
    """ASGI app for /metrics; aggregates gunicorn workers in multiprocess mode."""
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return make_asgi_app(registry=registry)
    return make_asgi_app()
