"""Which config a scan uses: `readycheck scan src` finds the `.readycheck.yml` at the
repository root, as ruff and pytest do, never one above the repository, and every report
names the file it used. The config's patterns stay relative to the config's own folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import git
import pytest
from typer.testing import CliRunner

from readycheck.cli import app
from tests.conftest import write_tree

runner = CliRunner()

#: A small service whose model loader unpickles (RC-SEC-002, high) and a legacy script.
SERVICE = {
    "src/serve/app.py": (
        "import pickle\n\n"
        "from fastapi import FastAPI\n\n"
        "app = FastAPI()\n\n"
        "with open('model.pkl', 'rb') as handle:\n"
        "    model = pickle.load(handle)\n\n\n"
        "@app.get('/healthz')\n"
        "def health() -> dict[str, str]:\n"
        "    return {'status': 'ok'}\n"
    ),
    "src/legacy/old_train.py": "import pandas as pd\n\nframe = pd.read_csv('train.csv')\n",
    "requirements.txt": "fastapi==0.115.0\n",
}


@pytest.fixture(autouse=True)
def outside_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    """In GitHub Actions a gated scan also prints annotations on standard output."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


def _repository(tmp_path: Path, config: str, extra: dict[str, str] | None = None) -> Path:
    """A git repository holding the service, with `config` as its root .readycheck.yml."""
    root = write_tree(tmp_path / "repo", {**SERVICE, ".readycheck.yml": config, **(extra or {})})
    repo = git.Repo.init(root)
    with repo.config_writer() as writer:
        writer.set_value("user", "name", "Ada Lovelace")
        writer.set_value("user", "email", "ada@example.org")
    repo.git.add(all=True)
    repo.index.commit("A service with its readycheck config")
    return root


def _scan(path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(app, ["scan", str(path), "--no-cache", "--format", "json", *args])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def _paths(report: dict[str, Any]) -> set[str]:
    return {
        f["location"]["path"]
        for r in report["results"]
        for f in r["findings"]
        if f["location"] is not None
    }


def test_scanning_a_subfolder_uses_the_config_at_the_repository_root(tmp_path: Path) -> None:
    root = _repository(tmp_path, "gate:\n  fail_on: high\n")
    code, report = _scan(root / "src")
    assert code == 1, "the root config's gate applies to a scan of src"
    assert report["gate"] is not None
    assert report["target"]["config"] == str((root / ".readycheck.yml").resolve())


def test_the_config_in_the_scanned_folder_wins_over_the_roots(tmp_path: Path) -> None:
    nearer = {"src/.readycheck.yml": "gate:\n  fail_under: 0\n"}
    root = _repository(tmp_path, "gate:\n  fail_on: high\n", nearer)
    code, report = _scan(root / "src")
    assert code == 0, "src's own config (no severity gate) is the one used"
    assert report["gate"]["passed"] is True
    assert report["target"]["config"] == str(root / "src" / ".readycheck.yml")


def test_a_config_above_the_repository_root_is_not_used(tmp_path: Path) -> None:
    root = _repository(tmp_path, "")
    (root / ".readycheck.yml").unlink()
    (tmp_path / ".readycheck.yml").write_text("gate:\n  fail_on: high\n", encoding="utf-8")
    code, report = _scan(root / "src")
    assert code == 0
    assert report["gate"] is None
    assert report["target"]["config"] is None


def test_outside_a_git_repository_only_the_scanned_folder_is_searched(tmp_path: Path) -> None:
    gated = {**SERVICE, ".readycheck.yml": "gate:\n  fail_on: high\n"}
    root = write_tree(tmp_path / "plain", gated)
    code, report = _scan(root / "src")
    assert code == 0
    assert report["target"]["config"] is None


def test_the_roots_exclude_patterns_are_relative_to_the_root(tmp_path: Path) -> None:
    root = _repository(tmp_path, "exclude:\n  - /src/legacy/\n")
    _, from_root = _scan(root)
    _, from_src = _scan(root / "src")
    assert not any(p.startswith("src/legacy") for p in _paths(from_root))
    assert not any(p.startswith("legacy/") for p in _paths(from_src)), _paths(from_src)
    assert from_src["target"]["files"] == 1, "only serve/app.py is left under src"


def test_the_roots_suppression_paths_are_relative_to_the_root(tmp_path: Path) -> None:
    config = (
        "gate:\n  fail_on: high\n"
        "suppressions:\n"
        "  - rule: RC-SEC-002\n"
        "    path: src/serve/*.py\n"
        "    reason: the model file is signed and verified by the deploy job\n"
    )
    root = _repository(tmp_path, config)
    _, report = _scan(root / "src")
    unpickling = next(r for r in report["results"] if r["rule_id"] == "RC-SEC-002")
    assert unpickling["findings"], "the loader is still reported"
    assert all(f["suppression"] is not None for f in unpickling["findings"])
    assert not any(w["code"] == "suppression-unused" for w in report["warnings"])


def test_the_report_names_the_config_it_used_in_every_format(tmp_path: Path) -> None:
    root = _repository(tmp_path, "gate:\n  fail_under: 0\n")
    terminal = runner.invoke(app, ["scan", str(root), "--no-cache"], env={"COLUMNS": "200"})
    assert f"config {root / '.readycheck.yml'}" in terminal.stdout
    markdown = runner.invoke(app, ["scan", str(root), "--no-cache", "--format", "markdown"])
    assert f"config `{root / '.readycheck.yml'}`" in markdown.stdout
    html = runner.invoke(app, ["scan", str(root), "--no-cache", "--format", "html"])
    assert f"<b>Config</b> <code>{root / '.readycheck.yml'}</code>" in html.stdout


def test_the_report_says_when_no_config_file_was_used(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "plain", SERVICE)
    terminal = runner.invoke(app, ["scan", str(root), "--no-cache"], env={"COLUMNS": "200"})
    assert "no config file" in terminal.stdout
    _, report = _scan(root)
    assert report["target"]["config"] is None


def test_a_config_given_with_the_config_option_is_named_as_given(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "plain", SERVICE)
    central = write_tree(tmp_path / "platform", {"readycheck.yml": "gate:\n  fail_under: 0\n"})
    _, report = _scan(root, "--config", str(central / "readycheck.yml"))
    assert report["target"]["config"] == str(central / "readycheck.yml")
