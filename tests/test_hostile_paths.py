"""Hostile paths and path patterns: what the repository writes into its .gitignore, its
config's `exclude`, `roles` and suppression paths cannot hang or crash the scan; what
git tracks is scanned whatever .gitignore and the noise folders say; and the reports
readycheck wrote into the repository on an earlier run are not read as its code.

A hang is caught by running the CLI in a subprocess with a bound only a hang can reach,
never by timing the scan.
"""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import git
import pathspec
import pytest
from rich.console import Console

from readycheck import baseline
from readycheck.discover import DiscoveryOptions, discover
from readycheck.errors import ConfigError
from readycheck.model import Report, Role
from readycheck.pipeline import ScanOptions, scan
from readycheck.renderers import renderer, terminal
from readycheck.rulebook import Rulebook
from tests.conftest import write_tree

#: Per CLI run: a bound that only a hang can reach, never a performance assertion.
TIMEOUT = 20
PICKLE = "import pickle\n\nmodel = pickle.load(open('model.pkl', 'rb'))\n"
SECRET = 'AWS_ACCESS_KEY_ID = "AKIAQYLPMN5HFIGVT3XQ"\n'

#: 14 wildcards: pathspec's translation backtracks through every way of placing them in a
#: name of `a`s, which for SLOW below is more ways than a scan could try before the sun
#: goes out.
PATTERN = "*a" * 14 + "c"
#: A folder the pattern matches (the last wildcard before `ac` takes nothing).
HIT = "a" * 15 + "c"
#: A folder it does not match, though it holds every letter the pattern needs.
SLOW = "a" * 60 + "cb"


