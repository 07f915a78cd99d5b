"""Client for the human review queue (case management service)."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from typing import Any

import pybreaker
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = (3.05, 10)  # (connect, read) seconds

# Shared by all clients in the process: after 5 consecutive failures stop calling
# the queue for 30 s and spool cases to the local outbox instead.
breaker = pybreaker.CircuitBreaker(fail_max=5, reset_timeout=30, name="review-queue")


class ReviewQueueClient:
    def __init__(
        self,
        base_url: str,
        outbox_path: Path,
        token: str | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._outbox_path = outbox_path
        self._timeout = timeout
        self._lock = threading.Lock()
        self._session = requests.Session()
        retry = Retry(
            total=3,
            backoff_factor=0.5,
            status_forcelist=[502, 503, 504],
            allowed_methods=frozenset({"GET", "POST"}),
        )
        adapter = HTTPAdapter(max_retries=retry)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        if token:
            self._session.headers["Authorization"] = f"Bearer {token}"

    def enqueue(self, case: dict[str, Any]) -> str:
        """Send a case for manual review. Never raises: falls back to the outbox."""
        try:
            return breaker.call(self._post_case, case)
        except pybreaker.CircuitBreakerError:
            logger.warning("review queue circuit open, spooling case", extra={"prediction_id": case["prediction_id"]})
        except requests.RequestException:
            logger.exception("review queue call failed, spooling case", extra={"prediction_id": case["prediction_id"]})
        self._write_outbox(case)
        return "outbox"

    def _post_case(self, case: dict[str, Any]) -> str:
        # POST is retried, so the prediction id doubles as an idempotency key
        response = self._session.post(
            f"{self._base_url}/v1/cases",
            json=case,
            headers={"Idempotency-Key": case["prediction_id"]},
            timeout=self._timeout,
        )
        response.raise_for_status()
        return str(response.json()["case_id"])

    def ping(self) -> bool:
        response = self._session.get(f"{self._base_url}/healthz", timeout=self._timeout)
        response.raise_for_status()
        return True

    def _write_outbox(self, case: dict[str, Any]) -> None:
        self._outbox_path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, open(self._outbox_path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(case, default=str) + "\n")

    def close(self) -> None:
        self._session.close()
