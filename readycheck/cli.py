"""The command line: the only module that knows about typer, options and exit codes.

Exit codes: 0 the scan ran (and the gate, if any, passed); 1 the gate
failed; 2 a usage, configuration or rulebook error, or an output that cannot be
written; 130 interrupted (Ctrl-C). Heavy modules are imported inside the commands
so `readycheck --version` and `--help` stay fast.
"""

from __future__ import annotations

import contextlib
import enum
import os
import re
import signal
import stat
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TextIO

import typer

from readycheck import __version__, cli_fleet
from readycheck.cli_options import CacheDirOption, JobsOption, NoCacheOption

if TYPE_CHECKING:
    from readycheck.model import Pillar, Report
    from readycheck.pipeline import ScanOptions
    from readycheck.rulebook import Rulebook


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

EXIT_OK, EXIT_GATE_FAILED, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130

# Options shared by the commands that scan (`scan`, `baseline create`).
RulebookOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--rulebook",
        metavar="PATH",
        help="Use these rulebook files or folders instead of the built-in one.",
        exists=True,
    ),
]
ExcludeOption = Annotated[
    list[str] | None,
    typer.Option(
        "--exclude",
        "-x",
        metavar="PATTERN",
        help="Skip paths matching this gitignore-style pattern (repeatable).",
    ),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="Use this config file instead of the repository's .readycheck.yml / \\[tool.readycheck].",
        exists=True,
        dir_okay=False,
        rich_help_panel="Configuration",
    ),
]
NoConfigOption = Annotated[
    bool,
    typer.Option(
        "--no-config",
        help="Ignore the repository's own config file.",
        rich_help_panel="Configuration",
    ),
]
NoInlineIgnoresOption = Annotated[
    bool,
    typer.Option(
        "--no-inline-ignores",
        help="Disregard `# readycheck: ignore[...]` comments; honour only the config's suppressions.",
        rich_help_panel="Configuration",
    ),
]


class SeverityChoice(enum.StrEnum):
    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"


class ListFormat(enum.StrEnum):
    table = "table"
    json = "json"


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
        with _standard_output("the version"):
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
    typer.secho(f"readycheck: error: {inert(message)}", err=True, fg=typer.colors.RED)
    raise typer.Exit(EXIT_ERROR)


def inert(message: str) -> str:
    """A message for standard error that may quote the scanned repository (its config,
    another repository's report): its escapes shown, not run, and in GitHub Actions its
    `##[command]` too (the runner obeys one anywhere in a line)."""
    from readycheck.renderers.terminal import safe

    text = safe(message)
    return text.replace(_LEGACY_COMMAND, "#\\x23[") if _in_actions() else text


#: The runner's older workflow command syntax, `##[name]data`, which it obeys wherever a
#: line holds it (the newer `::name::data` only at the start of a line).
_LEGACY_COMMAND = "##["


