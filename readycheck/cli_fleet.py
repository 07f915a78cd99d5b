"""The platform team's commands: `portfolio` (many repositories) and `trend` (one
repository over its history). Registered on the main app by readycheck.cli, whose
exit codes and output rules they share: 0 done, 2 a usage or input error.
"""

from __future__ import annotations

import contextlib
import enum
import importlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from readycheck.cli_options import CacheDirOption, JobsOption, NoCacheOption

if TYPE_CHECKING:
    from rich.console import Console

    from readycheck.portfolio import Portfolio
    from readycheck.trend import Trend


class FleetFormat(enum.StrEnum):
    terminal = "terminal"
    html = "html"
    json = "json"
    markdown = "markdown"


_SUFFIXES = {
    ".html": "html",
    ".htm": "html",
    ".json": "json",
    ".md": "markdown",
    ".txt": "terminal",
}

#: Where the portfolio's history lives unless --db says otherwise.
DEFAULT_DB = Path("readycheck-portfolio.db")

FormatOption = Annotated[
    FleetFormat | None,
    typer.Option("--format", "-f", help="Output format \\[default: terminal, or the -o file's]."),
]
OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", help="Write to this file (.html, .json, .md, .txt); - is stdout."
    ),
]
DbOption = Annotated[
    Path,
    typer.Option(
        "--db",
        help="The history database (one SQLite file): earlier portfolios, stored reports, trends.",
        dir_okay=False,
    ),
]


def _note(text: str) -> None:
    """One line on standard error. Reasons quote other repositories' text (a schema error
    quotes the value at fault, git quotes a URL): kept to one line, its escapes shown,
    and in GitHub Actions (which obeys `##[` anywhere in a line) made inert."""
    from readycheck.cli import inert

    typer.echo(f"readycheck: {inert(' '.join(text.split()))}", err=True)


def _format(output: Path | None, explicit: FleetFormat | None, allowed: tuple[str, ...]) -> str:
    """The format to write: --format, else the -o file's extension; they must agree."""
    from readycheck.cli import _fail

    if output is None or str(output) == "-":
        name = explicit.value if explicit else "terminal"
    else:
        named = _SUFFIXES.get(output.suffix.lower())
        if named is None and explicit is None:
            _fail(f"cannot tell the format of {output} from its extension; use --format")
        if named is not None and explicit is not None and named != explicit.value:
            _fail(f"{output} names the {named} format, but --format says {explicit.value}")
        name = named or (explicit.value if explicit else "terminal")
    if name not in allowed:
        _fail(f"this command writes {', '.join(allowed)}, not {name}")
    return name


@dataclass(frozen=True)
class _Rendering:
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


def _emit(name: str, output: Path | None, what: str, rendering: _Rendering) -> None:
    """Write format `name` to -o, or to standard output; the terminal format is printed
    with colours on a terminal (through `show`), and as plain text anywhere else."""
    from rich.console import Console

    from readycheck.cli import (
        _LEGACY_COMMAND,
        _in_actions,
        _inert_markup,
        _standard_output,
        _stdout_is_file,
        _write,
    )
    from readycheck.renderers.github import stop_commands
    from readycheck.renderers.terminal import console

    to_file = output is not None and str(output) != "-"
    # Names and subjects come from other repositories' reports and commits: in GitHub
    # Actions, nothing of theirs on standard output may read as a workflow command.
    actions = not to_file and _in_actions() and not _stdout_is_file()
    fence = stop_commands() if actions and name in ("terminal", "markdown") else ("", "")
    if name == "terminal" and not to_file:
        with _standard_output(what):
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
        _write(output, rendered, what)
        typer.echo(f"readycheck: wrote {what} to {output}", err=True)
        return
    if actions and name == "html":
        rendered = _inert_markup(rendered)
    elif actions and name == "json":
        rendered = rendered.replace(_LEGACY_COMMAND, "#\\u0023[")
    with _standard_output(what):
        typer.echo(fence[0] + rendered, nl=not rendered.endswith("\n"))
        typer.echo(fence[1], nl=False)


