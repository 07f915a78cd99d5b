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
paths it adds (`files`, default all), and `repeat: N` makes it N commits that each
append a line to those files (a long history without a long fixture), and `delete: true`
makes it the commit that deletes them. A file's
content may be `{repeat: "x", times: 2000000}` to make a large file without storing it.

A failing case with `blocked_by: RULE-ID` asserts the rule fails as blocked by that
practice, with no finding of its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from readycheck.model import Basis, Status
from readycheck.pipeline import ScanOptions, scan
from readycheck.rulebook import Rulebook, load_rulebook
from tests.conftest import rule_result, write_tree

CASES_DIR = Path(__file__).parent / "rule_cases"
VARIANTS_DIR = Path(__file__).parent / "rule_variants"


class _UniqueKeyLoader(yaml.SafeLoader):
    """A loader that refuses a key given twice in one mapping: a second `RC-X:` block
    in a cases file would silently replace the first, and its cases would never run."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        keys = [
            self.construct_object(key, deep=deep)
            for key, _value in node.value
            if key.tag != "tag:yaml.org,2002:merge"  # `<<: *base` may be overridden
        ]
        repeated = {str(key) for key in keys if keys.count(key) > 1}
        assert not repeated, f"{node.start_mark}: keys given twice: {sorted(repeated)}"
        return super().construct_mapping(node, deep=deep)


def _read(path: Path) -> dict[str, Any]:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader) or {}


def _load_cases() -> dict[str, dict[str, Any]]:
    cases: dict[str, dict[str, Any]] = {}
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for rule_id, case in _read(path).items():
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


def _load_variants() -> list[Any]:
    """Further named cases per rule (tests/rule_variants/*.yaml): other forms of a
    practice, and the regressions of false verdicts seen on real repositories."""
    params = []
    for path in sorted(VARIANTS_DIR.glob("*.yaml")):
        for rule_id, cases in _read(path).items():
            for name, case in cases.items():
                params.append(pytest.param(rule_id, case, id=f"{path.stem}:{rule_id}:{name}"))
    return params


VARIANTS = _load_variants()


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
        actor = git.Actor(commit.get("name", author.split("@")[0]), author)
        paths = commit.get("files") or [
            str(p.relative_to(root))
            for p in root.rglob("*")
            if p.is_file() and ".git" not in p.parts
        ]
        if commit.get("delete"):
            for path in paths:
                (root / path).unlink()
            repo.index.remove(paths)
            message = commit.get("message", f"commit {index}")
            repo.index.commit(message, author=actor, committer=actor)
            continue
        for round_ in range(commit.get("repeat", 1)):
            if "repeat" in commit:
                for path in paths:
                    with (root / path).open("a", encoding="utf-8") as handle:
                        handle.write(f"# change {round_}\n")
            repo.index.add(paths)
            message = commit.get("message", f"commit {index}")
            repo.index.commit(message, author=actor, committer=actor)


def _location(finding_location: Any) -> tuple[Any, Any, Any]:
    if finding_location is None:
        return (None, None, None)
    return (finding_location.path, finding_location.line, finding_location.cell)


@pytest.mark.parametrize(("rule_id", "kind"), PARAMS)
def test_rule_case(rule_id: str, kind: str, tmp_path: Path, rulebook: Rulebook) -> None:
    _check_case(rule_id, kind, CASES[rule_id][kind], tmp_path, rulebook)


@pytest.mark.parametrize(("rule_id", "case"), VARIANTS)
def test_rule_variant(
    rule_id: str, case: dict[str, Any], tmp_path: Path, rulebook: Rulebook
) -> None:
    expect = case["expect"]
    kind = "pass" if expect == "pass" else "fail"
    _check_case(rule_id, kind, {**case, "status": expect}, tmp_path, rulebook)


def _check_case(
    rule_id: str, kind: str, case: dict[str, Any], tmp_path: Path, rulebook: Rulebook
) -> None:
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
        if "evidence" in case:  # the pass names the place that shows the practice
            shown = {_location(e.location) for e in result.evidence if e.location is not None}
            wanted = {(e.get("path"), e.get("line"), e.get("cell")) for e in case["evidence"]}
            assert wanted <= shown, f"{rule_id} passed on {sorted(shown, key=str)}"
        return
    expected_status = Status(case.get("status", "fail"))
    assert result.status is expected_status, (
        f"{rule_id} should be {expected_status.value} but is {result.status.value} ({result.reason or ''})"
    )
    if expected_status is Status.NOT_APPLICABLE:
        assert "reason" not in case or case["reason"] in (result.reason or "")
        return
    if "blocked_by" in case:
        assert (result.basis, result.blocked_by, result.findings) == (
            Basis.BLOCKED,
            case["blocked_by"],
            (),
        )
        return
    expected = {
        (f.get("path"), f.get("line"), f.get("cell"))
        for f in case.get("findings", [{"path": None}])
    }
    actual = {_location(f.location) for f in result.findings}
    assert actual == expected, (
        f"{rule_id} fired at {sorted(actual, key=str)}, expected {sorted(expected, key=str)}"
    )