def _in_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


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
        _fail("--fail-on-weaker-gate compares the gate with that of a base: give --since REF")
    try:
        # Before the scan, so a wrong output name costs nothing.
        targets = _output_targets(output or [], output_format)
        files = [target for target, _ in targets if target != _STDOUT]
        _check_destinations(files, path, "the report")
        try:
            options = _scan_options(
                path, rulebook, exclude, max_file_size, config, no_config, no_inline_ignores,
                fail_under, fail_on, min_pillar, baseline, since, fail_on_weaker_gate,
            )  # fmt: skip
            options = _with_performance(options, cache_dir, no_cache, jobs)
            bar = progress.Bar() if progress.wanted() and not quiet else None
            with _interruptible():
                report = run_scan(options, progress=bar)
            points = _score_history(history, report) if history is not None else ()
        except ReadycheckError as error:
            _fail(str(error))
        for target, name in targets:
            if target != _STDOUT:
                text = _text(report, name, points, verbose=verbose, show_passed=show_passed)
                _write(target, text, "the report", scanned=path)
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
            with _standard_output("the report"):
                _print_report(
                    report, stdout_format, points, verbose=verbose, show_passed=show_passed
                )
    except KeyboardInterrupt:
        _interrupted()
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
    character references (`_inert_markup`)."""
    from readycheck.renderers import github

    actions = _in_actions() and not _stdout_is_file()
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
                text = text.replace(_LEGACY_COMMAND, "#\\u0023[")
            elif actions and stdout_format in ("junit", "html"):
                text = _inert_markup(text)
            sys.stdout.write(text)
    finally:
        if fence is not None:  # even when cut short: the runner must not stay stopped
            with contextlib.suppress(OSError):
                sys.stdout.write(fence[1])
    if _in_actions() and report.gate is not None and stdout_format != "github":  # already written
        stream = sys.stdout if stdout_format == "terminal" or fence is not None else sys.stderr
        _annotate(_text(report, "github"), stream)


#: A line the runner would read as a command: `::` after blanks at its start.
_COMMAND_LINE = re.compile(r"(?m)^([ \t]*)::")


def _inert_markup(text: str) -> str:
    """JUnit XML and HTML on standard output in Actions: like JSON, they must stay
    parseable, so they are not fenced; a `:` that would start a command line and the `#`
    of `##[` are written as character references, the same text to any XML or HTML
    reader. (readycheck's own pages put no `::` at a line start in their style or script,
    where references are not decoded; a test keeps it so.)"""
    text = _COMMAND_LINE.sub(lambda m: m.group(1) + "&#58;:", text)
    return text.replace(_LEGACY_COMMAND, "#&#35;[")


def _stdout_is_file() -> bool:
    try:
        return stat.S_ISREG(os.fstat(sys.stdout.fileno()).st_mode)
    except (OSError, ValueError):
        return False


@contextlib.contextmanager
def _standard_output(what: str) -> Iterator[None]:
    """Write `what` to standard output. A closed pipe (`| head`) ends it quietly, and the
    command goes on to its exit code; any other write error (a full disk, a stream that
    is gone) is one line and exit code 2."""
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
    except OSError as error:
        _silence_stdout()
        _fail(f"cannot write {what} to standard output: {error.strerror or error}")


def _silence_stdout() -> None:
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
def _interruptible() -> Iterator[None]:
    """Let Ctrl-C stop a scan at once and quietly.

    Ctrl-C reaches the whole process group, the scan's worker processes included (see
    readycheck/runner.py). Left alone, each worker prints its own traceback, and the pool
    keeps running the queued files before it lets go. Here the workers, forked with this
    handler, ignore the signal, and the parent stops them before it raises
    KeyboardInterrupt, which the command turns into one line and exit code 130."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers belong to the main thread
        return
    parent = os.getpid()

    def interrupt(signum: int, frame: object) -> None:
        if os.getpid() != parent:
            return  # a worker: the parent stops it
        import multiprocessing

        for child in multiprocessing.active_children():
            child.terminate()
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)


def _interrupted() -> NoReturn:
    with contextlib.suppress(OSError):
        typer.echo("readycheck: interrupted", err=True)
    raise typer.Exit(EXIT_INTERRUPTED)


def _annotate(annotations: str, stream: TextIO) -> None:
    """GitHub Actions annotations, which the runner reads from stdout and stderr alike:
    beside a terminal (or fenced Markdown) report on stdout, or on stderr when stdout
    carries a JSON, SARIF, JUnit or Markdown report that must stay parseable."""
    if not annotations:
        return
    stream.write(annotations if annotations.endswith("\n") else annotations + "\n")


def _scan_options(
    path: Path,
    rulebook: list[Path] | None,
    exclude: list[str] | None,
    max_file_size: int | None,
    config: Path | None,
    no_config: bool,
    no_inline_ignores: bool,
    fail_under: float | None,
    fail_on: SeverityChoice | None,
    min_pillar: list[str] | None,
    baseline: Path | None,
    since: str | None,
    fail_on_weaker_gate: bool = False,
) -> ScanOptions:
    from readycheck.gate import GateOptions
    from readycheck.model import Severity
    from readycheck.pipeline import ScanOptions

    return ScanOptions(
        path=path,
        rulebook_paths=tuple(rulebook or ()),
        config_path=config,
        use_repository_config=not no_config,
        max_file_size=max_file_size,
        exclude=tuple(exclude or ()),
        inline_ignores=False if no_inline_ignores else None,
        baseline=baseline,
        since=since,
        gate=GateOptions(
            fail_under=fail_under,
            fail_on=Severity(fail_on.value) if fail_on else None,
            min_pillar=_pillar_minimums(min_pillar or []),
            fail_on_weaker_gate=fail_on_weaker_gate,
        ),
    )


