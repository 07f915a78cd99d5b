"""Every kind of mistake in a custom rule or a config stops the CLI with exit code 2 and
one message: file, line, column where known, the field, and what was expected.

A custom rule can live in three places: a rulebook file (--rulebook), the
repository's .readycheck.yml (`rules.custom`) and pyproject.toml
(`[[tool.readycheck.rules.custom]]`). Each mistake is made in all three; the
expected place is found in the text itself (the line and column of a marker), so
the cases read as what they are. tests/test_rulebook_errors.py pins the loader's
errors for rulebook files; tests/test_gate.py some .readycheck.yml typos.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from readycheck.cli import app
from readycheck.rulebook import default_rules_dir

RULEBOOK = """\
rules:
  - id: ACME-001
    title: Services declare an owner team
    pillar: security
    severity: medium
    applies_when: always
    check:
      detector: text_pattern
      params: {pattern: "owner"}
    problem: No OWNERS.md names the team on call for this service.
    why: Incidents need an owner who can be paged at any hour.
    fix: Add OWNERS.md with the team name and its on-call rotation.
    references: ["ACME engineering handbook"]
"""
#: The same rule as a config's `rules.custom`: two more spaces, one more line.
CONFIG_YAML = "rules:\n  custom:\n" + "".join(f"  {line}\n" for line in RULEBOOK.splitlines()[1:])
PYPROJECT = """\
[project]
name = "svc"

[[tool.readycheck.rules.custom]]
id = "ACME-001"
title = "Services declare an owner team"
pillar = "security"
severity = "medium"
applies_when = "always"
problem = "No OWNERS.md names the team on call for this service."
why = "Incidents need an owner who can be paged at any hour."
fix = "Add OWNERS.md with the team name and its on-call rotation."
references = ["ACME engineering handbook"]

[tool.readycheck.rules.custom.check]
detector = "text_pattern"

