"""The command line's wiring: the typer app, `--version`, the registration of each
command and the console-script entry point. Each command is a module of
readycheck.commands (scan, baseline, init, rules, cache, portfolio, trend), as in
pre-commit.

Exit codes: 0 the scan ran (and the gate, if any, passed); 1 the gate
failed; 2 a usage, configuration or rulebook error, or an output that cannot be
written; 130 interrupted (Ctrl-C). Heavy modules are imported inside the commands
so `readycheck --version` and `--help` stay fast.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any

import typer

from readycheck import __version__
from readycheck.commands import baseline, cache, init, portfolio, rules, scan, trend
from readycheck.commands._output import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    silence_stdout,
    standard_output,
)


def _flag_type(self: typer.core.TyperOption, ctx: Any) -> str | None:
    """Help shows no `<bool>` beside a flag: `--quiet` takes no value, and `<bool>` reads
    as if it did (typer prints the type of every option, flags included)."""
    if self.is_flag and not self.count:
        return None
    return _option_type(self, ctx)


_option_type = typer.core.TyperOption.display_type_rich
typer.core.TyperOption.display_type_rich = _flag_type  # type: ignore[method-assign]

app = typer.Typer(
    name="readycheck",
    help=(
        "Is this ML repository ready for production?\n\n"
        "readycheck scans Python code, notebooks, Dockerfiles, Kubernetes, CI and dependency files "
        "against a rulebook of production practices in five pillars (data, infrastructure, "
        "monitoring, security, human in the loop) plus engineering hygiene, and scores how ready "
        "the repository is, with findings that say what to fix, where and why. "
        "It never runs or imports the code it scans."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        with standard_output("the version"):
            typer.echo(f"readycheck {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Is this ML repository ready for production?"""


# The order of registration is the order of `readycheck --help`: commands, then groups.
app.command()(scan.scan)
app.command()(init.init)
app.command()(portfolio.portfolio)
app.command()(trend.trend)
app.add_typer(baseline.baseline_app, name="baseline")
app.add_typer(rules.rules_app, name="rules")
app.add_typer(cache.cache_app, name="cache")


def main() -> None:
    """Console-script entry point: run the app, turning any unexpected error into exit code 2."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:
        silence_stdout()
        sys.exit(0)
    except SystemExit as done:
        # What is still buffered is written now, while a failure can still be reported.
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            silence_stdout()
        except OSError as error:
            silence_stdout()
            typer.secho(
                f"readycheck: error: cannot write to standard output: {error.strerror or error}",
                err=True,
                fg=typer.colors.RED,
            )
            sys.exit(EXIT_ERROR)
        raise done
    except Exception as error:
        if os.environ.get("READYCHECK_DEBUG"):
            raise
        typer.secho(
            f"readycheck: internal error: {type(error).__name__}: {error}\n"
            "This is a bug in readycheck. Run again with READYCHECK_DEBUG=1 for the traceback, "
            "and please report it.",
            err=True,
            fg=typer.colors.RED,
        )
        sys.exit(EXIT_ERROR)
