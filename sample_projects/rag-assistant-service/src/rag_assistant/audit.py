"""Append-only audit trail of assistant decisions (shipped by the log agent to WORM storage).

Records never contain raw customer text: only hashes, ids, model and prompt versions and outcomes.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime
from typing import Any

audit_logger = logging.getLogger("audit")


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record(event: str, **fields: Any) -> None:
    """Emit one immutable audit record, e.g. ``record("chat_turn", conversation_id=..., status=...)``."""
    audit_logger.info(
        event,
        extra={"event": event, "audit": fields, "recorded_at": datetime.now(UTC).isoformat()},
    )
