"""What every portfolio renderer words and links the same way.

The HTML page, the Markdown summary and the terminal table all show a change
as "▲ +3.2", a level move as "Pilot → Pre-production" and a practice as
"missing in 2 of 3 repositories"; keeping those here keeps the formats in
step. Links are made here too, and only to `https://` addresses without
characters that could end an HTML attribute or a Markdown link: remotes come
from reports that other machines wrote, so they are checked again here.
"""

from __future__ import annotations

import re

from readycheck.forge import commit_url, web_remote
from readycheck.model import Pillar
from readycheck.portfolio import Change, Portfolio, Practice, Snapshot
from readycheck.renderers import page
from readycheck.renderers.svg import fmt_score

#: The pillar columns, in the order every report lists them.
PILLARS = tuple(Pillar)
#: Characters of a commit shown in a table (the full hash goes in a title or a link).
COMMIT_SHOWN = 10
_SAFE_URL = re.compile(r"https://[^\s\"'<>()\[\]`|\\]+")


def safe_url(url: str | None) -> str | None:
    """`url` when it may become a link: https only, and nothing that could break out of an
    attribute or a Markdown link destination; else None (the text is shown unlinked)."""
    if url and _SAFE_URL.fullmatch(url):
        return url
    return None


def repository_url(snapshot: Snapshot) -> str | None:
    """The repository's web page, credentials dropped, when its remote is a known forge URL."""
    return safe_url(web_remote(snapshot.remote))


def commit_link(snapshot: Snapshot) -> str | None:
    """The scanned commit on its forge, when the forge's URL layout is known."""
    return safe_url(commit_url(web_remote(snapshot.remote), snapshot.commit))


def pillar_name(pillar_id: str) -> str:
    """A pillar's short name ("Human in the loop") from its id; the id itself if unknown."""
    return next((p.short for p in PILLARS if p.value == pillar_id), pillar_id)


def when(value: str | None) -> str | None:
    """An ISO timestamp as the scorecard shows it (`2026-11-25 07:36 UTC`)."""
    return page.when(value)


def short_commit(commit: str) -> str:
    return commit[:COMMIT_SHOWN]


def pillar_score(snapshot: Snapshot, pillar: Pillar) -> float | None:
    """One pillar's score in one repository; None when no rule of it applied (or the report
    did not list it)."""
    return next((cell.score for cell in snapshot.pillars if cell.id == pillar.value), None)


def delta(change: Change) -> str:
    """The score change with an arrow and a sign: "▲ +3.2", "▼ -1", "= ±0"."""
    value = change.score_delta
    if value > 0:
        return f"▲ +{fmt_score(value)}"
    if value < 0:
        return f"▼ -{fmt_score(-value)}"
    return "= ±0"


def level_move(change: Change, snapshot: Snapshot) -> str | None:
    """ "Pilot → Pre-production" when the level moved, else None."""
    if not change.level_delta:
        return None
    return f"{change.previous_level_title} → {snapshot.level_title}"


def scan_label(rescanned: bool | None) -> str:
    """For `--scan` runs: whether the row's report is fresh or was reused from the cache."""
    if rescanned is None:
        return ""
    return "rescanned" if rescanned else "reused"


def has_scan_column(portfolio: Portfolio) -> bool:
    """Only a `--scan` run knows what it rescanned; other portfolios show no such column."""
    return any(row.rescanned is not None for row in portfolio.rows)


def missing_phrase(practice: Practice) -> str:
    """ "missing in 2 of 3 repositories", counted over those the practice applies to."""
    count, of = len(practice.lacking), practice.applicable
    return f"missing in {count} of {of} repositor{'y' if of == 1 else 'ies'}"


def partial_phrase(practice: Practice) -> str | None:
    """ "partly in 1" when some repositories have only part of the practice."""
    return f"partly in {len(practice.partial)}" if practice.partial else None


def gain_phrase(practice: Practice) -> str:
    return f"+{fmt_score(practice.mean_gain)} points to the organisation's mean if fixed everywhere"


def repositories_phrase(count: int) -> str:
    return f"{count} repositor{'y' if count == 1 else 'ies'}"