def portfolio(
    reports: Annotated[
        list[Path] | None,
        typer.Argument(
            help="readycheck JSON reports, or folders holding them (searched recursively).",
            show_default=False,
        ),
    ] = None,
    scan: Annotated[
        Path | None,
        typer.Option(
            "--scan",
            metavar="LIST",
            help="Also scan the repositories this file lists (one folder or git URL per line).",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    work_dir: Annotated[
        Path,
        typer.Option(
            "--work-dir", help="Where repositories given by URL are cloned.", file_okay=False
        ),
    ] = Path(".readycheck-repositories"),
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            metavar="ADDRESS",
            help="Run the scans on this Dask scheduler (tcp://host:8786) instead of local processes.",
        ),
    ] = None,
    db: DbOption = DEFAULT_DB,
    no_history: Annotated[
        bool, typer.Option("--no-history", help="Neither read nor write the history database.")
    ] = False,
    mixed_rulebooks: Annotated[
        bool,
        typer.Option(
            "--mixed-rulebooks",
            help="Merge reports made with different rulebook versions (the rule is stated in the output).",
        ),
    ] = False,
    output_format: FormatOption = None,
    output: OutputOption = None,
    cache_dir: CacheDirOption = None,
    no_cache: NoCacheOption = False,
    jobs: JobsOption = None,
) -> None:
    """Fold many repositories' reports into one organisation portfolio.

    Shows every repository's score and level, the practices missing across the
    organisation with what fixing each everywhere would add, the repositories to copy
    from, and what changed since the previous portfolio (kept in --db).

    [b]Examples[/b]

      readycheck portfolio reports/ -o portfolio.html

      readycheck portfolio --scan repositories.txt -o portfolio.html
    """
    from readycheck import __version__, cache, fleet, pipeline, portfolio_db
    from readycheck import portfolio as folding
    from readycheck import reports as report_files
    from readycheck.cli import _fail, _interrupted, _interruptible
    from readycheck.errors import ReadycheckError
    from readycheck.rulebook import load_rulebook
    from readycheck.runner import default_workers

    name = _format(output, output_format, ("terminal", "html", "json", "markdown"))
    if not reports and scan is None:
        _fail("give report files or folders, or --scan LIST")
    try:
        loaded = report_files.load_all(list(reports or []), jobs or default_workers())
        found = list(loaded.reports)
        rejected = list(loaded.rejected)
        rescanned: dict[str, bool] = {}
        keys: dict[str, str] = {}
        with contextlib.ExitStack() as stack:
            history = None if no_history else stack.enter_context(portfolio_db.History(db))
            if scan is not None:
                engine: fleet.Engine = (
                    fleet.DaskEngine(scheduler)
                    if scheduler
                    else fleet.LocalPool(jobs or default_workers())
                )
                rulebook = load_rulebook(None)
                analyser = f"{__version__}:{rulebook.digest}"
                with _interruptible():
                    outcome = fleet.scan_all(
                        fleet.read_list(scan),
                        work_dir,
                        engine,
                        analyser=analyser,
                        cache_dir=None if no_cache else (cache_dir or cache.default_dir()),
                        stored=(lambda s, c: history.report(s, c, analyser))
                        if history
                        else (lambda s, c: None),
                        store=(lambda s, c, r: history.store_report(s, c, analyser, r))
                        if history
                        else (lambda s, c, r: None),
                        progress=lambda line: _note(line),
                    )
                found.extend(outcome.reports)
                rejected.extend(outcome.rejected)
                rescanned.update(outcome.rescanned)
                keys.update(outcome.keys)
            kept, mixed, notes = report_files.one_rulebook(found, mixed_rulebooks)
            rejected.extend(mixed)
            previous = history.previous_run() if history else None
            result = folding.build(
                kept,
                generated_at=pipeline.now(),
                tool_version=__version__,
                previous=previous[1] if previous else None,
                previous_run=previous[0] if previous else None,
                rejected=rejected,
                rescanned=rescanned if scan is not None else None,
                keys=keys,
                notes=notes,
            )
            if history is not None:
                history.record_run(result)
    except ReadycheckError as error:
        _fail(str(error))
    except KeyboardInterrupt:
        _interrupted()
    for item in result.rejected:
        _note(f"left out {item.source}: {item.reason}")
    if not result.rows:
        where = ", ".join(str(path) for path in reports or []) or "the list"
        _fail(
            f"no readycheck report to fold into a portfolio in {where}: give the JSON reports "
            "scans wrote (`readycheck scan REPO -f json -o REPO.json`), or list repositories "
            "in a file and pass --scan FILE"
        )
    _emit(name, output, "the portfolio", _Rendering("portfolio", result))


def trend(
    path: Annotated[
        Path, typer.Argument(help="The repository (or a folder in it).", file_okay=False)
    ] = Path("."),
    last: Annotated[
        int | None,
        typer.Option(
            "--last",
            "-n",
            min=1,
            help="The last N commits of the first-parent line \\[default: 20].",
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="Commits since this date (anything git reads: 2026-01-01, '3 months ago').",
        ),
    ] = None,
    tags: Annotated[
        bool, typer.Option("--tags", help="The commits the repository's tags name.")
    ] = False,
    output_format: FormatOption = None,
    output: OutputOption = None,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            help="Also store the points in this history database, for the scorecard's trend line.",
            dir_okay=False,
        ),
    ] = None,
    cache_dir: CacheDirOption = None,
    no_cache: NoCacheOption = False,
    jobs: JobsOption = None,
) -> None:
    """Show how a repository's readiness moved over its history.

    Each selected commit is read straight from git objects (the work tree is not
    touched) and scanned; files that did not change are analysed once.

    [b]Examples[/b]

      readycheck trend . --last 50 -o trend.html

      readycheck trend . --tags
    """
    from readycheck import cache, portfolio_db
    from readycheck import trend as history_of
    from readycheck.cli import _fail, _interrupted, _interruptible
    from readycheck.errors import ReadycheckError
    from readycheck.runner import default_workers

    name = _format(output, output_format, ("terminal", "html", "json"))
    selection = history_of.Selection(
        last=last if last is not None else (None if since or tags else 20), since=since, tags=tags
    )

    def step(index: int, total: int, sha: str) -> None:
        typer.echo(f"readycheck: commit {index + 1}/{total} {sha[:10]}", err=True)

    try:
        with _interruptible():
            result = history_of.compute(
                path,
                selection,
                cache_dir=None if no_cache else (cache_dir or cache.default_dir()),
                workers=jobs or default_workers(),
                advance=step,
            )
        if db is not None:
            with portfolio_db.History(db) as store:
                store.record_trend(
                    result.remote or result.name,
                    f"{result.tool_version}:{result.rulebook_version}",
                    [(p.commit, p.date, p.score) for p in result.points],
                )
    except ReadycheckError as error:
        _fail(str(error))
    except KeyboardInterrupt:
        _interrupted()
    for item in result.failed:
        _note(f"commit {item.commit[:10]} not scanned: {item.reason}")
    _emit(name, output, "the trend", _Rendering("trend", result))


def register(app: typer.Typer) -> None:
    app.command()(portfolio)
    app.command()(trend)
