"""The command line: the only module that knows about typer, options and exit codes.

Exit codes: 0 the scan ran (and the gate, if any, passed); 1 the gate
failed; 2 a usage, configuration or rulebook error. Heavy modules are
imported inside the commands so `readycheck --version` and `--help` stay fast.
"""

from __future__ import annotations

import enum
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from readycheck import __version__

if TYPE_CHECKING:
    from readycheck.model import Report

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

EXIT_OK, EXIT_GATE_FAILED, EXIT_ERROR = 0, 1, 2


class OutputFormat(enum.StrEnum):
    terminal = "terminal"
    json = "json"
    html = "html"
    markdown = "markdown"
    sarif = "sarif"
    junit = "junit"
    github = "github"


def _version(value: bool) -> None:
    if value:
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


def _fail(message: str) -> NoReturn:
    typer.secho(f"readycheck: error: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(EXIT_ERROR)


@app.command()
def scan(
    path: Annotated[
        Path,
        typer.Argument(
            help="Folder to scan: a git repository or a plain folder.", show_default=True
        ),
    ] = Path("."),
    output_format: Annotated[
        OutputFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="Report format on standard output (default: terminal), or of the single --output file.",
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        list[Path] | None,
        typer.Option(
            "--output",
            "-o",
            help="Also write the report to this file, in the format its extension names "
            "(.json, .sarif, .xml for JUnit, .html, .md, .txt); repeatable.",
            dir_okay=False,
            writable=True,
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print nothing on standard output.")
    ] = False,
    rulebook: Annotated[
        list[Path] | None,
        typer.Option(
            "--rulebook",
            help="Use these rulebook files or folders instead of the built-in one.",
            exists=True,
        ),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option(
            "--exclude", "-x", help="Skip paths matching this gitignore-style pattern (repeatable)."
        ),
    ] = None,
    max_file_size: Annotated[
        int,
        typer.Option(
            "--max-file-size", min=1024, help="Files larger than this many bytes are not read."
        ),
    ] = 5 * 1024 * 1024,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show every finding and what passed.")
    ] = False,
    show_passed: Annotated[
        bool,
        typer.Option("--show-passed", help="Also list the rules that passed or did not apply."),
    ] = False,
) -> None:
    """Scan a repository and report how ready it is for production.

    The report gives an overall score (0-100), a readiness level, a score per pillar and the
    findings, grouped by pillar and ordered by how many points fixing each one would earn.

    [b]Examples[/b]

      readycheck scan .

      readycheck scan path/to/repo --format json --output report.json
    """
    from readycheck.errors import ReadycheckError
    from readycheck.pipeline import ScanOptions
    from readycheck.pipeline import scan as run_scan

    options = ScanOptions(
        path=path,
        rulebook_paths=tuple(rulebook or ()),
        max_file_size=max_file_size,
        exclude=tuple(exclude or ()),
    )
    try:
        report = run_scan(options)
    except ReadycheckError as error:
        _fail(str(error))
    targets = _output_targets(output or [], output_format)
    for target, name in targets:
        _write(target, _text(report, name, verbose=verbose, show_passed=show_passed))
    if not quiet:
        stdout_format = output_format.value if output_format and not targets else "terminal"
        if stdout_format == "terminal":
            from rich.console import Console

            from readycheck.renderers import terminal

            terminal.render(
                report, Console(highlight=False), verbose=verbose, show_passed=show_passed
            )
        else:
            sys.stdout.write(_text(report, stdout_format))


def _output_targets(paths: list[Path], explicit: OutputFormat | None) -> list[tuple[Path, str]]:
    """Each -o file with its format: --format for a single file, else the file's extension."""
    from readycheck.renderers import format_for

    targets = []
    for path in paths:
        name = explicit.value if explicit and len(paths) == 1 else format_for(path)
        if name is None:
            _fail(
                f"cannot tell the format of {path} from its extension; use --format or one of "
                ".json, .html, .md, .txt"
            )
        targets.append((path, name))
    return targets


def _text(report: Report, name: str, **flags: bool) -> str:
    """The report rendered as text in format `name`."""
    if name == "terminal":
        import io

        from rich.console import Console

        from readycheck.renderers import terminal

        buffer = io.StringIO()
        terminal.render(
            report, Console(file=buffer, width=100, no_color=True, highlight=False), **flags
        )
        return buffer.getvalue()
    from readycheck.renderers import renderer

    return renderer(name)(report)


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        _fail(f"cannot write {path}: {error.strerror}")


def main() -> None:
    """Console-script entry point: run the app, turning any unexpected error into exit code 2."""
    try:
        app()
    except (KeyboardInterrupt, BrokenPipeError):
        sys.exit(130 if sys.exc_info()[0] is KeyboardInterrupt else EXIT_ERROR)
    except SystemExit:
        raise
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
