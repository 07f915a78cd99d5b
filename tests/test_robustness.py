"""A malformed file in the scanned tree is a warning in a complete report, never a crash."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from readycheck.model import Report, Status
from tests.conftest import rule_result

Scan = Callable[[Mapping[str, str | bytes]], Report]

GOOD = {
    "src/train.py": "import logging\nfrom sklearn.linear_model import LogisticRegression\n"
    "LogisticRegression(random_state=0).fit(X, y)\n",
}


def _warnings(report: Report) -> dict[str, str]:
    return {w.path or "": w.message for w in report.warnings}


def test_broken_notebook_json(scan_tree: Scan) -> None:
    report = scan_tree(
        GOOD | {"notebooks/eda.ipynb": '{"cells": [{"cell_type": "code", "source": '}
    )
    assert "invalid notebook JSON" in _warnings(report)["notebooks/eda.ipynb"]
    assert len(report.results) >= 25
    assert all(r.status is not Status.ERROR for r in report.results)


def test_invalid_yaml(scan_tree: Scan) -> None:
    report = scan_tree(
        GOOD | {"deploy/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\n  bad: [\n"}
    )
    message = _warnings(report)["deploy/deployment.yaml"]
    assert message.startswith("invalid YAML") and "line" in message


def test_helm_templates_are_not_reported_as_invalid_yaml(scan_tree: Scan) -> None:
    report = scan_tree(
        GOOD
        | {
            "chart/templates/deploy.yaml": "spec:\n  replicas: {{ .Values.replicas }}\n"
            "  {{- if .Values.hpa }}\n  x: 1\n  {{- end }}\n"
        }
    )
    assert "chart/templates/deploy.yaml" not in _warnings(report)


def test_python_that_does_not_parse(scan_tree: Scan) -> None:
    report = scan_tree(
        GOOD | {"legacy/old.py": "print 'python 2'\n", "bin/junk.py": b"\x00\x01\x02binary"}
    )
    warnings = _warnings(report)
    assert "Python 2" in warnings["legacy/old.py"]
    assert "binary" in warnings["bin/junk.py"]


def test_bad_encoding_cookie(scan_tree: Scan) -> None:
    report = scan_tree(GOOD | {"src/enc.py": b"# -*- coding: klingon -*-\nx = 1\n"})
    assert "encoding" in _warnings(report)["src/enc.py"]


def test_empty_repository(scan_tree: Scan) -> None:
    report = scan_tree({})
    assert report.target.files == 0
    assert 0 <= report.score <= 100


def test_scanned_code_is_never_executed(scan_tree: Scan, tmp_path) -> None:  # type: ignore[no-untyped-def]
    marker = tmp_path / "executed"
    payload = f"open({str(marker)!r}, 'w').write('boom')\n"
    notebook = (
        '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", '
        '"execution_count": 1, "metadata": {}, "outputs": [], "source": '
        + repr(payload).replace("'", '"')
        + "}]}"
    )
    scan_tree(
        {
            "setup.py": payload,
            "conftest.py": payload,
            "src/__init__.py": payload,
            "nb.ipynb": notebook,
            "pyproject.toml": "[project]\nname = 'x'\n",
        }
    )
    assert not marker.exists()


def test_a_requirements_file_written_as_utf16_is_read_like_pip_reads_it(scan_tree: Scan) -> None:
    """Antolarkin/ML-Model-Deployment-as-a-Monitored-REST-API (round 43): Windows
    PowerShell wrote `pip freeze > requirements.txt` as UTF-16 with a byte-order mark;
    pip reads it, and so must the pinning rule, instead of calling it binary."""
    pinned = "fastapi==0.115.0\r\nscikit-learn==1.5.2\r\njoblib==1.4.2\r\n"
    report = scan_tree(GOOD | {"requirements.txt": pinned.encode("utf-16")})
    assert "requirements.txt" not in _warnings(report)
    assert rule_result(report, "RC-INFRA-007").status is Status.PASS


def test_nul_bytes_without_a_byte_order_mark_are_still_binary(scan_tree: Scan) -> None:
    unmarked = "fastapi==0.115.0\n".encode("utf-16-le")
    report = scan_tree(GOOD | {"requirements.txt": unmarked})
    assert "binary" in _warnings(report)["requirements.txt"]
