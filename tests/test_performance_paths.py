"""Parallel and cached scans give exactly the report a plain single-process scan gives."""

from __future__ import annotations

import dataclasses
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from readycheck import cache, runner
from readycheck.analyze import FileAnalysis
from readycheck.model import Location
from readycheck.pipeline import ScanOptions, scan
from readycheck.renderers import json_report
from readycheck.rulebook import Rulebook
from readycheck.workspace import CodeSummary
from tests.conftest import SAMPLES, rule_result


def _comparable(options: ScanOptions, rulebook: Rulebook) -> dict:  # type: ignore[type-arg]
    data = json_report.to_dict(scan(options, rulebook))
    data.pop("scanned_at")
    data["target"].pop("path")
    return data


@pytest.fixture()
def big_tree(tmp_path: Path) -> Path:
    """All three samples side by side, enough files to cross the parallel threshold."""
    root = tmp_path / "monorepo"
    for name in ("churn-pilot", "fraud-detector", "credit-risk-service"):
        shutil.copytree(SAMPLES / name, root / name)
    return root


def test_parallel_equals_single_process(
    big_tree: Path, rulebook: Rulebook, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "PARALLEL_THRESHOLD", 2)
    single = _comparable(ScanOptions(path=big_tree, workers=1), rulebook)
    parallel = _comparable(ScanOptions(path=big_tree, workers=2), rulebook)
    assert json.dumps(parallel, sort_keys=True) == json.dumps(single, sort_keys=True)


def test_warm_cache_gives_the_same_report(
    big_tree: Path, rulebook: Rulebook, tmp_path: Path
) -> None:
    cache_dir = tmp_path / "cache"
    uncached = _comparable(ScanOptions(path=big_tree), rulebook)
    cold = _comparable(ScanOptions(path=big_tree, cache_dir=cache_dir), rulebook)
    warm = _comparable(ScanOptions(path=big_tree, cache_dir=cache_dir), rulebook)
    assert cold == uncached
    assert warm == uncached
    with sqlite3.connect(cache_dir / "readycheck.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM entries").fetchone()[0] > 50


def test_a_changed_file_is_analysed_again(tmp_path: Path, rulebook: Rulebook) -> None:
    root = tmp_path / "repo"
    (root / "app").mkdir(parents=True)
    (root / "app/model.py").write_text("import joblib\n")
    cache_dir = tmp_path / "cache"
    first = scan(ScanOptions(path=root, cache_dir=cache_dir), rulebook)
    assert not rule_result(first, "RC-SEC-002").findings
    (root / "app/model.py").write_text("import joblib\nmodel = joblib.load('m.joblib')\n")
    second = scan(ScanOptions(path=root, cache_dir=cache_dir), rulebook)
    assert rule_result(second, "RC-SEC-002").findings


@pytest.mark.parametrize("garbage", [b"not a database at all" * 100, b""])
def test_a_corrupt_cache_is_discarded_with_a_warning(
    tmp_path: Path, rulebook: Rulebook, garbage: bytes
) -> None:
    root = tmp_path / "repo"
    shutil.copytree(SAMPLES / "fraud-detector", root)
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    (cache_dir / "readycheck.sqlite3").write_bytes(garbage)
    expected = _comparable(ScanOptions(path=root), rulebook)
    result = scan(ScanOptions(path=root, cache_dir=cache_dir), rulebook)
    got = json_report.to_dict(result)
    got.pop("scanned_at")
    got["target"].pop("path")
    warnings = [w for w in got["warnings"] if w["code"] == "cache"]
    got["warnings"] = [w for w in got["warnings"] if w["code"] != "cache"]
    assert got == expected
    assert warnings or garbage == b""  # an empty file is a valid new SQLite database
    assert _comparable(ScanOptions(path=root, cache_dir=cache_dir), rulebook) == expected


def test_a_foreign_sqlite_file_is_not_trusted(tmp_path: Path, rulebook: Rulebook) -> None:
    root = tmp_path / "repo"
    shutil.copytree(SAMPLES / "churn-pilot", root)
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    with sqlite3.connect(cache_dir / "readycheck.sqlite3") as db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("INSERT INTO meta VALUES ('schema', 'someone-else/7')")
    report = scan(ScanOptions(path=root, cache_dir=cache_dir), rulebook)
    assert any(w.code == "cache" and "another kind" in w.message for w in report.warnings)


def test_poisoned_cache_entries_are_ignored(tmp_path: Path, rulebook: Rulebook) -> None:
    root = tmp_path / "repo"
    shutil.copytree(SAMPLES / "churn-pilot", root)
    cache_dir = tmp_path / "cache"
    expected = _comparable(ScanOptions(path=root, cache_dir=cache_dir), rulebook)
    with sqlite3.connect(cache_dir / "readycheck.sqlite3") as db:
        db.execute("UPDATE entries SET value = ?", ('{"evidence": 42}',))
    assert _comparable(ScanOptions(path=root, cache_dir=cache_dir), rulebook) == expected


def test_a_new_bandit_or_an_edited_readycheck_invalidates_the_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Cached evidence is only as current as the code that produced it: upgrading bandit
    or editing a detector in an editable install must not serve yesterday's findings."""
    from readycheck import cache

    def key() -> str:
        cache.analyser_digest.cache_clear()
        return cache.entry_key("rulebook", "app/model.py", "code", b"import joblib\n", ["k"], True)

    today = key()
    assert key() == today, "the key is stable while nothing changes"
    real_version = cache.metadata.version
    monkeypatch.setattr(
        cache.metadata,
        "version",
        lambda name: "99.0" if name == "bandit" else real_version(name),
    )
    assert key() != today
    monkeypatch.undo()

    package = tmp_path / "readycheck"
    shutil.copytree(Path(cache.__file__).parent, package)
    monkeypatch.setattr(cache, "__file__", str(package / "cache.py"))
    assert key() == today, "the same source in another place"
    detector = package / "detectors" / "python.py"
    detector.write_text(detector.read_text() + "\n# edited\n")
    assert key() != today
    monkeypatch.undo()
    cache.analyser_digest.cache_clear()


def test_a_cached_analysis_keeps_every_fact_of_its_code_summary() -> None:
    """A warm scan reads the summary back from the cache: a field left out of the cache
    comes back as its default, and the cross-file rules that read it (a test change that
    defines tests, a notebook function a module already holds) judge differently warm
    than cold."""
    summary = CodeSummary(
        imports=("pandas", "churn.features"),
        functions=(("build", Location("src/churn/features.py", 3), 12),),
        paths=("data/raw/customers.csv",),
        asks_models_over_http=True,
        defines_tests=True,
        function_bodies=("0123456789abcdef",),
        declares_only=True,
        references=frozenset({"5f1c0e27b8a4d913"}),
        decorated=frozenset({"predict"}),
        methods=frozenset({"compute_similarity"}),
    )
    unset = [
        f.name
        for f in dataclasses.fields(CodeSummary)
        if f.default is not dataclasses.MISSING and getattr(summary, f.name) == f.default
    ]
    assert not unset, f"give {unset} a value other than the default here"
    analysis = FileAnalysis("src/churn/features.py", {}, (), summary=summary)
    assert cache.decode(json.loads(json.dumps(cache.encode(analysis)))).summary == summary