def _pillar_minimums(values: list[str]) -> dict[Pillar, float]:
    from readycheck.errors import ConfigError
    from readycheck.model import Pillar

    minimums = {}
    names = ", ".join(p.value for p in Pillar)
    for value in values:
        name, _, number = value.partition("=")
        try:
            pillar = Pillar(name.strip().lower().replace("-", "_"))
            minimum = float(number)
        except ValueError:
            raise ConfigError(
                f"expected PILLAR=SCORE with PILLAR one of {names}, got {value!r}",
                field="--min-pillar",
            ) from None
        if not 0 <= minimum <= 100:
            raise ConfigError(
                f"a minimum score is between 0 and 100, got {number}", field="--min-pillar"
            )
        minimums[pillar] = minimum
    return minimums


def _with_performance(
    options: ScanOptions, cache_dir: Path | None, no_cache: bool, jobs: int | None
) -> ScanOptions:
    """Add the cache folder and the worker count, which only the command line sets."""
    import dataclasses

    from readycheck import cache, runner

    return dataclasses.replace(
        options,
        cache_dir=None if no_cache else (cache_dir or cache.default_dir()),
        workers=jobs or runner.default_workers(),
    )


baseline_app = typer.Typer(
    help="Record today's findings, so a gate fails only on new ones.", no_args_is_help=True
)
app.add_typer(baseline_app, name="baseline")


@baseline_app.command("create")
def baseline_create(
    path: Annotated[Path, typer.Argument(help="Folder to scan.")] = Path("."),
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Baseline file to write \\[default: PATH/.readycheck-baseline.json].",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    rulebook: RulebookOption = None,
    exclude: ExcludeOption = None,
    config: ConfigOption = None,
    no_config: NoConfigOption = False,
    no_inline_ignores: NoInlineIgnoresOption = False,
    cache_dir: CacheDirOption = None,
    no_cache: NoCacheOption = False,
    jobs: JobsOption = None,
) -> None:
    """Write a baseline of every current (unsuppressed) finding, keyed by stable fingerprints.

    Commit the file, then gate with `readycheck scan --baseline FILE --fail-on high`: findings
    already in the baseline no longer fail the gate, findings fixed since are reported. Give it
    the same --exclude, --config and --no-inline-ignores as the gate, so both see the same
    findings.
    """
    from readycheck import baseline as baseline_module
    from readycheck.errors import ReadycheckError
    from readycheck.pipeline import scan as run_scan

    target = output or path / baseline_module.DEFAULT_NAME
    try:
        _check_destinations([target], path, "the baseline")
        try:
            options = _scan_options(
                path, rulebook, exclude, None, config, no_config, no_inline_ignores,
                None, None, None, None, None,
            )  # fmt: skip
            with _interruptible():
                report = run_scan(_with_performance(options, cache_dir, no_cache, jobs))
        except ReadycheckError as error:
            _fail(str(error))
        _write(target, baseline_module.to_json(report), "the baseline", scanned=path)
    except KeyboardInterrupt:
        _interrupted()
    count = sum(1 for f in report.findings if f.suppression is None)
    with _standard_output("the summary"):
        typer.echo(f"Wrote {count} finding{'s' if count != 1 else ''} to {target}")


@app.command()
def init(
    path: Annotated[
        Path, typer.Argument(help="Repository root to write .readycheck.yml into.")
    ] = Path("."),
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite an existing config file.")
    ] = False,
) -> None:
    """Write a commented starter configuration (.readycheck.yml)."""
    from readycheck.config import STARTER

    target = path / ".readycheck.yml"
    if os.path.lexists(target) and not force:  # a symlink, even a broken one, is replaced
        _fail(f"{target} already exists; use --force to overwrite it")
    if not path.is_dir():
        _fail(f"{path} is not a folder")
    _write(target, STARTER, "the config file", scanned=path)
    with _standard_output("the summary"):
        typer.echo(f"Wrote {target}. Edit it, then run `readycheck scan {path}`.")


