"""The versioned JSON report (schema: readycheck/schemas/report.schema.json).

`schema_version` follows semantic versioning: a new optional field is a
minor bump, anything that can break a consumer is a major one.
"""

from __future__ import annotations

import json
from typing import Any

from readycheck import score
from readycheck.model import (
    Evidence,
    Finding,
    Location,
    PillarScore,
    Report,
    RuleResult,
    RuleType,
    Status,
)

SCHEMA_VERSION = "2.4.0"


def _location(location: Location | None) -> dict[str, Any] | None:
    if location is None:
        return None
    data: dict[str, Any] = {"path": location.path}
    if location.line is not None:
        data["line"] = location.line
    if location.cell is not None:
        data["cell"] = location.cell
    if location.file_line is not None:
        data["file_line"] = location.file_line
    return data


def _finding(finding: Finding) -> dict[str, Any]:
    suppression = finding.suppression
    return {
        "message": finding.message,
        "location": _location(finding.location),
        "snippet": finding.snippet,
        "fingerprint": finding.fingerprint,
        "suppression": None
        if suppression is None
        else {
            "reason": suppression.reason,
            "source": suppression.source,
            "location": _location(suppression.location),
            "until": suppression.until,
        },
        "in_baseline": finding.in_baseline,
        "in_change": finding.in_change,
        "gating": finding.gating,
    }


def _evidence(evidence: Evidence) -> dict[str, Any]:
    return {
        "detail": evidence.detail,
        "location": _location(evidence.location),
        "snippet": evidence.snippet,
    }


def _result(result: RuleResult) -> dict[str, Any]:
    rule = result.rule
    return {
        "rule_id": rule.id,
        "title": rule.title,
        "pillar": rule.pillar.value,
        "severity": rule.severity.value,
        "weight": rule.weight,
        "confidence": rule.confidence.value,
        "type": rule.type.value,
        "status": result.status.value,
        "basis": result.basis.value,
        "gain": result.gain,
        "reason": result.reason,
        "problem": rule.problem,
        "why": rule.why,
        "fix": rule.fix,
        "references": [{"title": r.title, "url": r.url} for r in rule.references],
        "findings": [_finding(f) for f in result.findings],
        "evidence": [_evidence(e) for e in result.evidence[:10]],
        "applies_because": [_evidence(e) for e in result.applies_because],
        "hazard": _hazard(result),
        "blocked_by": result.blocked_by,
    }


def _hazard(result: RuleResult) -> dict[str, Any] | None:
    """How much of the examined code a hazard affects, and what it costs (hazards only)."""
    if result.rule.type is not RuleType.HAZARD:
        return None
    return {
        "affected_files": result.affected,
        "examined_files": result.examined,
        "density": round(result.density, 4),
        "penalty": round(score.penalty(result), 2),
    }


def _pillar(pillar: PillarScore) -> dict[str, Any]:
    return {
        "id": pillar.pillar.value,
        "title": pillar.pillar.title,
        "score": pillar.score,
        "earned": round(pillar.earned, 2),
        "possible": round(pillar.possible, 2),
        "counts": {status.value: pillar.counts.get(status, 0) for status in Status},
        "penalty": pillar.penalty,
        "capped_by": [{"rule_id": rule_id, "cap": cap} for rule_id, cap in pillar.caps],
    }


def to_dict(report: Report) -> dict[str, Any]:
    counts = {status.value: 0 for status in Status}
    for result in report.results:
        counts[result.status.value] += 1
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "readycheck", "version": report.tool_version},
        "rulebook": {"version": report.rulebook_version, "rules": len(report.results)},
        "target": {
            "name": report.target.name,
            "path": report.target.path,
            "files": report.target.files,
            "commit": report.target.commit,
            "branch": report.target.branch,
            "commit_date": report.target.commit_date,
            "config": report.target.config,
            "remote": report.target.remote,
            "repository_path": report.target.repository_path,
        },
        "scanned_at": report.scanned_at,
        "summary": {
            "score": report.score,
            "level": {
                "id": report.level.id,
                "title": report.level.title,
                "rank": report.level.rank,
                "summary": report.level.summary,
            },
            "level_capped_by": report.level_capped_by.value if report.level_capped_by else None,
            "level_capped_by_rules": list(report.level_capped_by_rules),
            "counts": counts,
        },
        "kind": None
        if report.kind is None
        else {
            "id": report.kind.id,
            "title": report.kind.title,
            "declared": report.kind.declared,
            "reason": report.kind.reason,
            "evidence": None if report.kind.evidence is None else _evidence(report.kind.evidence),
        },
        "pillars": [_pillar(p) for p in report.pillars],
        "results": [_result(r) for r in report.results],
        "warnings": [
            {"code": w.code, "message": w.message, "path": w.path} for w in report.warnings
        ],
        "gate": None if report.gate is None else _gate(report),
        "fixed": list(report.fixed),
        "since": report.since,
        "policy_changes": [
            {"text": c.text, "weakens": c.weakens, "where": c.where} for c in report.policy_changes
        ],
        "ml_test_score": _ml_test_score(report),
        "checklist": _checklist(report),
    }


def _checklist(report: Report) -> dict[str, Any] | None:
    shown = report.checklist
    if shown is None:
        return None
    return {
        "id": shown.id,
        "name": shown.name,
        "reference": shown.reference,
        "reason": shown.reason,
        "sections": [
            {
                "name": section.name,
                "met": section.met,
                "applicable": section.applicable,
                "items": [
                    {"id": i.id, "title": i.title, "status": i.status, "rules": list(i.rules)}
                    for i in section.items
                ],
            }
            for section in shown.sections
        ],
    }


def _ml_test_score(report: Report) -> dict[str, Any] | None:
    estimate = report.ml_test_score
    if estimate is None:
        return None
    return {
        "score": estimate.score,
        "band": estimate.band,
        "sections": [
            {
                "name": name,
                "points": points,
                "tests": [
                    {
                        "id": t.id,
                        "title": t.title,
                        "points": t.points,
                        "rules": list(t.rules),
                        "note": t.note,
                    }
                    for t in tests
                ],
            }
            for name, points, tests in estimate.sections
        ],
    }


def _gate(report: Report) -> dict[str, Any]:
    assert report.gate is not None
    gate = report.gate
    return {"passed": gate.passed, "reasons": list(gate.reasons), "checked": list(gate.checked)}


def render(report: Report) -> str:
    return json.dumps(to_dict(report), indent=2, ensure_ascii=False) + "\n"
