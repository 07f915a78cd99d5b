"""The versioned JSON portfolio (schema: readycheck/schemas/portfolio.schema.json).

For dashboards and scripts that track the organisation over time. Every field
of the portfolio is here, plus the commit's forge link when it can be made.
`schema_version` follows semantic versioning, independently of the report's:
a new optional field is a minor bump, anything that can break a consumer is a
major one.
"""

from __future__ import annotations

import json
from typing import Any

from readycheck.portfolio import Change, Example, Portfolio, Practice, Row
from readycheck.renderers import portfolio_common as common

SCHEMA_VERSION = "1.0.0"


def _change(change: Change | None) -> dict[str, Any] | None:
    if change is None:
        return None
    return {
        "previous_commit": change.previous_commit,
        "previous_scanned_at": change.previous_scanned_at,
        "previous_score": change.previous_score,
        "previous_level_title": change.previous_level_title,
        "score_delta": change.score_delta,
        "level_delta": change.level_delta,
        "newly_lacking": list(change.newly_lacking),
        "newly_met": list(change.newly_met),
    }


def _repository(row: Row) -> dict[str, Any]:
    snap = row.snapshot
    return {
        "key": snap.key,
        "name": snap.name,
        "remote": snap.remote,
        "commit": snap.commit,
        "commit_url": common.commit_link(snap),
        "scanned_at": snap.scanned_at,
        "score": snap.score,
        "level": {"id": snap.level_id, "title": snap.level_title, "rank": snap.level_rank},
        "pillars": [{"id": p.id, "title": p.title, "score": p.score} for p in snap.pillars],
        "lacking": list(snap.lacking),
        "kind": snap.kind,
        "source": snap.source,
        "rulebook_version": snap.rulebook_version,
        "change": _change(row.change),
        "rescanned": row.rescanned,
    }


def _example(example: Example) -> dict[str, Any]:
    return {
        "repository": example.repository,
        "detail": example.detail,
        "path": example.path,
        "line": example.line,
        "url": example.url,
    }


def _practice(practice: Practice) -> dict[str, Any]:
    return {
        "rule_id": practice.rule_id,
        "title": practice.title,
        "pillar": practice.pillar,
        "severity": practice.severity,
        "fix": practice.fix,
        "applicable": practice.applicable,
        "lacking": list(practice.lacking),
        "partial": list(practice.partial),
        "gain_total": practice.gain_total,
        "mean_gain": practice.mean_gain,
        "examples": [_example(e) for e in practice.examples],
    }


def to_dict(portfolio: Portfolio) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "readycheck", "version": portfolio.tool_version},
        "rulebook": {"version": portfolio.rulebook_version},
        "generated_at": portfolio.generated_at,
        "previous_run": portfolio.previous_run,
        "summary": {
            "repositories": len(portfolio.rows),
            "mean_score": portfolio.mean_score,
            "levels": [
                {"id": lv.id, "title": lv.title, "rank": lv.rank, "count": lv.count}
                for lv in portfolio.levels
            ],
        },
        "repositories": [_repository(row) for row in portfolio.rows],
        "practices": [_practice(p) for p in portfolio.practices],
        "rejected": [{"source": r.source, "reason": r.reason} for r in portfolio.rejected],
        "notes": list(portfolio.notes),
    }


def render(portfolio: Portfolio) -> str:
    return json.dumps(to_dict(portfolio), indent=2, sort_keys=False, ensure_ascii=False) + "\n"