rules_app = typer.Typer(help="Browse the rulebook.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")

cache_app = typer.Typer(help="The cache of per-file analyses.", no_args_is_help=True)
app.add_typer(cache_app, name="cache")


@cache_app.command("clean")
def cache_clean(cache_dir: CacheDirOption = None) -> None:
    """Delete the cache of per-file analyses; the next scan analyses every file again."""
    from readycheck import cache

    directory = cache_dir or cache.default_dir()
    try:
        removed = cache.clear(directory)
    except cache.CacheInUse as busy:
        _fail(f"the cache {busy} is in use by a running scan; clean it when the scan ends")
    with _standard_output("the summary"):
        typer.echo(f"removed {removed} cache file{'s' if removed != 1 else ''} from {directory}")


@rules_app.command("list")
def rules_list(
    pillar: Annotated[
        list[str] | None,
        typer.Option(
            "--pillar", "-p", help="Only rules of this pillar (repeatable).", metavar="PILLAR"
        ),
    ] = None,
    severity: Annotated[
        SeverityChoice | None,
        typer.Option(
            "--severity", "-s", help="Only rules at or above this severity.", case_sensitive=False
        ),
    ] = None,
    rulebook: Annotated[
        list[Path] | None,
        typer.Option(
            "--rulebook", help="Rulebook files or folders to list.", exists=True, metavar="PATH"
        ),
    ] = None,
    list_format: Annotated[
        ListFormat,
        typer.Option(
            "--format", "-f", help="table for people, json for tools.", case_sensitive=False
        ),
    ] = "table",  # type: ignore[assignment]
) -> None:
    """List the rules: id, pillar, type, severity, confidence and title."""
    from rich.table import Table

    from readycheck.model import Pillar, Severity
    from readycheck.renderers.terminal import console

    loaded = _load_rulebook(rulebook)
    try:
        pillars = {Pillar(p.lower().replace("-", "_")) for p in pillar or []}
    except ValueError:
        _fail(f"unknown pillar; expected one of {', '.join(p.value for p in Pillar)}")
    minimum = Severity(severity.value).rank if severity else 0
    chosen = [
        rule
        for rule in loaded.rules
        if (not pillars or rule.pillar in pillars) and rule.severity.rank >= minimum
    ]
    if list_format == ListFormat.json:
        import json

        rows = [
            {
                "id": rule.id, "title": rule.title, "pillar": rule.pillar.value,
                "type": rule.type.value, "severity": rule.severity.value,
                "weight": rule.weight, "confidence": rule.confidence.value,
                "kinds": sorted(rule.kinds) if rule.kinds is not None else None,
                "capability": rule.capability, "forms": list(rule.forms),
            }
            for rule in chosen
        ]  # fmt: skip
        document = {"rulebook": loaded.version, "rules": rows}
        with _standard_output("the rules"):
            sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        return
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("id", "pillar", "type", "severity", "confidence", "title"):
        table.add_column(column, no_wrap=column != "title")
    for rule in chosen:
        table.add_row(
            rule.id, rule.pillar.short, rule.type.value, rule.severity.value,
            rule.confidence.value, rule.title,
        )  # fmt: skip
    shown = len(chosen)
    with _standard_output("the rules"):
        out = console()
        out.print(table)
        out.print(f"[dim]{shown} of {len(loaded.rules)} rules · rulebook {loaded.version}[/dim]")


