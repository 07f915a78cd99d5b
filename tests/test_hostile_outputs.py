"""What readycheck writes, when the scanned repository is hostile.

A pull request controls the files in the checkout, so it can put a symlink, or a file
name that reads as a workflow command, where readycheck writes. Every output file is
written through a temporary file and os.replace (a symlink is replaced, never followed),
a scanned source file is never overwritten, a report in GitHub Actions is fenced off from
the runner's command parser, a write that fails is one line and exit code 2, and Ctrl-C
is one line and exit code 130.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO
from xml.etree import ElementTree

import pytest
from typer.testing import CliRunner

from readycheck.cli import app
from tests.conftest import write_tree

runner = CliRunner()
TIMEOUT = 120
LOADER = "import pickle\n\nmodel = pickle.load(open('model.pkl', 'rb'))\n"
SERVICE = {"README.md": "# Scoring\n", "app/main.py": LOADER}
PRECIOUS = "export PATH=/usr/bin\n"
FULL = Path("/dev/full")
needs_full = pytest.mark.skipif(not FULL.exists(), reason="no /dev/full here")


def _run(*args: str, cwd: Path, stdout: IO[str] | None = None) -> subprocess.CompletedProcess[str]:
    """readycheck in a process of its own, outside GitHub Actions; standard output is
    captured unless `stdout` is given."""
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "FORCE_COLOR")}
    return subprocess.run(
        [sys.executable, "-m", "readycheck", *args],
        stdout=stdout if stdout is not None else subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        timeout=TIMEOUT,
        cwd=cwd,
        env=env | {"CI": "1", "NO_COLOR": "1"},
        check=False,
    )


def _one_error_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert lines[0].startswith("readycheck: error: "), output
    assert "Traceback" not in output and "internal error" not in output
    return lines[0]


# 1. Output files: replaced, never written through; scanned files never overwritten.

WRITERS: dict[str, tuple[str, Callable[[Path, Path], list[str]]]] = {
    # name: (the file the command writes, inside the repository; its arguments)
    "scan -o": ("readycheck.sarif", lambda repo, out: ["scan", str(repo), "--no-cache", "-q", "-o", str(out)]),
    "baseline create": (".readycheck-baseline.json", lambda repo, out: ["baseline", "create", str(repo), "--no-cache"]),
    "init --force": (".readycheck.yml", lambda repo, out: ["init", str(repo), "--force"]),
    "rules docs -o": ("docs/rules.md", lambda repo, out: ["rules", "docs", "-o", str(out)]),
}  # fmt: skip


@pytest.mark.parametrize("command", list(WRITERS))
def test_an_output_symlinked_out_of_the_repository_is_replaced_not_followed(
    tmp_path: Path, command: str
) -> None:
    """A pull request commits `readycheck.sarif -> ~/.bashrc`; the action's `-o readycheck.sarif`
    must replace the link in the workspace, not overwrite the file it points at."""
    name, arguments = WRITERS[command]
    victim = tmp_path / "home" / ".bashrc"
    victim.parent.mkdir()
    victim.write_text(PRECIOUS, encoding="utf-8")
    repo = write_tree(tmp_path / "repo", SERVICE)
    link = repo / name
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(victim)
    result = runner.invoke(app, arguments(repo, link))
    assert result.exit_code in (0, 1), result.output
    assert victim.read_text(encoding="utf-8") == PRECIOUS
    assert not link.is_symlink() and link.is_file()
    assert link.read_text(encoding="utf-8") != PRECIOUS
    assert [p.name for p in link.parent.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.parametrize(
    "name", ["app/main.py", "README.md", ".readycheck.yml", "app/main.py.link"]
)
def test_an_output_over_a_scanned_source_file_is_refused(tmp_path: Path, name: str) -> None:
    repo = write_tree(tmp_path / "repo", SERVICE | {".readycheck.yml": "exclude: []\n"})
    if name.endswith(".link"):  # a symlink to a scanned file, inside the folder: read as one
        name = "app/link.py"
        (repo / name).symlink_to(repo / "app/main.py")
    before = (repo / name).read_text(encoding="utf-8")
    fmt = [] if name.endswith(".md") else ["-f", "json"]  # .md names a format itself
    for args in (["scan", str(repo), *fmt, "-o", str(repo / name)],
                 ["baseline", "create", str(repo), "-o", str(repo / name)]):  # fmt: skip
        result = runner.invoke(app, [*args, "--no-cache"])
        assert result.exit_code == 2, result.output
        line = _one_error_line(result.output)
        assert str(repo / name) in line and "the scan reads" in line, line
        assert (repo / name).read_text(encoding="utf-8") == before


def test_a_report_inside_the_scanned_folder_is_written_and_written_again(tmp_path: Path) -> None:
    """A new report file is fine, and so is the next run's, though the scan reads a .json or
    .md file: readycheck recognises its own reports and baselines."""
    repo = write_tree(tmp_path / "repo", SERVICE)
    outputs = [repo / "readycheck.json", repo / "reports" / "readycheck.md", repo / "r.sarif"]
    (repo / "reports").mkdir()
    for _ in range(2):
        args = ["scan", str(repo), "--no-cache", "-q"]
        result = runner.invoke(app, [*args, *(f"-o{path}" for path in outputs)])
        assert result.exit_code == 0, result.output
        baseline = runner.invoke(app, ["baseline", "create", str(repo), "--no-cache"])
        assert baseline.exit_code == 0, baseline.output
    assert json.loads(outputs[0].read_text(encoding="utf-8"))["tool"]["name"] == "readycheck"
    assert outputs[1].read_text(encoding="utf-8").startswith("### readycheck: ")


def test_an_output_through_a_symlinked_folder_out_of_the_repository_is_refused(
    tmp_path: Path,
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    repo = write_tree(tmp_path / "repo", SERVICE)
    (repo / "out").symlink_to(outside)
    result = runner.invoke(app, ["scan", str(repo), "--no-cache", "-o", str(repo / "out/r.json")])
    assert result.exit_code == 2, result.output
    assert "symlinked folder" in _one_error_line(result.output)
    assert list(outside.iterdir()) == []


def test_a_replaced_report_keeps_its_permissions(tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "repo", SERVICE)
    report = tmp_path / "report.json"
    report.write_text("{}", encoding="utf-8")
    report.chmod(0o640)
    result = runner.invoke(app, ["scan", str(repo), "--no-cache", "-q", "-o", str(report)])
    assert result.exit_code == 0, result.output
    assert report.stat().st_mode & 0o777 == 0o640
    new = tmp_path / "new.json"
    umask = os.umask(0o022)
    try:
        assert runner.invoke(app, ["scan", str(repo), "--no-cache", "-q", "-o", str(new)]).exit_code == 0  # fmt: skip
    finally:
        os.umask(umask)
    assert new.stat().st_mode & 0o777 == 0o644, "not the temporary file's 0o600"


# 2. GitHub Actions: nothing from the repository reaches the runner as a workflow command.

#: File names that put `::add-mask::` (or a forged `::error::`) at the start of an output
#: line: after a newline, or where the terminal report wraps a long name.
FORGED = {
    "app/" + "a" * 70 + " ::add-mask::hunter2.py": LOADER,
    "app/b\n::add-mask::x.py": LOADER,
    "app/c.py": "import pickle\nmodel = pickle.load(open('m', 'rb'))  #"
    + " " * 60
    + "::error::forged\n",
}
ANNOTATION = re.compile(r"::(error|warning|notice)(?: [a-z]+=[^:]*)?::.*")


def _outside_the_fence(output: str) -> list[str]:
    """The lines the runner reads as commands: every line that starts with `::` after
    blanks, except between `::stop-commands::TOKEN` and `::TOKEN::`."""
    seen, token = [], None
    for line in output.splitlines():
        text = line.lstrip()
        if token is not None:
            if text == f"::{token}::":
                token = None
            continue
        if text.startswith("::stop-commands::"):
            token = text.removeprefix("::stop-commands::")
            assert re.fullmatch(r"[0-9a-f]{32}", token), token
            continue
        if text.startswith("::"):
            seen.append(text)
    assert token is None, "the runner is left with its commands stopped"
    return seen


@pytest.mark.parametrize("fmt", ["terminal", "markdown"])
def test_a_forged_workflow_command_in_the_repository_is_not_obeyed_in_actions(
    tmp_path: Path, fmt: str
) -> None:
    repo = write_tree(tmp_path / "repo", {"README.md": "# x\n"} | FORGED)
    result = runner.invoke(
        app,
        ["scan", str(repo), "--no-cache", "--verbose", "--format", fmt, "--fail-on", "high"],
        env={"GITHUB_ACTIONS": "true", "COLUMNS": "80"},
    )
    assert result.exit_code == 1, result.output
    assert "add-mask" in result.output  # the names are in the report, shown
    commands = _outside_the_fence(result.output)
    assert commands, "readycheck's own annotations are still emitted"
    for command in commands:
        assert ANNOTATION.fullmatch(command), command
    assert any("title=readycheck gate failed" in command for command in commands)
    files = [c for c in commands if c.startswith("::error file=app/") and "RC-SEC-002" in c]
    assert len(files) == 3, commands


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_a_legacy_workflow_command_in_a_json_report_is_escaped_in_actions(
    tmp_path: Path, fmt: str
) -> None:
    """The runner also obeys `##[name]data` anywhere in a line. A JSON or SARIF report
    cannot be fenced (it must stay parseable), so `##[` is written `#\\u0023[`: the same
    string to a JSON reader, no command to the runner."""
    name = "app/##[add-mask]hunter2.py"
    repo = write_tree(tmp_path / "repo", {"README.md": "# x\n", name: LOADER})
    result = runner.invoke(
        app,
        ["scan", str(repo), "--no-cache", "--format", fmt, "--fail-on", "high"],
        env={"GITHUB_ACTIONS": "true"},
    )
    assert result.exit_code == 1, result.output
    assert "##[" not in result.stdout
    document = json.dumps(json.loads(result.stdout), ensure_ascii=False)
    assert name in document or "app/%23%23%5Badd-mask%5Dhunter2.py" in document  # SARIF: a URI
    # The annotations on stderr name the file too: as a `::` command the runner parses
    # first, so the `##[` inside it is data.
    assert all(ANNOTATION.fullmatch(line) for line in result.stderr.splitlines() if "##[" in line)
    assert "::error file=app/##[add-mask]hunter2.py," in result.stderr


@pytest.mark.parametrize("fmt", ["junit", "html"])
def test_junit_and_html_on_standard_output_are_inert_in_actions(tmp_path: Path, fmt: str) -> None:
    """JUnit XML and HTML must stay parseable, so they are not fenced: a line that would
    start a command, and `##[`, are written with character references instead, which
    every XML or HTML reader decodes back to the same text."""
    names = FORGED | {"app/##[add-mask]hunter2.py": LOADER}
    repo = write_tree(tmp_path / "repo", {"README.md": "# x\n"} | names)
    result = runner.invoke(
        app,
        ["scan", str(repo), "--no-cache", "--format", fmt, "--fail-on", "high"],
        env={"GITHUB_ACTIONS": "true"},
    )
    assert result.exit_code == 1, result.output
    assert not [line for line in result.stdout.splitlines() if line.lstrip().startswith("::")]
    assert "##[" not in result.stdout
    if fmt == "junit":
        decoded = ElementTree.tostring(ElementTree.fromstring(result.stdout), encoding="unicode")
        assert "\n::add-mask::x.py" in html.unescape(decoded)
    else:
        assert "::add-mask::" in html.unescape(result.stdout)
    assert "##[add-mask]hunter2.py" in html.unescape(result.stdout)


def test_readychecks_own_page_assets_start_no_line_with_a_command() -> None:
    """Inside <style> and <script> character references are not decoded, so the page's
    own CSS and script must never start a line with `::` (a `::before` rule would)."""
    from readycheck.renderers.html_assets import SCRIPT, STYLE

    assert not [line for line in (SCRIPT + STYLE).splitlines() if line.lstrip().startswith("::")]
    assert "##[" not in SCRIPT + STYLE


def test_a_legacy_workflow_command_in_an_error_message_is_escaped_in_actions(
    tmp_path: Path,
) -> None:
    repo = write_tree(tmp_path / "repo", {".readycheck.yml": "exclude: '##[add-mask]x'\n"})
    result = runner.invoke(app, ["scan", str(repo), "--no-cache"], env={"GITHUB_ACTIONS": "true"})
    assert result.exit_code == 2, result.output
    line = _one_error_line(result.output)
    assert "##[" not in line and "#\\x23[add-mask]x" in line, line


def test_a_markdown_report_redirected_to_a_file_is_left_unfenced(tmp_path: Path) -> None:
    """`>> $GITHUB_STEP_SUMMARY`: the runner does not read the file, so it stays Markdown."""
    repo = write_tree(tmp_path / "repo", SERVICE)
    summary = tmp_path / "summary.md"
    with summary.open("w", encoding="utf-8") as stdout:
        env = {k: v for k, v in os.environ.items() if k != "FORCE_COLOR"} | {
            "GITHUB_ACTIONS": "true"
        }
        process = subprocess.run(
            [sys.executable, "-m", "readycheck", "scan", str(repo), "--no-cache", "-f", "markdown", "--fail-on", "high"],
            stdout=stdout, stderr=subprocess.PIPE, text=True, cwd=tmp_path, env=env, timeout=TIMEOUT, check=False,
        )  # fmt: skip
    assert process.returncode == 1, process.stderr
    assert summary.read_text(encoding="utf-8").startswith("### readycheck: ")
    assert "::error file=app/main.py,line=3," in process.stderr


# 3. Write errors: one line and exit code 2.


@needs_full
@pytest.mark.parametrize(
    ("args", "what"),
    [
        (["scan", "{repo}", "--no-cache"], "the report"),
        (["scan", "{repo}", "--no-cache", "-f", "json"], "the report"),
        (["scan", "{repo}", "--no-cache", "-f", "markdown", "--fail-on", "high"], "the report"),
        (["baseline", "create", "{repo}", "--no-cache", "-o", "{tmp}/b.json"], "the summary"),
        (["rules", "list"], "the rules"),
        (["rules", "docs"], "the rule docs"),
        (["--version"], "the version"),
    ],
)
def test_a_full_disk_on_standard_output_is_one_line_and_exit_2(
    tmp_path: Path, args: list[str], what: str
) -> None:
    repo = write_tree(tmp_path / "repo", SERVICE)
    filled = [a.format(repo=repo, tmp=tmp_path) for a in args]
    with FULL.open("w") as stdout:
        result = _run(*filled, cwd=tmp_path, stdout=stdout)
    assert result.returncode == 2, result.stderr
    line = _one_error_line(result.stderr)
    assert (
        line
        == f"readycheck: error: cannot write {what} to standard output: No space left on device"
    )


@needs_full
def test_a_full_disk_under_an_output_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "repo", SERVICE)
    result = _run(
        "scan", str(repo), "--no-cache", "-q", "-f", "json", "-o", str(FULL), cwd=tmp_path
    )
    assert result.returncode == 2, result.stderr
    line = _one_error_line(result.stderr)
    assert line == f"readycheck: error: cannot write the report to {FULL}: No space left on device"
    assert FULL.is_char_device(), "a device is written to, never replaced"


def test_an_output_file_that_cannot_be_created_is_one_line_and_exit_2(tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "repo", SERVICE)
    target = tmp_path / "missing" / "report.json"
    for args in (["scan", str(repo), "--no-cache", "-q", "-o", str(target)],
                 ["baseline", "create", str(repo), "--no-cache", "-o", str(target)],
                 ["rules", "docs", "-o", str(target)]):  # fmt: skip
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        assert _one_error_line(result.output).endswith(f"to {target}: No such file or directory"), (
            result.output
        )


# 4. Ctrl-C: one line, exit code 130, no worker tracebacks.


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text(encoding="ascii")
    except OSError:
        return []
    return [int(child) for child in text.split()]


@pytest.mark.skipif(
    not Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").exists(),
    reason="needs Linux's /proc/PID/task/TID/children to see the worker processes",
)
def test_ctrl_c_during_a_parallel_scan_is_one_line_and_exit_130(tmp_path: Path) -> None:
    """Ctrl-C reaches the whole process group, worker processes included. The test waits
    until the scan's workers exist (the scan is then mid-way through its files), then
    interrupts the group as a terminal would."""
    body = "import os\nimport pickle\n\n" + "".join(
        f"def f{i}(x):\n    if x > {i}:\n        return pickle.loads(x)\n    return os.path.join('a', str(x))\n\n"
        for i in range(60)
    )
    repo = write_tree(tmp_path / "repo", {f"pkg{i % 10}/m{i}.py": body for i in range(400)})
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "FORCE_COLOR")}
    process = subprocess.Popen(
        [sys.executable, "-m", "readycheck", "scan", str(repo), "--no-cache", "--jobs", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
        env=env | {"CI": "1"}, start_new_session=True,
    )  # fmt: skip
    try:
        workers: list[int] = []
        while len(workers) < 2 and process.poll() is None:
            workers = _children(process.pid)
            if len(workers) < 2:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=0.02)
        assert process.poll() is None, "the scan ended before its workers were seen"
        os.killpg(process.pid, signal.SIGINT)
        stdout, stderr = process.communicate(timeout=TIMEOUT)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
    assert process.returncode == 130, stderr
    assert stderr == "readycheck: interrupted\n"
    assert stdout == ""
    for worker in workers:  # stopped by the scan, not left running on their own
        try:
            status = Path(f"/proc/{worker}/status").read_text(encoding="ascii")
        except OSError:
            continue  # gone
        assert "State:\tZ" in status, status


_INTERRUPT_AT_THE_FIRST_FORK = """
import os, signal, sys
import multiprocessing.popen_fork as popen_fork

