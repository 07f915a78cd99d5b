"""Numbers in a config that no comparison can use: NaN, the infinities, and integers too
long to read. Each stops the CLI with exit code 2 and the usual one-line config error
(file:line: field: what is wrong), in `.readycheck.yml` and in pyproject.toml alike.

NaN matters most: JSON Schema's bounds let it through (every comparison with NaN is
false), so `fail_under: .nan` in a repository's own config would switch the gate off.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from readycheck.cli import app
from tests.conftest import write_tree

HUGE = "9" * 5000  # past Python's 4,300-digit limit for reading an integer


def _error(root: Path, *args: str) -> str:
    result = CliRunner().invoke(app, ["scan", str(root), "--no-cache", "-q", *args])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("readycheck: error: "), result.output
    return lines[0].removeprefix("readycheck: error: ")


CASES = [
    # (YAML config, pyproject.toml, YAML location, field, what the message says)
    ("gate:\n  fail_under: .nan\n", "[tool.readycheck.gate]\nfail_under = nan\n",
     "2:15", "gate.fail_under", "nan is not a finite number"),
    ("gate:\n  min_pillar:\n    security: .NaN\n", "[tool.readycheck.gate.min_pillar]\nsecurity = nan\n",
     "3:15", "gate.min_pillar.security", "nan is not a finite number"),
    ("gate:\n  fail_under: -.inf\n", "[tool.readycheck.gate]\nfail_under = -inf\n",
     "2:15", "gate.fail_under", "-inf is not a finite number"),
    (f"gate:\n  fail_under: {HUGE}\n", f"[tool.readycheck.gate]\nfail_under = {HUGE}\n",
     "2:15", "gate.fail_under", "a 5,000-digit number is out of range"),
    (f"gate:\n  min_pillar:\n    security: {HUGE}\n",
     f"[tool.readycheck.gate.min_pillar]\nsecurity = {HUGE}\n",
     "3:15", "gate.min_pillar.security", "a 5,000-digit number is out of range"),
    ("gate:\n  fail_under: 1" + "0" * 40 + "\n", "[tool.readycheck.gate]\nfail_under = 1" + "0" * 40 + "\n",
     "2:15", "gate.fail_under", "a 41-digit number is out of range"),
]  # fmt: skip


@pytest.mark.parametrize(("yaml_text", "toml_text", "where", "field", "words"), CASES)
def test_a_number_no_gate_can_use_is_a_config_error_with_its_line(
    tmp_path: Path, yaml_text: str, toml_text: str, where: str, field: str, words: str
) -> None:
    yaml_repo = write_tree(tmp_path / "yaml", {".readycheck.yml": yaml_text})
    toml_repo = write_tree(tmp_path / "toml", {"pyproject.toml": toml_text})
    message = _error(yaml_repo)
    assert f".readycheck.yml:{where}: {field}: {words}" in message, message
    assert len(message) < 300, "the number is named by its length, not printed whole"
    message = _error(toml_repo)
    assert "pyproject.toml:2:" in message, message  # the key's line: tomllib keeps none
    assert f": {field}: {words}" in message, message


def test_a_long_digit_string_before_a_long_integer_is_not_blamed(tmp_path: Path) -> None:
    """tomllib says no line; the line is the integer's, not an earlier string's."""
    text = (
        f'[tool.readycheck]\nexclude = [\n  "{"1" * 5000}",\n]\n\n'
        f"[tool.readycheck.gate]\nfail_under = {HUGE}\n"
    )
    root = write_tree(tmp_path / "repo", {"pyproject.toml": text})
    message = _error(root)
    assert "pyproject.toml:7: gate.fail_under: a 5,000-digit number is out of range" in message


def test_a_nan_weight_in_a_custom_rule_is_refused(tmp_path: Path) -> None:
    """Not only gate fields: no number in a config has any use for NaN or infinity."""
    config = (
        "rules:\n  custom:\n    - id: ACME-001\n      title: Services declare an owner team\n"
        "      pillar: security\n      severity: medium\n      weight: .nan\n"
        "      applies_when: always\n      check: {detector: text_pattern, params: {pattern: owner}}\n"
        "      problem: p\n      why: w\n      fix: f\n"
    )
    root = write_tree(tmp_path / "repo", {".readycheck.yml": config})
    message = _error(root)
    assert ".readycheck.yml:7:15: rules.custom[0].weight: nan is not a finite number" in message


def test_finite_thresholds_still_gate(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "repo",
        {".readycheck.yml": "gate:\n  fail_under: 99.5\n", "app.py": "import pickle\n"},
    )
    result = CliRunner().invoke(app, ["scan", str(root), "--no-cache", "-q"])
    assert result.exit_code == 1, result.output
    assert "is under 99.5" in result.output
