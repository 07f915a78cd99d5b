"""The wheel carries everything readycheck needs offline: the rulebook and the schemas."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(out),
            str(REPO_ROOT),
        ],
        check=True,
        capture_output=True,
    )
    return next(out.glob("readycheck_ml-*.whl"))


def test_wheel_contains_the_rulebook_and_schemas(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    rule_files = sorted(p.name for p in (REPO_ROOT / "rules").glob("*.yaml"))
    assert rule_files, "rules/ is empty"
    for name in rule_files:
        assert f"readycheck/rules/{name}" in names
    for schema in (
        "rulebook.schema.json",
        "report.schema.json",
        "portfolio.schema.json",
        "trend.schema.json",
    ):
        assert f"readycheck/schemas/{schema}" in names
    assert "readycheck/data/advisories.yaml" in names  # the offline advisory list


def test_the_installed_wheel_loads_its_own_rulebook(wheel: Path, tmp_path: Path) -> None:
    zipfile.ZipFile(wheel).extractall(tmp_path / "site")
    site = str(tmp_path / "site")
    code = (
        "import readycheck.rulebook as r; p = r.default_rules_dir(); "
        f"assert str(p).startswith({site!r}), p; print(len(r.load_rulebook().rules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path / "site"), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) >= 25


def test_every_place_that_installs_readycheck_names_the_same_distribution() -> None:
    """`readycheck` on PyPI is someone else's project: pyproject, the action's `version:`
    install, and every `pip install` in the README name readycheck.DISTRIBUTION."""
    import tomllib

    from readycheck import DISTRIBUTION

    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    assert project["name"] == DISTRIBUTION
    assert project["scripts"] == {"readycheck": "readycheck.cli:main"}
    assert f'source="{DISTRIBUTION}==$READYCHECK_VERSION"' in (REPO_ROOT / "action.yml").read_text()
    installs = re.findall(r"pip install ([^\s`'\"]+)", (REPO_ROOT / "README.md").read_text())
    from_index = [name for name in installs if not name.startswith(("-", "."))]
    assert from_index and all(name == DISTRIBUTION for name in from_index), from_index
