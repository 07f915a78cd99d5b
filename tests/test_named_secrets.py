"""Secrets recognised by their name, on the shapes code and configs really take: which
literal values are secrets written out (RC-SEC-018 in configs, RC-SEC-009 in Python),
and which are references, addresses, placeholders, flags, counts or a CI job's
throwaway database."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

from readycheck.model import Report
from tests.conftest import rule_result

Scan = Callable[[Mapping[str, str | bytes]], Report]


def _findings(report: Report, rule_id: str = "RC-SEC-018") -> dict[tuple[str, int | None], str]:
    result = rule_result(report, rule_id)
    return {(f.location.path, f.location.line): f.snippet for f in result.findings if f.location}


def test_a_ci_jobs_service_database_password_is_not_a_leak(scan_tree: Scan) -> None:
    # GitHub's own example for PostgreSQL service containers sets POSTGRES_PASSWORD:
    # postgres; so do GitLab's and CircleCI's. The database lives as long as the job.
    # An API key in the same workflow's env is still a leak.
    github = """\
name: tests
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    env:
      WANDB_API_KEY: 3f9c2a7e1b8d4c6f
    services:
      postgres:
        image: postgres:16
        env:
          POSTGRES_PASSWORD: postgres
        ports: ["5432:5432"]
    steps:
      - uses: actions/checkout@v4
      - run: pytest -q
        env:
          DATABASE_URL: postgresql://postgres:postgres@localhost:5432/postgres
"""
    gitlab = """\
stages: [test]
test:
  stage: test
  image: python:3.11
  services:
    - postgres:16
  variables:
    POSTGRES_DB: features
    POSTGRES_PASSWORD: runner-password
  script:
    - pytest -q
"""
    circleci = """\
version: 2.1
jobs:
  test:
    docker:
      - image: cimg/python:3.11
      - image: cimg/postgres:16.2
        environment:
          POSTGRES_PASSWORD: circle_test
    steps:
      - checkout
      - run: pytest -q
"""
    report = scan_tree(
        {
            ".github/workflows/tests.yml": github,
            ".gitlab-ci.yml": gitlab,
            ".circleci/config.yml": circleci,
        }
    )
    assert _findings(report) == {(".github/workflows/tests.yml", 7): "WANDB_API_KEY: 3f9c********"}


def test_helm_values_and_configmaps_are_judged_by_name(scan_tree: Scan) -> None:
    values = """\
image:
  repository: ghcr.io/acme/churn-api
  tag: 1.4.2
env:
  MLFLOW_TRACKING_URI: https://mlflow.acme.internal
  MLFLOW_TRACKING_TOKEN: "{{ .Values.mlflow.token }}"
  HF_TOKEN: hf-read-8c1f2e7d9a
  MAX_NEW_TOKENS: 2048
  TOKENIZERS_PARALLELISM: "false"
existingSecret:
  name: churn-api-secrets
"""
    configmap = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: churn-api-config
data:
  SCORE_THRESHOLD: "0.72"
  REVIEW_QUEUE_URL: https://sqs.eu-west-1.amazonaws.com/123456789012/review
  SLACK_BOT_TOKEN: xoxq-not-a-real-format-1234
"""
    report = scan_tree({"charts/churn-api/values.yaml": values, "k8s/configmap.yaml": configmap})
    assert _findings(report) == {
        ("charts/churn-api/values.yaml", 7): "HF_TOKEN: hf-r********",
        ("k8s/configmap.yaml", 8): "SLACK_BOT_TOKEN: xoxq********",
    }


def test_secrets_in_test_fixtures_and_docs_are_left_alone(scan_tree: Scan) -> None:
    compose = "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: example\n"
    report = scan_tree(
        {"tests/fixtures/docker-compose.yml": compose, "docs/examples/docker-compose.yml": compose}
    )
    assert _findings(report) == {}
    assert _findings(scan_tree({"docker-compose.yml": compose})) == {
        ("docker-compose.yml", 5): "POSTGRES_PASSWORD: ********"
    }


def _notebook(*cells: str) -> str:
    return json.dumps(
        {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {},
            "cells": [
                {"cell_type": "code", "metadata": {}, "execution_count": None,
                 "outputs": [], "source": cell}
                for cell in cells
            ],
        }
    )  # fmt: skip


def test_keys_bound_in_python_are_found_in_modules_and_notebook_cells(scan_tree: Scan) -> None:
    notebook = _notebook(
        "import openai\nimport pandas as pd\n",
        'openai.api_key = "9f3b7c1e5a2d4f6b8c0e"\nclient = openai.OpenAI()\n',
    )
    module = """\
import os

REGISTRY_AUTH_KEY = "https://index.docker.io/v1/"
FEATURE_DB = "postgresql://reader:Xk29fPq7@features.internal/features"
os.environ.setdefault("COHERE_API_KEY", "co-7b1e9d3f5a2c8e4b6d0f")
SEARCH_API_KEY = os.environ["SEARCH_API_KEY"]
DEFAULTS = {"api_key": "changeme", "access_key": "AKIA_PLACEHOLDER"}
"""
    report = scan_tree({"notebooks/explore.ipynb": notebook, "src/search/settings.py": module})
    result = rule_result(report, "RC-SEC-009")
    shown = [
        ((f.location.path, f.location.line, f.location.cell), f.snippet)
        for f in result.findings
        if f.location
    ]
    assert shown == [
        (("notebooks/explore.ipynb", 1, 2), 'openai.api_key = "9f3b********"'),
        (
            ("src/search/settings.py", 5, None),
            'os.environ.setdefault("COHERE_API_KEY", "co-7********")',
        ),
    ]


def test_a_key_bandit_already_reports_is_reported_once(scan_tree: Scan) -> None:
    # The pilot notebook's AWS_SECRET_ACCESS_KEY was listed twice under RC-SEC-009: by
    # bandit's B105 (the name holds "secret") and again as a key-named literal.
    # RC-SEC-001's token pattern sees the same key: the one finding is RC-SEC-001's, and
    # names bandit's as well.
    code = 'AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq8TR2mVKE"\n'
    report = scan_tree({"src/etl/s3.py": code})
    assert rule_result(report, "RC-SEC-009").findings == ()
    (finding,) = rule_result(report, "RC-SEC-001").findings
    assert "also reported by RC-SEC-009: bandit B105" in finding.message
