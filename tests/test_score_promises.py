"""What the score promises its readers, checked on real scans: a repository that does
nothing scores nothing, every pillar has a score, the gain shown on a finding is what
fixing it earns, and accepting a risk does not make it go away."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from readycheck import score
from readycheck.model import Report, Status
from readycheck.pipeline import ScanOptions, scan
from readycheck.rulebook import Rulebook
from tests.conftest import SAMPLES, notebook_json, rule_result, write_tree


def test_an_empty_folder_scores_at_most_5_with_every_pillar_scored(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    report = scan(ScanOptions(path=tmp_path), rulebook)
    assert report.score <= 5
    assert all(p.score is not None for p in report.pillars)


def test_a_folder_with_one_notebook_scores_at_most_15(tmp_path: Path, rulebook: Rulebook) -> None:
    cells = (
        "import pandas as pd\nfrom sklearn.ensemble import RandomForestClassifier\n"
        "from sklearn.model_selection import train_test_split",
        "df = pd.read_csv('customers.csv')\nX, y = df.drop(columns='churn'), df['churn']\n"
        "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)",
        "model = RandomForestClassifier(random_state=0).fit(X_train, y_train)\n"
        "print(model.score(X_test, y_test))",
    )
    root = write_tree(tmp_path / "nb", {"churn.ipynb": notebook_json(*cells)})
    report = scan(ScanOptions(path=root), rulebook)
    assert report.score <= 15
    assert all(p.score is not None for p in report.pillars)


def test_every_pillar_of_every_sample_has_a_score(samples: dict[str, Report]) -> None:
    for name, report in samples.items():
        assert all(p.score is not None for p in report.pillars), name


def test_the_samples_order_pilot_below_half_way_below_production(
    samples: dict[str, Report],
) -> None:
    pilot, half, production = (
        samples[n].score for n in ("churn-pilot", "fraud-detector", "credit-risk-service")
    )
    assert pilot < half < production


@pytest.mark.parametrize("sample", ["churn-pilot", "fraud-detector", "credit-risk-service"])
def test_fixing_any_failing_rule_earns_exactly_the_gain_the_report_promised(
    sample: str, samples: dict[str, Report]
) -> None:
    """For every rule the report asks to fix, rescoring with that rule fixed (and nothing
    else changed) moves the overall score by the gain printed next to it."""
    report = samples[sample]
    results = list(report.results)
    for index, result in enumerate(results):
        if result.status not in (Status.FAIL, Status.PARTIAL):
            continue
        after = list(results)
        after[index] = score.fixed(result)
        earned = score.overall_score(score.pillar_scores(after)) - report.score
        promised = 0.0 if result.gain == 0 else result.gain
        assert earned == pytest.approx(promised, abs=1e-6) or result.blocked_by, result.rule.id


def test_fixing_a_finding_in_the_files_earns_its_gain(tmp_path: Path, rulebook: Rulebook) -> None:
    """The same promise end to end: a licence file is added to the pilot sample, and the
    rescan moves the score by the gain the first scan showed on RC-SEC-008."""
    root = tmp_path / "churn-pilot"
    shutil.copytree(SAMPLES / "churn-pilot", root)
    before = scan(ScanOptions(path=root), rulebook)
    licence = rule_result(before, "RC-SEC-008")
    assert licence.status is Status.FAIL and licence.gain > 0
    (root / "LICENSE").write_text("Apache License\nVersion 2.0, January 2004\n", encoding="utf-8")
    after = scan(ScanOptions(path=root), rulebook)
    assert rule_result(after, "RC-SEC-008").status is Status.PASS
    assert after.score - before.score == pytest.approx(licence.gain, abs=1e-6)


def test_suppressing_a_risk_does_not_raise_the_score(tmp_path: Path, rulebook: Rulebook) -> None:
    """An accepted risk is still a risk: the suppression is shown, the score is unchanged."""
    code = "import pickle\n\nmodel = pickle.load(open('model.pkl', 'rb'))\n"
    root = write_tree(tmp_path / "repo", {"src/serve.py": code})
    before = scan(ScanOptions(path=root), rulebook)
    write_tree(
        root,
        {"src/serve.py": code.replace(
            "'rb'))\n", "'rb'))  # readycheck: ignore[RC-SEC-002] our own signed artefact\n"
        )},
    )  # fmt: skip
    after = scan(ScanOptions(path=root), rulebook)
    (finding,) = rule_result(after, "RC-SEC-002").findings
    assert finding.suppression is not None
    assert after.score == before.score
    assert [p.score for p in after.pillars] == [p.score for p in before.pillars]


def test_a_risk_costs_by_the_share_of_code_it_affects_not_by_repository_size(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    """One unsafe load among four modules costs what ten among forty do."""
    unsafe = "import pickle\n\nmodel = pickle.load(open('m.pkl', 'rb'))\n"
    safe = "def add(a: int, b: int) -> int:\n    return a + b\n"

    def security(copies: int) -> float | None:
        files = {f"src/unsafe_{i}.py": unsafe for i in range(copies)}
        files |= {f"src/safe_{i}.py": safe for i in range(3 * copies)}
        root = write_tree(tmp_path / f"r{copies}", files)
        report = scan(ScanOptions(path=root), rulebook)
        hazard = rule_result(report, "RC-SEC-002")
        return dataclasses.replace(hazard).density

    assert security(1) == security(10) == pytest.approx(0.25)


def test_the_declared_kind_wins_over_the_inferred_one(tmp_path: Path, rulebook: Rulebook) -> None:
    """A package whose CI publishes it, but which its owners run as a service."""
    files = {
        "src/churn/api.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
        "README.md": "# churn\n",
    }
    root = write_tree(tmp_path / "repo", files)
    inferred = scan(ScanOptions(path=root), rulebook)
    assert inferred.kind is not None and (inferred.kind.id, inferred.kind.declared) == (
        "service",
        False,
    )
    assert inferred.kind.evidence is not None and inferred.kind.evidence.location is not None
    write_tree(root, {".readycheck.yml": "kind: library\n"})
    declared = scan(ScanOptions(path=root), rulebook)
    assert declared.kind is not None and (declared.kind.id, declared.kind.declared) == (
        "library",
        True,
    )
    # a library is not judged on serving practices
    assert rule_result(declared, "RC-INFRA-003").status is Status.NOT_APPLICABLE
    assert rule_result(inferred, "RC-INFRA-003").status is Status.FAIL


def test_an_unknown_declared_kind_stops_with_the_file_line_and_field(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from readycheck.cli import app

    root = write_tree(tmp_path / "repo", {".readycheck.yml": "exclude: []\nkind: servce\n"})
    result = CliRunner().invoke(app, ["scan", str(root), "--no-cache"])
    assert result.exit_code == 2
    assert ".readycheck.yml:2" in result.output and "kind" in result.output
    assert "unknown repository kind 'servce'" in result.output


def test_a_published_server_package_that_deploys_nothing_is_a_library(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    """An inference-server package (the precision audit saw one judged as a service, with
    24 false findings about a model it does not have) is a library; the same code with
    an image that serves it is a service."""
    publish = (
        "on: [release]\njobs:\n  pypi:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: python -m build && twine upload dist/*\n"
    )
    files = {
        "src/scoring_server/app.py": "from flask import Flask\n\napp = Flask(__name__)\n",
        ".github/workflows/release.yml": publish,
    }
    library = scan(ScanOptions(path=write_tree(tmp_path / "lib", files)), rulebook)
    assert library.kind is not None and library.kind.id == "library"
    image = 'FROM python:3.12-slim\nEXPOSE 5001\nCMD ["gunicorn", "scoring_server.app:app"]\n'
    deployed = scan(
        ScanOptions(path=write_tree(tmp_path / "svc", {**files, "Dockerfile": image})), rulebook
    )
    assert deployed.kind is not None and deployed.kind.id == "service"
