"""Hazards outside production (precision round 17): a tutorial notebook that installs
packages, or a test that calls eval, is on no path to users, so the rule is not failed
for it; a credential committed in a test still leaks and still counts, at a quarter."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from readycheck.model import Report, Status
from readycheck.pipeline import ScanOptions, scan
from readycheck.rulebook import Rulebook
from tests.conftest import notebook_json, rule_result, write_tree

_SERVICE = {
    "requirements.txt": "fastapi==0.110.0\nscikit-learn==1.5.2\n",
    "app/main.py": """\
from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
def health() -> dict:
    return {"ok": True}
""",
}


def _scan(tmp_path: Path, rulebook: Rulebook, files: dict[str, str]) -> Report:
    return scan(ScanOptions(path=write_tree(tmp_path / "repo", files)), rulebook)


def test_a_tutorial_notebook_that_installs_packages_fails_nothing(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    tutorial = notebook_json("!pip install datasets pandas", "import pandas as pd")
    report = _scan(tmp_path, rulebook, {**_SERVICE, "examples/search.ipynb": tutorial})
    result = rule_result(report, "RC-HYG-004")
    assert result.status is Status.PASS and not result.findings
    assert result.reason is not None and "examples/search.ipynb" in result.reason
    assert "not counted" in result.reason


def test_the_same_notebook_in_the_project_is_a_finding(tmp_path: Path, rulebook: Rulebook) -> None:
    analysis = notebook_json("!pip install datasets pandas", "import pandas as pd")
    report = _scan(tmp_path, rulebook, {**_SERVICE, "notebooks/analysis.ipynb": analysis})
    assert rule_result(report, "RC-HYG-004").status is Status.FAIL


def test_a_key_committed_in_a_test_still_counts_as_a_weak_hazard(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    key = "AKIA" + "Q3EGRX5TN7KVB2WD"
    files = {**_SERVICE, "tests/test_upload.py": f'ACCESS_KEY = "{key}"\n'}
    result = rule_result(_scan(tmp_path, rulebook, files), "RC-SEC-001")
    assert result.status is Status.PARTIAL and result.findings


def test_a_pass_shows_the_product_s_evidence_before_an_analysis_script_s(
    scan_tree: Callable[[Mapping[str, str]], Report],
) -> None:
    """SalisMaxima/ct_scan_mlops: the logging pass quoted the course's report checker
    (reports/report.py) while the API logs; the product's own evidence comes first."""
    report = scan_tree(
        {
            "reports/report.py": "import logging\n\nlogging.basicConfig(level=logging.INFO)\n",
            "src/scanner/api.py": (
                "import logging\n\nfrom fastapi import FastAPI\n\n"
                "logging.basicConfig(level=logging.INFO)\nlogger = logging.getLogger(__name__)\n"
                "app = FastAPI()\n"
            ),
        }
    )
    result = rule_result(report, "RC-MON-001")
    assert result.status is Status.PASS
    assert result.evidence[0].location is not None
    assert result.evidence[0].location.path == "src/scanner/api.py"
