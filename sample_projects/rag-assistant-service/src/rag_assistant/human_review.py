"""Humans in the loop: hand-off to support agents, approval of write actions, customer feedback."""

from __future__ import annotations

import json
import logging
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, cast

import httpx
from pydantic import BaseModel, Field
from redis import Redis, WatchError

from rag_assistant import audit, metrics

logger = logging.getLogger(__name__)

ActionStatus = Literal["pending", "approved", "rejected", "executed", "failed"]


class PendingAction(BaseModel):
    action_id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    tool: Literal["issue_refund", "send_email"]
    arguments: dict[str, Any]
    customer_id: str
    conversation_id: str
    status: ActionStatus = "pending"
    requested_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    decided_by: str | None = None
    decided_at: datetime | None = None
    note: str | None = None
    result: dict[str, Any] | None = None


class ActionNotFoundError(LookupError):
    pass


class ActionNotPendingError(RuntimeError):
    pass


class HelpdeskClient:
    """Talks to the helpdesk bridge (Zendesk). Never raises: failed calls are spooled to the outbox,
    which the log agent ships and the bridge replays."""

    def __init__(self, base_url: str, token: str | None, timeout: float, outbox_path: Path) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(
            base_url=base_url,
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=2.0),
            transport=httpx.HTTPTransport(retries=2),
        )
        self._outbox_path = outbox_path
        self._lock = threading.Lock()

    def hand_off(self, *, conversation_id: str, customer_id: str, reason: str, message: str) -> str:
        payload = {
            "conversation_id": conversation_id,
            "customer_id": customer_id,
            "reason": reason,
            "message": message,
            "tags": ["ai-assistant", f"handoff:{reason}"],
        }
        return self._post("/v1/tickets", payload, idempotency_key=f"handoff-{conversation_id}-{reason}")

    def request_approval(self, action: PendingAction) -> str:
        payload = {
            "action_id": action.action_id,
            "conversation_id": action.conversation_id,
            "customer_id": action.customer_id,
            "tool": action.tool,
            "arguments": action.arguments,
            "queue": "assistant-approvals",
        }
        return self._post("/v1/approval-tasks", payload, idempotency_key=action.action_id)

    def _post(self, path: str, payload: dict[str, Any], *, idempotency_key: str) -> str:
        try:
            response = self._http.post(path, json=payload, headers={"Idempotency-Key": idempotency_key})
            response.raise_for_status()
            return str(response.json()["id"])
        except (httpx.HTTPError, KeyError, ValueError):
            logger.exception("helpdesk call failed, spooling to outbox", extra={"path": path})
            self._spool({"path": path, "payload": payload, "idempotency_key": idempotency_key})
            return f"outbox-{idempotency_key}"

    def _spool(self, record: dict[str, Any]) -> None:
        self._outbox_path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, self._outbox_path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps({**record, "spooled_at": datetime.now(UTC).isoformat()}) + "\n")

    def close(self) -> None:
        self._http.close()


class ApprovalQueue:
    """Write actions proposed by the assistant wait here until a support agent approves them.

    Nothing in this class executes an action: the decision endpoint does, and only for an
    action this queue has moved from ``pending`` to ``approved``.
    """

    def __init__(self, redis: Redis, helpdesk: HelpdeskClient, ttl_seconds: int = 7 * 86_400) -> None:
        self._redis = redis
        self._helpdesk = helpdesk
        self._ttl = ttl_seconds

    @staticmethod
    def _key(action_id: str) -> str:
        return f"rag-assistant:action:{action_id}"

    def submit(self, action: PendingAction) -> PendingAction:
        self._redis.set(self._key(action.action_id), action.model_dump_json(), ex=self._ttl, nx=True)
        task_id = self._helpdesk.request_approval(action)
        audit.record(
            "action_requested",
            action_id=action.action_id,
            tool=action.tool,
            conversation_id=action.conversation_id,
            helpdesk_task=task_id,
        )
        return action

    def get(self, action_id: str) -> PendingAction:
        raw = self._redis.get(self._key(action_id))
        if raw is None:
            raise ActionNotFoundError(action_id)
        return PendingAction.model_validate_json(raw)

    def decide(self, action_id: str, *, approved: bool, reviewer_id: str, note: str | None) -> PendingAction:
        """Atomically move a pending action to approved/rejected; a second decision is refused."""
        key = self._key(action_id)
        with self._redis.pipeline() as pipe:
            try:
                pipe.watch(key)
                raw = cast(bytes | None, pipe.get(key))  # immediate mode while watching
                if raw is None:
                    raise ActionNotFoundError(action_id)
                action = PendingAction.model_validate_json(raw)
                if action.status != "pending":
                    raise ActionNotPendingError(f"action {action_id} is {action.status}")
                action.status = "approved" if approved else "rejected"
                action.decided_by = reviewer_id
                action.decided_at = datetime.now(UTC)
                action.note = note
                pipe.multi()
                pipe.set(key, action.model_dump_json(), keepttl=True)
                pipe.execute()
            except WatchError as exc:
                raise ActionNotPendingError(f"action {action_id} was decided concurrently") from exc
        metrics.APPROVALS.labels(tool=action.tool, decision=action.status).inc()
        audit.record(
            "action_decided",
            action_id=action_id,
            tool=action.tool,
            decision=action.status,
            reviewer_id=reviewer_id,
        )
        return action

    def record_execution(self, action: PendingAction, *, ok: bool, result: dict[str, Any]) -> PendingAction:
        action.status = "executed" if ok else "failed"
        action.result = result
        self._redis.set(self._key(action.action_id), action.model_dump_json(), keepttl=True)
        audit.record("action_executed", action_id=action.action_id, tool=action.tool, status=action.status)
        return action


class FeedbackStore:
    """Customer ratings go to a Redis stream consumed by the analytics pipeline and the eval team."""

    STREAM = "rag-assistant:feedback"

    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    def write(self, record: dict[str, Any]) -> str:
        fields = {k: "" if v is None else str(v) for k, v in record.items()}
        fields["received_at"] = datetime.now(UTC).isoformat()
        entry_id = self._redis.xadd(self.STREAM, fields, maxlen=1_000_000, approximate=True)
        return entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)
