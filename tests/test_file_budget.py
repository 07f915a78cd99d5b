"""One file cannot hold the scan: past its time budget its remaining checks are skipped,
the scan goes on, and a warning says that file's findings are incomplete."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from readycheck import analyze
from readycheck.detectors import REGISTRY
from readycheck.model import Evidence
from readycheck.pipeline import ScanOptions, scan
from readycheck.rulebook import Rulebook
from tests.conftest import write_tree

PICKLE = "import pickle\n\nmodel = pickle.load(open('model.pkl', 'rb'))\n"


def test_a_file_past_its_budget_is_a_warning_and_the_scan_goes_on(
    tmp_path: Path, rulebook: Rulebook, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(analyze, "FILE_TIME_BUDGET", 0.0)
    root = write_tree(tmp_path / "repo", {"src/load.py": PICKLE, "README.md": "# x\n"})
    report = scan(ScanOptions(path=root), rulebook)
    budget = [w for w in report.warnings if w.code == "file-budget"]
    assert {w.path for w in budget} == {"src/load.py", "README.md"}  # each file its own
    assert "findings are incomplete" in budget[0].message
    assert report.results  # every rule still has a verdict


def test_a_detector_that_never_ends_is_interrupted(
    tmp_path: Path, rulebook: Rulebook, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The timer interrupts a detector in the middle of its work, not only between
    detectors: a detector that would run for a minute is stopped at the budget."""

    def forever(_source: object, _params: object) -> Iterator[Evidence]:
        end = time.monotonic() + 60
        while time.monotonic() < end:
            pass
        yield from ()

    slow = dataclasses.replace(REGISTRY["python_call"], run=forever)
    monkeypatch.setitem(REGISTRY, "python_call", slow)
    monkeypatch.setattr(analyze, "FILE_TIME_BUDGET", 0.5)
    root = write_tree(tmp_path / "repo", {"src/load.py": PICKLE})
    report = scan(ScanOptions(path=root), rulebook)
    assert [w.path for w in report.warnings if w.code == "file-budget"] == ["src/load.py"]


def test_a_generated_module_past_the_parse_limit_is_read_as_text_only(
    tmp_path: Path, rulebook: Rulebook, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A generated module of megabytes is not parsed (its syntax tree would take a
    gigabyte and a minute): a warning says so, and what text can show is still shown."""
    from readycheck import workspace

    monkeypatch.setattr(workspace, "MAX_PARSED_PYTHON", 64 * 1024)
    table = "".join(f"def feature_{i}(x):\n    return x * {i}\n\n\n" for i in range(3000))
    secret = 'AWS_KEY = "AKIA' + "Q4NR7XJ2LMPW3KZT" + '"\n'
    root = write_tree(
        tmp_path / "repo", {"src/features_pb.py": table + secret, "README.md": "# x\n"}
    )
    report = scan(ScanOptions(path=root), rulebook)
    (warning,) = [w for w in report.warnings if w.code == "too-large-to-parse"]
    assert warning.path == "src/features_pb.py" and "read as text only" in warning.message
    secrets = next(r for r in report.results if r.rule.id == "RC-SEC-001")
    assert [f.location.path for f in secrets.findings if f.location] == ["src/features_pb.py"]


def test_a_notebook_whose_code_is_past_the_parse_limit_is_read_as_text_only(
    tmp_path: Path, rulebook: Rulebook, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from readycheck.parsers import notebook

    monkeypatch.setattr(notebook, "MAX_PARSED_PYTHON", 64 * 1024)
    table = "".join(f"def feature_{i}(x):\n    return x * {i}\n\n\n" for i in range(3000))
    secret = 'AWS_KEY = "AKIA' + "Q4NR7XJ2LMPW3KZT" + '"\n'
    cells = [
        {"cell_type": "code", "metadata": {}, "outputs": [], "source": source}
        for source in (table, secret)
    ]
    document = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    root = write_tree(tmp_path / "repo", {"features.ipynb": json.dumps(document)})
    report = scan(ScanOptions(path=root), rulebook)
    (warning,) = [w for w in report.warnings if "read as text only" in w.message]
    assert warning.path == "features.ipynb"
    secrets = next(r for r in report.results if r.rule.id == "RC-SEC-001")
    assert [f.location.path for f in secrets.findings if f.location] == ["features.ipynb"]


def test_a_rendered_manifest_past_the_yaml_limit_is_read_as_text_only(
    tmp_path: Path, rulebook: Rulebook, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Megabytes of rendered YAML are not composed (2 s per MiB): a warning says so, and
    the secrets in its text are still found."""
    from readycheck import yamlload

    monkeypatch.setattr(yamlload, "MAX_PARSED_YAML", 64 * 1024)
    manifests = "".join(
        f"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\ndata:\n  k: v{i}\n"
        for i in range(1500)
    )
    secret = "---\napiVersion: v1\nkind: Secret\nstringData:\n  key: AKIA" + "Q4NR7XJ2LMPW3KZT\n"
    root = write_tree(tmp_path / "repo", {"deploy/rendered.yaml": manifests + secret})
    report = scan(ScanOptions(path=root), rulebook)
    (warning,) = [w for w in report.warnings if w.code == "too-large-to-parse"]
    assert warning.path == "deploy/rendered.yaml" and "read as text only" in warning.message
    secrets = next(r for r in report.results if r.rule.id == "RC-SEC-001")
    assert [f.location.path for f in secrets.findings if f.location] == ["deploy/rendered.yaml"]


def test_a_yaml_document_over_the_alias_budget_is_refused_before_it_is_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The budget is checked on the composed node graph: constructing a document of a
    million nodes first took most of a 5 MiB file's 18 s."""
    from readycheck import yamlload

    built: list[object] = []
    original = yamlload._Loader.construct_document

    def spy(self: yamlload._Loader, node: object) -> object:
        built.append(node)
        return original(self, node)

    monkeypatch.setattr(yamlload._Loader, "construct_document", spy)
    monkeypatch.setattr(yamlload, "ALIAS_EXPANSION_BUDGET", 1000)
    text = "base: &b [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n" + "".join(f"k{i}: *b\n" for i in range(200))
    with pytest.raises(yamlload.YamlBudgetError):
        yamlload.load_all(text)
    assert built == []
    assert yamlload.load_all("a: &x [1, 2]\nb: *x\n").documents == [{"a": [1, 2], "b": [1, 2]}]