from readycheck.cli import main

launch = popen_fork.Popen._launch
pressed = []


def launch_then_interrupt(self, process_obj):
    launch(self, process_obj)  # returns in the parent only: the child exits inside
    if not pressed:
        pressed.append(True)
        os.kill(os.getpid(), signal.SIGINT)  # the worker is forked, not yet recorded


popen_fork.Popen._launch = launch_then_interrupt
sys.argv = ["readycheck", "scan", sys.argv[1], "--no-cache", "--jobs", "2"]
main()
"""


@pytest.mark.skipif(sys.platform != "linux", reason="workers are forked on Linux only")
def test_ctrl_c_while_a_worker_is_being_started_leaves_no_worker_behind(tmp_path: Path) -> None:
    """Ctrl-C handled after a worker's fork and before multiprocessing recorded it used to
    leave that worker running on its own, holding the output pipes open after the scan
    exited (seen once in CI as a two-minute hang). The press now waits until every
    started worker is known, and all of them are stopped."""
    repo = write_tree(
        tmp_path / "repo", {f"pkg/m{i}.py": f"import os\nX = os.sep * {i}\n" for i in range(120)}
    )
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "FORCE_COLOR")}
    process = subprocess.Popen(
        [sys.executable, "-c", _INTERRUPT_AT_THE_FIRST_FORK, str(repo)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
        env=env | {"CI": "1"}, start_new_session=True,
    )  # fmt: skip
    try:
        stdout, stderr = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail("a worker outlived the interrupted scan and kept its output pipes open")
    assert process.returncode == 130, stderr
    assert stderr == "readycheck: interrupted\n"
    assert stdout == ""


@pytest.mark.parametrize("then", ["the pool breaks", "the scan finishes"])
def test_an_interrupt_dropped_in_a_destructor_still_ends_the_scan_as_one(
    capsys: pytest.CaptureFixture[str], then: str
) -> None:
    """Ctrl-C can land in an object's `__del__`, where Python prints the exception and
    drops it (then the pool whose workers were stopped breaks, seen once in CI as an
    "internal error"): the block must still end as an interrupt, with nothing printed."""
    from readycheck.commands._output import interruptible

    class Collected:
        def __del__(self) -> None:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)  # the handler runs here, inside __del__

    with pytest.raises(KeyboardInterrupt), interruptible():
        Collected()
        if then == "the pool breaks":
            raise RuntimeError("A process in the process pool was terminated abruptly")
    assert "Exception ignored" not in capsys.readouterr().err
