"""How the commands write and fail, the same way in each: the exit codes, a one-line
error on standard error, standard output that ends quietly on a closed pipe, files
written atomically, output made inert in GitHub Actions, Ctrl-C, and how `portfolio`
and `trend` choose and write their format.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import re
import signal
import stat
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from readycheck.commands._options import FleetFormat
    from readycheck.portfolio import Portfolio
    from readycheck.trend import Trend

#: The exit codes, as readycheck.cli describes them.
EXIT_OK, EXIT_GATE_FAILED, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130


def fail(message: str) -> NoReturn:
    typer.secho(f"readycheck: error: {inert(message)}", err=True, fg=typer.colors.RED)
    raise typer.Exit(EXIT_ERROR)


def inert(message: str) -> str:
    """A message for standard error that may quote the scanned repository (its config,
    another repository's report): its escapes shown, not run, and in GitHub Actions its
    `##[command]` too (the runner obeys one anywhere in a line)."""
    from readycheck.renderers.terminal import safe

    text = safe(message)
    return text.replace(LEGACY_COMMAND, "#\\x23[") if in_actions() else text


#: The runner's older workflow command syntax, `##[name]data`, which it obeys wherever a
#: line holds it (the newer `::name::data` only at the start of a line).
LEGACY_COMMAND = "##["


def in_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


#: A line the runner would read as a command: `::` after blanks at its start.
_COMMAND_LINE = re.compile(r"(?m)^([ \t]*)::")


def inert_markup(text: str) -> str:
    """JUnit XML and HTML on standard output in Actions: like JSON, they must stay
    parseable, so they are not fenced; a `:` that would start a command line and the `#`
    of `##[` are written as character references, the same text to any XML or HTML
    reader. (readycheck's own pages put no `::` at a line start in their style or script,
    where references are not decoded; a test keeps it so.)"""
    text = _COMMAND_LINE.sub(lambda m: m.group(1) + "&#58;:", text)
    return text.replace(LEGACY_COMMAND, "#&#35;[")


def stdout_is_file() -> bool:
    try:
        return stat.S_ISREG(os.fstat(sys.stdout.fileno()).st_mode)
    except (OSError, ValueError):
        return False


@contextlib.contextmanager
def standard_output(what: str) -> Iterator[None]:
    """Write `what` to standard output. A closed pipe (`| head`) ends it quietly, and the
    command goes on to its exit code; any other write error (a full disk, a stream that
    is gone) is one line and exit code 2."""
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        silence_stdout()
    except OSError as error:
        silence_stdout()
        fail(f"cannot write {what} to standard output: {error.strerror or error}")


def silence_stdout() -> None:
    """Point standard output at /dev/null, so nothing fails again writing to a closed pipe
    or a full disk (Python flushes standard output once more on the way out)."""
    try:
        descriptor = sys.stdout.fileno()
    except (OSError, ValueError):
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the process
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, descriptor)
    os.close(devnull)


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """Let Ctrl-C stop a scan at once and quietly.

    Ctrl-C reaches the whole process group, the scan's worker processes included (see
    readycheck/pools.py). Left alone, each worker prints its own traceback, and the pool
    keeps running the queued files before it lets go. Here the workers, forked with this
    handler, ignore the signal, and the parent stops them before it raises
    KeyboardInterrupt, which the command turns into one line and exit code 130.

    The signal can land anywhere, even in an object's `__del__`, where Python prints the
    exception and drops it; the scan then fails on the pool whose workers were just
    stopped. So once Ctrl-C was pressed, whatever ends the block ends it as an interrupt."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers belong to the main thread
        return
    parent = os.getpid()
    pressed = False

    def interrupt(signum: int, frame: object) -> None:
        nonlocal pressed
        if os.getpid() != parent:
            return  # a worker: the parent stops it
        pressed = True
        import multiprocessing

        for child in multiprocessing.active_children():
            child.terminate()
        raise KeyboardInterrupt

    def unraisable(report: Any) -> None:
        if pressed and isinstance(report.exc_value, KeyboardInterrupt):
            return  # our own interrupt, dropped in a `__del__`: the block still ends as one
        hook(report)

    hook = sys.unraisablehook
    sys.unraisablehook = unraisable
    previous = signal.signal(signal.SIGINT, interrupt)
    try:
        yield
    except Exception:
        if pressed:
            raise KeyboardInterrupt from None
        raise
    else:
        if pressed:
            raise KeyboardInterrupt
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)
        sys.unraisablehook = hook


