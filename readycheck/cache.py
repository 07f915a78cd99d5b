"""The incremental cache: per-file analysis results in one SQLite file.

An entry is keyed on everything that can change a file's analysis: the
readycheck version and a digest of its own source (so an edited editable
install does not serve stale evidence), the bandit and radon versions, the
rulebook's digest (config overrides included), the
detector calls that apply, the file's path and role, and a hash of its
content. Unchanged files are not read twice, parsed or visited again;
repository-wide rules are then re-evaluated from the cached evidence.

Entries are JSON, never pickle: the cache file lives on disk where anyone
(or a previous, compromised job) could have written it, and readycheck does
not deserialise anything that can execute. A cache that is corrupt, locked
or from another schema is discarded with a warning; it is never fatal.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Sequence
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from readycheck import __version__
from readycheck.analyze import FileAnalysis
from readycheck.model import Evidence, Location, ScanWarning
from readycheck.suppress import InlineSuppression
from readycheck.workspace import CodeSummary

SCHEMA = "readycheck-cache/1"
FILE_NAME = "readycheck.sqlite3"
_RETENTION_SECONDS = 30 * 24 * 3600


def default_dir() -> Path:
    """$XDG_CACHE_HOME/readycheck, else ~/.cache/readycheck."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "readycheck"


@cache
def analyser_digest() -> str:
    """What analyses a file: readycheck's version and source, bandit's and radon's versions."""
    digest = hashlib.sha256(__version__.encode())
    for name in ("bandit", "radon"):
        try:
            digest.update(f"\0{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"\0{name}=?".encode())
    package = Path(__file__).parent
    for source in sorted(package.rglob("*.py")):
        digest.update(b"\0" + source.relative_to(package).as_posix().encode())
        digest.update(hashlib.sha256(source.read_bytes()).digest())
    return digest.hexdigest()


def entry_key(
    rulebook_digest: str,
    path: str,
    role: str,
    content: bytes,
    call_keys: Sequence[str],
    inline: bool,
) -> str:
    digest = hashlib.sha256()
    for part in (analyser_digest(), rulebook_digest, path, role, str(inline), *call_keys):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    digest.update(hashlib.sha256(content).digest())
    return digest.hexdigest()


class AnalysisCache:
    """A SQLite file of per-file analyses. Every failure degrades to "no cache" with a warning."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / FILE_NAME
        self.warnings: list[ScanWarning] = []
        self._pending: list[tuple[str, str, float]] = []
        self._db: sqlite3.Connection | None = None
        try:
            directory.mkdir(parents=True, exist_ok=True)
            self._db = self._open()
        except (OSError, sqlite3.Error) as error:
            self._warn(f"cache disabled: {error}")

    def _warn(self, message: str) -> None:
        self.warnings.append(ScanWarning("cache", message, None))

    def _open(self) -> sqlite3.Connection:
        try:
            return self._connect()
        except sqlite3.DatabaseError as error:
            self._warn(f"discarded an unreadable cache file ({error}); starting a new one")
        except _ForeignCache as error:
            self._warn(f"discarded a cache file of another kind ({error}); starting a new one")
        self.path.unlink(missing_ok=True)
        return self._connect()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=5)
        try:
            db.execute(
                "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
            )
            db.execute(
                "CREATE TABLE IF NOT EXISTS entries "
                "(key TEXT PRIMARY KEY, value TEXT NOT NULL, used REAL NOT NULL)"
            )
            row = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            if row is None:
                db.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA,))
                db.commit()
            elif row[0] != SCHEMA:
                raise _ForeignCache(f"schema {row[0]!r}")
            db.execute("SELECT key, value, used FROM entries LIMIT 1").fetchall()
        except BaseException:
            db.close()
            raise
        return db

    def get(self, key: str) -> FileAnalysis | None:
        if self._db is None:
            return None
        try:
            row = self._db.execute("SELECT value FROM entries WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error as error:
            self._disable(error)
            return None
        if row is None:
            return None
        try:
            analysis = decode(json.loads(row[0]))
        except (ValueError, KeyError, TypeError):
            return None  # an entry we cannot read is a miss; it is overwritten below
        self._pending.append((key, row[0], time.time()))
        return analysis

    def put(self, key: str, analysis: FileAnalysis) -> None:
        if self._db is not None:
            self._pending.append(
                (key, json.dumps(encode(analysis), separators=(",", ":")), time.time())
            )

    def close(self) -> None:
        """Write what this scan added or used, and forget entries unused for a month."""
        if self._db is None:
            return
        try:
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO entries VALUES (?, ?, ?)", self._pending
                )
                self._db.execute(
                    "DELETE FROM entries WHERE used < ?", (time.time() - _RETENTION_SECONDS,)
                )
        except sqlite3.Error as error:
            self._warn(f"could not update the cache: {error}")
        finally:
            self._db.close()
            self._db = None

    def _disable(self, error: Exception) -> None:
        self._warn(f"cache disabled for this scan: {error}")
        if self._db is not None:
            self._db.close()
        self._db = None


class _ForeignCache(Exception):
    """The file is a SQLite database, but not one of our caches."""


def _location(data: dict[str, Any] | None) -> Location | None:
    return None if data is None else Location(**data)


def _location_dict(location: Location | None) -> dict[str, Any] | None:
    if location is None:
        return None
    return {k: v for k, v in vars(location).items() if v is not None}


def encode(analysis: FileAnalysis) -> dict[str, Any]:
    """FileAnalysis as plain JSON data."""
    return {
        "path": analysis.path,
        "evidence": {
            key: [[_location_dict(e.location), e.detail, e.snippet, e.missing] for e in items]
            for key, items in analysis.evidence.items()
        },
        "warnings": [[w.code, w.message, w.path] for w in analysis.warnings],
        "suppressions": [
            [_location_dict(s.location), list(s.rules), s.reason, s.until, s.target_line]
            for s in analysis.suppressions
        ],
        "summary": None
        if analysis.summary is None
        else {
            "imports": list(analysis.summary.imports),
            "functions": [
                [n, _location_dict(w), size] for n, w, size in analysis.summary.functions
            ],
        },
    }


def decode(data: dict[str, Any]) -> FileAnalysis:
    """The inverse of encode; raises ValueError, KeyError or TypeError on anything malformed."""
    summary = data["summary"]
    return FileAnalysis(
        path=str(data["path"]),
        evidence={
            str(key): tuple(
                Evidence(_location(loc), str(detail), str(snippet), bool(missing))
                for loc, detail, snippet, missing in items
            )
            for key, items in data["evidence"].items()
        },
        warnings=tuple(ScanWarning(str(c), str(m), p) for c, m, p in data["warnings"]),
        suppressions=tuple(
            InlineSuppression(
                _required(_location(loc)), tuple(rules), str(reason), until, int(target)
            )
            for loc, rules, reason, until, target in data["suppressions"]
        ),
        summary=None
        if summary is None
        else CodeSummary(
            tuple(summary["imports"]),
            tuple(
                (str(n), _required(_location(w)), int(size)) for n, w, size in summary["functions"]
            ),
        ),
    )


def _required(location: Location | None) -> Location:
    if location is None:
        raise ValueError("missing location")
    return location