def _cli(root: Path, *args: str) -> dict[str, Any]:
    """Scan `root` with the CLI in a subprocess (its timeout catches a hang); the JSON report."""
    output = root.parent / f"{root.name}-report.json"
    env = {k: v for k, v in os.environ.items() if k not in {"FORCE_COLOR", "TERM"}}
    result = subprocess.run(
        [sys.executable, "-m", "readycheck", "scan", str(root), "--no-cache", "-o", str(output), *args],
        capture_output=True, text=True, timeout=TIMEOUT, cwd=root.parent,
        env=env | {"COLUMNS": "200", "NO_COLOR": "1"}, check=False,
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    return json.loads(output.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _findings(document: Mapping[str, Any], rule_id: str) -> dict[str, Any]:
    """The findings of one rule, by path."""
    result = next(r for r in document["results"] if r["rule_id"] == rule_id)
    return {f["location"]["path"]: f for f in result["findings"]}


def _pickles_in_long_folders(root: Path, config: str | None = None) -> Path:
    files = {f"{HIT}/train.py": PICKLE, f"{SLOW}/train.py": PICKLE}
    return write_tree(root, files | ({".readycheck.yml": config} if config else {}))


# 1. Patterns without a catastrophe


def test_a_catastrophic_gitignore_pattern_does_not_hang_the_scan(tmp_path: Path) -> None:
    root = _pickles_in_long_folders(tmp_path / "repo")
    (root / ".gitignore").write_text(f"{PATTERN}\n", encoding="utf-8")
    findings = _findings(_cli(root), "RC-SEC-002")
    assert set(findings) == {f"{SLOW}/train.py"}  # the matched folder is ignored, as git would


def test_a_catastrophic_exclude_pattern_in_the_config_does_not_hang_the_scan(
    tmp_path: Path,
) -> None:
    root = _pickles_in_long_folders(tmp_path / "repo", f"exclude: ['{PATTERN}']\n")
    assert set(_findings(_cli(root), "RC-SEC-002")) == {f"{SLOW}/train.py"}


def test_a_catastrophic_exclude_pattern_on_the_command_line_does_not_hang_the_scan(
    tmp_path: Path,
) -> None:
    root = _pickles_in_long_folders(tmp_path / "repo")
    findings = _findings(_cli(root, "--exclude", PATTERN), "RC-SEC-002")
    assert set(findings) == {f"{SLOW}/train.py"}


def test_a_catastrophic_roles_pattern_does_not_hang_the_scan(tmp_path: Path) -> None:
    root = _pickles_in_long_folders(tmp_path / "repo", f"roles:\n  example: ['{PATTERN}']\n")
    assert f"{SLOW}/train.py" in _findings(_cli(root), "RC-SEC-002")
    options = DiscoveryOptions(roles=((Role.EXAMPLE, (PATTERN,)),))  # safe now: the CLI ended
    roles = {f.path: f.role for f in discover(root, options).files}
    assert (roles[f"{HIT}/train.py"], roles[f"{SLOW}/train.py"]) == (Role.EXAMPLE, Role.CODE)


def test_a_catastrophic_suppression_path_does_not_hang_the_scan(tmp_path: Path) -> None:
    config = (
        "suppressions:\n"
        f"  - {{rule: RC-SEC-002, path: '{PATTERN}', reason: vendored and checksummed}}\n"
    )
    root = _pickles_in_long_folders(tmp_path / "repo", config)
    findings = _findings(_cli(root), "RC-SEC-002")
    assert findings[f"{HIT}/train.py"]["suppression"]["reason"] == "vendored and checksummed"
    assert findings[f"{SLOW}/train.py"]["suppression"] is None


def test_an_invalid_gitignore_pattern_is_dropped_with_a_warning_naming_it(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    """pathspec raises on these; git itself ignores the line. The other lines still count."""
    root = write_tree(
        tmp_path / "repo",
        {
            "src/.gitignore": "[z-a]\n*.log\nbroken\\\n",
            "src/train.py": PICKLE,
            "src/debug.log": "x\n",
        },
    )
    report = scan(ScanOptions(path=root), rulebook)
    first, second = sorted(w.message for w in report.warnings if w.code == "pattern-dropped")
    assert first == (
        "ignored the pattern '[z-a]' from src/.gitignore: it is not a valid pattern "
        "(bad character range z-a)"
    )
    # the reason after it is pathspec's own words
    assert second.startswith(
        "ignored the pattern 'broken\\\\' from src/.gitignore: it is not a valid pattern ("
    )
    assert {w.path for w in report.warnings if w.code == "pattern-dropped"} == {"src/.gitignore"}
    assert report.target.files == 2  # src/.gitignore and src/train.py: *.log still applies


def test_an_invalid_exclude_pattern_in_the_config_is_a_config_error(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    root = write_tree(tmp_path / "repo", {".readycheck.yml": "exclude: ['[z-a]']\n", "a.py": ""})
    with pytest.raises(ConfigError) as raised:
        scan(ScanOptions(path=root), rulebook)
    assert str(raised.value) == (
        f"{root / '.readycheck.yml'}: exclude: '[z-a]': it is not a valid pattern "
        "(bad character range z-a)"
    )  # the error names the config file it came from


def test_an_invalid_suppression_path_is_a_config_error_naming_the_line(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    config = "suppressions:\n  - rule: RC-SEC-002\n    path: 'src/[z-a]'\n    reason: checked\n"
    root = write_tree(tmp_path / "repo", {".readycheck.yml": config, "src/train.py": PICKLE})
    with pytest.raises(ConfigError) as raised:
        scan(ScanOptions(path=root), rulebook)
    assert str(raised.value) == (
        f"{root / '.readycheck.yml'}:2: suppressions[0].path: "
        "'src/[z-a]': it is not a valid pattern (bad character range z-a)"
    )


def test_a_pattern_over_its_step_budget_is_dropped_with_a_warning_naming_it_and_its_file(
    tmp_path: Path, rulebook: Rulebook, monkeypatch: pytest.MonkeyPatch
) -> None:
    from readycheck import pathmatch

    monkeypatch.setattr(pathmatch, "STEP_BUDGET", 50)
    config = (
        "suppressions:\n"
        f"  - {{rule: RC-SEC-002, path: '{PATTERN}', reason: vendored and checksummed}}\n"
    )
    root = _pickles_in_long_folders(tmp_path / "repo", config)
    (root / ".gitignore").write_text(f"{PATTERN}\n", encoding="utf-8")
    report = scan(ScanOptions(path=root), rulebook)
    dropped = {(w.path, w.message) for w in report.warnings if w.code == "pattern-dropped"}
    config_path = str(root / ".readycheck.yml")
    reason = f"matching it against '{SLOW}/' took more than 50 steps"
    assert dropped == {
        (".gitignore", f"ignored the pattern {PATTERN!r} from .gitignore: {reason}"),
        (
            config_path,
            f"ignored the pattern {PATTERN!r} from {config_path} (suppressions[0].path): "
            f"matching it against '{SLOW}/train.py' took more than 50 steps",
        ),
    }


def test_path_patterns_mean_what_pathspec_means() -> None:
    """Negation, anchoring, `**`, directory patterns, classes, escapes: over many random
    patterns and paths, the verdict is pathspec's own."""
    from readycheck.pathmatch import PathPatterns

    generator = random.Random(7)
    pieces = ["a", "b", "*", "**", "?", "/", "[ab]", "[!a]", "[]a]", "\\*", " ", ".", "!", "#"]
    names = ["a", "b", "ab", "/", ".", "*", "a/b", "\n"]
    for _ in range(1500):
        lines = []
        for _ in range(generator.randint(1, 4)):
            line = "".join(generator.choice(pieces) for _ in range(generator.randint(1, 6)))
            lines.append(generator.choice(["", "!", "/"]) + line + generator.choice(["", "/"]))
        try:
            expected = pathspec.GitIgnoreSpec.from_lines(lines)
        except ValueError:
            assert PathPatterns(lines, "test").problems
            continue
        patterns = PathPatterns(lines, "test")
        for _ in range(6):
            path = "".join(generator.choice(names) for _ in range(generator.randint(1, 6)))
            for candidate in (path, path + "/"):
                assert patterns.check(candidate) == expected.check_file(candidate).include, (
                    lines,
                    candidate,
                )


def test_syntax_the_engine_does_not_know_runs_on_the_regex_package_with_a_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Should a future pathspec translate into syntax outside the engine's part of the
    language, its patterns still work, under the `regex` package's time budget."""
    from readycheck import pathmatch

    monkeypatch.setattr(pathmatch, "_translate", lambda line: (r"^a{2}(?=/|$)", True))
    patterns = pathmatch.PathPatterns(["aa"], "test")
    assert (patterns.check("aa/b"), patterns.check("a"), patterns.problems) == (True, None, [])


# 3. What git tracks is what the repository ships


def _committed(root: Path, tracked: Mapping[str, str], untracked: Mapping[str, str]) -> None:
    write_tree(root, {**tracked, **untracked})
    repo = git.Repo.init(root)
    with repo.config_writer() as config:
        config.set_value("user", "name", "Tester").set_value("user", "email", "t@example.com")
    repo.index.add(list(tracked))  # as `git add --force`: .gitignore is not consulted
    repo.index.commit("first")
    repo.close()


def test_a_tracked_file_is_scanned_whatever_gitignore_says(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    root = tmp_path / "repo"
    _committed(
        root,
        tracked={
            ".gitignore": "secrets.py\ndata/\n",
            "secrets.py": SECRET,
            "data/loader.py": PICKLE,
        },
        untracked={"data/cache.py": PICKLE, "data/raw/part-0.py": PICKLE},
    )
    report = scan(ScanOptions(path=root), rulebook)
    paths = {f.location.path for f in report.findings if f.location is not None}
    assert {"secrets.py", "data/loader.py"} <= paths
    assert not paths & {"data/cache.py", "data/raw/part-0.py"}  # untracked and ignored
    assert report.target.files == 3
    assert not [w for w in report.warnings if w.code == "untracked-skipped"]  # .gitignore: no noise


def test_committed_code_in_noise_folders_is_scanned_and_untracked_files_are_counted(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    root = tmp_path / "repo"
    untracked = {f".venv/lib/python3.12/site-packages/pkg{i}/__init__.py": "" for i in range(3)}
    untracked |= {"node_modules/tool/helper.js": "", "node_modules/other/index.js": ""}
    _committed(
        root,
        tracked={
            "venv/lib/python3.12/site-packages/patched/loader.py": PICKLE,
            "node_modules/tool/build.py": PICKLE,
            "src/app.py": "x = 1\n",
        },
        untracked=untracked | {"__pycache__/app.cpython-312.pyc": ""},
    )
    report = scan(ScanOptions(path=root), rulebook)
    paths = {f.location.path for f in report.findings if f.location is not None}
    assert {
        "venv/lib/python3.12/site-packages/patched/loader.py",
        "node_modules/tool/build.py",
    } <= paths
    assert report.target.files == 3
    skipped = {(w.path, w.message) for w in report.warnings if w.code == "untracked-skipped"}
    assert skipped == {
        (".venv", "skipped 3 untracked files under .venv/"),
        ("node_modules", "skipped 2 untracked files under node_modules/"),
        ("__pycache__", "skipped 1 untracked file under __pycache__/"),
    }


# 4. readycheck's own reports are not the repository's code


WORKFLOW = """\
on: {push: {branches: [main]}}
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: trstringer/manual-approval@v1
      - run: ./deploy.sh
"""


def _outputs(report: Report) -> dict[str, str]:
    """Every file readycheck writes, as it writes them."""
    console = Console(file=io.StringIO(), width=120, no_color=True)
    terminal.render(report, console)
    assert isinstance(console.file, io.StringIO)
    return {
        "report.json": renderer("json")(report),
        "out/readycheck.sarif": renderer("sarif")(report),
        "out/results.sarif.json": renderer("sarif")(report),
        "report.html": renderer("html")(report),
        "docs/scorecard.md": renderer("markdown")(report),
        "junit.xml": renderer("junit")(report),
        "gl-code-quality-report.json": renderer("gitlab")(report),
        "scan.txt": console.file.getvalue(),
        ".readycheck-baseline.json": baseline.to_json(report),
    }


def _seen(report: Report) -> dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """Each rule's status and the paths of its findings and evidence."""
    return {
        r.rule.id: (
            r.status.value,
            tuple(sorted(f.location.path for f in r.findings if f.location)),
            tuple(sorted(e.location.path for e in r.evidence if e.location)),
        )
        for r in report.results
    }


def test_reports_readycheck_wrote_earlier_are_skipped_with_a_note(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    root = write_tree(
        tmp_path / "repo",
        {
            "app/main.py": SECRET + PICKLE,
            ".github/workflows/deploy.yml": WORKFLOW,
            # Named like reports, but not readycheck's: scanned as usual.
            "notes/report.json": '{"schema_version": "1", "tool": {"name": "other"}}\n',
            "notes/report.md": "### readycheck: how we use it\n",
        },
    )
    first = scan(ScanOptions(path=root), rulebook)
    outputs = _outputs(first)
    write_tree(root, outputs)

    again = scan(ScanOptions(path=root), rulebook)
    notes = {w.path: w.message for w in again.warnings if w.code == "own-output"}
    assert set(notes) == set(outputs)
    assert notes["report.json"] == "skipped readycheck's own JSON report from an earlier run"
    assert (
        notes["out/readycheck.sarif"] == "skipped readycheck's own SARIF report from an earlier run"
    )
    assert (
        notes["gl-code-quality-report.json"]
        == "skipped readycheck's own GitLab Code Quality report from an earlier run"
    )
    assert (
        notes[".readycheck-baseline.json"]
        == "skipped readycheck's own baseline from an earlier run"
    )
    assert again.target.files == first.target.files
    assert _seen(again) == _seen(first)
