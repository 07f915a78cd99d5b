"""Every rule has a failing and a passing fixture, and each behaves as declared.

Cases live in tests/rule_cases/*.yaml, one mapping per rule id:

    RC-SEC-002:
      fail:
        files: {src/model.py: "import pickle\\npickle.load(f)\\n"}
        status: fail              # optional, default fail (or partial)
        findings:                 # where the rule must fire, exactly
          - {path: src/model.py, line: 2}
      pass:
        files: {...}

A failing case asserts the rule's status and the exact set of finding
locations (a finding with no location is written `{path: null}`); a passing
case asserts the rule passes with no findings.

Rules about git history build a repository at test time: `git: true` commits
every file at once; a list of commits gives each an author, a message and the
paths it adds (`files`, default all). A file's content may be
`{repeat: "x", times: 2000000}` to make a large file without storing it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from readycheck.model import Status
from readycheck.pipeline import ScanOptions, scan
from readycheck.rulebook import Rulebook, load_rulebook
from tests.conftest import rule_result, write_tree

CASES_DIR = Path(__file__).parent / "rule_cases"


def _load_cases() -> dict[str, dict[str, Any]]:
    cases: dict[str, dict[str, Any]] = {}
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for rule_id, case in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
            assert rule_id not in cases, f"{rule_id} has cases in two files"
            cases[rule_id] = case
    return cases


CASES = _load_cases()
PARAMS = [
    pytest.param(rule_id, kind, id=f"{rule_id}-{kind}")
    for rule_id in CASES
    for kind in ("fail", "pass")
    if kind in CASES[rule_id]
]


def test_every_rule_has_a_failing_and_a_passing_case() -> None:
    rulebook = load_rulebook()
    missing = [
        f"{rule.id} ({kind})"
        for rule in rulebook.rules
        for kind in ("fail", "pass")
        if kind not in CASES.get(rule.id, {})
    ]
    assert not missing, f"rules without fixtures: {', '.join(missing)}"
    unknown = sorted(set(CASES) - {rule.id for rule in rulebook.rules})
    assert not unknown, f"cases for rules that do not exist: {unknown}"


def _commit(root: Path, plan: Any) -> None:
    import git

    repo = git.Repo.init(root, initial_branch="main")
    commits = [{"message": "initial commit"}] if plan is True else plan
    for index, commit in enumerate(commits):
        author = commit.get("author", "dev@example.com")
        actor = git.Actor(author.split("@")[0], author)
        paths = commit.get("files") or [
            str(p.relative_to(root))
            for p in root.rglob("*")
            if p.is_file() and ".git" not in p.parts
        ]
        repo.index.add(paths)
        repo.index.commit(commit.get("message", f"commit {index}"), author=actor, committer=actor)


def _location(finding_location: Any) -> tuple[Any, Any, Any]:
    if finding_location is None:
        return (None, None, None)
    return (finding_location.path, finding_location.line, finding_location.cell)


@pytest.mark.parametrize(("rule_id", "kind"), PARAMS)
def test_rule_case(rule_id: str, kind: str, tmp_path: Path, rulebook: Rulebook) -> None:
    case = CASES[rule_id][kind]
    files = {
        path: content["repeat"] * content["times"] if isinstance(content, dict) else content
        for path, content in case["files"].items()
    }
    root = write_tree(tmp_path / "repo", files)
    if case.get("git"):
        _commit(root, case["git"])
    report = scan(ScanOptions(path=root), rulebook)
    result = rule_result(report, rule_id)
    if kind == "pass":
        assert result.status is Status.PASS, (
            f"{rule_id} should pass but is {result.status.value}: "
            f"{[(f.message, str(f.location)) for f in result.findings]} {result.reason or ''}"
        )
        assert not result.findings
        return
    expected_status = Status(case.get("status", "fail"))
    assert result.status is expected_status, (
        f"{rule_id} should be {expected_status.value} but is {result.status.value} ({result.reason or ''})"
    )
    expected = {
        (f.get("path"), f.get("line"), f.get("cell"))
        for f in case.get("findings", [{"path": None}])
    }
    actual = {_location(f.location) for f in result.findings}
    assert actual == expected, (
        f"{rule_id} fired at {sorted(actual, key=str)}, expected {sorted(expected, key=str)}"
    )
