"""The progress bar: drawn on an interactive terminal's standard error, never in CI, never
when standard error is piped, and never on standard output, where the report goes.

The decision is `progress.wanted()` (is standard error a TTY, is CI set, is TERM dumb);
drawing is rich's, on a Console bound to standard error. The end-to-end tests give the
real command a pseudo-terminal as standard error, so nothing is simulated or timed.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from readycheck import progress
from readycheck.cli import app
from tests.conftest import write_tree

BAR_TEXT = "analysing files"


class _Stream(io.StringIO):
    """A text stream that says whether it is a terminal."""

    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.fixture()
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No CI, an ordinary terminal type, and none of rich's overrides of terminal detection."""
    for name in ("CI", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    return monkeypatch


@pytest.mark.parametrize(
    ("tty", "env", "expected"),
    [
        (True, {}, True),
        (False, {}, False),
        (True, {"CI": "true"}, False),
        (True, {"CI": "1"}, False),
        (True, {"TERM": "dumb"}, False),
        (False, {"CI": "true"}, False),
    ],
    ids=["terminal", "piped", "ci-true", "ci-1", "dumb-terminal", "piped-in-ci"],
)
def test_the_bar_is_wanted_only_on_an_interactive_terminal_outside_ci(
    clean_env: pytest.MonkeyPatch, tty: bool, env: dict[str, str], expected: bool
) -> None:
    clean_env.setattr(sys, "stderr", _Stream(tty))
    for name, value in env.items():
        clean_env.setenv(name, value)
    assert progress.wanted() is expected


def test_the_bar_draws_on_standard_error_and_erases_itself(
    clean_env: pytest.MonkeyPatch,
) -> None:
    stderr, stdout = _Stream(tty=True), _Stream(tty=True)
    clean_env.setattr(sys, "stderr", stderr)
    clean_env.setattr(sys, "stdout", stdout)
    bar = progress.Bar()
    bar.start(progress.MIN_FILES + 50)
    bar.advance(50)
    bar.stop()
    drawn = stderr.getvalue()
    assert BAR_TEXT in drawn
    assert f"50/{progress.MIN_FILES + 50}" in drawn
    assert drawn.endswith("\x1b[2K"), "transient: the last thing drawn erases the bar's line"
    assert stdout.getvalue() == "", "the report's stream is never drawn on"
    bar.stop()  # stopping twice is harmless
    assert stderr.getvalue() == drawn


def test_a_scan_too_small_to_need_a_bar_draws_nothing(clean_env: pytest.MonkeyPatch) -> None:
    stderr = _Stream(tty=True)
    clean_env.setattr(sys, "stderr", stderr)
    bar = progress.Bar()
    bar.start(progress.MIN_FILES - 1)
    bar.advance(progress.MIN_FILES - 1)
    bar.stop()
    assert stderr.getvalue() == ""


@pytest.fixture(scope="module")
def big_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough small modules to cross the bar's MIN_FILES threshold."""
    files = {
        f"pkg/mod_{index:03}.py": f'"""Module {index}."""\n\n\ndef f_{index}(x: int) -> int:\n'
        f"    return x + {index}\n"
        for index in range(progress.MIN_FILES + 10)
    }
    return write_tree(tmp_path_factory.mktemp("big") / "repo", files)


def _run(repo: Path, env: dict[str, str], stderr_tty: bool) -> tuple[str, str]:
    """`readycheck scan --format json` with standard output piped and standard error on a
    pseudo-terminal (or piped): (stdout, everything written to standard error)."""
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("CI", "GITHUB_ACTIONS", "FORCE_COLOR", "TTY_COMPATIBLE", "NO_COLOR")
    }
    command = [sys.executable, "-m", "readycheck", "scan", str(repo), "--format", "json"]
    full_env = base | {"TERM": "xterm-256color", "COLUMNS": "100"} | env
    if not stderr_tty:
        done = subprocess.run(
            command, env=full_env, capture_output=True, text=True, check=False, cwd=repo.parent
        )
        assert done.returncode == 0, done.stderr
        return done.stdout, done.stderr
    import pty

    master, slave = pty.openpty()
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the terminal's last writer has gone
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        process = subprocess.Popen(
            command,
            env=full_env,
            stdout=subprocess.PIPE,
            stderr=slave,
            stdin=subprocess.DEVNULL,
            cwd=repo.parent,
        )
    finally:
        os.close(slave)
    stdout, _ = process.communicate(timeout=300)
    reader.join(timeout=30)
    os.close(master)
    assert process.returncode == 0, b"".join(chunks).decode(errors="replace")
    return stdout.decode(), b"".join(chunks).decode(errors="replace")


pty_only = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")


@pty_only
def test_the_cli_draws_the_bar_on_an_interactive_terminal(big_repo: Path) -> None:
    stdout, terminal = _run(big_repo, {}, stderr_tty=True)
    assert BAR_TEXT in terminal
    assert f"/{progress.MIN_FILES + 10}" in terminal
    assert json.loads(stdout)["target"]["files"] == progress.MIN_FILES + 10


@pty_only
@pytest.mark.parametrize("env", [{"CI": "true"}, {"TERM": "dumb"}], ids=["ci", "dumb-terminal"])
def test_the_cli_draws_no_bar_in_ci_even_on_a_terminal(big_repo: Path, env: dict[str, str]) -> None:
    stdout, terminal = _run(big_repo, env, stderr_tty=True)
    assert terminal == ""
    json.loads(stdout)


def test_the_cli_draws_no_bar_when_standard_error_is_piped(big_repo: Path) -> None:
    stdout, stderr = _run(big_repo, {}, stderr_tty=False)
    assert BAR_TEXT not in stderr
    assert "\x1b[" not in stderr
    json.loads(stdout)


class _RecordingBar:
    """Stands in for progress.Bar to see whether the command line asked for a bar, and what
    the pipeline told it."""

    made: list[_RecordingBar] = []

    def __init__(self) -> None:
        self.events: list[tuple[str, int]] = []
        _RecordingBar.made.append(self)

    def start(self, total: int) -> None:
        self.events.append(("start", total))

    def advance(self, count: int) -> None:
        self.events.append(("advance", count))

    def stop(self) -> None:
        self.events.append(("stop", 0))


@pytest.mark.parametrize(("args", "wanted", "drawn"), [
    ((), True, True),
    (("--quiet",), True, False),
    ((), False, False),
], ids=["wanted", "quiet", "not-wanted"])  # fmt: skip
def test_the_cli_makes_a_bar_only_when_wanted_and_not_quiet(
    big_repo: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    wanted: bool,
    drawn: bool,
) -> None:
    monkeypatch.setattr(_RecordingBar, "made", [])
    monkeypatch.setattr(progress, "wanted", lambda: wanted)
    monkeypatch.setattr(progress, "Bar", _RecordingBar)
    result = CliRunner().invoke(app, ["scan", str(big_repo), "--no-cache", "--jobs", "1", *args])
    assert result.exit_code == 0, result.output
    if not drawn:
        assert _RecordingBar.made == []
        return
    (bar,) = _RecordingBar.made
    total = progress.MIN_FILES + 10
    assert bar.events[0] == ("start", total)
    assert bar.events[-1] == ("stop", 0)
    assert sum(n for event, n in bar.events if event == "advance") == total