def interrupted() -> NoReturn:
    with contextlib.suppress(OSError):
        typer.echo("readycheck: interrupted", err=True)
    raise typer.Exit(EXIT_INTERRUPTED)


def check_destinations(paths: list[Path], scanned: Path, what: str) -> None:
    """Refuse, before the scan, a file name that would overwrite one of the scanned files."""
    from readycheck.outputs import OutputError, check_destination

    for path in paths:
        try:
            check_destination(path, scanned, what)
        except OutputError as error:
            fail(str(error))


def write_file(path: Path, text: str, what: str, scanned: Path | None = None) -> None:
    """Write a file the user named, atomically and never through a symlink (see
    readycheck/outputs.py); any failure is one line and exit code 2."""
    from readycheck.outputs import OutputError, write_text

    try:
        write_text(path, text, what, scanned)
    except OutputError as error:
        fail(str(error))


# `portfolio` and `trend`: one result, written in one format to -o or standard output.

_SUFFIXES = {
    ".html": "html",
    ".htm": "html",
    ".json": "json",
    ".md": "markdown",
    ".txt": "terminal",
}


def note(text: str) -> None:
    """One line on standard error. Reasons quote other repositories' text (a schema error
    quotes the value at fault, git quotes a URL): kept to one line, its escapes shown,
    and in GitHub Actions (which obeys `##[` anywhere in a line) made inert."""
    typer.echo(f"readycheck: {inert(' '.join(text.split()))}", err=True)


def choose_format(
    output: Path | None, explicit: FleetFormat | None, allowed: tuple[str, ...]
) -> str:
    """The format to write: --format, else the -o file's extension; they must agree."""
    if output is None or str(output) == "-":
        name = explicit.value if explicit else "terminal"
    else:
        named = _SUFFIXES.get(output.suffix.lower())
        if named is None and explicit is None:
            fail(f"cannot tell the format of {output} from its extension; use --format")
        if named is not None and explicit is not None and named != explicit.value:
            fail(f"{output} names the {named} format, but --format says {explicit.value}")
        name = named or (explicit.value if explicit else "terminal")
    if name not in allowed:
        fail(f"this command writes {', '.join(allowed)}, not {name}")
    return name


@dataclass(frozen=True)
class Rendering:
    """A command's result and its renderers, found by name: `renderers/<family>_<format>.py`
    holds `render(result) -> str`, and `<family>_terminal.py` holds `print_<family>`."""

    family: str
    result: Portfolio | Trend

    def text(self, name: str) -> str:
        module = importlib.import_module(f"readycheck.renderers.{self.family}_{name}")
        return str(module.render(self.result))

    def show(self, console: Console) -> None:
        module = importlib.import_module(f"readycheck.renderers.{self.family}_terminal")
        getattr(module, f"print_{self.family}")(self.result, console)


def emit(name: str, output: Path | None, what: str, rendering: Rendering) -> None:
    """Write format `name` to -o, or to standard output; the terminal format is printed
    with colours on a terminal (through `show`), and as plain text anywhere else."""
    from rich.console import Console

    from readycheck.renderers.github import stop_commands
    from readycheck.renderers.terminal import console

    to_file = output is not None and str(output) != "-"
    # Names and subjects come from other repositories' reports and commits: in GitHub
    # Actions, nothing of theirs on standard output may read as a workflow command.
    actions = not to_file and in_actions() and not stdout_is_file()
    fence = stop_commands() if actions and name in ("terminal", "markdown") else ("", "")
    if name == "terminal" and not to_file:
        with standard_output(what):
            typer.echo(fence[0], nl=False)
            try:
                rendering.show(console())
            finally:
                typer.echo(fence[1], nl=False)
        return
    if name == "terminal":
        buffer = io.StringIO()
        rendering.show(Console(file=buffer, width=120, no_color=True, highlight=False))
        rendered = buffer.getvalue()
    else:
        rendered = rendering.text(name)
    if to_file:
        assert output is not None
        write_file(output, rendered, what)
        typer.echo(f"readycheck: wrote {what} to {output}", err=True)
        return
    if actions and name == "html":
        rendered = inert_markup(rendered)
    elif actions and name == "json":
        rendered = rendered.replace(LEGACY_COMMAND, "#\\u0023[")
    with standard_output(what):
        typer.echo(fence[0] + rendered, nl=not rendered.endswith("\n"))
        typer.echo(fence[1], nl=False)
