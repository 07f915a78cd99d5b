"""Each file is read and parsed once per scan, whichever detectors need it: bandit and
radon work on the tree readycheck already parsed, and notebooks and YAML are loaded once."""

from __future__ import annotations

import ast
import collections
from pathlib import Path
from typing import Any

import pytest

from readycheck import workspace, yamlload
from readycheck.pipeline import ScanOptions, scan
from readycheck.rulebook import Rulebook

SAMPLES = Path(__file__).parent.parent / "sample_projects"


@pytest.mark.parametrize("sample", sorted(p.name for p in SAMPLES.iterdir() if p.is_dir()))
def test_every_file_is_parsed_once_per_scan(
    sample: str, rulebook: Rulebook, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: collections.Counter[tuple[str, str]] = collections.Counter()
    real_parse, real_load_all = ast.parse, yamlload.load_all
    real_notebook = workspace.parse_notebook

    def parse(source: Any, filename: str = "<unknown>", *args: Any, **kwargs: Any) -> Any:
        if not filename.startswith("<cell"):  # notebook cells are counted as notebooks
            calls["python", filename] += 1
        return real_parse(source, filename, *args, **kwargs)

    def load_all(text: str) -> yamlload.YamlDocuments:
        calls["yaml", text] += 1
        return real_load_all(text)

    def parse_notebook(text: str) -> Any:
        calls["notebook", text] += 1
        return real_notebook(text)

    monkeypatch.setattr(ast, "parse", parse)
    monkeypatch.setattr(yamlload, "load_all", load_all)
    monkeypatch.setattr(workspace, "parse_notebook", parse_notebook)
    scan(ScanOptions(path=SAMPLES / sample, workers=1), rulebook)

    kinds = {kind for kind, _ in calls}
    assert "python" in kinds or "notebook" in kinds, "the scan parsed no code at all"
    twice = [(kind, key[:60]) for (kind, key), count in calls.items() if count > 1]
    assert not twice, twice
