"""One defect, one finding: when two rules see the same defect at the same place (a
hard-coded key that a token pattern and bandit both recognise), the report keeps one
finding, from the more severe rule, and names the other source in it.

Rules opt in with `same_defect_as`; two unrelated hazards on one line (`eval` of a
pickled payload) stay two findings.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from readycheck.model import Basis, Finding, Location, RuleResult, RuleType, Status


def _place(location: Location | None) -> tuple[str, int | None, int | None] | None:
    if location is None or location.line is None:
        return None
    return (location.path, location.line, location.cell)


def merge(results: Sequence[RuleResult]) -> list[RuleResult]:
    """The results with each duplicated finding kept once, by its most severe rule."""
    by_id = {r.rule.id: r for r in results}
    dropped: dict[str, set[int]] = {}
    notes: dict[tuple[str, int], list[str]] = {}
    for result in results:
        for other_id in result.rule.same_defect_as:
            other = by_id.get(other_id)
            if other is None:
                continue
            _pair(result, other, dropped, notes)
    merged = []
    for result in results:
        findings = []
        for index, finding in enumerate(result.findings):
            if index in dropped.get(result.rule.id, set()):
                continue
            also = notes.get((result.rule.id, index))
            if also:
                finding = dataclasses.replace(
                    finding, message=f"{finding.message} (also reported by {'; '.join(also)})"
                )
            findings.append(finding)
        merged.append(_with_findings(result, findings))
    return merged


def _pair(
    first: RuleResult,
    second: RuleResult,
    dropped: dict[str, set[int]],
    notes: dict[tuple[str, int], list[str]],
) -> None:
    """Mark the findings the two rules share by place: the less severe side is dropped."""
    keep, lose = (
        (first, second) if first.rule.severity.rank > second.rule.severity.rank else (second, first)
    )
    kept_at = {_place(f.location): i for i, f in enumerate(keep.findings) if _place(f.location)}
    for index, finding in enumerate(lose.findings):
        place = _place(finding.location)
        if place is None or place not in kept_at:
            continue
        if index in dropped.setdefault(lose.rule.id, set()):
            continue
        dropped[lose.rule.id].add(index)
        notes.setdefault((keep.rule.id, kept_at[place]), []).append(
            f"{lose.rule.id}: {finding.message}"
        )


def _with_findings(result: RuleResult, findings: list[Finding]) -> RuleResult:
    """A hazard whose every finding went to another rule no longer holds a hazard."""
    if tuple(findings) == result.findings:
        return result
    if result.rule.type is RuleType.HAZARD and not findings:
        return dataclasses.replace(
            result, findings=(), status=Status.PASS, basis=Basis.CLEAR, affected=0
        )
    paths = {f.location.path for f in findings if f.location is not None}
    affected = min(result.affected, max(1, len(paths))) if findings else 0
    return dataclasses.replace(result, findings=tuple(findings), affected=affected)
