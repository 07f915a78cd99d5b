"""One defect, one finding: two rules that see the same defect on the same line report it
once, from the more severe rule, naming both sources; unrelated hazards stay apart."""

from __future__ import annotations

from pathlib import Path

from readycheck.model import Basis, Status
from readycheck.pipeline import ScanOptions, scan
from readycheck.rulebook import load_rulebook
from tests.conftest import rule_result, write_tree

RULES = """\
version: "test"
rules:
  - id: T-KEY-001
    title: No key in the code
    pillar: security
    severity: critical
    type: hazard
    applies_when: always
    check: {detector: text_pattern, kinds: [python], expect: absent, params: {pattern: "AKIA[A-Z0-9]{16}", label: an access key}}
    problem: A key is hard-coded.
    why: Keys in code leak.
    fix: Read it from the environment.
    references: ["none"]
  - id: T-KEY-002
    title: No password-like literal
    pillar: security
    severity: high
    type: hazard
    same_defect_as: [T-KEY-001]
    applies_when: always
    check: {detector: text_pattern, kinds: [python], expect: absent, params: {pattern: "(?i)key\\\\s*=\\\\s*['\\"]", label: a literal assigned to a key}}
    problem: A literal is assigned to a key.
    why: Keys in code leak.
    fix: Read it from the environment.
    references: ["none"]
  - id: T-EVAL-001
    title: No eval
    pillar: security
    severity: medium
    type: hazard
    applies_when: always
    check: {detector: text_pattern, kinds: [python], expect: absent, params: {pattern: "eval\\\\(", label: eval}}
    problem: eval runs code.
    why: It runs whatever it is given.
    fix: Parse the data instead.
    references: ["none"]
"""


def test_the_same_defect_seen_by_two_rules_is_one_finding_from_the_more_severe(
    tmp_path: Path,
) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    root = write_tree(
        tmp_path / "repo",
        {
            "app.py": 'key = "AKIAQYLPMN5HFIGVT3XQ"; value = eval(key)\n',
            "other.py": 'api_key = "not-a-cloud-key"\n',
        },
    )
    report = scan(ScanOptions(path=root, use_repository_config=False), load_rulebook([rules]))
    token = rule_result(report, "T-KEY-001")
    literal = rule_result(report, "T-KEY-002")
    (kept,) = token.findings
    assert kept.message == "an access key (also reported by T-KEY-002: a literal assigned to a key)"
    # the literal rule keeps only what the token rule did not see
    assert [str(f.location) for f in literal.findings] == ["other.py:1"]
    assert literal.affected == 1
    # an unrelated hazard on the same line is its own finding
    assert [str(f.location) for f in rule_result(report, "T-EVAL-001").findings] == ["app.py:1"]


def test_a_hazard_whose_only_finding_went_to_another_rule_is_clear(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    root = write_tree(tmp_path / "repo", {"app.py": 'key = "AKIAQYLPMN5HFIGVT3XQ"\n'})
    report = scan(ScanOptions(path=root, use_repository_config=False), load_rulebook([rules]))
    literal = rule_result(report, "T-KEY-002")
    assert (literal.status, literal.basis, literal.findings) == (Status.PASS, Basis.CLEAR, ())
