"""The portfolio's memory: one SQLite file, so a nightly job builds a trend with no server.

It holds three things:
- each portfolio run and the snapshot of every repository in it, so the next
  portfolio can say what changed since;
- the report of each scanned repository at each commit (for `portfolio --scan`),
  so a rerun scans only the repositories whose HEAD moved;
- the points `trend` computed, so a scorecard can draw its small trend line.

The file is the user's (its location is an option); one that is not a readycheck
history database is an error naming it, never silently replaced.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from readycheck.errors import ConfigError
from readycheck.portfolio import PillarCell, Portfolio, Snapshot

SCHEMA_VERSION = "1"

_TABLES = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY, created_at TEXT NOT NULL, "
    "tool_version TEXT NOT NULL, rulebook_version TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS snapshots (run_id INTEGER NOT NULL REFERENCES runs(id), "
    "repo_key TEXT NOT NULL, snapshot TEXT NOT NULL, PRIMARY KEY (run_id, repo_key))",
    "CREATE TABLE IF NOT EXISTS reports (source TEXT NOT NULL, commit_sha TEXT NOT NULL, "
    "analyser TEXT NOT NULL, report TEXT NOT NULL, stored_at TEXT NOT NULL, "
    "PRIMARY KEY (source, commit_sha, analyser))",
    "CREATE TABLE IF NOT EXISTS trend_points (repo_key TEXT NOT NULL, commit_sha TEXT NOT "
    "NULL, committed_at TEXT NOT NULL, score REAL NOT NULL, analyser TEXT NOT NULL, "
    "PRIMARY KEY (repo_key, commit_sha, analyser))",
)


class History:
    """An open history database; use as a context manager so it is always closed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path)
            self._db.execute("PRAGMA foreign_keys = ON")
            with self._db:
                for statement in _TABLES:
                    self._db.execute(statement)
                row = self._db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
                if row is None:
                    self._db.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
                elif row[0] != SCHEMA_VERSION:
                    raise ConfigError(
                        f"history database schema {row[0]} is not {SCHEMA_VERSION}; "
                        "use a new --db file",
                        path=str(path),
                    )
        except (sqlite3.DatabaseError, OSError) as error:
            raise ConfigError(
                f"cannot use it as the portfolio history database: {error}", path=str(path)
            ) from None

    def __enter__(self) -> History:
        return self

    def __exit__(self, *_: object) -> None:
        self._db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        try:
            with self._db:
                yield self._db
        except sqlite3.DatabaseError as error:
            raise ConfigError(
                f"cannot write the history database: {error}", path=str(self.path)
            ) from None

    # -- portfolio runs ---------------------------------------------------------------

    def previous_run(self) -> tuple[str, dict[str, Snapshot]] | None:
        """The last portfolio recorded: when it was made, and its snapshot per repository."""
        row = self._db.execute(
            "SELECT id, created_at FROM runs ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        run_id, created_at = row
        snapshots = {
            key: _snapshot(json.loads(text))
            for key, text in self._db.execute(
                "SELECT repo_key, snapshot FROM snapshots WHERE run_id = ?", (run_id,)
            )
        }
        return str(created_at), snapshots

    def record_run(self, portfolio: Portfolio) -> None:
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO runs (created_at, tool_version, rulebook_version) VALUES (?, ?, ?)",
                (portfolio.generated_at, portfolio.tool_version, portfolio.rulebook_version),
            )
            db.executemany(
                "INSERT INTO snapshots VALUES (?, ?, ?)",
                [
                    (
                        cursor.lastrowid,
                        row.snapshot.key,
                        json.dumps(dataclasses.asdict(row.snapshot)),
                    )
                    for row in portfolio.rows
                ],
            )

    # -- reports per repository and commit ----------------------------------------------

    def report(self, source: str, commit: str, analyser: str) -> Mapping[str, Any] | None:
        """The stored report of `source` at `commit`, made by the same readycheck and
        rulebook (`analyser`), or None: then it must be scanned."""
        row = self._db.execute(
            "SELECT report FROM reports WHERE source = ? AND commit_sha = ? AND analyser = ?",
            (source, commit, analyser),
        ).fetchone()
        if row is None:
            return None
        try:
            report: Mapping[str, Any] = json.loads(row[0])
        except ValueError:
            return None
        return report

    def store_report(
        self, source: str, commit: str, analyser: str, report: Mapping[str, Any]
    ) -> None:
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO reports VALUES (?, ?, ?, ?, ?)",
                (source, commit, analyser, json.dumps(report), str(report.get("scanned_at", ""))),
            )

    # -- score over time ------------------------------------------------------------------

    def record_trend(
        self, repo_key: str, analyser: str, points: Iterable[tuple[str, str, float]]
    ) -> None:
        """Store (commit, committed_at, score) points that `trend` computed."""
        with self._write() as db:
            db.executemany(
                "INSERT OR REPLACE INTO trend_points VALUES (?, ?, ?, ?, ?)",
                [(repo_key, commit, date, score, analyser) for commit, date, score in points],
            )

    def scores(
        self, repo_key: str, limit: int = 20, without: str | None = None
    ) -> list[tuple[str, float]]:
        """The repository's recorded scores, oldest first, as (date, score): its points
        in earlier portfolios and the commits `trend` scanned, one per commit, leaving out
        commit `without` (the one being scanned now, which brings its own point)."""
        by_commit: dict[str, tuple[str, float]] = {}
        for text in self._db.execute(
            "SELECT s.snapshot FROM snapshots s JOIN runs r ON r.id = s.run_id "
            "WHERE s.repo_key = ? ORDER BY r.id",
            (repo_key,),
        ):
            snap = json.loads(text[0])
            by_commit[str(snap.get("commit") or snap["scanned_at"])] = (
                str(snap["scanned_at"]),
                float(snap["score"]),
            )
        for commit, date, score in self._db.execute(
            "SELECT commit_sha, committed_at, score FROM trend_points WHERE repo_key = ?",
            (repo_key,),
        ):
            by_commit.setdefault(str(commit), (str(date), float(score)))
        by_commit.pop(without or "", None)
        return sorted(by_commit.values())[-limit:]


def _snapshot(data: Mapping[str, Any]) -> Snapshot:
    fields = dict(data)
    fields["pillars"] = tuple(PillarCell(**cell) for cell in fields["pillars"])
    fields["lacking"] = tuple(fields["lacking"])
    return Snapshot(**fields)
