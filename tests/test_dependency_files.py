"""Every way a Python project declares its dependencies is read, at the right line,
without running anything: the pinning rule and the library-evidence rules depend on it."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from readycheck.model import Report, Status
from tests.conftest import rule_result

FORMATS: dict[str, tuple[str, str]] = {
    "requirements.txt": ("requirements.txt", "scikit-learn==1.5.2\nfastapi\n"),
    "PEP 621": (
        "pyproject.toml",
        '[project]\nname = "svc"\ndependencies = [\n  "scikit-learn==1.5.2",\n  "fastapi",\n]\n',
    ),
    "Poetry": (
        "pyproject.toml",
        '[tool.poetry]\nname = "svc"\n\n[tool.poetry.dependencies]\n'
        'python = "^3.11"\nscikit-learn = "1.5.2"\nfastapi = "^0.115"\n',
    ),
    "Pipfile": (
        "Pipfile",
        '[[source]]\nurl = "https://pypi.org/simple"\nverify_ssl = true\nname = "pypi"\n\n'
        '[packages]\nscikit-learn = "==1.5.2"\nfastapi = "*"\n\n[dev-packages]\npytest = "*"\n',
    ),
    "setup.cfg": (
        "setup.cfg",
        "[metadata]\nname = svc\n\n[options]\ninstall_requires =\n"
        "    scikit-learn==1.5.2\n    fastapi\n",
    ),
    "setup.py": (
        "setup.py",
        "from setuptools import setup\n\nsetup(\n    name='svc',\n"
        "    install_requires=['scikit-learn==1.5.2', 'fastapi'],\n)\n",
    ),
    "conda": (
        "environment.yml",
        "name: svc\nchannels: [conda-forge]\ndependencies:\n  - python=3.11\n"
        "  - scikit-learn=1.5.2\n  - pip:\n    - fastapi\n",
    ),
}


@pytest.mark.parametrize("label", FORMATS)
def test_an_unpinned_dependency_is_found_at_its_line(
    label: str, scan_tree: Callable[[Mapping[str, str | bytes]], Report]
) -> None:
    name, text = FORMATS[label]
    report = scan_tree({"README.md": "# Scoring service\n", name: text})
    result = rule_result(report, "RC-INFRA-007")
    assert result.status is Status.PARTIAL, f"{label}: scikit-learn is pinned, fastapi is not"
    expected = next(n for n, line in enumerate(text.splitlines(), 1) if "fastapi" in line)
    assert [(f.location.path, f.location.line) for f in result.findings] == [(name, expected)]


def test_a_pinned_pipfile_passes(scan_tree: Callable[[Mapping[str, str | bytes]], Report]) -> None:
    text = '[packages]\nscikit-learn = "==1.5.2"\nfastapi = {version = "==0.115.0"}\n'
    report = scan_tree({"README.md": "# Scoring service\n", "Pipfile": text})
    result = rule_result(report, "RC-INFRA-007")
    assert result.status is Status.PASS


def test_a_pipfile_entry_is_located_by_its_own_key_and_quoted_as_written(
    scan_tree: Callable[[Mapping[str, str | bytes]], Report],
) -> None:
    text = '[packages]\npytorch-lightning = "==2.4.0"\n"torch" = ">=2"\n'
    report = scan_tree({"README.md": "# Trainer\n", "Pipfile": text})
    result = rule_result(report, "RC-INFRA-007")
    assert [(f.location.line, f.snippet) for f in result.findings] == [(3, '"torch" = ">=2"')]


def test_an_entry_listed_twice_gets_the_line_of_each_listing() -> None:
    from readycheck.parsers.dependencies import from_pipfile, from_pyproject

    text = (
        '[project]\nname = "svc"\ndependencies = []\n\n[project.optional-dependencies]\n'
        'train = [\n  "torch",\n]\nserve = [\n  "torch",\n]\n'
    )
    deps = from_pyproject(
        {"project": {"optional-dependencies": {"train": ["torch"], "serve": ["torch"]}}}, text
    )
    assert [(d.group, d.line) for d in deps] == [("train", 7), ("serve", 10)]
    pipfile = '[packages]\npytest = "*"\n\n[dev-packages]\npytest = "==8.0"\n'
    entries = from_pipfile(
        {"packages": {"pytest": "*"}, "dev-packages": {"pytest": "==8.0"}}, pipfile
    )
    assert [(d.group, d.line, d.raw) for d in entries] == [
        ("runtime", 2, 'pytest = "*"'),
        ("dev", 5, 'pytest = "==8.0"'),
    ]


def test_entries_declared_out_of_order_are_still_located() -> None:
    from readycheck.parsers.dependencies import from_pyproject

    text = '[project]\nname = "svc"\ndependencies = [\n  "numpy",\n  "pandas",\n]\n'
    deps = from_pyproject({"project": {"dependencies": ["pandas", "numpy"]}}, text)
    assert [(d.name, d.line) for d in deps] == [("pandas", 5), ("numpy", 4)]


def test_locating_entries_has_a_bounded_cost() -> None:
    """Entries written where no lookup finds them (escapes, other spellings) would each
    search the whole file: past the budget they get no line, and the rest still load."""
    from readycheck.parsers.dependencies import Locator

    locator = Locator("x" * 1_000_000 + "\nnumpy\n")
    locator._budget = 5_000_000
    misses = [locator.find(f"absent-{i}") for i in range(10)]
    assert misses == [None] * 10
    assert locator.find("numpy") is None  # budget spent: no line, no hang
    fresh = Locator("x" * 1_000_000 + "\nnumpy\n")
    assert fresh.find("numpy") == 2
