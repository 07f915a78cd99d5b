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
not deserialise anything that can execute. Each entry carries a checksum of
its payload keyed with its key, so an entry edited on disk, or moved to
another key, is a miss and is analysed again. The folder readycheck creates
is owner-only (0o700) and the file is 0o600. A cache file, or journal, that
is a symbolic link or a hard link is refused, never written through.

Every failure degrades to "no cache" with a warning, never a failed scan. A
cache another scan holds is waited for (BUSY_TIMEOUT), then left alone for
this run. A damaged file, or one of another schema, is emptied in place and
started afresh, but only while no other process holds it; it is never
deleted, so a scan that has it open never writes into a deleted file.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import sqlite3
import stat
import sys
import time
from collections.abc import Sequence
from functools import cache, lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from readycheck import __version__
from readycheck.analyze import FileAnalysis
from readycheck.model import Evidence, Location, ScanWarning
from readycheck.suppress import InlineSuppression
from readycheck.workspace import CodeSummary

if sys.platform != "win32":
    import fcntl

#: Version 2 added the per-entry checksum; a file of version 1 is rebuilt, never misread.
SCHEMA = "readycheck-cache/2"
FILE_NAME = "readycheck.sqlite3"
#: Seconds to wait for another scan's write to finish before scanning without the cache.
BUSY_TIMEOUT = 5.0
_RETENTION_SECONDS = 30 * 24 * 3600
#: A hit refreshes its entry's last use only when that is older than this: rewriting
#: every entry a scan reads cost more than reading them (trend rewrote thousands per commit).
_TOUCH_AFTER_SECONDS = 24 * 3600
_FOLDER_MODE = 0o700
_FILE_MODE = 0o600
#: The files SQLite keeps next to the database; none of them may be a link either.
_SIDECARS = ("-journal", "-wal", "-shm")
#: SQLite's lock bytes on POSIX (os_unix.c): the pending byte, the reserved byte and
#: the 510-byte shared range. Every SQLite lock, of any process, is a lock in here.
_LOCK_START = 0x40000000
_LOCK_LENGTH = 2 + 510
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_BUSY_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
_DAMAGE_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})
_CHECKSUM_PREFIX = SCHEMA.encode() + b"\0"
_CHECKED = b"checked"


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
    for part in (analyser_digest(), rulebook_digest, path, role, str(inline)):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    digest.update(calls_digest(tuple(call_keys)))
    digest.update(hashlib.sha256(content).digest())
    return digest.hexdigest()


def _checked_key(rulebook_digest: str) -> str:
    """The entry that says a rulebook was checked in full: by this readycheck (its
    version and source), since a change to the checks can reject what passed before."""
    return f"rulebook-checked\0{analyser_digest()}\0{rulebook_digest}"


@lru_cache(maxsize=256)
def calls_digest(call_keys: tuple[str, ...]) -> bytes:
    """The detector calls a file gets, hashed once per distinct set: files of one kind and
    role share theirs, and hashing a few hundred keys per file cost more than its content."""
    digest = hashlib.sha256()
    for key in call_keys:
        digest.update(key.encode("utf-8", "surrogateescape") + b"\0")
    return digest.digest()


def _checksum(key: str, payload: bytes) -> bytes:
    """sha256 of an entry's payload, keyed with its key: one hash per entry read.

    It tells an entry as readycheck wrote it from one edited on disk or moved to another
    key. It is not a secret: the file's permissions keep other users from forging one.
    """
    return hashlib.sha256(_CHECKSUM_PREFIX + key.encode() + b"\0" + payload).digest()


