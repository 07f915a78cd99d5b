"""The organisation's view: many repositories' reports folded into one portfolio.

Input is what every repository's CI already produces, readycheck's versioned JSON
report (loaded and checked by `reports.py`). The portfolio answers a platform
team's questions: which repositories are closest to production (the table and the
level distribution), which practices are missing almost everywhere (so the
platform can provide them once), who already has a practice (examples to copy),
and what changed since the previous portfolio.

Everything here works on the report's JSON, the public interface, so reports
written by CI jobs on other machines fold in the same as fresh scans.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from packaging.version import InvalidVersion, Version

from readycheck.forge import file_url
from readycheck.score import LEVEL_BANDS

#: Statuses that mean the repository lacks a practice (partial: only some of it).
LACKING = ("fail", "partial")


@dataclass(frozen=True)
class PillarCell:
    """One pillar's score in one repository; None when no rule of it applied."""

    id: str
    title: str
    score: float | None


@dataclass(frozen=True)
class Snapshot:
    """What the portfolio keeps of one repository's report: enough to show the row
    and to compare it with the next portfolio (the history database stores these)."""

    key: str  # the repository's identity: its remote without credentials, else its name
    name: str
    remote: str | None
    commit: str | None
    scanned_at: str
    score: float
    level_id: str
    level_title: str
    level_rank: int
    pillars: tuple[PillarCell, ...]
    lacking: tuple[str, ...]  # practice rule ids failing or partial
    kind: str | None = None
    source: str = ""  # the report file or the scanned source it came from
    rulebook_version: str = ""


@dataclass(frozen=True)
class Change:
    """What moved in one repository since the previous portfolio (or an older report)."""

    previous_commit: str | None
    previous_scanned_at: str
    previous_score: float
    previous_level_title: str
    score_delta: float
    level_delta: int  # +1: up one level
    newly_lacking: tuple[str, ...]
    newly_met: tuple[str, ...]

    @property
    def moved(self) -> bool:
        return bool(
            abs(self.score_delta) >= 0.05
            or self.level_delta
            or self.newly_lacking
            or self.newly_met
        )


@dataclass(frozen=True)
class Row:
    """One repository in the portfolio table."""

    snapshot: Snapshot
    change: Change | None = None
    rescanned: bool | None = None  # --scan only: scanned in this run, or reused


@dataclass(frozen=True)
class Example:
    """A repository that has a practice, and where: the first evidence its report gives."""

    repository: str
    detail: str
    path: str | None
    line: int | None
    url: str | None  # the file on its forge at the scanned commit, when the remote is known


@dataclass(frozen=True)
class Practice:
    """One practice across the organisation: who lacks it, what fixing it would add."""

    rule_id: str
    title: str
    pillar: str
    severity: str
    fix: str
    applicable: int  # repositories where the rule applied
    lacking: tuple[str, ...]  # names of the repositories that fail it
    partial: tuple[str, ...]  # names of those that have only part of it
    gain_total: float  # points added, summed over the repositories that lack it
    mean_gain: float  # what fixing it everywhere adds to the organisation's mean score
    examples: tuple[Example, ...]


@dataclass(frozen=True)
class LevelCount:
    id: str
    title: str
    rank: int
    count: int


@dataclass(frozen=True)
class Rejected:
    """An input left out of the portfolio, and why (shown, never silently dropped)."""

    source: str
    reason: str


@dataclass(frozen=True)
class Portfolio:
    generated_at: str
    tool_version: str
    rulebook_version: str
    rows: tuple[Row, ...]
    levels: tuple[LevelCount, ...]
    practices: tuple[Practice, ...]
    rejected: tuple[Rejected, ...] = ()
    previous_run: str | None = None  # when the previous portfolio in the history was made
    notes: tuple[str, ...] = field(default=())  # rules applied while merging, stated

    @property
    def mean_score(self) -> float | None:
        if not self.rows:
            return None
        return round(sum(r.snapshot.score for r in self.rows) / len(self.rows), 1)


def newest_version(versions: Iterable[str]) -> str:
    """The newest of some rulebook versions ("2026.12.2" is newer than "2026.9.1")."""
    return max(versions, key=_version_order, default="")


