"""`readycheck scan`: scan one repository, score how ready it is for production, and
report it on standard output and in any -o files (terminal, JSON, HTML, Markdown,
SARIF, JUnit, GitHub annotations); with a gate (--fail-under, --fail-on, --min-pillar,
--baseline, --since), exit 1 when it fails.
"""

from __future__ import annotations

import contextlib
import enum
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from readycheck.commands._options import (
    CacheDirOption,
    ConfigOption,
    ExcludeOption,
    IgnoreOption,
    JobsOption,
    NoCacheOption,
    NoConfigOption,
    NoInlineIgnoresOption,
    RulebookOption,
    SelectOption,
    SeverityChoice,
    scan_options,
    with_performance,
)
from readycheck.commands._output import (
    EXIT_GATE_FAILED,
    LEGACY_COMMAND,
    check_destinations,
    fail,
    in_actions,
    inert_markup,
    interrupted,
    interruptible,
    standard_output,
    stdout_is_file,
    write_file,
)

if TYPE_CHECKING:
    from readycheck.model import Report


class OutputFormat(enum.StrEnum):
    terminal = "terminal"
    json = "json"
    html = "html"
    markdown = "markdown"
    sarif = "sarif"
    junit = "junit"
    github = "github"
    gitlab = "gitlab"


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
            "(.json, .sarif, .xml for JUnit, .html, .md, .txt); `-` is standard output; repeatable.",
            metavar="FILE",
            dir_okay=False,
            writable=True,
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print nothing on standard output.")
    ] = False,
    rulebook: RulebookOption = None,
    exclude: ExcludeOption = None,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    max_file_size: Annotated[
        int | None,
        typer.Option(
            "--max-file-size",
            min=1024,
            help="Files larger than this many bytes are not read \\[default: 5 MiB].",
            show_default=False,
        ),
    ] = None,
    config: ConfigOption = None,
    no_config: NoConfigOption = False,
    no_inline_ignores: NoInlineIgnoresOption = False,
    fail_under: Annotated[
        float | None,
        typer.Option(
            "--fail-under",
            min=0,
            max=100,
            help="Exit 1 when the overall score is below SCORE.",
            metavar="SCORE",
            rich_help_panel="CI gate",
        ),
    ] = None,
    fail_on: Annotated[
        SeverityChoice | None,
        typer.Option(
            "--fail-on",
            help="Exit 1 when a finding at or above this severity is not suppressed, not in the "
            "baseline and (with --since) on a changed line.",
            case_sensitive=False,
            rich_help_panel="CI gate",
        ),
    ] = None,
    min_pillar: Annotated[
        list[str] | None,
        typer.Option(
            "--min-pillar",
            help="Exit 1 when a pillar scores below its minimum, e.g. security=70 (repeatable). "
            "Pillars: data, infrastructure, monitoring, security, human_in_the_loop, hygiene.",
            metavar="PILLAR=SCORE",
            rich_help_panel="CI gate",
        ),
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option(
            "--baseline",
            "-b",
            help="Gate only on findings not in this baseline (see `readycheck baseline create`).",
            dir_okay=False,
            rich_help_panel="CI gate",
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="Gate only on findings in files and lines changed since this git branch, tag or commit "
            "(the score still covers the whole repository).",
            metavar="REF",
            rich_help_panel="CI gate",
        ),
    ] = None,
    fail_on_weaker_gate: Annotated[
        bool,
        typer.Option(
            "--fail-on-weaker-gate",
            help="With --since: exit 1 when the change weakens its own gate (lowers a threshold, "
            "disables a rule, adds suppressions...). Every change is shown either way.",
            rich_help_panel="CI gate",
        ),
    ] = False,
    cache_dir: CacheDirOption = None,
    no_cache: NoCacheOption = False,
    jobs: JobsOption = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show every finding and what passed.")
    ] = False,
    show_passed: Annotated[
        bool,
        typer.Option("--show-passed", help="Also list the rules that passed or did not apply."),
    ] = False,
    history: Annotated[
        Path | None,
        typer.Option(
            "--history",
            metavar="DB",
            help="Draw the score's trend line on the HTML scorecard from this portfolio or "
            "trend history database.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Scan a repository and report how ready it is for production.

    The report gives an overall score (0-100), a readiness level, a score per pillar and the
    findings, grouped by pillar and ordered by how many points fixing each one would earn.

    [b]Examples[/b]

      readycheck scan .

      readycheck scan path/to/repo --format json --output report.json
    """
    from readycheck import progress
    from readycheck.errors import ReadycheckError
    from readycheck.pipeline import scan as run_scan

    if fail_on_weaker_gate and not since:
        fail("--fail-on-weaker-gate compares the gate with that of a base: give --since REF")
    try:
        # Before the scan, so a wrong output name costs nothing.
        targets = _output_targets(output or [], output_format)
        files = [target for target, _ in targets if target != _STDOUT]
        check_destinations(files, path, "the report")
        try:
            options = scan_options(
                path, rulebook, exclude, max_file_size, config, no_config, no_inline_ignores,
                fail_under, fail_on, min_pillar, baseline, since, fail_on_weaker_gate,
                select, ignore,
            )  # fmt: skip
            options = with_performance(options, cache_dir, no_cache, jobs)
            bar = progress.Bar() if progress.wanted() and not quiet else None
            with interruptible():
                report = run_scan(options, progress=bar)
            points = _score_history(history, report) if history is not None else ()
        except ReadycheckError as error:
            fail(str(error))
        for target, name in targets:
            if target != _STDOUT:
                text = _text(report, name, points, verbose=verbose, show_passed=show_passed)
                write_file(target, text, "the report", scanned=path)
        # Standard output: what `-o -` asks for; else --format's report when no file is
        # written, else the terminal report beside the files.
        to_stdout = [name for target, name in targets if target == _STDOUT]
        stdout_format = (
            to_stdout[0]
            if to_stdout
            else (output_format.value if output_format and not files else "terminal")
        )
        if not quiet:
            # `readycheck scan . | head`: a closed pipe ends the report quietly; it is not a
            # failed gate, and the exit code still says what the gate decided.
            with standard_output("the report"):
                _print_report(
                    report, stdout_format, points, verbose=verbose, show_passed=show_passed
                )
    except KeyboardInterrupt:
        interrupted()
    if report.gate is not None and not report.gate.passed:
        if quiet:
            # -q prints no report, but the one line that says why the gate failed.
            typer.echo("readycheck: gate failed: " + "; ".join(report.gate.reasons), err=True)
        raise typer.Exit(EXIT_GATE_FAILED)


def _score_history(database: Path, report: Report) -> tuple[tuple[str, float], ...]:
    """The repository's recorded scores (oldest first) and this scan's, for the trend line."""
    from readycheck.portfolio_db import History

    with History(database) as stored:
        key = report.target.remote or report.target.name
        earlier = stored.scores(key, without=report.target.commit)
    return (*earlier, (report.scanned_at, report.score))


def _print_report(
    report: Report,
    stdout_format: str,
    history: tuple[tuple[str, float], ...] = (),
    **flags: bool,
) -> None:
    """The report on standard output and, in a GitHub Actions run with a gate, the
    annotations for the findings that can fail it.

    The runner obeys any output line that starts with `::` (after blanks), and `##[` anywhere
    in a line. The terminal and Markdown reports quote the repository's file names and
    code (and a long name wraps onto a line of its own), so they are fenced with
    `::stop-commands::`, and the annotations follow the fence on the same stream, so the
    runner reads them after it. A report on stdout that is a regular file (`> report.md`,
    `>> $GITHUB_STEP_SUMMARY`) is not read by the runner and is left as is. JSON and
    SARIF must stay parseable: they escape every line break already, and `##[` is written
    `#\\u0023[`, the same string to a JSON reader; JUnit and HTML are made inert with
    character references (`inert_markup`)."""
    from readycheck.renderers import github

    actions = in_actions() and not stdout_is_file()
    fence = (
        github.stop_commands() if actions and stdout_format in ("terminal", "markdown") else None
    )
    if fence is not None:
        sys.stdout.write(fence[0])
    try:
        if stdout_format == "terminal":
            from readycheck.renderers import terminal

            terminal.print_report(report, **flags)
        else:
            text = _text(report, stdout_format, history)
            if actions and stdout_format in ("json", "sarif"):
                text = text.replace(LEGACY_COMMAND, "#\\u0023[")
            elif actions and stdout_format in ("junit", "html"):
                text = inert_markup(text)
            sys.stdout.write(text)
    finally:
        if fence is not None:  # even when cut short: the runner must not stay stopped
            with contextlib.suppress(OSError):
                sys.stdout.write(fence[1])
    if in_actions() and report.gate is not None and stdout_format != "github":  # already written
        stream = sys.stdout if stdout_format == "terminal" or fence is not None else sys.stderr
        _annotate(_text(report, "github"), stream)


def _annotate(annotations: str, stream: TextIO) -> None:
    """GitHub Actions annotations, which the runner reads from stdout and stderr alike:
    beside a terminal (or fenced Markdown) report on stdout, or on stderr when stdout
    carries a JSON, SARIF, JUnit or Markdown report that must stay parseable."""
    if not annotations:
        return
    stream.write(annotations if annotations.endswith("\n") else annotations + "\n")


_STDOUT = Path("-")


def _output_targets(paths: list[Path], explicit: OutputFormat | None) -> list[tuple[Path, str]]:
    """Each -o file with its format, from its extension; `-` is standard output, in the
    --format's format. --format must agree with every extension it meets: nothing given
    on the command line is silently ignored."""
    from readycheck.renderers import allows, format_for

    targets = []
    for path in paths:
        if path == _STDOUT:
            targets.append((path, explicit.value if explicit else "terminal"))
            continue
        named = format_for(path)
        if named is None and explicit is None:
            fail(
                f"cannot tell the format of {path} from its extension; use --format or one of "
                ".json, .sarif, .xml (JUnit), .html, .md, .txt"
            )
        if named is not None and explicit is not None and not allows(named, explicit.value):
            fail(
                f"{path} names the {named} format, but --format says {explicit.value}; "
                "give each output file the extension of its format"
            )
        targets.append((path, explicit.value if explicit else named or "terminal"))
    return targets


def _text(
    report: Report, name: str, history: tuple[tuple[str, float], ...] = (), **flags: bool
) -> str:
    """The report rendered as text in format `name` (`history`: the HTML trend line)."""
    if name == "terminal":
        import io

        from readycheck.renderers import terminal

        buffer = io.StringIO()
        terminal.render(report, terminal.text_console(buffer, 100), **flags)
        return buffer.getvalue()
    if name == "html" and history:
        from readycheck.renderers import html

        return html.render(report, history)
    from readycheck.renderers import renderer

    return renderer(name)(report)