class AnalysisCache:
    """A SQLite file of per-file analyses. Every failure degrades to "no cache" with a warning."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / FILE_NAME
        self.warnings: list[ScanWarning] = []
        self._pending: list[tuple[str, bytes, bytes, float]] = []
        self._db: sqlite3.Connection | None = None
        try:
            _make_folder(directory)
            self._db = self._open()
        except _Busy as error:
            self._warn(f"cache in use by another scan ({error}); scanning without it this time")
        except (_Refused, _ForeignCache, OSError, sqlite3.Error) as error:
            self._warn(f"cache disabled: {error}")

    def _warn(self, message: str) -> None:
        self.warnings.append(ScanWarning("cache", message, None))

    def _open(self) -> sqlite3.Connection:
        try:
            return self._connect()
        except _ForeignCache as error:
            reason = f"discarded a cache file of another kind ({error}); starting a new one"
        except sqlite3.DatabaseError as error:
            if not _damaged(error):
                raise
            reason = f"replaced a damaged cache file ({error}); starting a new one"
        self._replace()
        self._warn(reason)
        return self._connect()

    def _connect(self) -> sqlite3.Connection:
        identity = self._check_file()
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT)
        try:
            if _identity(os.lstat(self.path)) != identity:
                raise _Refused(f"{self.path} was replaced while it was being opened")
            db.execute(
                "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
            )
            db.execute(
                "CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, "
                "value BLOB NOT NULL, checksum BLOB NOT NULL, used REAL NOT NULL)"
            )
            query = "SELECT value FROM meta WHERE key = 'schema'"
            row = db.execute(query).fetchone()
            if row is None:
                # Two scans may start on a new file at once: the second one's insert is a no-op.
                db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA,))
                db.commit()
                row = db.execute(query).fetchone()
            if row is None or row[0] != SCHEMA:
                raise _ForeignCache(f"schema {row[0] if row else None!r}")
            try:
                db.execute("SELECT key, value, checksum, used FROM entries LIMIT 1").fetchall()
            except sqlite3.OperationalError as error:
                if _code(error) != sqlite3.SQLITE_ERROR:
                    raise
                raise _ForeignCache(str(error)) from error  # our schema name, not our columns
        except sqlite3.Error as error:
            db.close()
            if _code(error) in _BUSY_CODES:
                raise _Busy(str(error)) from error
            raise
        except BaseException:
            db.close()
            raise
        return db

    def _check_file(self) -> tuple[int, int]:
        """Create the file (0o600) if it is missing; refuse a link or anything not a file,
        for the file and for the journal SQLite would write next to it.

        Returns the file's identity, to check that SQLite opened this very file.
        """
        for suffix in _SIDECARS:
            sidecar = Path(f"{self.path}{suffix}")
            with contextlib.suppress(FileNotFoundError):
                _regular(sidecar, os.lstat(sidecar))
        try:
            handle = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL | _NOFOLLOW, _FILE_MODE)
        except FileExistsError:
            return _identity(_regular(self.path, os.lstat(self.path)))
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(handle, _FILE_MODE)  # exactly 0o600, whatever the umask
            return _identity(os.fstat(handle))
        finally:
            os.close(handle)

    def _replace(self) -> None:
        """Empty the file in place for a new start, only while no other connection holds it.

        Emptied, never deleted: a scan that has the file open sees an empty database and
        warns, instead of writing its results into a file nobody will read.
        """
        probe = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None)
        try:
            try:
                probe.execute("BEGIN EXCLUSIVE")  # waits for other scans, in any process
                held = True
            except sqlite3.DatabaseError as error:
                if _code(error) in _BUSY_CODES:
                    raise _Busy(str(error)) from error
                if not _damaged(error):
                    raise
                held = False  # SQLite cannot lock a file it cannot read
            handle = os.open(self.path, os.O_RDWR | _NOFOLLOW)
            try:
                _regular(self.path, os.fstat(handle))
                if not held and not _lock_bytes_free(handle):
                    raise _Busy("database is locked")
                os.ftruncate(handle, 0)
                if hasattr(os, "fchmod"):
                    os.fchmod(handle, _FILE_MODE)
                if not held:
                    # A journal left by a crashed writer would be played back into the new file.
                    Path(f"{self.path}-journal").unlink(missing_ok=True)
            finally:
                os.close(handle)  # also ends this process's POSIX locks on the file
        except OSError as error:
            if error.errno == getattr(os, "ELOOP", None) or isinstance(error, IsADirectoryError):
                raise _Refused(f"{self.path} is not a regular file") from error
            raise
        finally:
            probe.close()

    def get(self, key: str) -> FileAnalysis | None:
        value = self._read(key)
        if value is None:
            return None
        try:
            return decode(json.loads(value.decode()))
        except (ValueError, KeyError, TypeError, AttributeError):
            return None  # an entry we cannot read is a miss; it is overwritten below

    def checked(self, digest: str) -> bool:
        """Whether this readycheck already checked the rulebook of this digest in full."""
        return self._read(_checked_key(digest)) == _CHECKED

    def mark_checked(self, digest: str) -> None:
        self._store(_checked_key(digest), _CHECKED)

    def put(self, key: str, analysis: FileAnalysis) -> None:
        self._store(key, json.dumps(encode(analysis), separators=(",", ":")).encode())

    def _read(self, key: str) -> bytes | None:
        """An entry's payload when its checksum holds (an entry edited or damaged on disk
        is a miss, written again); a hit older than a day is touched, so the monthly
        clean-up never forgets an entry still in use."""
        if self._db is None:
            return None
        try:
            row = self._db.execute(
                "SELECT value, checksum, used FROM entries WHERE key = ?", (key,)
            ).fetchone()
        except sqlite3.Error as error:
            self._recover(error)
            return None
        if row is None:
            return None
        value, checksum, used = row
        if not (
            isinstance(value, bytes)
            and isinstance(checksum, bytes)
            and hmac.compare_digest(checksum, _checksum(key, value))
        ):
            return None
        now = time.time()
        if not isinstance(used, int | float) or used < now - _TOUCH_AFTER_SECONDS:
            self._pending.append((key, value, checksum, now))
        return value

    def _store(self, key: str, value: bytes) -> None:
        if self._db is not None:
            self._pending.append((key, value, _checksum(key, value), time.time()))

    def close(self) -> None:
        """Write what this scan added or used, and forget entries unused for a month. A scan
        that used nothing new writes nothing (a write is a disk sync: most of a rescan's
        time in the cache when nothing changed)."""
        if self._db is None:
            return
        if not self._pending:
            self._db.close()
            self._db = None
            return
        try:
            try:
                self._write(self._db)
            except sqlite3.DatabaseError as error:
                if not _damaged(error):
                    raise
                self._recover(error)  # a new file, then write this scan's entries to it
                if self._db is not None:
                    self._write(self._db)
        except sqlite3.Error as error:
            self._warn(f"could not update the cache: {error}")
        finally:
            if self._db is not None:
                self._db.close()
                self._db = None

    def _write(self, db: sqlite3.Connection) -> None:
        with db:
            db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?)", self._pending)
            db.execute("DELETE FROM entries WHERE used < ?", (time.time() - _RETENTION_SECONDS,))

    def _recover(self, error: sqlite3.Error) -> None:
        """A query failed: go on with a new file if this one is damaged, else without a cache."""
        if self._db is not None:
            self._db.close()
            self._db = None
        if not _damaged(error):
            self._warn(f"cache disabled for this scan: {error}")
            return
        try:
            self._replace()
            self._db = self._connect()
        except _Busy as failure:
            self._warn(
                f"the cache file is damaged ({error}) but in use by another scan ({failure}); "
                "scanning without it this time"
            )
        except (_Refused, _ForeignCache, OSError, sqlite3.Error) as failure:
            self._warn(f"cache disabled for this scan: {error}; {failure}")
        else:
            self._warn(f"replaced a damaged cache file ({error}); starting a new one")


class _ForeignCache(Exception):
    """The file is a SQLite database, but not one of our caches."""


class _Busy(Exception):
    """Another connection holds the file: leave it alone."""


class _Refused(Exception):
    """The cache path is a link or not a regular file: never written through."""


class CacheInUse(Exception):
    """Another scan holds the cache database."""


def clear(directory: Path) -> int:
    """Delete the cache files in `directory`, and say how many; refuse (CacheInUse) while
    another scan holds the database, whose work would go to a deleted file."""
    database = directory / FILE_NAME
    if database.is_file() and not database.is_symlink():
        try:
            db = sqlite3.connect(database, timeout=1.0)
            try:
                db.execute("BEGIN EXCLUSIVE")
                db.rollback()
            finally:
                db.close()
        except sqlite3.OperationalError as error:
            if _code(error) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                raise CacheInUse(str(database)) from None
        except sqlite3.DatabaseError:
            pass  # a damaged file: deleting it is what is wanted
    removed = 0
    for path in sorted(directory.glob(FILE_NAME + "*")):
        if path.is_file() and not path.is_symlink():
            path.unlink()
            removed += 1
    return removed


def _code(error: sqlite3.Error) -> int | None:
    code = getattr(error, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF  # the primary code of an extended one


def _damaged(error: sqlite3.Error) -> bool:
    return _code(error) in _DAMAGE_CODES


def _identity(info: os.stat_result) -> tuple[int, int]:
    return info.st_dev, info.st_ino


def _regular(path: Path, info: os.stat_result) -> os.stat_result:
    """`info` if it describes a plain file with one name; _Refused otherwise."""
    if stat.S_ISLNK(info.st_mode):
        raise _Refused(f"{path} is a symbolic link")
    if not stat.S_ISREG(info.st_mode):
        raise _Refused(f"{path} is not a regular file")
    if info.st_nlink > 1:
        raise _Refused(f"{path} is a hard link to another file")
    return info


def _make_folder(directory: Path) -> None:
    """Create the missing folders owner-only (0o700); leave existing ones as they are."""
    missing: list[Path] = []
    folder = directory
    while not os.path.lexists(folder) and folder.parent != folder:
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, _FOLDER_MODE)
        except FileExistsError:
            continue  # made meanwhile by someone else: theirs, like any existing folder
        if not stat.S_ISDIR(os.lstat(folder).st_mode):
            raise _Refused(f"{folder} was replaced by a link while it was being created")
    if not directory.is_dir():
        raise _Refused(f"{directory} is not a folder")


def _lock_bytes_free(handle: int) -> bool:
    """Take every SQLite lock byte for writing: False if any process holds one.

    (Locks of this process are not seen: SQLite checks those itself, in _replace.)
    """
    if sys.platform == "win32":
        return True  # no POSIX locks; SQLite's own are mandatory there
    try:
        fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB, _LOCK_LENGTH, _LOCK_START, os.SEEK_SET)
    except OSError:
        return False
    return True


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
        "secrets": sorted(analysis.secrets),
        "summary": None
        if analysis.summary is None
        else {
            "imports": list(analysis.summary.imports),
            "functions": [
                [n, _location_dict(w), size] for n, w, size in analysis.summary.functions
            ],
            "paths": list(analysis.summary.paths),
            "asks_models_over_http": analysis.summary.asks_models_over_http,
            "defines_tests": analysis.summary.defines_tests,
            "function_bodies": list(analysis.summary.function_bodies),
            "declares_only": analysis.summary.declares_only,
            "references": sorted(analysis.summary.references),
            "decorated": sorted(analysis.summary.decorated),
            "methods": sorted(analysis.summary.methods),
        },
    }


def decode(data: dict[str, Any]) -> FileAnalysis:
    """The inverse of encode; raises ValueError, KeyError or TypeError on anything malformed."""
    summary = data["summary"]
    return FileAnalysis(
        secrets=frozenset(str(d) for d in data["secrets"]),
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
            tuple(str(p) for p in summary["paths"]),
            bool(summary["asks_models_over_http"]),
            bool(summary["defines_tests"]),
            tuple(str(body) for body in summary["function_bodies"]),
            bool(summary["declares_only"]),
            frozenset(str(name) for name in summary["references"]),
            frozenset(str(name) for name in summary["decorated"]),
            frozenset(str(name) for name in summary["methods"]),
        ),
    )


def _required(location: Location | None) -> Location:
    if location is None:
        raise ValueError("missing location")
    return location