def _version_order(version: str) -> tuple[int, Version | str]:
    try:
        return (1, Version(version))
    except InvalidVersion:
        return (0, version)


def repository_key(report: Mapping[str, Any]) -> str:
    """A repository is its remote when the report knows it (two checkouts of one
    repository are one row), else its folder name."""
    target = report["target"]
    return str(target.get("remote") or target["name"])


def snapshot(report: Mapping[str, Any], source: str = "", key: str | None = None) -> Snapshot:
    """The row-sized summary of one validated report (`key`: its identity, when the
    caller knows it better than the report does)."""
    target, summary = report["target"], report["summary"]
    level = summary["level"]
    lacking = tuple(
        sorted(
            r["rule_id"]
            for r in report["results"]
            if r.get("type") == "practice" and r["status"] in LACKING
        )
    )
    kind = report.get("kind")
    return Snapshot(
        key=key or repository_key(report),
        name=str(target["name"]),
        remote=target.get("remote"),
        commit=target.get("commit"),
        scanned_at=str(report["scanned_at"]),
        score=float(summary["score"]),
        level_id=str(level["id"]),
        level_title=str(level["title"]),
        level_rank=int(level["rank"]),
        pillars=tuple(PillarCell(p["id"], p["title"], p["score"]) for p in report["pillars"]),
        lacking=lacking,
        kind=kind["id"] if isinstance(kind, Mapping) else None,
        source=source,
        rulebook_version=str(report["rulebook"]["version"]),
    )


def change(current: Snapshot, previous: Snapshot) -> Change:
    now, before = set(current.lacking), set(previous.lacking)
    return Change(
        previous_commit=previous.commit,
        previous_scanned_at=previous.scanned_at,
        previous_score=previous.score,
        previous_level_title=previous.level_title,
        score_delta=round(current.score - previous.score, 1),
        level_delta=current.level_rank - previous.level_rank,
        newly_lacking=tuple(sorted(now - before)),
        newly_met=tuple(sorted(before - now)),
    )


def latest_by_repository(
    reports: Sequence[tuple[str, Mapping[str, Any]]],
    keys: Mapping[str, str] | None = None,
) -> tuple[dict[str, tuple[str, Mapping[str, Any]]], dict[str, Snapshot]]:
    """Per repository, its newest report (by scan time), and the snapshot of the one
    before it when several dates of the same repository were given. `keys` names the
    repository of a source when the caller knows it (`--scan` knows each listed URL or
    folder, so two `ml-service` folders stay two rows)."""
    keys = keys or {}
    grouped: dict[str, list[tuple[str, Mapping[str, Any]]]] = defaultdict(list)
    for source, report in reports:
        grouped[keys.get(source) or repository_key(report)].append((source, report))
    latest: dict[str, tuple[str, Mapping[str, Any]]] = {}
    older: dict[str, Snapshot] = {}
    for key, items in grouped.items():
        items.sort(key=lambda item: (str(item[1]["scanned_at"]), item[0]))
        latest[key] = items[-1]
        if len(items) > 1:
            source, report = items[-2]
            older[key] = snapshot(report, source, key)
    return latest, older


def build(
    reports: Sequence[tuple[str, Mapping[str, Any]]],
    *,
    generated_at: str,
    tool_version: str,
    previous: Mapping[str, Snapshot] | None = None,
    previous_run: str | None = None,
    rejected: Iterable[Rejected] = (),
    rescanned: Mapping[str, bool] | None = None,
    keys: Mapping[str, str] | None = None,
    notes: Iterable[str] = (),
    examples_per_practice: int = 5,
) -> Portfolio:
    """Fold validated reports into a portfolio.

    `reports` are (source, report JSON) pairs; several reports of one repository
    are several dates of it: the newest is the row, the one before is what it is
    compared with. Otherwise a repository is compared with its snapshot in
    `previous` (the last portfolio in the history database), if any.
    """
    latest, older = latest_by_repository(reports, keys)
    previous = previous or {}
    rows: list[Row] = []
    for key, (source, report) in latest.items():
        current = snapshot(report, source, key)
        before = older.get(key) or previous.get(key)
        moved = change(current, before) if before is not None else None
        rows.append(Row(current, moved, (rescanned or {}).get(key)))
    rows.sort(key=lambda row: (-row.snapshot.score, row.snapshot.name.lower(), row.snapshot.key))
    return Portfolio(
        generated_at=generated_at,
        tool_version=tool_version,
        rulebook_version=newest_version(row.snapshot.rulebook_version for row in rows),
        rows=tuple(rows),
        levels=_levels(rows),
        practices=_practices([report for _, report in latest.values()], examples_per_practice),
        rejected=tuple(rejected),
        previous_run=previous_run,
        notes=tuple(notes),
    )


