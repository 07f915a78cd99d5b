"""--select / --ignore choose the rules one scan evaluates, as ruff and semgrep do: by
id, id prefix or pillar; a selector naming no rule is a usage error; the report says the
score is that of a selection."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from readycheck.cli import app
from readycheck.errors import ConfigError
from readycheck.model import Pillar
from readycheck.pipeline import ScanOptions, scan
from readycheck.rulebook import Rulebook
from readycheck.selection import apply, selectors
from tests.conftest import SAMPLES

runner = CliRunner()


def test_selectors_are_split_at_commas() -> None:
    assert selectors(["RC-SEC,hygiene", " RC-DATA-001 "]) == ("RC-SEC", "hygiene", "RC-DATA-001")


def test_a_prefix_a_pillar_and_an_ignore_choose_the_rules(rulebook: Rulebook) -> None:
    chosen = apply(rulebook, ("rc-sec", "hygiene"), ("RC-SEC-019",))
    ids = {rule.id for rule in chosen.rules}
    expected = {
        rule.id
        for rule in rulebook.rules
        if (rule.id.startswith("RC-SEC") or rule.pillar is Pillar.HYGIENE)
        and rule.id != "RC-SEC-019"
    }
    assert ids == expected and "RC-SEC-019" not in ids
    assert chosen.digest != rulebook.digest  # cached analyses of a full scan are not reused
    only_ignored = apply(rulebook, (), ("human-in-the-loop",))
    assert {r.pillar for r in only_ignored.rules} == set(Pillar) - {Pillar.HUMAN_IN_THE_LOOP}


def test_a_selector_that_names_no_rule_is_an_error_with_the_closest_id(rulebook: Rulebook) -> None:
    with pytest.raises(ConfigError, match="did you mean RC-SEC-0"):
        apply(rulebook, ("RC-SECC",), ())
    result = runner.invoke(app, ["scan", str(SAMPLES / "fraud-detector"), "--ignore", "securty"])
    assert result.exit_code == 2
    assert result.output.startswith("readycheck: error: --ignore securty")


def test_the_report_says_its_score_is_that_of_a_selection(rulebook: Rulebook) -> None:
    full = scan(ScanOptions(path=SAMPLES / "fraud-detector"), rulebook)
    chosen = scan(ScanOptions(path=SAMPLES / "fraud-detector", select=("security",)), rulebook)
    assert {r.rule.pillar for r in chosen.results} == {Pillar.SECURITY}
    (note,) = [w for w in chosen.warnings if w.code == "rule-selection"]
    assert f"of {len(full.results)} rules evaluated (--select security)" in note.message
    assert not [w for w in full.warnings if w.code == "rule-selection"]


def test_the_command_line_takes_both_options(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = runner.invoke(
        app,
        ["scan", str(SAMPLES / "fraud-detector"), "-q", "--select", "RC-DATA,RC-SEC-002",
         "--ignore", "RC-DATA-011", "-o", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    import json

    ids = {
        r["rule_id"] if "rule_id" in r else r["id"] for r in json.loads(out.read_text())["results"]
    }
    assert "RC-SEC-002" in ids and "RC-DATA-011" not in ids
    assert all(i.startswith("RC-DATA") or i == "RC-SEC-002" for i in ids)
