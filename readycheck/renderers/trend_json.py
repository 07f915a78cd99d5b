"""The trend as versioned JSON (schema: readycheck/schemas/trend.schema.json).

Its own `schema_version`, separate from the scan report's: a dashboard that plots
a repository's history depends on this shape, not on the report's. Semantic
versioning as for the report: a new optional field is a minor bump, anything
that can break a consumer is a major one.
"""

from __future__ import annotations

import json
from typing import Any

from readycheck.trend import Failed, Mover, Point, Trend

SCHEMA_VERSION = "1.0.0"


def _https(url: str | None) -> str | None:
    """A forge address, or null: like the HTML page, the JSON passes on only `https://`
    links, so a dashboard that makes them clickable cannot be handed `javascript:`."""
    return url if url and url.startswith("https://") else None


def _point(point: Point) -> dict[str, Any]:
    return {
        "commit": point.commit,
        "date": point.date,
        "subject": point.subject,
        "tag": point.tag,
        "url": _https(point.url),
        "score": point.score,
        "level": {"id": point.level_id, "title": point.level_title},
        "pillars": [{"id": c.id, "title": c.title, "score": c.score} for c in point.pillars],
    }


def _mover(mover: Mover) -> dict[str, Any]:
    return {
        "commit": mover.commit,
        "subject": mover.subject,
        "url": _https(mover.url),
        "pillar": {"id": mover.pillar, "title": mover.pillar_title},
        "delta": mover.delta,
    }


def _failed(failed: Failed) -> dict[str, Any]:
    return {"commit": failed.commit, "reason": failed.reason}


def to_dict(trend: Trend) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "readycheck", "version": trend.tool_version},
        "rulebook": {"version": trend.rulebook_version},
        "generated_at": trend.generated_at,
        "repository": {"name": trend.name, "path": trend.path, "remote": trend.remote},
        "selection": trend.selection,
        "points": [_point(p) for p in trend.points],
        "movers": [_mover(m) for m in trend.movers],
        "failed": [_failed(f) for f in trend.failed],
        "warnings": list(trend.warnings),
    }


def render(trend: Trend) -> str:
    return json.dumps(to_dict(trend), indent=2, ensure_ascii=False) + "\n"
