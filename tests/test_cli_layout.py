"""The command line is laid out as pre-commit's is: readycheck/cli.py wires the typer app
(the root callback, --version, each command's registration, main), and every command
lives in a module of its own in readycheck/commands/, named after it; what several
commands share is in the `_`-prefixed modules there, defined once."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from readycheck import cli

CLI = Path(cli.__file__)
PACKAGE = CLI.parent / "commands"
#: "about 400 lines": a command module longer than this should be split again.
MAX_LINES = 400
#: All cli.py defines: the help's flag display, the root callback and its --version, main.
WIRING = {"_flag_type", "_version", "_root", "main"}


def _name(info: Any) -> str:
    return str(info.name or info.callback.__name__.replace("_", "-"))


def _registered() -> Iterator[tuple[str, Callable[..., Any]]]:
    """(command as typed, callback) for every command on the app, groups' included."""
    for info in cli.app.registered_commands:
        assert info.callback is not None
        yield _name(info), info.callback
    for group in cli.app.registered_groups:
        assert group.typer_instance is not None
        for info in group.typer_instance.registered_commands:
            assert info.callback is not None
            yield f"{group.name} {_name(info)}", info.callback


def _command_modules() -> set[str]:
    return {path.stem for path in PACKAGE.glob("*.py") if not path.stem.startswith("_")}


def test_every_command_lives_in_the_module_named_after_it() -> None:
    registered = list(_registered())
    assert len(registered) >= 9  # scan, init, portfolio, trend, baseline/rules/cache's
    for command, callback in registered:
        top = command.split()[0]
        assert callback.__module__ == f"readycheck.commands.{top}", command


def test_each_module_of_readycheck_commands_is_one_command() -> None:
    tops = {command.split()[0] for command, _ in _registered()}
    assert tops == _command_modules()


def test_cli_py_only_wires_the_commands() -> None:
    assert not [c for c, callback in _registered() if callback.__module__ == cli.__name__]
    tree = ast.parse(CLI.read_text(encoding="utf-8"))
    functions = {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    }
    assert functions == WIRING


def test_no_command_module_is_longer_than_about_400_lines() -> None:
    for path in [CLI, *PACKAGE.glob("*.py")]:
        lines = len(path.read_text(encoding="utf-8").splitlines())
        assert lines <= MAX_LINES, f"{path.name} has {lines} lines"


def test_each_command_module_says_what_its_command_is_for() -> None:
    for name in sorted(_command_modules()):
        doc = importlib.import_module(f"readycheck.commands.{name}").__doc__ or ""
        assert doc.startswith(f"`readycheck {name}"), name
    for path in PACKAGE.glob("_*.py"):
        assert ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))), path.name


def test_no_helper_is_defined_twice() -> None:
    """A helper several commands use is in one shared module, never copied into each."""
    names: Counter[str] = Counter()
    for path in [CLI, *PACKAGE.glob("*.py")]:
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef | ast.ClassDef):
                names[node.name] += 1
    assert [name for name, count in names.items() if count > 1] == []


def test_the_commands_import_nothing_heavy_until_they_run() -> None:
    """`readycheck --version` and `--help` import the wiring and every command module,
    and none of what a command needs only when it runs."""
    code = "import sys, readycheck.cli; print('\\n'.join(sorted(sys.modules)))"
    loaded = set(
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert {f"readycheck.commands.{name}" for name in _command_modules()} <= loaded
    heavy = {"rich", "yaml", "git", "jsonschema", "readycheck.pipeline", "readycheck.rulebook"}
    heavy |= {"readycheck.renderers", "readycheck.model", "readycheck.portfolio_db"}
    assert heavy.isdisjoint(loaded), heavy & loaded
