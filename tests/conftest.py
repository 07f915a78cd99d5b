"""Shared fixtures: the built-in rulebook (loaded once), and helpers to build small repositories."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from readycheck.model import Report, RuleResult
from readycheck.pipeline import ScanOptions, scan
from readycheck.rulebook import Rulebook, load_rulebook

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLES = REPO_ROOT / "sample_projects"


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep the CLI's incremental cache out of the developer's home folder."""
    previous = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    yield
    if previous is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = previous


@pytest.fixture(scope="session")
def rulebook() -> Rulebook:
    return load_rulebook()


@pytest.fixture(scope="session")
def samples(rulebook: Rulebook, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Report]:
    """The report of each sample project, by folder name (scanned once per test run).

    Copies outside this repository are scanned, so that its own git history (who
    committed here, how recently) cannot change the samples' results."""
    copies = tmp_path_factory.mktemp("samples")
    found = {}
    for path in sorted(SAMPLES.iterdir()):
        if path.is_dir():
            shutil.copytree(path, copies / path.name)
            found[path.name] = scan(ScanOptions(path=copies / path.name), rulebook)
    return found


def write_tree(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Create `files` (relative path -> content) under `root`."""
    root.mkdir(parents=True, exist_ok=True)
    for relative, content in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return root


#: What the `scan_tree` fixture is: files in, the report of their scan out.
Scan = Callable[[Mapping[str, str | bytes]], Report]


@pytest.fixture()
def scan_tree(tmp_path: Path, rulebook: Rulebook) -> Scan:
    """Build a repository from a dict of files and scan it with the built-in rulebook."""

    def run(files: Mapping[str, str | bytes]) -> Report:
        root = write_tree(tmp_path / "repo", files)
        return scan(ScanOptions(path=root), rulebook)

    return run


def rule_result(report: Report, rule_id: str) -> RuleResult:
    """The result of one rule in a report."""
    return next(r for r in report.results if r.rule.id == rule_id)


def notebook_json(*cells: str) -> str:
    """A notebook of code cells as Jupyter writes it (one source line per list item)."""
    return json.dumps(
        {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
            "cells": [
                {
                    "cell_type": "code",
                    "execution_count": number,
                    "id": f"cell-{number}",
                    "metadata": {},
                    "outputs": [],
                    "source": source.splitlines(keepends=True),
                }
                for number, source in enumerate(cells, 1)
            ],
        },
        indent=1,
    )
