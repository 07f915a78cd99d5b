"""Feedback store: reviewer corrections used for monitoring and retraining."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


class FeedbackStore:
    """Append-only JSON-lines store on the spool volume (collected by the log agent)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._path.parent.mkdir(parents=True, exist_ok=True)

    def write(self, record: dict[str, Any]) -> None:
        line = json.dumps({**record, "received_at": datetime.now(UTC).isoformat()})
        with self._lock, open(self._path, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")
