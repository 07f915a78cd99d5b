"""A broken rulebook stops the scan with exit code 2 and one message naming file, line and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from readycheck.cli import app
from readycheck.errors import RulebookError
from readycheck.rulebook import default_rules_dir, load_rulebook

GOOD_RULE = """\
rules:
  - id: RC-TEST-001
    title: Something is configured
    pillar: data
    severity: high
    applies_when: always
    check:
      detector: file_exists
      params: {globs: [setup.cfg]}
    problem: Nothing is configured at all.
    why: Because configuration matters in production.
    fix: Configure it in the usual place.
    references: ["A reference"]
"""


def _rulebook_with(tmp_path: Path, text: str) -> Path:
    """A copy of the built-in rulebook plus one extra file holding `text`."""
    folder = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), folder)
    (folder / "zz_custom.yaml").write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("text", "line", "field", "words"),
    [
        pytest.param(
            GOOD_RULE.replace("    why:", "    whyy: x\n    why:"),
            11,
            "rules[0].whyy",
            "unknown field 'whyy'",
            id="unknown-field",
        ),
        pytest.param(
            GOOD_RULE.replace("  - id: RC-TEST-001\n    title:", "  - title:"),
            2,
            "rules[0].id",
            "missing required field 'id'",
            id="missing-id",
        ),
        pytest.param(
            GOOD_RULE.replace("severity: high", "severity: hgih"),
            5,
            "rules[0].severity",
            "'hgih' is not allowed; expected one of: critical, high, medium, low",
            id="bad-severity",
        ),
        pytest.param(
            GOOD_RULE.replace("pillar: data", "pillar: dataops"),
            4,
            "rules[0].pillar",
            "'dataops' is not allowed",
            id="unknown-pillar",
        ),
        pytest.param(
            GOOD_RULE.replace("severity: high", "severity: high\n    weight: heavy"),
            6,
            "rules[0].weight",
            "expected number",
            id="wrong-type",
        ),
        pytest.param(
            GOOD_RULE.replace("detector: file_exists", "detector: file_exist"),
            8,
            "rules[0].check.detector",
            "did you mean 'file_exists'",
            id="unknown-detector",
        ),
        pytest.param(
            GOOD_RULE.replace("{globs: [setup.cfg]}", "{globz: [setup.cfg]}"),
            9,
            "rules[0].check.params.globz",
            "unknown field 'globz'",
            id="bad-detector-param",
        ),
        pytest.param(
            GOOD_RULE.replace("applies_when: always", "applies_when: [has_gpu]"),
            6,
            "rules[0].applies_when",
            "unknown fact 'has_gpu'",
            id="unknown-fact",
        ),
        pytest.param(
            GOOD_RULE.replace(
                "detector: file_exists\n      params: {globs: [setup.cfg]}",
                "detector: text_pattern\n      params: {pattern: 'a(b'}",
            ),
            9,
            "rules[0].check.params.pattern",
            "invalid regular expression",
            id="bad-regex",
        ),
        pytest.param(
            GOOD_RULE.replace("RC-TEST-001", "RC-DATA-001"),
            2,
            "rules[0].id",
            "duplicate rule id RC-DATA-001",
            id="duplicate-id",
        ),
        pytest.param(
            GOOD_RULE.replace("    title: Something", "   title: Something"),
            3,
            None,
            "invalid YAML",
            id="bad-yaml",
        ),
        pytest.param(
            "notebooks_count_when: [trains_models]\n" + GOOD_RULE,
            1,
            "notebooks_count_when",
            "declared in more than one file",
            id="notebooks-count-twice",
        ),
        pytest.param(
            GOOD_RULE.replace("    why:", "    fix: twice\n    why:"),
            13,
            "fix",
            "key defined twice",
            id="duplicate-key",
        ),
    ],
)
def test_rulebook_mistake_is_located(
    tmp_path: Path, text: str, line: int, field: str | None, words: str
) -> None:
    folder = _rulebook_with(tmp_path, text)
    with pytest.raises(RulebookError) as caught:
        load_rulebook([folder])
    error = caught.value
    assert error.path is not None and error.path.endswith("zz_custom.yaml")
    assert error.line == line, str(error)
    assert error.field == field, str(error)
    assert words in str(error)


def test_cli_exits_2_with_file_line_and_field(tmp_path: Path) -> None:
    folder = _rulebook_with(tmp_path, GOOD_RULE.replace("severity: high", "severity: hgih"))
    (tmp_path / "repo").mkdir()
    result = CliRunner().invoke(app, ["scan", str(tmp_path / "repo"), "--rulebook", str(folder)])
    assert result.exit_code == 2
    assert "zz_custom.yaml:5:" in result.output
    assert "rules[0].severity" in result.output
    assert "Traceback" not in result.output


def test_notebooks_count_when_names_a_fact_that_exists(tmp_path: Path) -> None:
    folder = _rulebook_with(tmp_path, GOOD_RULE)
    core = folder / "rulebook.yaml"
    core.write_text(
        core.read_text(encoding="utf-8").replace(
            "notebooks_count_when: [endpoint_deployed_from_notebook]",
            "notebooks_count_when: [deploys_from_a_notebook]",
        ),
        encoding="utf-8",
    )
    with pytest.raises(RulebookError) as caught:
        load_rulebook([folder])
    assert caught.value.field == "notebooks_count_when"
    assert caught.value.path is not None and caught.value.path.endswith("rulebook.yaml")
    assert "unknown fact 'deploys_from_a_notebook'" in str(caught.value)


def test_the_built_in_rulebook_is_valid() -> None:
    rulebook = load_rulebook()
    assert rulebook.version != "unversioned"
    assert len(rulebook.rules) >= 25
