"""`readycheck portfolio`: fold many repositories' reports (or fresh scans of a list of
repositories, on local processes or a Dask cluster) into one organisation portfolio,
compared with the previous one kept in the history database.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated

import typer

from readycheck.commands._options import (
    DEFAULT_DB,
    CacheDirOption,
    DbOption,
    FormatOption,
    JobsOption,
    NoCacheOption,
    OutputOption,
)
from readycheck.commands._output import (
    Rendering,
    choose_format,
    emit,
    fail,
    interrupted,
    interruptible,
    note,
)


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
    from readycheck.errors import ReadycheckError
    from readycheck.rulebook import load_rulebook
    from readycheck.runner import default_workers

    name = choose_format(output, output_format, ("terminal", "html", "json", "markdown"))
    if not reports and scan is None:
        fail("give report files or folders, or --scan LIST")
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
                with interruptible():
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
                        progress=lambda line: note(line),
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
        fail(str(error))
    except KeyboardInterrupt:
        interrupted()
    for item in result.rejected:
        note(f"left out {item.source}: {item.reason}")
    if not result.rows:
        where = ", ".join(str(path) for path in reports or []) or "the list"
        fail(
            f"no readycheck report to fold into a portfolio in {where}: give the JSON reports "
            "scans wrote (`readycheck scan REPO -f json -o REPO.json`), or list repositories "
            "in a file and pass --scan FILE"
        )
    emit(name, output, "the portfolio", Rendering("portfolio", result))
