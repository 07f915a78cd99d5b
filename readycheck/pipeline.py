"""The scan, end to end: discover, analyse each file, evaluate the rules, score.

Renderers take the Report this returns; nothing here prints.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from readycheck import __version__, fingerprints, score
from readycheck.analyze import analyze_file, applies_to, file_calls
from readycheck.discover import DEFAULT_MAX_FILE_SIZE, DiscoveryOptions, discover
from readycheck.errors import ConfigError
from readycheck.evaluate import Evaluator
from readycheck.model import Evidence, FileEntry, Report, ScanWarning, TargetInfo
from readycheck.parsers.git import open_repository
from readycheck.rulebook import Rulebook, load_rulebook
from readycheck.workspace import Repository


@dataclass(frozen=True)
class ScanOptions:
    path: Path
    rulebook_paths: tuple[Path, ...] = ()
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    exclude: tuple[str, ...] = field(default=())


def scan(options: ScanOptions, rulebook: Rulebook | None = None) -> Report:
    """Scan a folder and return the full report. Raises ReadycheckError only for
    problems the user controls (path, rulebook); problems in the scanned tree
    become warnings in the report."""
    root = options.path
    if not root.exists():
        raise ConfigError("no such file or folder", path=str(root))
    if not root.is_dir():
        raise ConfigError("readycheck scans a folder, not a single file", path=str(root))
    rulebook = rulebook or load_rulebook(list(options.rulebook_paths) or None)

    discovery = discover(root, DiscoveryOptions(options.max_file_size, options.exclude))
    warnings: list[ScanWarning] = list(discovery.warnings)
    git_info, git_warning = open_repository(discovery.root)
    if git_warning:
        warnings.append(git_warning)

    calls = file_calls(rulebook)
    evidence: dict[str, list[Evidence]] = defaultdict(list)
    for entry in discovery.files:
        wanted = [call for call in calls if applies_to(call, entry)]
        if not wanted:
            continue
        analysis = analyze_file(discovery.root, entry, wanted)
        warnings.extend(analysis.warnings)
        for key, items in analysis.evidence.items():
            evidence[key].extend(items)

    repository = Repository(discovery.root, discovery.files, git_info)
    evaluator = Evaluator(rulebook, repository, evidence)
    results = [evaluator.evaluate(rule) for rule in rulebook.rules]
    warnings.extend(evaluator.warnings)

    results = [
        dataclasses.replace(r, findings=tuple(fingerprints.assign(r.findings))) for r in results
    ]
    pillars = score.pillar_scores(results)
    overall = score.overall_score(pillars)
    level, capped_by = score.readiness(overall, pillars)
    results = [dataclasses.replace(r, gain=score.gain(r, pillars)) for r in results]

    target = TargetInfo(
        path=str(root),
        name=discovery.root.name,
        files=len(discovery.files),
        commit=git_info.commit if git_info else None,
        branch=git_info.branch if git_info else None,
        commit_date=git_info.commit_date if git_info else None,
        anchor=_anchor(discovery.files),
    )
    return Report(
        tool_version=__version__,
        rulebook_version=rulebook.version,
        target=target,
        scanned_at=_now(),
        score=overall,
        level=level,
        level_capped_by=capped_by,
        pillars=pillars,
        results=tuple(results),
        warnings=tuple(sorted(set(warnings), key=lambda w: (w.path or "", w.code, w.message))),
    )


def _anchor(files: tuple[FileEntry, ...]) -> str | None:
    """A real file for repository-wide findings to point at: the README if there is one."""
    paths = [f.path for f in files]
    for candidate in (
        "README.md",
        "README.rst",
        "README.txt",
        "README",
        "pyproject.toml",
        "setup.py",
    ):
        if candidate in paths:
            return candidate
    top_level = [p for p in paths if "/" not in p]
    candidates = top_level or paths
    return candidates[0] if candidates else None


def _now() -> str:
    """Scan time, or SOURCE_DATE_EPOCH's when set, so reports can be reproducible."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = (
        dt.datetime.fromtimestamp(int(epoch), dt.UTC)
        if epoch and epoch.isdigit()
        else dt.datetime.now(dt.UTC)
    )
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")