def _levels(rows: Sequence[Row]) -> tuple[LevelCount, ...]:
    """Every readiness level, best first, with how many repositories reach it (zeros kept:
    an empty band is information too)."""
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row.snapshot.level_id] += 1
    return tuple(
        LevelCount(b.level.id, b.level.title, b.level.rank, counts[b.level.id]) for b in LEVEL_BANDS
    )


def _practices(reports: Sequence[Mapping[str, Any]], limit: int) -> tuple[Practice, ...]:
    """Practice rules that at least one repository lacks, most widely missing first
    (ties: the larger gain first). A hazard is a finding to fix, not a practice to
    provide, so hazards are left to each repository's own report."""
    applicable: dict[str, int] = defaultdict(int)
    lacking: dict[str, list[str]] = defaultdict(list)
    partial: dict[str, list[str]] = defaultdict(list)
    gains: dict[str, float] = defaultdict(float)
    examples: dict[str, list[Example]] = defaultdict(list)
    about: dict[str, Mapping[str, Any]] = {}
    for report in sorted(
        reports, key=lambda r: (-float(r["summary"]["score"]), r["target"]["name"])
    ):
        name = str(report["target"]["name"])
        for result in report["results"]:
            if result.get("type") != "practice" or result["status"] in ("not_applicable", "error"):
                continue
            rule = result["rule_id"]
            about.setdefault(rule, result)
            applicable[rule] += 1
            if result["status"] == "fail":
                lacking[rule].append(name)
            elif result["status"] == "partial":
                partial[rule].append(name)
            if result["status"] in LACKING:
                gains[rule] += float(result.get("gain") or 0.0)
            elif result.get("basis") == "evidence" and len(examples[rule]) < limit:
                examples[rule].append(_example(report, result))
    total = len(reports)
    practices = [
        Practice(
            rule_id=rule,
            title=str(about[rule]["title"]),
            pillar=str(about[rule]["pillar"]),
            severity=str(about[rule]["severity"]),
            fix=str(about[rule].get("fix") or ""),
            applicable=applicable[rule],
            lacking=tuple(lacking[rule]),
            partial=tuple(partial[rule]),
            gain_total=round(gains[rule], 1),
            mean_gain=round(gains[rule] / total, 1) if total else 0.0,
            examples=tuple(examples[rule]),
        )
        for rule in about
        if lacking[rule] or partial[rule]
    ]
    practices.sort(
        key=lambda p: (-(len(p.lacking) + 0.5 * len(p.partial)), -p.gain_total, p.rule_id)
    )
    return tuple(practices)


def _example(report: Mapping[str, Any], result: Mapping[str, Any]) -> Example:
    target = report["target"]
    evidence = next((e for e in result.get("evidence") or () if e.get("location")), None)
    if evidence is None:
        items = result.get("evidence") or ()
        detail = str(items[0]["detail"]) if items else "the practice is in place"
        return Example(str(target["name"]), detail, None, None, None)
    location = evidence["location"]
    path, line = str(location["path"]), location.get("line")
    inside = target.get("repository_path") or ""  # reports before 2.4 scanned the root
    in_repository = f"{inside}/{path}" if inside else path
    line_in_file = location.get("file_line") if location.get("cell") is not None else line
    return Example(
        repository=str(target["name"]),
        detail=str(evidence["detail"]),
        path=path,
        line=line,
        url=file_url(target.get("remote"), target.get("commit"), in_repository, line_in_file),
    )
