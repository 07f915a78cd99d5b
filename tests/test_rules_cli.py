"""`readycheck rules list/show/docs`, and docs/rules.md kept in step with the rulebook."""

from __future__ import annotations

from typer.testing import CliRunner

from readycheck.cli import app
from readycheck.rulebook import load_rulebook
from readycheck.rulesdoc import rulebook_markdown
from tests.conftest import REPO_ROOT

runner = CliRunner()


def test_rules_list_filters_by_pillar_and_severity() -> None:
    result = runner.invoke(app, ["rules", "list", "--pillar", "security", "--severity", "critical"])
    assert result.exit_code == 0
    assert "RC-SEC-001" in result.output
    assert "RC-SEC-004" not in result.output  # medium
    assert "RC-DATA-" not in result.output


def test_rules_show_prints_the_whole_rule() -> None:
    result = runner.invoke(app, ["rules", "show", "rc-sec-002"])
    assert result.exit_code == 0
    for words in ("Why it matters", "How to fix it", "python_call", "bandit"):
        assert words in result.output


def test_rules_show_suggests_close_ids() -> None:
    result = runner.invoke(app, ["rules", "show", "RC-SEC-02"])
    assert result.exit_code == 2
    assert "did you mean" in result.output and "RC-SEC-002" in result.output


def test_docs_rules_md_is_current() -> None:
    expected = rulebook_markdown(load_rulebook())
    actual = (REPO_ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert actual == expected, (
        "docs/rules.md is stale: run `readycheck rules docs -o docs/rules.md`"
    )


def test_rules_show_keeps_the_asterisks_of_globs() -> None:
    """Parameters are code: `**/features/**/*.py` must not be read as bold and italics."""
    from typer.testing import CliRunner

    from readycheck.cli import app

    result = CliRunner().invoke(app, ["rules", "show", "RC-DATA-014"], env={"COLUMNS": "300"})
    assert result.exit_code == 0
    assert '"**/features/**/*.py"' in result.output


def test_rules_list_as_json_for_tools() -> None:
    import json

    from typer.testing import CliRunner

    from readycheck.cli import app
    from readycheck.rulebook import load_rulebook

    result = CliRunner().invoke(app, ["rules", "list", "--format", "json", "-p", "security"])
    assert result.exit_code == 0
    document = json.loads(result.output)
    expected = [r.id for r in load_rulebook().rules if r.pillar.value == "security"]
    assert [rule["id"] for rule in document["rules"]] == expected
    assert {rule["type"] for rule in document["rules"]} == {"practice", "hazard"}