@rules_app.command("show")
def rules_show(
    rule_id: Annotated[str, typer.Argument(help="Rule id, e.g. RC-SEC-002.", metavar="ID")],
    rulebook: Annotated[
        list[Path] | None,
        typer.Option("--rulebook", help="Rulebook files or folders.", exists=True, metavar="PATH"),
    ] = None,
) -> None:
    """Show one rule in full: why it matters, how to fix it, its check and references."""
    from rich.markdown import Markdown

    from readycheck.renderers.terminal import console
    from readycheck.rulesdoc import rule_markdown

    loaded = _load_rulebook(rulebook)
    rule = loaded.rule(rule_id.upper())
    if rule is None:
        import difflib

        close = difflib.get_close_matches(rule_id.upper(), [r.id for r in loaded.rules], n=3)
        hint = (
            f"; did you mean {', '.join(close)}?"
            if close
            else "; `readycheck rules list` lists them"
        )
        _fail(f"no rule {rule_id}{hint}")
    with _standard_output("the rule"):
        console().print(Markdown(rule_markdown(rule, heading="#")))


@rules_app.command("docs")
def rules_docs(
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write here instead of standard output.",
            dir_okay=False,
            metavar="FILE",
        ),
    ] = None,
) -> None:
    """Print the rulebook as Markdown (this is how docs/rules.md is generated)."""
    from readycheck.rulesdoc import rulebook_markdown

    text = rulebook_markdown(_load_rulebook(None))
    if output:
        _write(output, text, "the rule docs")
    else:
        with _standard_output("the rule docs"):
            sys.stdout.write(text)


def _load_rulebook(paths: list[Path] | None) -> Rulebook:
    from readycheck.errors import ReadycheckError
    from readycheck.rulebook import load_rulebook

    try:
        return load_rulebook(paths or None)
    except ReadycheckError as error:
        _fail(str(error))


_STDOUT = Path("-")


def _output_targets(paths: list[Path], explicit: OutputFormat | None) -> list[tuple[Path, str]]:
    """Each -o file with its format, from its extension; `-` is standard output, in the
    --format's format. --format must agree with every extension it meets: nothing given
    on the command line is silently ignored."""
    from readycheck.renderers import format_for

    targets = []
    for path in paths:
        if path == _STDOUT:
            targets.append((path, explicit.value if explicit else "terminal"))
            continue
        named = format_for(path)
        if named is None and explicit is None:
            _fail(
                f"cannot tell the format of {path} from its extension; use --format or one of "
                ".json, .sarif, .xml (JUnit), .html, .md, .txt"
            )
        if named is not None and explicit is not None and named != explicit.value:
            _fail(
                f"{path} names the {named} format, but --format says {explicit.value}; "
                "give each output file the extension of its format"
            )
        targets.append((path, named or (explicit.value if explicit else "terminal")))
    return targets


def _text(
    report: Report, name: str, history: tuple[tuple[str, float], ...] = (), **flags: bool
) -> str:
    """The report rendered as text in format `name` (`history`: the HTML trend line)."""
    if name == "terminal":
        import io

        from rich.console import Console

        from readycheck.renderers import terminal

        buffer = io.StringIO()
        terminal.render(
            report, Console(file=buffer, width=100, no_color=True, highlight=False), **flags
        )
        return buffer.getvalue()
    if name == "html" and history:
        from readycheck.renderers import html

        return html.render(report, history)
    from readycheck.renderers import renderer

    return renderer(name)(report)


def _check_destinations(paths: list[Path], scanned: Path, what: str) -> None:
    """Refuse, before the scan, a file name that would overwrite one of the scanned files."""
    from readycheck.outputs import OutputError, check_destination

    for path in paths:
        try:
            check_destination(path, scanned, what)
        except OutputError as error:
            _fail(str(error))


def _write(path: Path, text: str, what: str, scanned: Path | None = None) -> None:
    """Write a file the user named, atomically and never through a symlink (see
    readycheck/outputs.py); any failure is one line and exit code 2."""
    from readycheck.outputs import OutputError, write_text

    try:
        write_text(path, text, what, scanned)
    except OutputError as error:
        _fail(str(error))


cli_fleet.register(app)  # `portfolio` and `trend`, kept in their own module


def main() -> None:
    """Console-script entry point: run the app, turning any unexpected error into exit code 2."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:
        _silence_stdout()
        sys.exit(0)
    except SystemExit as done:
        # What is still buffered is written now, while a failure can still be reported.
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            _silence_stdout()
        except OSError as error:
            _silence_stdout()
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
