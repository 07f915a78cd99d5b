"""Hostile repositories, built by the tests: each still scans to a complete report.

The scanned repository may come from a stranger's pull request. Whatever it holds
(broken or binary files under a text extension, bombs, absurd nesting, symlinks out
of the tree, terminal escapes in file names, a corrupt .git), the scan ends within
a generous bound with every rule evaluated and exit code 0 or 1; each file it could
not read is a warning naming the file and the reason; nothing from outside the tree
reaches the report, and nothing in the tree is executed.

Most files share one "zoo" repository, scanned once in process and once by the CLI
(JSON and terminal from one run), so the suite stays quick. Cases that need a
repository of their own (git state, symlinks, names) build it.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import git
import pytest
from typer.testing import CliRunner

from readycheck.cli import app
from readycheck.detectors import patterns
from readycheck.model import Report, Status
from readycheck.parsers.dockerfile import parse_dockerfile
from readycheck.pipeline import ScanOptions, scan
from readycheck.rulebook import Rulebook
from tests.conftest import write_tree

#: Per CLI run: a bound that only a hang can reach, never a performance assertion.
TIMEOUT = 60
SECRET = "MARKER-SECRET-7f3a9c"
PICKLE = "import pickle\n\nmodel = pickle.load(open('model.pkl', 'rb'))\n"


def _junk(size: int, seed: int) -> bytes:
    """Random bytes with a NUL early on, as any real binary has."""
    generator = random.Random(seed)
    return b"\x00" + bytes(generator.randrange(256) for _ in range(size))


def _notebook(cells: list[Any]) -> str:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells})


BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)


@dataclass(frozen=True)
class Case:
    path: str
    content: str | bytes
    #: What the warning about `path` must say (a regular expression); None: no warning at all.
    reason: str | None


CASES = [
    # Notebooks
    Case("nb/invalid_json.ipynb", '{"cells": [{"cell_type": "code", "source": ', "invalid notebook JSON"),
    Case("nb/nbformat3.ipynb", json.dumps({"nbformat": 3, "worksheets": []}), "nbformat 3"),
    Case("nb/nbformat_text.ipynb", json.dumps({"nbformat": "4", "cells": []}), "not an nbformat 4"),
    Case(
        "nb/huge_output.ipynb",
        _notebook([{"cell_type": "code", "source": "print('x')", "outputs": [
            {"output_type": "stream", "name": "stdout", "text": "x" * 1_000_000}]}]),
        "cell 1 has an output over .* only its start was scanned",
    ),
    Case(
        "nb/sources_not_text.ipynb",
        _notebook([
            {"cell_type": "code", "source": 5}, {"cell_type": "code", "source": [1, 2]},
            {"cell_type": "code", "source": {"a": 1}}, "not a cell",
            {"cell_type": "code", "source": "x = 1", "execution_count": "one",
             "outputs": [5, {"output_type": "error", "traceback": 7}]},
        ]),
        "cell 1 has a source that is not text",
    ),
    Case("nb/deep.ipynb", "[" * 100_000, "nested too deeply"),
    Case("nb/huge_number.ipynb", '{"nbformat": ' + "9" * 5000 + "}", "invalid notebook JSON"),
    Case("nb/binary.ipynb", _junk(4096, 1), "binary"),
    # YAML
    Case("deploy/billion_laughs.yaml", BILLION_LAUGHS, "aliases expand to more than"),
    Case("deploy/deep.yaml", "[" * 100_000, "nest"),
    Case("deploy/recursive.yaml", "a: &a [*a]\n", "recursive"),
    Case("deploy/duplicate_keys.yaml", "replicas: 1\nreplicas: 3\n", "key 'replicas' repeated at line 2"),
    Case(
        "deploy/python_tags.yaml",
        "run: !!python/object/apply:os.system ['echo pwned']\nname: !!python/name:os.system\n",
        r"!!python/object/apply:os\.system at line 1 read as plain data",
    ),
    Case("deploy/huge_number.yaml", "replicas: " + "9" * 5000 + "\n", "invalid YAML"),
    Case("deploy/binary.yaml", _junk(4096, 2), "binary"),
    # Python
    Case("py/syntax_error.py", "def (:\n", "syntax error"),
    Case("py/null_byte.py", b"x = 1\x00\n", "binary"),
    Case("py/null_byte_late.py", b"x = 1\n" + b"#" * 9000 + b"\n\x00\n", "null bytes"),
    Case("py/python2.py", "print 'hello'\n", "Python 2"),
    Case("py/invalid_utf8_first_line.py", b"caf\xe9 = 1\n", "not valid UTF-8"),
    Case("py/invalid_utf8.py", b"x = 1\ny = 2\nz = 'caf\xe9'\n", "not valid utf-8"),
    Case("py/rot13.py", b"# -*- coding: rot13 -*-\nvzcbeg bf\n", "'rot13' is not a text encoding"),
    Case("py/unknown_encoding.py", b"# coding: unknown-enc\nx = 1\n", "unknown encoding"),
    Case("py/hundred_thousand_lines.py", "x = 1\n" * 100_000, None),
    Case("py/deep_parentheses.py", "(" * 100_000, "nest"),
    Case("py/deep_unary.py", "-" * 100_000 + "1\n", "nested too deeply"),
    Case("py/binary.py", _junk(4096, 3), "binary"),
    Case("py/too_large.py", "x = 1\n" * 900_000, r"over the 5,242,880-byte size cap"),
    # Dockerfiles: tricks Docker accepts, so no warning, but no hang either
    Case("docker/eof/Dockerfile", "FROM python:3.12-slim\nUSER app \\", None),
    Case("docker/escape/Dockerfile", "# escape=`\nFROM python:3.12-slim\nRUN echo `\n  ok\n", None),
    Case("docker/heredoc/Dockerfile", "FROM python:3.12-slim\nRUN <<EOF\necho never closed\n", None),
    Case("docker/long/Dockerfile", "FROM python:3.12-slim\n" + "RUN true \\\n" * 100_000, None),
    Case("docker/binary/Dockerfile", _junk(4096, 4), "binary"),
    # Other kinds
    Case("requirements.txt", _junk(4096, 5), "binary"),
    Case("pyproject.toml", "a = " + "[" * 100_000, "invalid TOML: nesting is too deep"),
    Case("pkg/pyproject.toml", _junk(4096, 6), "binary"),
    Case(
        "poetry/pyproject.toml",
        "[tool.poetry]\ngroup = 5\n[tool.poetry.dependencies]\nnumpy = {version = 1}\n",
        None,  # wrong types where a table is expected are read past, not crashed on
    ),
    Case("data/deep.json", "[" * 100_000, "nesting is too deep"),
    Case("data/huge_number.json", "9" * 5000, "invalid JSON"),
    Case("data/binary.json", _junk(4096, 7), "binary"),
    Case("config/huge_number.toml", "a = " + "9" * 5000, "invalid TOML"),
    Case("config/binary.toml", _junk(4096, 8), "binary"),
]  # fmt: skip


@dataclass(frozen=True)
class Scanned:
    report: Report  # readycheck.pipeline.scan, in process
    document: dict[str, Any]  # the CLI's JSON report
    terminal: str  # the CLI's terminal report, from the same run
    stderr: str


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"FORCE_COLOR", "TERM"}}
    return env | {"COLUMNS": "200", "NO_COLOR": "1"}


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "readycheck", *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        cwd=cwd,
        env=_env(),
        check=False,
    )


def scan_everywhere(root: Path, rulebook: Rulebook, *args: str) -> Scanned:
    """The CLI first (its timeout catches a hang), then the same scan in process."""
    output = root.parent / f"{root.name}-report.json"
    result = run_cli("scan", str(root), "--no-cache", "--verbose", "-o", str(output), *args, cwd=root.parent)  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    document = json.loads(output.read_text(encoding="utf-8"))
    return Scanned(scan(ScanOptions(path=root), rulebook), document, result.stdout, result.stderr)


def assert_complete(scanned: Scanned, rulebook: Rulebook) -> None:
    expected = {rule.id for rule in rulebook.rules}
    assert {r.rule.id for r in scanned.report.results} == expected
    assert {r["rule_id"] for r in scanned.document["results"]} == expected
    assert not [r.rule.id for r in scanned.report.results if r.status is Status.ERROR]
    assert 0 <= scanned.report.score <= 100


def warnings_about(scanned: Scanned, path: str) -> tuple[list[str], list[str]]:
    """Messages of the warnings naming `path`: (in process, from the CLI's JSON)."""
    return (
        [w.message for w in scanned.report.warnings if w.path == path],
        [w["message"] for w in scanned.document["warnings"] if w.get("path") == path],
    )


@pytest.fixture(scope="module")
def zoo(tmp_path_factory: pytest.TempPathFactory, rulebook: Rulebook) -> Scanned:
    files: dict[str, str | bytes] = {case.path: case.content for case in CASES}
    root = write_tree(tmp_path_factory.mktemp("zoo") / "repo", files | {"src/train.py": PICKLE})
    return scan_everywhere(root, rulebook)


def test_the_zoo_scans_to_a_complete_report(zoo: Scanned, rulebook: Rulebook) -> None:
    assert_complete(zoo, rulebook)
    assert zoo.report.target.files == len(CASES) + 1


@pytest.mark.parametrize("case", CASES, ids=[case.path for case in CASES])
def test_a_file_that_cannot_be_read_is_a_warning_that_names_it(zoo: Scanned, case: Case) -> None:
    in_process, from_cli = warnings_about(zoo, case.path)
    assert in_process == from_cli
    if case.reason is None:
        assert in_process == [], "a file readycheck can read is not worth a warning"
    else:
        assert any(re.search(case.reason, message, re.IGNORECASE) for message in in_process), (
            in_process
        )


def test_python_tags_in_yaml_build_nothing(zoo: Scanned) -> None:
    assert "pwned" not in zoo.terminal  # the tag's argument is data, and it never ran


def test_a_trailing_continuation_at_the_end_of_a_dockerfile_keeps_the_instruction() -> None:
    parsed = parse_dockerfile("FROM python:3.12-slim\nUSER app \\")
    assert [(i.keyword, i.arguments) for i in parsed.instructions][-1] == ("USER", "app")


def test_the_escape_directive_changes_the_continuation_character() -> None:
    parsed = parse_dockerfile("# escape=`\nFROM python:3.12-slim\nRUN echo `\n  ok\nCOPY C:\\ .\n")
    assert [(i.keyword, i.arguments) for i in parsed.instructions][1:] == [
        ("RUN", "echo ok"),
        ("COPY", "C:\\ ."),
    ]


def test_an_unclosed_heredoc_ends_with_the_file() -> None:
    parsed = parse_dockerfile("FROM python:3.12-slim\nRUN <<EOF\necho never closed\n")
    assert parsed.instructions[-1].arguments.endswith("echo never closed")


def test_symlinks_never_lead_out_of_the_tree(tmp_path: Path, rulebook: Rulebook) -> None:
    outside = write_tree(
        tmp_path / "outside",
        {
            "secret.py": f"TOKEN = '{SECRET}'\n" + PICKLE,
            "folder/values.yaml": f"password: {SECRET}\n",
            "config.yml": "rules:\n  disable: [RC-SEC-002]\n",
        },
    )
    root = write_tree(tmp_path / "repo", {"src/train.py": PICKLE})
    links = {
        "src/leak.py": outside / "secret.py",
        "src/relative.py": Path("../../outside/secret.py"),
        "deploy": outside / "folder",
        "loop_a": Path("loop_b"),
        "loop_b": Path("loop_a"),
        "self": Path("."),
        ".readycheck.yml": outside / "config.yml",
    }
    for name, target in links.items():
        (root / name).symlink_to(target)

    scanned = scan_everywhere(root, rulebook)
    assert_complete(scanned, rulebook)
    assert SECRET not in json.dumps(scanned.document) + scanned.terminal
    assert SECRET not in repr(scanned.report)
    for name in ("src/leak.py", "src/relative.py", "deploy", ".readycheck.yml"):
        assert warnings_about(scanned, name)[0] == [
            "skipped a symlink that points outside the scanned folder"
        ]
    for name in ("loop_a", "loop_b"):
        assert warnings_about(scanned, name)[0] == ["skipped a broken or looping symlink"]
    assert {r.rule.id for r in scanned.report.results} >= {"RC-SEC-002"}  # config not followed


def test_file_names_cannot_drive_the_terminal(tmp_path: Path, rulebook: Rulebook) -> None:
    names = {
        "new\nline.py": "new\\nline.py",
        "\x1b[31mred\x1b[0m.py": "\\x1b[31mred\\x1b[0m.py",
        "[bold red]x[/].py": "[bold red]x[/].py",  # a folder "[bold red]x[" and a file "].py"
        "\u202eevil.py": "\\u202eevil.py",
        "tab\there.py": "tab\\there.py",
    }
    root = write_tree(tmp_path / "repo", dict.fromkeys(names, PICKLE))
    scanned = scan_everywhere(root, rulebook)
    assert_complete(scanned, rulebook)
    assert "\x1b" not in scanned.terminal + scanned.stderr
    assert "\u202e" not in scanned.terminal
    for shown in names.values():
        assert shown in scanned.terminal, shown
    paths = {f["location"]["path"] for f in _findings(scanned.document, "RC-SEC-002")}
    assert paths == set(names)  # the JSON keeps the names exactly, escaped as JSON


def _findings(document: Mapping[str, Any], rule_id: str) -> list[dict[str, Any]]:
    result = next(r for r in document["results"] if r["rule_id"] == rule_id)
    return list(result["findings"])


def _committed(root: Path, files: Mapping[str, str]) -> git.Repo:
    write_tree(root, files)
    repo = git.Repo.init(root)
    with repo.config_writer() as config:
        config.set_value("user", "name", "Tester").set_value("user", "email", "t@example.com")
    repo.index.add(list(files))
    repo.index.commit("first")
    return repo


def test_a_corrupt_head_is_a_warning(tmp_path: Path, rulebook: Rulebook) -> None:
    root = tmp_path / "repo"
    _committed(root, {"src/train.py": PICKLE})
    (root / ".git" / "HEAD").write_bytes(b"\x00\xffnot a ref\n")
    scanned = scan_everywhere(root, rulebook)
    assert_complete(scanned, rulebook)
    assert warnings_about(scanned, ".git")[0] == [
        "git history not read: not a valid git repository (a corrupt HEAD, or no objects folder)"
    ]


def test_truncated_objects_are_a_warning_not_an_empty_history(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    root = tmp_path / "repo"
    _committed(root, {"src/train.py": PICKLE})
    for obj in (root / ".git" / "objects").rglob("*"):
        if obj.is_file():
            obj.chmod(0o644)
            obj.write_bytes(obj.read_bytes()[:5])
    scanned = scan_everywhere(root, rulebook)
    assert_complete(scanned, rulebook)
    (message,) = warnings_about(scanned, ".git")[0]
    assert "cannot be read: the repository is corrupt" in message


def test_a_shallow_clone_is_scanned_with_its_one_commit(tmp_path: Path, rulebook: Rulebook) -> None:
    origin = _committed(tmp_path / "origin", {"src/train.py": PICKLE})
    (tmp_path / "origin" / "README.md").write_text("# model\n", encoding="utf-8")
    origin.index.add(["README.md"])
    origin.index.commit("second")
    root = tmp_path / "clone"
    git.Repo.clone_from(f"file://{tmp_path / 'origin'}", root, depth=1)
    assert (root / ".git" / "shallow").exists()
    scanned = scan_everywhere(root, rulebook)
    assert_complete(scanned, rulebook)
    assert scanned.report.target.commit == origin.head.commit.hexsha
    assert not [w for w in scanned.report.warnings if w.code == "git-unavailable"]


@pytest.mark.parametrize("with_git", [False, True], ids=["empty-folder", "git-init-no-commits"])
def test_an_empty_repository(tmp_path: Path, rulebook: Rulebook, with_git: bool) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    if with_git:
        git.Repo.init(root)
    scanned = scan_everywhere(root, rulebook)
    assert_complete(scanned, rulebook)
    assert scanned.report.target.files == 0 and scanned.report.target.commit is None
    assert scanned.report.warnings == ()


def test_nothing_in_the_repository_is_executed(tmp_path: Path) -> None:
    """Code at every place Python or git would run it; the CLI is run from inside the
    checkout, as the console script, with a diff-aware scan so that git reads the tree."""
    marker = tmp_path / "markers"
    marker.mkdir()

    def payload(name: str) -> str:
        return f"open({str(marker / name)!r}, 'w').write('ran')\n"

    cell = {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [],
            "source": payload("notebook")}  # fmt: skip
    files = {
        "setup.py": payload("setup.py"),
        "conftest.py": payload("conftest.py"),
        "pkg/__init__.py": payload("__init__.py"),
        "evil.pth": "import os; " + payload("pth").strip(),
        "yaml.py": payload("shadowed yaml"),  # would shadow PyYAML if the checkout were on sys.path
        "typer.py": payload("shadowed typer"),
        "nb.ipynb": _notebook([cell]),
        "deploy.yaml": f"x: !!python/object/apply:os.system ['touch {marker / 'yaml-tag'}']\n",
        ".gitattributes": "*.py filter=evil\n",
    }
    repo = _committed(tmp_path / "repo", files)
    hook = Path(repo.git_dir) / "hooks" / "post-index-change"
    hook.write_text(f"#!/bin/sh\ntouch {marker / 'hook'}\n", encoding="utf-8")
    hook.chmod(0o755)
    with repo.config_writer() as config:
        config.set_value("core", "fsmonitor", f"touch {marker / 'fsmonitor'}")
        config.set_value('filter "evil"', "clean", f"touch {marker / 'filter'}; cat")
        config.set_value('filter "evil"', "required", "true")
        config.set_value("diff", "external", f"touch {marker / 'external-diff'}")
    (tmp_path / "repo" / "setup.py").write_text(payload("setup.py") + "# changed\n", "utf-8")

    console_script = Path(sys.executable).with_name("readycheck")
    command = [str(console_script)] if console_script.exists() else [sys.executable, "-P", "-m", "readycheck"]  # fmt: skip
    result = subprocess.run(
        [*command, "scan", ".", "--no-cache", "--since", "HEAD", "--format", "json"],
        capture_output=True, text=True, timeout=TIMEOUT, cwd=tmp_path / "repo", env=_env(), check=False,
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    assert sorted(p.name for p in marker.iterdir()) == []


@pytest.mark.parametrize(
    ("baseline", "words"),
    [
        pytest.param("../outside.json", "the baseline must be a file inside the scanned folder", id="outside"),
        pytest.param("/dev/zero", "the baseline must be a file inside the scanned folder", id="device"),
        pytest.param("link.json", "the baseline must be a file inside the scanned folder", id="symlink-out"),
        pytest.param("fifo", "the baseline is not a regular file", id="fifo"),
        pytest.param("deep.json", "baseline is not valid JSON: nested too deeply", id="deep"),
    ],
)  # fmt: skip
def test_a_repository_config_cannot_make_readycheck_read_outside_or_forever(
    tmp_path: Path, baseline: str, words: str
) -> None:
    (tmp_path / "outside.json").write_text(f'{{"readycheck_baseline": 1, "x": "{SECRET}"}}')
    root = write_tree(
        tmp_path / "repo",
        {"src/train.py": PICKLE, ".readycheck.yml": f"gate:\n  baseline: {baseline}\n",
         "deep.json": "[" * 100_000},
    )  # fmt: skip
    (root / "link.json").symlink_to(tmp_path / "outside.json")
    os.mkfifo(root / "fifo")
    result = run_cli("scan", str(root), "--no-cache", cwd=tmp_path)
    assert result.returncode == 2
    assert words in result.stderr
    assert SECRET not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_a_repository_config_cannot_lift_the_size_cap_without_bound(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {".readycheck.yml": "max_file_size: 10000000000\n"})
    result = run_cli("scan", str(root), "--no-cache", cwd=tmp_path)
    assert result.returncode == 2
    assert ".readycheck.yml:1:16: max_file_size: 10000000000 is out of range" in result.stderr


def test_escapes_in_a_config_error_stay_inert(tmp_path: Path) -> None:
    """The repository's config is quoted in the error; on a terminal (colour on, so click
    strips nothing) its escape sequences must still arrive as text."""
    root = write_tree(tmp_path / "repo", {".readycheck.yml": 'gate:\n  "\\e[2J": 1\n'})
    result = CliRunner().invoke(app, ["scan", str(root), "--no-cache"], color=True)
    assert result.exit_code == 2
    assert "\x1b[2J" not in result.output
    assert "gate.\\x1b[2J: unknown field" in result.output


# Custom rules are data: a pattern that backtracks without end is a rule error, not a hang.

CUSTOM_RULE = """\
rules:
  custom:
    - id: ACME-001
      title: Notes hold no runaway text
      pillar: security
      severity: medium
      applies_when: always
      check:
        detector: text_pattern
        expect: absent
        params: {{pattern: '{pattern}'}}
      problem: A note matched the pattern.
      why: Because the team agreed on it long ago.
      fix: Rewrite the note without it.
      references: ["ACME handbook"]
"""


def _redos_repository(root: Path, pattern: str) -> Path:
    return write_tree(
        root,
        {
            ".readycheck.yml": CUSTOM_RULE.format(pattern=pattern),
            "notes.txt": "a" * 60 + "b\n",
            "more-notes.txt": "a" * 60 + "b\n",
        },
    )


def _scan_with_pattern(
    tmp_path: Path, pattern: str
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any], dict[str, Any]]:
    """Scan a repository whose custom rule ACME-001 searches for `pattern`: the finished
    process, its JSON report and ACME-001's result in it."""
    root = _redos_repository(tmp_path / "repo", pattern)
    output = tmp_path / "report.json"
    result = run_cli("scan", str(root), "--no-cache", "-o", str(output), cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr
    document = json.loads(output.read_text(encoding="utf-8"))
    (rule,) = [r for r in document["results"] if r["rule_id"] == "ACME-001"]
    return result, document, rule


def test_a_catastrophic_pattern_is_a_rule_error_naming_the_rule(tmp_path: Path) -> None:
    result, document, rule = _scan_with_pattern(tmp_path, "(a|aa)+$")
    assert rule["status"] == "error"
    assert "'(a|aa)+$' ran out of its 2-second budget" in rule["reason"]
    (warning,) = [w for w in document["warnings"] if w["code"] == "rule-error"]
    assert warning["message"].startswith("rule ACME-001 was not evaluated: regular expression")
    assert "rule ACME-001 was not evaluated" in result.stdout
    assert len(document["results"]) > 25  # every other rule was evaluated as usual


COMBINED_RULE = """\
rules:
  custom:
    - id: ACME-002
      title: Notes say who signed them off
      pillar: security
      severity: medium
      applies_when: always
      check:
        {combine}:
          - detector: text_pattern
            expect: present
            params: {{pattern: '(a|aa)+$'}}
          - detector: text_pattern
            expect: present
            params: {{pattern: '{other}'}}
      problem: No note says who signed it off.
      why: Because the team agreed on it long ago.
      fix: Sign the notes.
      references: ["ACME handbook"]
"""


@pytest.mark.parametrize(
    ("combine", "other", "status"),
    [
        ("any", "sign[e]d-off", "error"),  # the timed-out alternative might have held
        ("any", "b$", "pass"),  # another alternative holds: the error cannot change that
        ("all", "b$", "error"),  # the timed-out part might have failed
        ("all", "sign[e]d-off", "fail"),  # another part fails: so does the whole
    ],
)
def test_a_timed_out_pattern_inside_a_combined_check_is_not_read_as_a_verdict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, combine: str, other: str, status: str
) -> None:
    monkeypatch.setattr(patterns, "FILE_BUDGET", 0.2)
    monkeypatch.setattr(patterns, "_timed_out", set())
    root = write_tree(
        tmp_path / "repo",
        {
            ".readycheck.yml": COMBINED_RULE.format(combine=combine, other=other),
            "notes.txt": "a" * 60 + "b\n",
        },
    )
    report = scan(ScanOptions(path=root))
    (result,) = [r for r in report.results if r.rule.id == "ACME-002"]
    assert result.status.value == status
    if status == "error":
        assert "ran out of its 0.2-second budget" in (result.reason or "")


def test_a_timed_out_pattern_fails_fast_on_the_next_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(patterns, "FILE_BUDGET", 0.2)
    monkeypatch.setattr(patterns, "_timed_out", set())
    with pytest.raises(patterns.PatternTimeout):
        patterns.Matcher("(x|xx)+$").search("x" * 60 + "y")
    with pytest.raises(patterns.PatternTimeout):
        patterns.Matcher("(x|xx)+$")  # not a second budget spent on the next file
    assert patterns.Matcher("(x|xx)+$", ignore_case=True).search("XX") is not None


def test_the_classic_nested_quantifier_finishes(tmp_path: Path) -> None:
    """`(a+)+$` hangs Python's `re` on "a"*50+"b"; the `regex` engine answers at once."""
    _, _, rule = _scan_with_pattern(tmp_path, "(a+)+$")
    assert rule["status"] == "pass"  # no line ends in a run of "a"s


def test_a_parameter_override_is_budgeted_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(patterns, "FILE_BUDGET", 0.2)
    monkeypatch.setattr(patterns, "_timed_out", set())
    root = write_tree(
        tmp_path / "repo",
        {
            ".readycheck.yml": "rules:\n  params:\n    RC-HYG-007: {pattern: '(c|cc)+$'}\n",
            "src/paths.py": "DATA = '" + "c" * 60 + "d'\n",
        },
    )
    report = scan(ScanOptions(path=root))
    (result,) = [r for r in report.results if r.rule.id == "RC-HYG-007"]
    assert result.status is Status.ERROR
    assert any(w.message.startswith("rule RC-HYG-007 was not evaluated") for w in report.warnings)


def test_a_pod_whose_containers_are_not_a_list_is_read_without_error(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    """Found by the fuzz test: `containers: true` made the load-generator check iterate a bool."""
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: odd}\nspec:\n  containers: true\n",
        encoding="utf-8",
    )
    report = scan(ScanOptions(path=tmp_path), rulebook)
    assert not [w for w in report.warnings if w.code in {"internal-error", "detector-error"}]
