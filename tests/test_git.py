"""Git facts come from gitpython when the folder is a repository, and never break a scan."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import git

from readycheck.model import Report
from readycheck.pipeline import ScanOptions, scan
from readycheck.rulebook import Rulebook
from tests.conftest import write_tree


def _commit_all(root: Path, message: str = "initial") -> git.Repo:
    repo = git.Repo.init(root, initial_branch="main")
    with repo.config_writer() as config:
        config.set_value("user", "name", "Test Author")
        config.set_value("user", "email", "author@example.com")
    repo.index.add(
        [str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and ".git" not in p.parts]
    )
    repo.index.commit(message)
    return repo


def test_commit_and_branch_are_reported(tmp_path: Path, rulebook: Rulebook) -> None:
    root = write_tree(tmp_path / "repo", {"train.py": "print('hi')\n", ".gitignore": "data/\n"})
    repo = _commit_all(root)
    report = scan(ScanOptions(path=root), rulebook)
    assert report.target.commit == repo.head.commit.hexsha
    assert report.target.branch == "main"
    assert report.target.commit_date is not None


def test_a_plain_folder_has_no_git_facts(scan_tree: Callable[[Mapping[str, str]], Report]) -> None:
    report = scan_tree({"train.py": ""})
    assert report.target.commit is None
    assert not [w for w in report.warnings if w.code == "git-unavailable"]


def test_an_empty_repository_scans(tmp_path: Path, rulebook: Rulebook) -> None:
    root = write_tree(tmp_path / "repo", {"train.py": ""})
    git.Repo.init(root)
    report = scan(ScanOptions(path=root), rulebook)
    assert report.target.commit is None
    assert report.target.files == 1


def test_a_corrupt_git_folder_is_a_warning(tmp_path: Path, rulebook: Rulebook) -> None:
    root = write_tree(tmp_path / "repo", {"train.py": "", ".git/HEAD": "garbage\n"})
    report = scan(ScanOptions(path=root), rulebook)
    assert report.target.commit is None
    assert report.target.files == 1
    assert [w.code for w in report.warnings] == ["git-unavailable"]
