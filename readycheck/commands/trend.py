"""`readycheck trend`: how one repository's readiness moved over its history, each
selected commit scanned straight from git objects.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from readycheck.commands._options import (
    CacheDirOption,
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
    from readycheck.errors import ReadycheckError
    from readycheck.runner import default_workers

    name = choose_format(output, output_format, ("terminal", "html", "json"))
    selection = history_of.Selection(
        last=last if last is not None else (None if since or tags else 20), since=since, tags=tags
    )

    def step(index: int, total: int, sha: str) -> None:
        typer.echo(f"readycheck: commit {index + 1}/{total} {sha[:10]}", err=True)

    try:
        with interruptible():
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
        fail(str(error))
    except KeyboardInterrupt:
        interrupted()
    for item in result.failed:
        note(f"commit {item.commit[:10]} not scanned: {item.reason}")
    emit(name, output, "the trend", Rendering("trend", result))
