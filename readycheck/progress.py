"""A progress bar for scans that take more than a moment, in interactive terminals only.

It draws on standard error, so piped reports stay clean, and stays silent in CI
(the CI variable) and whenever standard error is not a terminal.
"""

from __future__ import annotations

import os
import sys
from typing import Any

#: Fewer files than this are analysed too quickly for a bar to help.
MIN_FILES = 150


def wanted() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI") and os.environ.get("TERM") != "dumb"


class Bar:
    """rich's progress bar behind the pipeline's Progress protocol."""

    def __init__(self) -> None:
        self._progress: Any = None
        self._task: Any = None

    def start(self, total: int) -> None:
        if total < MIN_FILES:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self._progress = Progress(
            TextColumn("[dim]analysing files"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._progress.start()
        self._task = self._progress.add_task("files", total=total)

    def advance(self, count: int) -> None:
        if self._progress is not None:
            self._progress.advance(self._task, count)

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
