"""Worker processes that Ctrl-C stops cleanly, for every command that scans in parallel.

Ctrl-C reaches the whole process group. The workers ignore it (they are stopped by the
main process, see readycheck/commands/_output.py), and the main process terminates the
children it knows of before it raises KeyboardInterrupt. One moment escapes that: a
signal handled while a worker is being started, after its fork and before
multiprocessing has recorded it. The interrupt then leaves a worker nobody knows of,
waiting forever on a queue whose both ends it holds, and holding the terminal's (or a CI
job's) output pipes open after the command has exited. So workers are started while
Ctrl-C is held: a press is remembered, and acted on once every started worker is known.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from types import FrameType


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """A process pool whose workers ignore Ctrl-C. Forked on Linux, so workers share what
    the main process loaded before (the rulebook, bandit's plugins) instead of loading it
    again; macOS and Windows spawn them (forking is unsafe or missing there)."""
    method = "fork" if sys.platform == "linux" else None
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context(method),
        initializer=_ignore_interrupts,
    )


@contextlib.contextmanager
def interrupts_held() -> Iterator[None]:
    """Hold Ctrl-C while the block starts workers (submitting work to a pool starts them),
    then hand a press made meanwhile to the handler that was in place."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers belong to the main thread
        return
    held: list[tuple[int, FrameType | None]] = []

    def remember(signum: int, frame: FrameType | None) -> None:
        held.append((signum, frame))

    previous = signal.signal(signal.SIGINT, remember)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)
        if held:
            if callable(previous):
                previous(*held[0])
            elif previous != signal.SIG_IGN:
                raise KeyboardInterrupt


def _ignore_interrupts() -> None:
    """Workers leave Ctrl-C to the main process, which stops them and says so in one line
    (spawned workers on macOS and Windows do not inherit its handler as forked ones do)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