[tool.readycheck.rules.custom.check.params]
pattern = "owner"
"""


@dataclass(frozen=True)
class Mistake:
    """One mistake, made in YAML and in TOML, and what the message must say."""

    yaml: tuple[str, str]  # (old, new) in the rule's YAML
    toml: tuple[str, str]  # (old, new) in pyproject.toml
    marker: str | None  # where the error points: the first line (and column) holding it
    field: str | None  # the field after `rules.custom` / `rules` (None: syntax errors)
    words: str
    column: bool = True  # whether a column is known


MISTAKES = {
    "unknown-field": Mistake(
        ("    why:", "    whyy: x\n    why:"), ("why =", 'whyy = "x"\nwhy ='), "whyy",
        "[0].whyy", "unknown field 'whyy' (did you mean 'why'?); expected one of: aliases, applies_when",
    ),
    "wrong-type": Mistake(
        ("severity: medium\n", "severity: medium\n    weight: heavy\n"),
        ('severity = "medium"\n', 'severity = "medium"\nweight = "heavy"\n'),
        "heavy", "[0].weight", "expected number, got str 'heavy'",
    ),
    "missing-required-field": Mistake(
        ("    title: Services declare an owner team\n", ""),
        ('title = "Services declare an owner team"\n', ""),
        "id", "[0].title", "missing required field 'title'",
    ),
    "duplicate-rule-id": Mistake(
        ("id: ACME-001", "id: RC-SEC-001"), ('id = "ACME-001"', 'id = "RC-SEC-001"'),
        "RC-SEC-001", "[0].id", "duplicate rule id RC-SEC-001 (first defined at ", column=False,
    ),
    "unknown-detector": Mistake(
        ("detector: text_pattern", "detector: text_patern"),
        ('detector = "text_pattern"', 'detector = "text_patern"'),
        "text_patern", "[0].check.detector", "unknown detector 'text_patern'; did you mean 'text_pattern'?",
        column=False,
    ),
    "unknown-pillar": Mistake(
        ("pillar: security", "pillar: securty"), ('pillar = "security"', 'pillar = "securty"'),
        "securty", "[0].pillar", "'securty' is not allowed; expected one of: data, infrastructure",
    ),
    "bad-regex": Mistake(
        ('{pattern: "owner"}', '{pattern: "own(er"}'), ('pattern = "owner"', 'pattern = "own(er"'),
        '"own(er"', "[0].check.params.pattern", "invalid regular expression 'own(er': missing )",
    ),
    "wrong-parameter-type": Mistake(
        ('{pattern: "owner"}', "{pattern: 5}"), ('pattern = "owner"', "pattern = 5"),
        "5", "[0].check.params.pattern",
        "parameters of detector 'text_pattern': expected string, got int 5",
    ),
    "bad-syntax": Mistake(
        ("    title: Services", "   title: Services"), ('title = "Services', 'title = "Services\n'),
        None, None, "invalid ",
    ),
    "duplicate-key": Mistake(
        ("    problem:", "    fix: twice\n    problem:"), ("problem =", 'fix = "twice"\nproblem ='),
        "fix", None, "key defined twice",  # the second `fix`, the last line that holds one
    ),
}  # fmt: skip


def _locate(text: str, marker: str, last: bool = False) -> tuple[int, int]:
    found = [
        (number, line.index(marker) + 1)
        for number, line in enumerate(text.splitlines(), start=1)
        if marker in line
    ]
    assert found, f"{marker!r} not in the text"
    return found[-1] if last else found[0]


def _mutate(text: str, change: tuple[str, str]) -> str:
    old, new = change
    assert old in text, old
    return text.replace(old, new, 1)


def _error(args: list[str]) -> str:
    result = CliRunner().invoke(app, ["scan", *args, "--no-cache"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("readycheck: error: "), result.output
    return lines[0].removeprefix("readycheck: error: ")


def _check(message: str, name: str, text: str, mistake: Mistake, field_root: str) -> None:
    if mistake.marker is not None:
        line, column = _locate(text, mistake.marker, last=mistake.field is None)
        where = f"{name}:{line}:{column}: " if mistake.column else f"{name}:{line}: "
        if name == "pyproject.toml":
            # tomllib keeps no positions: keys are found line by line, a missing field
            # points at the rule's own table, and tomllib's own errors give their column.
            if mistake.marker == "id":
                line = _locate(text, "[[tool.readycheck.rules.custom]]")[0]
            where = f"{name}:{line}:1: " if mistake.column else f"{name}:{line}: "
            if mistake.field is None:
                where = f"{name}:{line}:"
        assert where in message, message
    if mistake.field is not None:
        assert f": {field_root}{mistake.field}: " in message, message
    assert mistake.words in message, message


@pytest.mark.parametrize("kind", list(MISTAKES))
def test_a_mistake_in_a_rulebook_file(tmp_path: Path, kind: str) -> None:
    mistake = MISTAKES[kind]
    text = _mutate(RULEBOOK, mistake.yaml)
    custom = tmp_path / "acme.yaml"
    custom.write_text(text, encoding="utf-8")
    (tmp_path / "repo").mkdir()
    args = [str(tmp_path / "repo"), "--rulebook", str(default_rules_dir()), "--rulebook", str(custom)]  # fmt: skip
    _check(_error(args), "acme.yaml", text, mistake, "rules")


@pytest.mark.parametrize("kind", list(MISTAKES))
def test_a_mistake_in_a_readycheck_yml(tmp_path: Path, kind: str) -> None:
    mistake = MISTAKES[kind]
    old, new = (re.sub(r"(^|\n)    ", r"\1      ", part) for part in mistake.yaml)
    text = _mutate(CONFIG_YAML, (old, new))
    (tmp_path / ".readycheck.yml").write_text(text, encoding="utf-8")
    _check(_error([str(tmp_path)]), ".readycheck.yml", text, mistake, "rules.custom")


@pytest.mark.parametrize("kind", list(MISTAKES))
def test_a_mistake_in_pyproject_toml(tmp_path: Path, kind: str) -> None:
    mistake = MISTAKES[kind]
    text = _mutate(PYPROJECT, mistake.toml)
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    _check(_error([str(tmp_path)]), "pyproject.toml", text, mistake, "rules.custom")


CONFIG_MISTAKES = [
    # (YAML config, equivalent pyproject.toml tables, location, field, what the message says)
    ("gate:\n  fail_om: high\n", '[tool.readycheck.gate]\nfail_om = "high"\n', (2, 3), "gate.fail_om",
     "unknown field 'fail_om' (did you mean 'fail_on'?)"),
    ("exclude: vendor/\n", '[tool.readycheck]\nexclude = "vendor/"\n', (1, 10), "exclude",
     "expected array, got str 'vendor/'"),
    ("suppressions:\n  - reason: vetted\n", '[[tool.readycheck.suppressions]]\nreason = "vetted"\n',
     (2, 5), "suppressions[0].rule", "missing required field 'rule'"),
    ("gate:\n  min_pillar: {securty: 60}\n", "[tool.readycheck.gate.min_pillar]\nsecurty = 60\n",
     (2, 16), "gate.min_pillar.securty", "unknown field 'securty' (did you mean 'security'?)"),
    ("rules:\n  params:\n    RC-HYG-007: {pattern: 'a(b'}\n",
     "[tool.readycheck.rules.params.RC-HYG-007]\npattern = \"a(b\"\n", (3, 27),
     "rules.params.RC-HYG-007.pattern", "invalid regular expression 'a(b': missing )"),
    ("rules:\n  severity: {RC-SEC-999: low}\n", "[tool.readycheck.rules.severity]\nRC-SEC-999 = \"low\"\n",
     (2, None), "rules.severity.RC-SEC-999", "unknown rule RC-SEC-999; did you mean RC-SEC-019?"),
    ("max_file_size: 10000000000\n", "[tool.readycheck]\nmax_file_size = 10000000000\n", (1, 16),
     "max_file_size", "10000000000 is out of range; expected at most 104857600"),
    ("gate:\n  fail_on: high\n  fail_on: low\n", '[tool.readycheck.gate]\nfail_on = "high"\nfail_on = "low"\n',
     (3, 3), None, "key defined twice"),
]  # fmt: skip


@pytest.mark.parametrize(("yaml_text", "toml_text", "where", "field", "words"), CONFIG_MISTAKES)
def test_a_config_mistake_in_yaml_and_in_toml(
    tmp_path: Path,
    yaml_text: str,
    toml_text: str,
    where: tuple[int, int | None],
    field: str | None,
    words: str,
) -> None:
    yaml_repo, toml_repo = tmp_path / "yaml", tmp_path / "toml"
    yaml_repo.mkdir()
    toml_repo.mkdir()
    (yaml_repo / ".readycheck.yml").write_text(yaml_text, encoding="utf-8")
    (toml_repo / "pyproject.toml").write_text(toml_text, encoding="utf-8")
    line, column = where
    for name, repo in ((".readycheck.yml", yaml_repo), ("pyproject.toml", toml_repo)):
        message = _error([str(repo)])
        assert words in message, message
        assert f"{name}:" in message
        if field is not None:
            assert f": {field}: " in message, message
        if name == ".readycheck.yml":
            assert f"{name}:{line}:" + (f"{column}:" if column else "") in message, message


def test_a_broken_pyproject_with_our_table_is_an_error_not_a_silent_default(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "svc"\n\n[tool.readycheck.gate]\nfail_on = "high\n', encoding="utf-8"
    )
    assert _error([str(tmp_path)]).endswith("pyproject.toml:5:16: invalid TOML: Illegal character '\\n'")  # fmt: skip


def test_a_broken_pyproject_without_our_table_is_the_projects_problem(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "svc\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["scan", str(tmp_path), "--no-cache", "--format", "json"])
    assert result.exit_code == 0
    assert "pyproject.toml" in result.output and "invalid TOML" in result.output


def test_every_regular_expression_parameter_is_checked_when_loading(tmp_path: Path) -> None:
    """Not just the ones named `pattern`: the threshold detector's `names` is one too."""
    text = _mutate(
        RULEBOOK,
        ('detector: text_pattern\n      params: {pattern: "owner"}',
         'detector: python_threshold\n      params: {names: "prob(a"}'),
    )  # fmt: skip
    custom = tmp_path / "acme.yaml"
    custom.write_text(text, encoding="utf-8")
    (tmp_path / "repo").mkdir()
    message = _error([str(tmp_path / "repo"), "--rulebook", str(custom)])
    assert "acme.yaml:9:" in message
    assert "rules[0].check.params.names: invalid regular expression 'prob(a'" in message
