"""CI rules judge what CI runs, in every common CI system, never a comment, a step's
name or an echoed word."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from readycheck.model import Basis, Report, Status
from tests.conftest import rule_result

Scan = Callable[[Mapping[str, str | bytes]], Report]


def _result(report: Report, rule_id: str) -> tuple[Status, set[tuple[str, int | None]]]:
    result = rule_result(report, rule_id)
    where = {(f.location.path, f.location.line) for f in result.evidence if f.location}
    return result.status, where


#: A test suite for CI to run: without one, RC-HYG-002 is blocked by RC-HYG-001 whatever CI does.
SUITE = {
    "src/churn/features.py": "def ratio(a: float, b: float) -> float:\n    return a / b\n",
    "tests/test_features.py": (
        "from churn.features import ratio\n\n\ndef test_ratio():\n    assert ratio(1, 2) == 0.5\n"
    ),
}


def test_a_test_step_that_is_only_talked_about_does_not_count(scan_tree: Scan) -> None:
    workflow = """\
name: ci
# TODO: add pytest once the suite is green
on: [push, pull_request]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Run pytest
        run: |
          echo "pytest is coming soon"
          pip install -r requirements.txt  # then pytest
"""
    gitlab = 'test:\n  script:\n    - echo "TODO, run pytest"\n    - printf "tox\\n"\n'
    jenkins = "pipeline {\n  stages {\n    // sh 'pytest'\n    stage('t') { steps { echo 'pytest' } }\n  }\n}\n"
    report = scan_tree(
        {".github/workflows/ci.yml": workflow, ".gitlab-ci.yml": gitlab, "Jenkinsfile": jenkins}
        | SUITE
    )
    result = rule_result(report, "RC-HYG-002")
    assert (result.status, result.basis) == (Status.FAIL, Basis.NO_EVIDENCE)


CI_SYSTEMS = {
    "github": (
        ".github/workflows/ci.yml",
        "on: [pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n      - run: |\n          pip install -e .[test]\n"
        "          python -m pytest -q\n",
        9,
    ),
    "gitlab": (
        ".gitlab-ci.yml",
        "stages: [test]\nunit:\n  stage: test\n  image: python:3.11\n  script:\n"
        "    - pip install -e .[test]\n    - pytest --junitxml=report.xml\n",
        7,
    ),
    "azure": (
        "azure-pipelines.yml",
        "trigger: [main]\npool:\n  vmImage: ubuntu-latest\nsteps:\n"
        "  - script: pip install tox && tox -e py311\n    displayName: Run tests\n",
        5,
    ),
    "circleci": (
        ".circleci/config.yml",
        "version: 2.1\njobs:\n  test:\n    docker:\n      - image: cimg/python:3.11\n    steps:\n"
        "      - checkout\n      - run:\n          name: Unit tests\n          command: nox -s tests\n",
        10,
    ),
    "bitbucket": (
        "bitbucket-pipelines.yml",
        "image: python:3.11\npipelines:\n  default:\n    - step:\n        name: Test\n"
        "        script:\n          - pip install -e .[test]\n          - pytest -q\n",
        8,
    ),
    "codebuild": (
        "buildspec.yml",
        "version: 0.2\nphases:\n  install:\n    commands:\n      - pip install -e .[test]\n"
        "  build:\n    commands:\n      - make test\n",
        8,
    ),
    "jenkins": (
        "Jenkinsfile",
        "pipeline {\n  agent { docker { image 'python:3.11' } }\n  stages {\n"
        "    stage('Test') {\n      steps {\n        sh 'pip install -e .[test]'\n"
        "        sh 'python -m pytest -q'\n      }\n    }\n  }\n}\n",
        7,
    ),
}


@pytest.mark.parametrize("system", list(CI_SYSTEMS))
def test_every_common_ci_system_is_read(scan_tree: Scan, system: str) -> None:
    path, text, line = CI_SYSTEMS[system]
    report = scan_tree({path: text} | SUITE)
    assert _result(report, "RC-HYG-002") == (Status.PASS, {(path, line)})


def test_pre_commit_hooks_and_nox_sessions_ci_runs_run_linters(scan_tree: Scan) -> None:
    pre_commit = """\
repos:
  # - repo: https://github.com/psf/black
  - repo: https://github.com/astral-sh/ruff-pre-commit
    rev: v0.6.9
    hooks:
      - id: ruff
"""
    assert _result(scan_tree({".pre-commit-config.yaml": pre_commit}), "RC-HYG-013")[0] is (
        Status.PASS
    )
    commented = "repos: []\n# ruff and mypy: to do\n"
    assert _result(scan_tree({".pre-commit-config.yaml": commented}), "RC-HYG-013")[0] is (
        Status.FAIL
    )
    nox = 'import nox\n\n\n@nox.session\ndef lint(session):\n    session.run("mypy", "src")\n'
    # A nox session nothing runs checks nothing; the one CI runs does.
    assert _result(scan_tree({"noxfile.py": nox}), "RC-HYG-013")[0] is Status.FAIL
    ci = "on: [push]\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - run: nox -s lint\n"
    assert _result(
        scan_tree({"noxfile.py": nox, ".github/workflows/lint.yml": ci}), "RC-HYG-013"
    ) == (
        Status.PASS,
        {(".github/workflows/lint.yml", 6)},
    )


def test_an_argo_cd_application_automates_deployment(scan_tree: Scan) -> None:
    app = "from fastapi import FastAPI\n\napp = FastAPI()\n"
    application = """\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: churn-api
  namespace: argocd
spec:
  project: default
  source:
    repoURL: https://github.com/acme/churn-api.git
    path: deploy/chart
    targetRevision: main
  destination:
    server: https://kubernetes.default.svc
    namespace: churn
  syncPolicy:
    automated: {prune: true, selfHeal: true}
"""
    report = scan_tree({"src/app.py": app, "deploy/argocd/churn-api.yaml": application})
    assert _result(report, "RC-INFRA-014") == (
        Status.PASS,
        {("deploy/argocd/churn-api.yaml", 1)},
    )


def test_without_a_deployment_step_deployment_is_manual(scan_tree: Scan) -> None:
    app = "from fastapi import FastAPI\n\napp = FastAPI()\n"
    workflow = (
        "on: [push]\njobs:\n  d:\n    steps:\n      - run: echo 'kubectl apply -f k8s/ by hand'\n"
    )
    report = scan_tree({"src/app.py": app, ".github/workflows/deploy.yml": workflow})
    assert _result(report, "RC-INFRA-014")[0] is Status.FAIL
