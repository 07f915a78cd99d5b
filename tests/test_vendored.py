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


_OWN_CHART = {
    "deploy/charts/fraud/Chart.yaml": "apiVersion: v2\nname: fraud\nversion: 1.1.0\n",
    "deploy/charts/fraud/templates/deployment.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: fraud\nspec:\n  template:\n"
        "    spec:\n      containers:\n        - name: api\n          image: ghcr.io/acme/fraud:1.1.0\n"
    ),
}
#: Upstream's test values as a chart carries them (round 40: Grafana's ci/ folder inside
#: kube-prometheus-stack's charts/), with a placeholder secret.
_UPSTREAM_VALUES = (
    'adminPassword: "Jb8xQ2rT7vLw9mKe"\nenv:\n  GF_SECURITY_SECRET_KEY: "f3Vq8LrT2mXw9KeB"\n'
)


def test_a_chart_helm_put_under_another_charts_charts_folder_is_not_the_teams(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    """Round 40 (phuchoang2603/realtime-credit-card-fraud-detection): subcharts of the
    monitoring stacks copied in were judged as the team's (an image without a tag, a
    trial key, placeholder passwords in Grafana's own test values)."""
    subchart = {
        **_OWN_CHART,
        "deploy/charts/stack/Chart.yaml": "apiVersion: v2\nname: stack\nversion: 65.1.0\n",
        "deploy/charts/stack/charts/grafana/Chart.yaml": "apiVersion: v2\nname: grafana\nversion: 8.5.0\n",
        "deploy/charts/stack/charts/grafana/values.yaml": _UPSTREAM_VALUES,
    }
    copied = rule_result(_scan(tmp_path / "a", rulebook, subchart), "RC-SEC-018")
    assert not [f for f in copied.findings if "grafana" in str(f.location)], copied.findings
    # the same values in a chart of the team's own are its hazard
    own = {
        **_OWN_CHART,
        "deploy/charts/grafana/Chart.yaml": "apiVersion: v2\nname: grafana\nversion: 0.1.0\n",
        "deploy/charts/grafana/values.yaml": _UPSTREAM_VALUES,
    }
    theirs = rule_result(_scan(tmp_path / "b", rulebook, own), "RC-SEC-018")
    assert [f for f in theirs.findings if "grafana" in str(f.location)], theirs.status


def test_a_chart_annotated_for_artifact_hub_is_a_published_chart(tmp_path: Path) -> None:
    from readycheck.discover import discover
    from readycheck.vendored import copied_charts

    root = write_tree(
        tmp_path,
        {
            **_OWN_CHART,
            "deploy/charts/traefik/Chart.yaml": (
                "apiVersion: v2\nname: traefik\nversion: 36.2.0\nannotations:\n"
                "  artifacthub.io/changes: |\n    - fix\n"
            ),
        },
    )
    files = list(discover(root).files)
    read = lambda path: (root / path).read_text()  # noqa: E731
    assert copied_charts(files, read) == ["deploy/charts/traefik"]


def test_the_teams_own_charts_stay_its_own(tmp_path: Path) -> None:
    from readycheck.discover import discover
    from readycheck.vendored import copied_charts

    umbrella = {
        **_OWN_CHART,
        "deploy/charts/fraud/charts/README.md": "Dependencies go here.\n",
        "deploy/platform/Chart.yaml": "apiVersion: v2\nname: platform\nversion: 0.1.0\n",
    }
    root = write_tree(tmp_path, umbrella)
    read = lambda path: (root / path).read_text()  # noqa: E731
    assert copied_charts(list(discover(root).files), read) == []
