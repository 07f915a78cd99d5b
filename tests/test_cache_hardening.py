"""The cache file is written by one scan and read by the next, so it is an attack surface:
another scan may be using it, a symlink may point it somewhere else, the disk may damage
it, or someone may edit it. None of these may lose another scan's work, write outside the
cache folder, leave the cache broken for good, or turn a failing check into a passing one."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from readycheck import cache as cache_module
from readycheck import runner
from readycheck.model import Report
from readycheck.pipeline import ScanOptions, scan
from readycheck.renderers import json_report
from readycheck.rulebook import Rulebook
from tests.conftest import SAMPLES, rule_result, write_tree

CACHE_FILE = "readycheck.sqlite3"


@pytest.fixture(autouse=True)
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Waiting for a lock that is never released would only make these tests slow."""
    monkeypatch.setattr(cache_module, "BUSY_TIMEOUT", 0.2, raising=False)


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    """Two samples side by side: enough entries for a cache file of many pages."""
    root = tmp_path / "repo"
    for name in ("fraud-detector", "credit-risk-service"):
        shutil.copytree(SAMPLES / name, root / name)
    return root


def _cache_warnings(report: Report) -> list[str]:
    return [w.message for w in report.warnings if w.code == "cache"]


def _comparable(report: Report) -> dict[str, Any]:
    """The report without its time, its path and the cache's own warnings."""
    data = json_report.to_dict(report)
    data.pop("scanned_at")
    data["target"].pop("path")
    data["warnings"] = [w for w in data["warnings"] if w["code"] != "cache"]
    return data


def _no_analysis(*args: object, **kwargs: object) -> object:
    raise AssertionError("a working cache does not analyse an unchanged file again")


def _scan_warm(root: Path, cache_dir: Path, rulebook: Rulebook) -> Report:
    """A scan that must be answered from the cache alone."""
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(runner, "analyze_file", _no_analysis)
        return scan(ScanOptions(path=root, cache_dir=cache_dir), rulebook)


def _quick_check(database: Path) -> str:
    try:
        with sqlite3.connect(database) as db:
            return str(db.execute("PRAGMA quick_check").fetchone()[0])
    except sqlite3.DatabaseError as error:
        return str(error)


# 1. A cache another scan is using is waited for, then left alone.


def test_a_cache_locked_by_another_connection_is_never_deleted_and_the_scan_runs_without_it(
    repo: Path, tmp_path: Path, rulebook: Rulebook
) -> None:
    cache_dir = tmp_path / "cache"
    database = cache_dir / CACHE_FILE
    expected = _comparable(scan(ScanOptions(path=repo, cache_dir=cache_dir), rulebook))
    inode = database.stat().st_ino

    other = sqlite3.connect(database, isolation_level=None)
    try:
        other.execute("BEGIN EXCLUSIVE")
        other.execute("UPDATE entries SET used = 12345")
        report = scan(ScanOptions(path=repo, cache_dir=cache_dir), rulebook)
        other.execute("COMMIT")
    finally:
        other.close()

    assert _comparable(report) == expected
    (warning,) = _cache_warnings(report)
    assert "in use by another scan" in warning
    assert database.stat().st_ino == inode, "the other scan's database was replaced"
    with sqlite3.connect(database) as db:
        used = {row[0] for row in db.execute("SELECT used FROM entries")}
    assert used == {12345}, "the other scan's write did not reach the cache file"


HOLDER = """\
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute(sys.argv[2])
db.execute("SELECT count(*) FROM entries").fetchall()
print("holding", flush=True)
sys.stdin.readline()
"""


@pytest.fixture()
def other_process(tmp_path: Path) -> Iterator[Any]:
    """Start a process that holds the cache file in a transaction until the test ends."""
    started: list[subprocess.Popen[str]] = []

    def hold(database: Path, begin: str) -> None:
        process = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(database), begin],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        assert process.stdout is not None
        assert process.stdout.readline() == "holding\n"

    yield hold
    for process in started:
        process.communicate("\n")


