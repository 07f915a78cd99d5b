"""The built-in rulebook is broad enough to mean something, and every rule is one a user can
act on: a stable id that names its pillar, why it matters, how to fix it, where to read more."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from readycheck.cli import app
from readycheck.model import Pillar
from readycheck.rulebook import Rule, Rulebook

#: The id prefix of each pillar's rules, as in rules/*.yaml.
PREFIX = {
    Pillar.DATA: "RC-DATA",
    Pillar.INFRASTRUCTURE: "RC-INFRA",
    Pillar.MONITORING: "RC-MON",
    Pillar.SECURITY: "RC-SEC",
    Pillar.HUMAN_IN_THE_LOOP: "RC-HITL",
    Pillar.HYGIENE: "RC-HYG",
}
#: Families of rules that judge one kind of repository across the pillars, in a file of
#: their own: the LLM application checklist (rules/llm.yaml).
FAMILIES = {"llm.yaml": "RC-LLM"}
FIVE_PILLARS = [p for p in Pillar if p is not Pillar.HYGIENE]
ID = re.compile(r"^(RC-[A-Z]+)-(\d{3})$")


def _rule_ids(rulebook: Rulebook) -> list[str]:
    return [rule.id for rule in rulebook.rules]


def test_the_built_in_rulebook_has_at_least_70_rules(rulebook: Rulebook) -> None:
    assert len(rulebook.rules) >= 70


def test_each_of_the_five_pillars_has_at_least_10_rules_and_hygiene_has_some(
    rulebook: Rulebook,
) -> None:
    counts = Counter(rule.pillar for rule in rulebook.rules)
    assert len(FIVE_PILLARS) == 5
    thin = {p.value: counts[p] for p in FIVE_PILLARS if counts[p] < 10}
    assert not thin, f"pillars with fewer than 10 rules: {thin}"
    assert counts[Pillar.HYGIENE] >= 1
    assert set(counts) == set(Pillar), "every rule belongs to a known pillar"


def _file(rule: Rule) -> str:
    return Path(rule.source.rsplit(":", 1)[0]).name


def test_rule_ids_are_unique_and_name_their_pillar_or_family(rulebook: Rulebook) -> None:
    ids = _rule_ids(rulebook)
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    wrong = []
    for rule in rulebook.rules:
        match = ID.match(rule.id)
        prefix = FAMILIES.get(_file(rule), PREFIX[rule.pillar])
        if match is None or match.group(1) != prefix or match.group(2) == "000":
            wrong.append(f"{rule.id} ({rule.pillar.value})")
    assert not wrong, f"ids not of the form {{pillar prefix}}-NNN: {wrong}"


def test_each_pillars_rules_live_in_that_pillars_file_or_their_familys(
    rulebook: Rulebook,
) -> None:
    misplaced = [
        f"{rule.id} in {rule.source}"
        for rule in rulebook.rules
        if _file(rule) != f"{rule.pillar.value}.yaml" and _file(rule) not in FAMILIES
    ]
    assert not misplaced
    assert {_file(r) for r in rulebook.rules if r.id.startswith("RC-LLM")} == {"llm.yaml"}


def test_ids_the_documentation_cites_keep_their_meaning(rulebook: Rulebook) -> None:
    """Ids are stable: suppressions, baselines and configs name them, so a renumbering
    would silently change what those accept."""
    cited = {
        "RC-SEC-001": "credential",
        "RC-SEC-002": "pickle",
        "RC-INFRA-002": "base image",
        "RC-INFRA-007": "pinned",
        "RC-INFRA-010": "latest",
        "RC-HYG-007": "absolute path",
    }
    for rule_id, words in cited.items():
        rule = rulebook.rule(rule_id)
        assert rule is not None, f"{rule_id} disappeared"
        text = " ".join((rule.title, rule.problem)).lower()
        assert words in text, f"{rule_id} no longer means '{words}': {rule.title}"


def _prose_problems(rule: Rule) -> list[str]:
    problems = []
    for name, shortest in (("title", 8), ("problem", 20), ("why", 40), ("fix", 20)):
        text = getattr(rule, name).strip()
        if len(text) < shortest:
            problems.append(f"{name} is missing or too short: {text!r}")
    if rule.why.strip() == rule.fix.strip() or rule.why.strip() == rule.problem.strip():
        problems.append("why repeats another field")
    return problems


@pytest.mark.parametrize("pillar", list(Pillar), ids=lambda p: p.value)
def test_every_rule_says_why_it_matters_and_how_to_fix_it(
    rulebook: Rulebook, pillar: Pillar
) -> None:
    bad = {
        rule.id: problems
        for rule in rulebook.rules
        if rule.pillar is pillar and (problems := _prose_problems(rule))
    }
    assert not bad


def test_every_rule_has_at_least_one_usable_reference(rulebook: Rulebook) -> None:
    bad = []
    for rule in rulebook.rules:
        if not rule.references:
            bad.append(f"{rule.id}: no reference")
        for reference in rule.references:
            if not reference.title.strip():
                bad.append(f"{rule.id}: a reference without a title")
            if reference.url is not None and not reference.url.startswith("https://"):
                bad.append(f"{rule.id}: {reference.url} is not an https address")
    assert not bad


def test_rules_list_shows_the_whole_rulebook(rulebook: Rulebook) -> None:
    result = CliRunner().invoke(app, ["rules", "list"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    total = len(rulebook.rules)
    assert f"{total} of {total} rules" in result.output
    for pillar in FIVE_PILLARS:
        shown = CliRunner().invoke(app, ["rules", "list", "--pillar", pillar.value])
        assert shown.exit_code == 0
        count = int(re.search(r"(\d+) of \d+ rules", shown.output).group(1))  # type: ignore[union-attr]
        assert count >= 10, pillar
