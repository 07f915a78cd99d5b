"""Findings a scan of a real ML code base (mlflow's source) showed to be false, each
pinned beside a true one of the same rule so the fix cannot silence the rule."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from readycheck.model import Report

Scan = Callable[[Mapping[str, str | bytes]], Report]


def _lines(report: Report, rule_id: str) -> set[int | None]:
    result = next(r for r in report.results if r.rule.id == rule_id)
    return {f.location.line if f.location else None for f in result.findings}


def test_optional_imports_are_not_swallowed_failures(scan_tree: Scan) -> None:
    code = """\
try:
    import orjson
except ImportError:
    pass


def rows(lines):
    for line in lines:
        try:
            yield int(line)
        except ValueError:
            continue
"""
    assert _lines(scan_tree({"src/etl/load.py": code}), "RC-DATA-006") == {11}


def test_names_flags_and_paths_are_not_hard_coded_passwords(scan_tree: Scan) -> None:
    code = """\
USAGE_KEYS = {"input_tokens": "gen_ai.usage.input_tokens"}
result = {"pass": False, "token": ""}
TOKEN_ENV = "MLFLOW_TRACKING_TOKEN"
secret_path = "/var/run/secrets/token"
admin_password = "password1234"
"""
    assert _lines(scan_tree({"src/svc/settings.py": code}), "RC-SEC-009") == {5}


def test_identity_with_pandas_na_is_the_right_test(scan_tree: Scan) -> None:
    code = """\
import numpy as np
import pandas as pd

def missing(x):
    return x is None or x is pd.NA or x is pd.NaT

def broken(x):
    return x == np.nan
"""
    assert _lines(scan_tree({"src/etl/clean.py": code}), "RC-DATA-007") == {8}


def test_keyword_arguments_hidden_in_kwargs_are_not_claimed(scan_tree: Scan) -> None:
    code = """\
from flask import Flask

app = Flask(__name__)

def evaluate(scorer, **options):
    return scorer.run(**options)

if __name__ == "__main__":
    app.run(host="0.0.0.0", debug=True)
"""
    assert _lines(scan_tree({"src/svc/app.py": code}), "RC-INFRA-008") == {9}