@pytest.mark.parametrize(
    ("begin", "damage"),
    [
        ("BEGIN EXCLUSIVE", None),  # a scan writing its results
        ("BEGIN EXCLUSIVE", "garbage header"),
        ("BEGIN", "garbage header"),  # a scan reading, then the disk failed under it
    ],
)
def test_a_cache_held_by_another_process_is_never_replaced(
    repo: Path,
    tmp_path: Path,
    rulebook: Rulebook,
    other_process: Any,
    begin: str,
    damage: str | None,
) -> None:
    cache_dir = tmp_path / "cache"
    database = cache_dir / CACHE_FILE
    expected = _comparable(scan(ScanOptions(path=repo, cache_dir=cache_dir), rulebook))
    other_process(database, begin)
    if damage:
        with open(database, "r+b") as handle:
            handle.write(b"not a database at all, " * 8)
    before = database.read_bytes()
    inode = database.stat().st_ino

    report = scan(ScanOptions(path=repo, cache_dir=cache_dir), rulebook)

    assert _comparable(report) == expected
    (warning,) = _cache_warnings(report)
    assert "in use by another scan" in warning
    assert database.stat().st_ino == inode
    assert database.read_bytes() == before


# 2. A symlinked cache file is refused, never written through.


@pytest.mark.parametrize("target", ["empty file", "another cache", "missing file"])
def test_a_symlinked_cache_file_is_refused_and_its_target_is_left_unchanged(
    repo: Path, tmp_path: Path, rulebook: Rulebook, target: str
) -> None:
    outside = tmp_path / "elsewhere" / "precious"
    outside.parent.mkdir()
    if target == "empty file":
        outside.write_bytes(b"")
    elif target == "another cache":
        scan(ScanOptions(path=repo / "fraud-detector", cache_dir=outside.parent), rulebook)
        (outside.parent / CACHE_FILE).rename(outside)
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    (cache_dir / CACHE_FILE).symlink_to(outside)
    before = outside.read_bytes() if outside.exists() else None

    report = scan(ScanOptions(path=repo, cache_dir=cache_dir), rulebook)

    assert _comparable(report) == _comparable(scan(ScanOptions(path=repo), rulebook))
    (warning,) = _cache_warnings(report)
    assert "symbolic link" in warning
    assert (cache_dir / CACHE_FILE).is_symlink()
    assert (outside.read_bytes() if outside.exists() else None) == before
    assert sorted(p.name for p in outside.parent.iterdir()) == (
        [] if before is None else ["precious"]
    )


def test_a_symlinked_journal_is_refused_and_its_target_is_left_unchanged(
    repo: Path, tmp_path: Path, rulebook: Rulebook
) -> None:
    cache_dir = tmp_path / "cache"
    scan(ScanOptions(path=repo, cache_dir=cache_dir), rulebook)
    outside = tmp_path / "precious"
    outside.write_bytes(b"keep me")
    (cache_dir / f"{CACHE_FILE}-journal").symlink_to(outside)
    (repo / "fraud-detector" / "src" / "new.py").write_text("import os\n")

    report = scan(ScanOptions(path=repo, cache_dir=cache_dir), rulebook)

    assert any("symbolic link" in w for w in _cache_warnings(report))
    assert outside.read_bytes() == b"keep me"


