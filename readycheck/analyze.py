"""Per-file analysis: run every file detector that applies to one file.

This is the unit of work that can be spread over processes and cached by
content hash: its input is one file and the list of detector calls, its
output is plain, picklable evidence keyed by each call's key.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from readycheck.detectors import REGISTRY
from readycheck.detectors.base import FileDetector, RuleError
from readycheck.model import (
    AllOf,
    AnyOf,
    Check,
    DetectorCall,
    Evidence,
    FileEntry,
    FileKind,
    Role,
    ScanWarning,
)
from readycheck.pathmatch import PathPatterns
from readycheck.redact import digest, redact_evidence, redact_warning
from readycheck.rulebook import Rulebook
from readycheck.suppress import InlineSuppression, inline_suppressions
from readycheck.workspace import (
    AnalysisContext,
    CodeSummary,
    SourceFile,
    recording_secrets,
    summarise,
)

_MAX_EVIDENCE_PER_FILE = 50
#: Seconds one file's detectors may take together (SECURITY.md: "Bounded parsing"). High
#: enough that a large real module (100,000 lines take about 12 s today) is analysed in
#: full on a busy machine, so reports do not depend on the machine's load; low enough that
#: no file holds the scan for long. Making the detectors cheaper is the perf issue's work.
FILE_TIME_BUDGET = 60.0


@dataclass(frozen=True)
class FileAnalysis:
    path: str
    evidence: dict[str, tuple[Evidence, ...]]
    warnings: tuple[ScanWarning, ...]
    suppressions: tuple[InlineSuppression, ...] = ()
    summary: CodeSummary | None = None
    #: Calls that could not be judged at all (call key -> reason): their rules are errors.
    errors: dict[str, str] = field(default_factory=dict)
    #: Digests of the values detectors recognised as secrets here (never the values), so
    #: the report masks them wherever else they are quoted (redact.py).
    secrets: frozenset[str] = frozenset()


def detector_calls(check: Check) -> Iterable[DetectorCall]:
    """The detector calls in a check (a `fact:` check calls none of its own)."""
    if isinstance(check, AnyOf | AllOf):
        for child in check.checks:
            yield from detector_calls(child)
    elif isinstance(check, DetectorCall):
        yield check


def file_calls(rulebook: Rulebook) -> tuple[DetectorCall, ...]:
    """Every distinct file-detector call in the rulebook (facts included), in a stable order."""
    checks = [fact.check for fact in rulebook.facts.values()] + [
        rule.check for rule in rulebook.rules
    ]
    unique: dict[str, DetectorCall] = {}
    for check in checks:
        for call in detector_calls(check):
            if isinstance(REGISTRY[call.detector], FileDetector):
                unique.setdefault(call.key, call)
    return tuple(unique[key] for key in sorted(unique))


@lru_cache(maxsize=256)
def _path_spec(patterns: tuple[str, ...]) -> PathPatterns:
    return PathPatterns(patterns, "a rule's paths")


class CallPlan:
    """Which file detector calls apply to each file. Calls are grouped once per file
    kind and role (a repository has a handful of each), so a file is matched only
    against the path patterns of its group's calls, not against every call."""

    def __init__(self, calls: Sequence[DetectorCall]) -> None:
        self._calls = tuple(calls)
        self._groups: dict[tuple[FileKind, Role], tuple[DetectorCall, ...]] = {}
        #: Each group's calls limited to some paths: only these are matched per file.
        self._by_path: dict[tuple[FileKind, Role], tuple[DetectorCall, ...]] = {}
        #: A group without the path-limited calls none of whose paths a file matches.
        self._unlimited: dict[tuple[FileKind, Role], tuple[DetectorCall, ...]] = {}

    def calls_for(self, entry: FileEntry) -> tuple[DetectorCall, ...]:
        """The calls `applies_to` would choose for `entry`, in the same order; the same
        tuple for every file of a kind and role that no path-limited call names."""
        if not entry.readable:
            return ()
        key = (entry.kind, entry.role)
        group = self._groups.get(key)
        if group is None:
            group = tuple(call for call in self._calls if _kind_and_role_fit(call, *key))
            self._groups[key] = group
            self._by_path[key] = tuple(call for call in group if call.paths)
            self._unlimited[key] = tuple(call for call in group if not call.paths)
        limited = self._by_path[key]
        named = [c for c in limited if _path_spec(c.paths).match(entry.path)]
        if not named:
            return self._unlimited[key]
        return tuple(c for c in group if not c.paths or c in named)


def _kind_and_role_fit(call: DetectorCall, kind: FileKind, role: Role) -> bool:
    detector = REGISTRY[call.detector]
    assert isinstance(detector, FileDetector)
    kinds = call.kinds if call.kinds is not None else detector.kinds
    return kind in kinds and (call.roles is None or role in call.roles)


