"""Append-only decision records for model risk / compliance review."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import UTC, datetime
from typing import Any

audit_logger = logging.getLogger("audit")


def inputs_hash(inputs: dict[str, Any]) -> str:
    canonical = json.dumps(inputs, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def record_decision(
    *,
    request_id: str,
    prediction_id: str,
    caller: str,
    model_version: str,
    inputs: dict[str, Any],
    output: dict[str, Any],
) -> None:
    """Emit one immutable audit record; shipped by the log agent to WORM storage."""
    audit_logger.info(
        "decision",
        extra={
            "event": "credit_decision",
            "request_id": request_id,
            "prediction_id": prediction_id,
            "caller": caller,
            "model_version": model_version,
            "inputs_sha256": inputs_hash(inputs),
            "output": output,
            "recorded_at": datetime.now(UTC).isoformat(),
        },
    )