def test_a_cache_folder_swapped_for_a_symlink_as_it_is_created_is_refused(
    repo: Path, tmp_path: Path, rulebook: Rulebook, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process replaces the folder readycheck just made with a link elsewhere."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    cache_dir = tmp_path / "xdg" / "readycheck"
    real_mkdir = os.mkdir

    def mkdir_then_swap(path: Any, mode: int = 0o777, **kwargs: Any) -> None:
        real_mkdir(path, mode, **kwargs)
        if Path(path) == cache_dir:
            os.rmdir(path)
            os.symlink(outside, path)

    monkeypatch.setattr(os, "mkdir", mkdir_then_swap)
    report = scan(ScanOptions(path=repo, cache_dir=cache_dir), rulebook)
    monkeypatch.undo()

    assert any("link" in w for w in _cache_warnings(report)), _cache_warnings(report)
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize("name", [CACHE_FILE, f"{CACHE_FILE}-journal"])
def test_a_hard_linked_cache_file_or_journal_is_refused_and_the_other_file_is_left_unchanged(
    repo: Path, tmp_path: Path, rulebook: Rulebook, name: str
) -> None:
    cache_dir = tmp_path / "cache"
    scan(ScanOptions(path=repo / "fraud-detector", cache_dir=cache_dir), rulebook)
    outside = tmp_path / "precious"
    outside.write_bytes(b"" if name == CACHE_FILE else b"keep me" * 1000)
    (cache_dir / name).unlink(missing_ok=True)
    (cache_dir / name).hardlink_to(outside)
    before = outside.read_bytes()

    report = scan(ScanOptions(path=repo, cache_dir=cache_dir), rulebook)

    assert _comparable(report) == _comparable(scan(ScanOptions(path=repo), rulebook))
    assert any("hard link" in w for w in _cache_warnings(report)), _cache_warnings(report)
    assert outside.read_bytes() == before


# 3. A damaged cache is replaced, so the next scan has a working cache again.


def _damage(database: Path, how: str) -> None:
    size = database.stat().st_size
    page = 4096
    assert size >= 8 * page, "the test needs a cache of several pages"
    if how == "garbage after valid pages":
        # From the middle page on: a scan opens the file without reading there.
        start = size // page // 2 * page
        with open(database, "r+b") as handle:
            handle.seek(start)
            handle.write(bytes(range(256)) * ((size - start) // 256))
    else:
        os.truncate(database, size // 2 + 100)


@pytest.mark.parametrize("how", ["garbage after valid pages", "truncated"])
def test_a_damaged_cache_is_replaced_and_the_next_scan_uses_a_working_cache(
    repo: Path, tmp_path: Path, rulebook: Rulebook, how: str
) -> None:
    cache_dir = tmp_path / "cache"
    database = cache_dir / CACHE_FILE
    expected = _comparable(scan(ScanOptions(path=repo, cache_dir=cache_dir), rulebook))
    _damage(database, how)
    assert _quick_check(database) != "ok"

    first = scan(ScanOptions(path=repo, cache_dir=cache_dir), rulebook)
    assert _comparable(first) == expected
    assert any("damaged" in w for w in _cache_warnings(first)), _cache_warnings(first)
    assert _quick_check(database) == "ok"

    second = _scan_warm(repo, cache_dir, rulebook)
    assert _comparable(second) == expected
    assert _cache_warnings(second) == []


# 4. An entry edited on disk is a miss, never a pass.

MODEL = {
    "app/model.py": "import joblib\nmodel = joblib.load('m.joblib')\n",
    "app/util.py": "X = 1\n",
}


def _rows(database: Path) -> dict[str, tuple[str, str]]:
    """The path each entry is about -> its key and payload."""
    with sqlite3.connect(database) as db:
        return {
            json.loads(value)["path"]: (key, value)
            for key, value in db.execute("SELECT key, value FROM entries")
        }


def test_an_entry_edited_on_disk_is_recomputed_and_its_finding_is_still_reported(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    root = write_tree(tmp_path / "repo", MODEL)
    cache_dir = tmp_path / "cache"
    database = cache_dir / CACHE_FILE
    assert rule_result(
        scan(ScanOptions(path=root, cache_dir=cache_dir), rulebook), "RC-SEC-002"
    ).findings
    key, value = _rows(database)["app/model.py"]
    edited = json.loads(value)
    assert edited["evidence"]
    edited["evidence"] = {}
    with sqlite3.connect(database) as db:
        db.execute("UPDATE entries SET value = ? WHERE key = ?", (json.dumps(edited), key))

    report = scan(ScanOptions(path=root, cache_dir=cache_dir), rulebook)

    assert rule_result(report, "RC-SEC-002").findings
    assert _rows(database)["app/model.py"] == (key, value), "the entry was not rewritten"


def test_an_entry_copied_from_another_file_with_its_checksum_is_still_a_miss(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    root = write_tree(tmp_path / "repo", MODEL)
    cache_dir = tmp_path / "cache"
    database = cache_dir / CACHE_FILE
    scan(ScanOptions(path=root, cache_dir=cache_dir), rulebook)
    key, _ = _rows(database)["app/model.py"]
    clean, _ = _rows(database)["app/util.py"]
    with sqlite3.connect(database) as db:
        db.execute(
            "UPDATE entries SET (value, checksum) = "
            "(SELECT value, checksum FROM entries WHERE key = ?) WHERE key = ?",
            (clean, key),
        )

    assert rule_result(
        scan(ScanOptions(path=root, cache_dir=cache_dir), rulebook), "RC-SEC-002"
    ).findings


def test_an_old_format_cache_is_rebuilt_not_misread(tmp_path: Path, rulebook: Rulebook) -> None:
    root = write_tree(tmp_path / "repo", MODEL)
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    database = cache_dir / CACHE_FILE
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("CREATE TABLE entries (key TEXT PRIMARY KEY, value TEXT NOT NULL, used REAL)")
        db.execute("INSERT INTO meta VALUES ('schema', 'readycheck-cache/1')")
    database.chmod(0o644)

    report = scan(ScanOptions(path=root, cache_dir=cache_dir), rulebook)

    assert any("another kind" in w for w in _cache_warnings(report))
    with sqlite3.connect(database) as db:
        (schema,) = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        columns = [row[1] for row in db.execute("PRAGMA table_info(entries)")]
    assert schema == cache_module.SCHEMA != "readycheck-cache/1"
    assert "checksum" in columns
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert _cache_warnings(_scan_warm(root, cache_dir, rulebook)) == []


# 5. Owner-only permissions.


@pytest.fixture()
def usual_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
@pytest.mark.usefixtures("usual_umask")
def test_the_cache_folders_it_creates_are_owner_only_and_the_database_is_0600(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    root = write_tree(tmp_path / "repo", MODEL)
    cache_dir = tmp_path / "xdg" / "deep" / "readycheck"
    scan(ScanOptions(path=root, cache_dir=cache_dir), rulebook)
    for folder in (tmp_path / "xdg", tmp_path / "xdg" / "deep", cache_dir):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert stat.S_IMODE((cache_dir / CACHE_FILE).stat().st_mode) == 0o600


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
@pytest.mark.usefixtures("usual_umask")
def test_an_existing_cache_folder_keeps_its_mode_but_the_database_is_0600(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    root = write_tree(tmp_path / "repo", MODEL)
    cache_dir = tmp_path / "shared"
    cache_dir.mkdir(mode=0o750)
    cache_dir.chmod(0o750)
    scan(ScanOptions(path=root, cache_dir=cache_dir), rulebook)
    assert stat.S_IMODE(cache_dir.stat().st_mode) == 0o750
    assert stat.S_IMODE((cache_dir / CACHE_FILE).stat().st_mode) == 0o600


def test_cache_clean_refuses_to_delete_a_cache_another_scan_holds(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from readycheck.cli import app

    directory = tmp_path / "cache"
    directory.mkdir()
    database = directory / "readycheck.sqlite3"
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = CliRunner().invoke(app, ["cache", "clean", "--cache-dir", str(directory)])
        assert result.exit_code == 2
        assert "in use by a running scan" in result.output
        assert database.exists()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    result = CliRunner().invoke(app, ["cache", "clean", "--cache-dir", str(directory)])
    assert result.exit_code == 0 and not database.exists()


def test_a_hit_rewrites_its_entry_only_when_its_last_use_is_a_day_old(
    repo: Path, tmp_path: Path, rulebook: Rulebook
) -> None:
    """Reading an entry does not write it back (a trend read thousands per commit), yet an
    entry still in use is never old enough for the monthly clean-up to forget it."""
    import time

    cache_dir = tmp_path / "cache"
    database = cache_dir / CACHE_FILE
    scan(ScanOptions(path=repo, cache_dir=cache_dir), rulebook)
    recent, old = time.time() - 3600, time.time() - 2 * 24 * 3600
    with sqlite3.connect(database) as db:
        keys = [row[0] for row in db.execute("SELECT key FROM entries ORDER BY key")]
        half = len(keys) // 2
        db.executemany(
            "UPDATE entries SET used = ? WHERE key = ?", [(recent, k) for k in keys[:half]]
        )
        db.executemany("UPDATE entries SET used = ? WHERE key = ?", [(old, k) for k in keys[half:]])
    scan(ScanOptions(path=repo, cache_dir=cache_dir), rulebook)
    with sqlite3.connect(database) as db:
        used = dict(db.execute("SELECT key, used FROM entries").fetchall())
    assert {used[k] for k in keys[:half]} == {recent}, "a recently used entry was rewritten"
    assert all(used[k] > old + 24 * 3600 for k in keys[half:]), "an old entry was not refreshed"
