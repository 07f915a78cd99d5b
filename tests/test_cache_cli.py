"""The incremental cache as the command line uses it: where it lives, that --no-cache leaves
no trace, that a warm run reports exactly what a cold one did, and that a changed rulebook
is never answered from yesterday's cache."""

from __future__ import annotations

import json
import shutil
import sqlite3
import textwrap
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from readycheck import runner as file_runner
from readycheck.cli import app
from readycheck.rulebook import default_rules_dir
from tests.conftest import SAMPLES, write_tree

runner = CliRunner()
CACHE_FILE = "readycheck.sqlite3"


@pytest.fixture(autouse=True)
def reproducible(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fixed scan time, so two runs' JSON reports can be compared byte for byte."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")


@pytest.fixture()
def fraud(tmp_path: Path) -> Path:
    root = tmp_path / "fraud-detector"
    shutil.copytree(SAMPLES / "fraud-detector", root)
    return root


def _scan(root: Path, *args: str) -> str:
    result = runner.invoke(app, ["scan", str(root), "--format", "json", "--jobs", "1", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _entries(cache_dir: Path) -> int:
    with sqlite3.connect(cache_dir / CACHE_FILE) as db:
        return int(db.execute("SELECT count(*) FROM entries").fetchone()[0])


def _findings(output: str, rule_id: str) -> list[dict[str, Any]]:
    report = json.loads(output)
    return next(r["findings"] for r in report["results"] if r["rule_id"] == rule_id)


def _no_analysis(*args: object, **kwargs: object) -> object:
    raise AssertionError("a warm cache must not analyse an unchanged file again")


def test_cache_dir_gets_a_cache_and_a_warm_run_reports_the_same_json(
    fraud: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache_dir = tmp_path / "cache"
    cold = _scan(fraud, "--cache-dir", str(cache_dir))
    assert (cache_dir / CACHE_FILE).is_file()
    stored = _entries(cache_dir)
    assert stored > 5

    with monkeypatch.context() as patched:
        patched.setattr(file_runner, "analyze_file", _no_analysis)
        warm = _scan(fraud, "--cache-dir", str(cache_dir))
    assert warm == cold
    assert _entries(cache_dir) == stored
    assert _scan(fraud, "--no-cache") == cold


def test_no_cache_writes_nothing_to_the_cache_dir(fraud: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    _scan(fraud, "--cache-dir", str(cache_dir), "--no-cache")
    assert not cache_dir.exists()
    cache_dir.mkdir()
    _scan(fraud, "--cache-dir", str(cache_dir), "--no-cache")
    assert list(cache_dir.iterdir()) == []


def test_the_default_cache_lives_under_xdg_cache_home(
    fraud: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    xdg = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(xdg))
    _scan(fraud, "--no-cache")
    assert not xdg.exists()
    _scan(fraud)
    assert _entries(xdg / "readycheck") > 5
    assert sorted(p.relative_to(xdg).as_posix() for p in xdg.rglob("*")) == [
        "readycheck",
        f"readycheck/{CACHE_FILE}",
    ]


@pytest.mark.parametrize("xdg", [None, ""], ids=["unset", "empty"])
def test_without_xdg_cache_home_the_cache_lives_in_home_dot_cache(
    fraud: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, xdg: str | None
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    if xdg is None:
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", xdg)
    _scan(fraud)
    assert (home / ".cache" / "readycheck" / CACHE_FILE).is_file()


SERVICE = {
    "app/data.py": 'import pandas as pd\n\nTRAIN = "/srv/data/train.csv"\n\n\n'
    "def load() -> pd.DataFrame:\n    return pd.read_csv(TRAIN)\n",
    "app/client.py": "import requests\n\n\ndef score(x: dict) -> dict:\n"
    '    return requests.post("http://scorer/predict", json=x, timeout=2).json()\n',
}


def test_a_changed_rule_parameter_in_the_config_takes_effect_on_a_warm_cache(
    tmp_path: Path,
) -> None:
    root = write_tree(tmp_path / "svc", SERVICE)
    cache_dir = tmp_path / "cache"
    assert _findings(_scan(root, "--cache-dir", str(cache_dir)), "RC-HYG-007") == []
    assert _entries(cache_dir) > 0
    (root / ".readycheck.yml").write_text(
        'rules:\n  params:\n    RC-HYG-007: {pattern: "^/srv/", label: server path}\n'
    )
    (finding,) = _findings(_scan(root, "--cache-dir", str(cache_dir)), "RC-HYG-007")
    assert finding["location"] == {"path": "app/data.py", "line": 3}
    assert finding["message"] == "server path"
    (root / ".readycheck.yml").unlink()
    assert _findings(_scan(root, "--cache-dir", str(cache_dir)), "RC-HYG-007") == []


CUSTOM_RULE = """\
rules:
  - id: RC-TEAM-001
    title: Scoring clients go through the shared resilient client
    pillar: infrastructure
    severity: medium
    applies_when: always
    check:
      detector: python_call
      expect: absent
      params: {calls: [requests.post]}
    problem: Code calls the scoring service with a bare requests.post.
    why: The shared client adds retries, tracing and the service's credentials.
    fix: Call acme.http.scoring_client() instead of requests.post.
    references: ["ACME platform handbook"]
"""


@pytest.mark.parametrize("source", ["rulebook", "config"])
def test_a_new_custom_rule_takes_effect_on_a_warm_cache(tmp_path: Path, source: str) -> None:
    root = write_tree(tmp_path / "svc", SERVICE)
    cache_dir = tmp_path / "cache"
    assert "RC-TEAM-001" not in _scan(root, "--cache-dir", str(cache_dir))
    if source == "rulebook":
        rules = tmp_path / "rules"
        shutil.copytree(default_rules_dir(), rules)
        (rules / "zz_team.yaml").write_text(CUSTOM_RULE, encoding="utf-8")
        args: tuple[str, ...] = ("--rulebook", str(rules))
    else:
        custom = "rules:\n  custom:\n" + textwrap.indent(CUSTOM_RULE.removeprefix("rules:\n"), "  ")
        (root / ".readycheck.yml").write_text(custom, encoding="utf-8")
        args = ()
    (finding,) = _findings(_scan(root, "--cache-dir", str(cache_dir), *args), "RC-TEAM-001")
    assert finding["location"] == {"path": "app/client.py", "line": 5}


def test_a_parameter_edited_in_a_rulebook_file_takes_effect_on_a_warm_cache(
    tmp_path: Path,
) -> None:
    root = write_tree(tmp_path / "svc", SERVICE)
    cache_dir = tmp_path / "cache"
    rules = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), rules)
    before = _scan(root, "--cache-dir", str(cache_dir), "--rulebook", str(rules))
    assert _findings(before, "RC-HYG-007") == []
    hygiene = rules / "hygiene.yaml"
    text = hygiene.read_text(encoding="utf-8")
    edited = text.replace('pattern: "^(/Users/', 'pattern: "^(/srv/|/Users/', 1)
    assert edited != text
    hygiene.write_text(edited, encoding="utf-8")
    after = _scan(root, "--cache-dir", str(cache_dir), "--rulebook", str(rules))
    (finding,) = _findings(after, "RC-HYG-007")
    assert finding["location"] == {"path": "app/data.py", "line": 3}


def test_cache_clean_deletes_the_cache_files(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from readycheck.cli import app

    cache_dir = tmp_path / "cache"
    runner = CliRunner()
    sample = str(Path(__file__).parent.parent / "sample_projects" / "churn-pilot")
    assert runner.invoke(app, ["scan", sample, "-q", "--cache-dir", str(cache_dir)]).exit_code == 0
    assert any(cache_dir.iterdir())
    result = runner.invoke(app, ["cache", "clean", "--cache-dir", str(cache_dir)])
    assert result.exit_code == 0 and "removed 1 cache file" in result.output
    assert not any(cache_dir.iterdir())
