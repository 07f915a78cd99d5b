"""Vendored third-party code (precision round 18): a copied project is neither the
team's practice nor its hazard. fAIr keeps CosmiQ's solaris (Apache) inside its AGPL
application, imported by nothing: its pickle loads, its renovate.json and its tests
were judged as fAIr's."""

from __future__ import annotations

from pathlib import Path

import pytest

from readycheck.discover import classify_role
from readycheck.model import FileKind, Report, Role, Status
from readycheck.pipeline import ScanOptions, scan
from readycheck.rulebook import Rulebook
from readycheck.vendored import licence_family
from tests.conftest import rule_result, write_tree

_AGPL = (
    "                    GNU AFFERO GENERAL PUBLIC LICENSE\n       Version 3, 19 November 2007\n"
)
_APACHE = "                                 Apache License\n                           Version 2.0, January 2004\n"
_UNPICKLES = """\
import pickle


def load_tiles(path):
    with open(path, "rb") as handle:
        return pickle.load(handle)
"""


#: A copied project under its own licence, as fAIr keeps solaris.
_SOLARIS = {
    "backend/ramp/solaris/LICENSE.txt": _APACHE,
    "backend/ramp/solaris/setup.py": "from setuptools import setup\n\nsetup(name='solaris')\n",
    "backend/ramp/solaris/solaris/io.py": _UNPICKLES,
}


def _app(extra: dict[str, str]) -> dict[str, str]:
    return {
        "LICENSE": _AGPL,
        "backend/app.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
        **extra,
    }


def _scan(tmp_path: Path, rulebook: Rulebook, files: dict[str, str]) -> Report:
    return scan(ScanOptions(path=write_tree(tmp_path / "repo", files)), rulebook)


@pytest.mark.parametrize(
    "path",
    ["vendor/lib/core.py", "src/pkg/_vendor/click/core.py", "third_party/sentencepiece/x.py"],
)
def test_a_vendor_folder_holds_vendored_code(path: str) -> None:
    assert classify_role(path, FileKind.PYTHON) is Role.VENDORED


def test_licence_families_are_told_apart() -> None:
    assert licence_family(_AGPL) == "agpl"
    assert licence_family(_APACHE) == "apache"
    assert licence_family("Permission is hereby granted, free of charge, to any person") == "mit"


def test_a_copied_project_under_another_licence_is_not_the_team_s(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    result = rule_result(_scan(tmp_path, rulebook, _app(_SOLARIS)), "RC-SEC-002")
    assert result.status is Status.PASS and not result.findings


def test_a_sub_package_under_the_repository_s_licence_is_the_team_s(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    own = {
        "packages/tiles/LICENSE": _AGPL,
        "packages/tiles/pyproject.toml": '[project]\nname = "tiles"\nversion = "0.1.0"\n',
        "packages/tiles/tiles/io.py": _UNPICKLES,
    }
    result = rule_result(_scan(tmp_path, rulebook, _app(own)), "RC-SEC-002")
    assert result.status is Status.FAIL


def test_a_copied_project_the_application_imports_is_its_code(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    used = {
        **_SOLARIS,
        "backend/predict.py": "from solaris.io import load_tiles\n\ntiles = load_tiles('x.pkl')\n",
    }
    result = rule_result(_scan(tmp_path, rulebook, _app(used)), "RC-SEC-002")
    assert result.status is Status.FAIL


def test_a_vendor_folder_s_hazards_are_not_counted(tmp_path: Path, rulebook: Rulebook) -> None:
    files = _app({"backend/vendor/tilecache/io.py": _UNPICKLES})
    result = rule_result(_scan(tmp_path, rulebook, files), "RC-SEC-002")
    assert result.status is Status.PASS and not result.findings


def test_the_config_can_say_a_folder_is_vendored(tmp_path: Path, rulebook: Rulebook) -> None:
    files = _app(
        {
            "backend/copied/io.py": _UNPICKLES,
            ".readycheck.yaml": "roles:\n  vendored: ['backend/copied/**']\n",
        }
    )
    result = rule_result(_scan(tmp_path, rulebook, files), "RC-SEC-002")
    assert result.status is Status.PASS


def test_vendored_code_is_not_parsed_at_all(tmp_path: Path, rulebook: Rulebook) -> None:
    """No rule reads third-party code, so the scan does not spend time parsing it: a
    file that does not parse there warns of nothing, where the team's own would."""
    broken = "def broken(:\n    pass\n"
    report = _scan(
        tmp_path,
        rulebook,
        _app({"backend/vendor/lib/broken.py": broken, "backend/own/broken.py": broken}),
    )
    warned = {w.path for w in report.warnings}
    assert "backend/own/broken.py" in warned
    assert "backend/vendor/lib/broken.py" not in warned
