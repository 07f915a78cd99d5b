"""A scan with a cache checks a rulebook in full once (schema and patterns), then builds
the same rulebook without those checks: they were most of a rescan where nothing changed.
Anything else (another rulebook, another readycheck, an edited record) is checked again."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from readycheck import cache as cache_module
from readycheck import rulebook as rulebook_module
from readycheck.errors import RulebookError
from readycheck.pipeline import ScanOptions, scan
from readycheck.renderers import json_report
from tests.conftest import SAMPLES

CACHE_FILE = "readycheck.sqlite3"


@pytest.fixture()
def schema_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every file or parameter set the rulebook loader checks against a schema."""
    seen: list[str] = []
    original = rulebook_module.validate

    def counting(data: object, schema: object, display: str, **kwargs: object) -> None:
        seen.append(display)
        original(data, schema, display, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(rulebook_module, "validate", counting)
    return seen


def _report(cache_dir: Path | None, rules: tuple[Path, ...] = ()) -> dict[str, object]:
    options = ScanOptions(path=SAMPLES / "churn-pilot", cache_dir=cache_dir, rulebook_paths=rules)
    data = json_report.to_dict(scan(options))
    data.pop("scanned_at")
    return data


def test_the_same_rulebook_is_checked_in_full_once_then_built_without_checks(
    tmp_path: Path, schema_checks: list[str]
) -> None:
    first = _report(tmp_path / "cache")
    assert schema_checks, "a rulebook never seen is checked in full"
    schema_checks.clear()
    second = _report(tmp_path / "cache")
    assert schema_checks == []
    assert second == first


def test_without_a_cache_every_scan_checks_the_rulebook_in_full(
    schema_checks: list[str],
) -> None:
    _report(None)
    count = len(schema_checks)
    _report(None)
    assert count > 0 and len(schema_checks) == 2 * count


def test_an_edited_rulebook_is_checked_again_and_its_mistake_named(tmp_path: Path) -> None:
    rules = shutil.copytree(rulebook_module.default_rules_dir(), tmp_path / "rules")
    _report(tmp_path / "cache", (rules,))
    data = rules / "data.yaml"
    text = data.read_text(encoding="utf-8")
    assert 'params: {pattern: "filter=lfs"' in text
    data.write_text(
        text.replace('pattern: "filter=lfs"', 'pattern: "(filter=lfs"'), encoding="utf-8"
    )
    with pytest.raises(RulebookError) as raised:
        _report(tmp_path / "cache", (rules,))
    assert raised.value.path == str(data)
    assert "invalid regular expression" in raised.value.message


def test_a_record_edited_on_disk_is_not_trusted(tmp_path: Path, schema_checks: list[str]) -> None:
    cache_dir = tmp_path / "cache"
    _report(cache_dir)
    with sqlite3.connect(cache_dir / CACHE_FILE) as db:
        edited = db.execute(
            "UPDATE entries SET value = ? WHERE key LIKE 'rulebook-checked%'", (b"no",)
        ).rowcount
    assert edited == 1
    schema_checks.clear()
    _report(cache_dir)
    assert schema_checks, "an edited record is a miss: the rulebook is checked in full"


def test_a_record_made_by_another_readycheck_is_not_trusted(
    tmp_path: Path, schema_checks: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another version, or an edited source, may check what this one accepted."""
    cache_dir = tmp_path / "cache"
    _report(cache_dir)
    monkeypatch.setattr(cache_module, "analyser_digest", lambda: "another readycheck")
    schema_checks.clear()
    _report(cache_dir)
    assert schema_checks


def test_a_rescan_that_finds_nothing_new_writes_nothing_to_the_cache(tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    _report(cache_dir)
    database = cache_dir / CACHE_FILE
    before = (database.read_bytes(), database.stat().st_mtime_ns)
    _report(cache_dir)
    assert (database.read_bytes(), database.stat().st_mtime_ns) == before
