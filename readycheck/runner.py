"""Per-file analysis of the whole tree: from the cache when a file is unchanged,
across processes when there is enough work, always in a deterministic order.

The CPU-bound part of a scan (parsing, bandit's visitor, radon, detectors) is
per file and independent, so it runs in worker processes (threads would share
one interpreter lock). Results are merged in discovery order, so a parallel
scan's report is identical to a single-process one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from readycheck import cache as cache_module
from readycheck.analyze import FileAnalysis, analyze_file, warm_up
from readycheck.model import MAX_COMPANION, DetectorCall, FileEntry
from readycheck.pools import interrupts_held, worker_pool
from readycheck.workspace import AnalysisContext

#: Below this many files to analyse, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 48
_BATCH = 16


@dataclass(frozen=True)
class FileJob:
    entry: FileEntry
    calls: tuple[DetectorCall, ...]


@dataclass
class CommitMemo:
    """The analyses of the commit `trend` scanned last, by path and what they depend on.

    A file whose blob, whose companions' blobs, role and detector calls are those of the
    last commit has the same analysis: it is not read, hashed and looked up in the cache
    again (most files of a commit are unchanged; those steps took 50 ms a commit on
    seer). `blobs` is set for each commit from git's tree: path -> blob id."""

    blobs: Mapping[str, str] = field(default_factory=dict)
    known: dict[str, tuple[tuple[str, ...], FileAnalysis]] = field(default_factory=dict)
    _digests: dict[int, tuple[tuple[DetectorCall, ...], str]] = field(default_factory=dict)

    def identity(self, job: FileJob, inline: bool, rulebook_digest: str) -> tuple[str, ...] | None:
        """What the job's analysis depends on, or None when a file's blob is unknown."""
        blobs = [self.blobs.get(path) for path in (job.entry.path, *job.entry.companions)]
        if any(blob is None for blob in blobs) or not job.entry.readable:
            return None
        calls = self._calls_digest(job.calls)
        return (*(b for b in blobs if b), job.entry.role.value, calls, str(inline), rulebook_digest)

    def _calls_digest(self, calls: tuple[DetectorCall, ...]) -> str:
        """The calls' digest, once per tuple: files of a kind and role share one tuple."""
        known = self._digests.get(id(calls))
        if known is None or known[0] is not calls:
            known = (calls, cache_module.calls_digest(tuple(c.key for c in calls)).hex())
            self._digests[id(calls)] = known
        return known[1]


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def _analyze_batch(
    root: Path, jobs: Sequence[FileJob], inline: bool, context: AnalysisContext
) -> list[FileAnalysis]:
    return [analyze_file(root, job.entry, job.calls, inline, context) for job in jobs]


def _content(root: Path, entry: FileEntry) -> bytes | None:
    """What an analysis of `entry` depends on: the file, and the files it is read with."""
    if not entry.readable:
        return b""
    parts = []
    try:
        for path in (entry.path, *entry.companions):
            with open(root / path, "rb") as handle:
                parts.append(handle.read(entry.size + 1 if path == entry.path else MAX_COMPANION))
    except OSError:
        return None  # let the analysis itself report the problem
    return b"".join(len(part).to_bytes(8, "big") + part for part in parts)


def analyze_all(
    root: Path,
    jobs: Sequence[FileJob],
    inline: bool,
    context: AnalysisContext,
    *,
    cache: cache_module.AnalysisCache | None = None,
    rulebook_digest: str = "",
    workers: int = 1,
    advance: Callable[[int], None] | None = None,
    memo: CommitMemo | None = None,
) -> list[FileAnalysis]:
    """Analyses for `jobs`, in the same order as `jobs`."""
    results: list[FileAnalysis | None] = [None] * len(jobs)
    keys: list[str | None] = [None] * len(jobs)
    identities: list[tuple[str, ...] | None] = [None] * len(jobs)
    todo: list[int] = []
    for index, job in enumerate(jobs):
        if memo is not None:
            identity = identities[index] = memo.identity(job, inline, rulebook_digest)
            known = memo.known.get(job.entry.path)
            if identity is not None and known is not None and known[0] == identity:
                results[index] = known[1]
                if advance:
                    advance(1)
                continue
        content = _content(root, job.entry) if cache is not None else None
        if cache is not None and content is not None:
            key = cache_module.entry_key(
                rulebook_digest, job.entry.path, job.entry.role.value, content,
                [call.key for call in job.calls], inline,
            )  # fmt: skip
            keys[index] = key
            hit = cache.get(key)
            if hit is not None:
                results[index] = hit
                if advance:
                    advance(1)
                continue
        todo.append(index)

    if workers > 1 and len(todo) >= PARALLEL_THRESHOLD:
        _run_parallel(root, jobs, todo, inline, context, workers, results, advance)
    else:
        for index in todo:
            results[index] = analyze_file(
                root, jobs[index].entry, jobs[index].calls, inline, context
            )
            if advance:
                advance(1)

    if cache is not None:
        for index in todo:
            entry_key, analysis = keys[index], results[index]
            # A rule error (a pattern out of time) depends on the machine, not the file: retry it.
            if entry_key is not None and analysis is not None and not analysis.errors:
                cache.put(entry_key, analysis)
    done = [analysis for analysis in results if analysis is not None]
    assert len(done) == len(jobs)
    if memo is not None:
        memo.known = {
            job.entry.path: (identity, analysis)
            for job, identity, analysis in zip(jobs, identities, done, strict=True)
            if identity is not None and not analysis.errors
        }
    return done


def _run_parallel(
    root: Path,
    jobs: Sequence[FileJob],
    todo: list[int],
    inline: bool,
    context: AnalysisContext,
    workers: int,
    results: list[FileAnalysis | None],
    advance: Callable[[int], None] | None,
) -> None:
    warm_up(context)  # what detectors load once (bandit's plugins), before the workers fork
    batches = [todo[i : i + _BATCH] for i in range(0, len(todo), _BATCH)]
    with worker_pool(workers) as pool:
        with interrupts_held():
            futures = [
                (
                    batch,
                    pool.submit(_analyze_batch, root, [jobs[i] for i in batch], inline, context),
                )
                for batch in batches
            ]
        for batch, future in futures:
            for index, analysis in zip(batch, future.result(), strict=True):
                results[index] = analysis
            if advance:
                advance(len(batch))