def paths_applied_to(
    call: DetectorCall, groups: Mapping[tuple[FileKind, Role], Sequence[FileEntry]]
) -> Iterator[str]:
    """The paths of the files `applies_to` would choose for `call`, from the readable
    files grouped by kind and role: a group is judged once, not each of its files."""
    for (kind, role), entries in groups.items():
        if not _kind_and_role_fit(call, kind, role):
            continue
        if not call.paths:
            yield from (entry.path for entry in entries)
        else:
            spec = _path_spec(call.paths)
            yield from (entry.path for entry in entries if spec.match(entry.path))


def applies_to(call: DetectorCall, entry: FileEntry) -> bool:
    detector = REGISTRY[call.detector]
    assert isinstance(detector, FileDetector)
    kinds = call.kinds if call.kinds is not None else detector.kinds
    if entry.kind not in kinds or not entry.readable:
        return False
    if call.roles is not None and entry.role not in call.roles:
        return False
    return not call.paths or _path_spec(call.paths).match(entry.path)


def analysis_context(calls: Sequence[DetectorCall]) -> AnalysisContext:
    """What the planned calls of each detector share, from the detectors' `share` hooks."""
    params: dict[str, list[Any]] = {}
    for call in calls:
        params.setdefault(call.detector, []).append(call.params)
    values = []
    for name, given in sorted(params.items()):
        detector = REGISTRY[name]
        if isinstance(detector, FileDetector) and detector.share is not None:
            values.append((name, detector.share(given)))
    return AnalysisContext(tuple(values))


def warm_up(context: AnalysisContext) -> None:
    """Let each detector load once what every worker would otherwise build (before they fork)."""
    for name, value in context.values:
        detector = REGISTRY[name]
        if isinstance(detector, FileDetector) and detector.warm is not None:
            detector.warm(value)


def analyze_file(
    root: Path,
    entry: FileEntry,
    calls: Sequence[DetectorCall],
    inline_ignores: bool = True,
    context: AnalysisContext | None = None,
) -> FileAnalysis:
    """Run the calls that apply to `entry`, and collect its suppression comments.

    A detector that fails on this file is a warning, never a crash."""
    source = SourceFile(root, entry, context)
    with recording_secrets() as masked:
        evidence, errors = _run(source, entry, calls)
    suppressions = tuple(inline_suppressions(source)) if inline_ignores and entry.readable else ()
    summary = summarise(source) if entry.kind in (FileKind.PYTHON, FileKind.NOTEBOOK) else None
    # Redacted here, before the analysis is cached or leaves a worker: the cache is
    # an output too (see redact.py).
    known = frozenset(digest(value) for value in masked if len(value) >= 6)
    evidence = {
        key: tuple(redact_evidence(e, known) for e in items) for key, items in evidence.items()
    }
    warnings = tuple(redact_warning(w, known) for w in source.warnings)
    return FileAnalysis(
        entry.path, evidence, warnings, suppressions, summary, errors, secrets=known
    )


def _run(
    source: SourceFile, entry: FileEntry, calls: Sequence[DetectorCall]
) -> tuple[dict[str, tuple[Evidence, ...]], dict[str, str]]:
    """The evidence each call that applies finds in one file, and the calls that failed.

    One file gets FILE_TIME_BUDGET seconds, so no file can hold the scan without end.
    Past it, the remaining detectors are skipped
    and a warning says the file's findings are incomplete."""
    evidence: dict[str, tuple[Evidence, ...]] = {}
    errors: dict[str, str] = {}
    deadline = time.monotonic() + FILE_TIME_BUDGET
    wanted = [call for call in calls if applies_to(call, entry)]
    with _alarm(FILE_TIME_BUDGET):
        for index, call in enumerate(wanted):
            try:
                if time.monotonic() > deadline:
                    raise FileBudgetExceeded
                found = _found(source, entry, call, errors)
            except FileBudgetExceeded:
                skipped = len(wanted) - index
                source.warn(
                    "file-budget",
                    f"analysis stopped after {FILE_TIME_BUDGET:g} s, {skipped} of "
                    f"{len(wanted)} checks not run: this file's findings are incomplete",
                )
                break
            if found:
                evidence[call.key] = tuple(found)
    return evidence, errors


def _found(
    source: SourceFile, entry: FileEntry, call: DetectorCall, errors: dict[str, str]
) -> list[Evidence]:
    """What one detector call finds in one file; a failure is an error or a warning."""
    detector = REGISTRY[call.detector]
    assert isinstance(detector, FileDetector)
    found: list[Evidence] = []
    try:
        for item in detector.run(source, call.params):
            found.append(item)
            if len(found) >= _MAX_EVIDENCE_PER_FILE:
                break
    except RuleError as error:
        errors[call.key] = f"{error} (on {entry.path})"
        return []
    except Exception as error:
        source.warn("detector-error", f"detector {call.detector} failed on this file: {error!r}")
        return []
    return found


class FileBudgetExceeded(BaseException):
    """One file's analysis ran out of time. A BaseException, so that no detector's own
    `except Exception` can swallow it."""


@contextlib.contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    """Interrupt the block after `seconds` with FileBudgetExceeded, where a timer signal
    can (POSIX, main thread: each worker process runs its files on its main thread);
    elsewhere the budget is checked between detectors only."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def expired(_signum: int, _frame: object) -> None:
        raise FileBudgetExceeded

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
