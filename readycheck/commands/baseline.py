"""`readycheck baseline create`: record a repository's current findings, so that a gate
(`readycheck scan --baseline FILE`) fails only on new ones.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from readycheck.commands._options import (
    CacheDirOption,
    ConfigOption,
    ExcludeOption,
    JobsOption,
    NoCacheOption,
    NoConfigOption,
    NoInlineIgnoresOption,
    RulebookOption,
    scan_options,
    with_performance,
)
from readycheck.commands._output import (
    check_destinations,
    fail,
    interrupted,
    interruptible,
    standard_output,
    write_file,
)

baseline_app = typer.Typer(
    help="Record today's findings, so a gate fails only on new ones.", no_args_is_help=True
)


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
        check_destinations([target], path, "the baseline")
        try:
            options = scan_options(
                path, rulebook, exclude, None, config, no_config, no_inline_ignores,
                None, None, None, None, None,
            )  # fmt: skip
            with interruptible():
                report = run_scan(with_performance(options, cache_dir, no_cache, jobs))
        except ReadycheckError as error:
            fail(str(error))
        write_file(target, baseline_module.to_json(report), "the baseline", scanned=path)
    except KeyboardInterrupt:
        interrupted()
    count = sum(1 for f in report.findings if f.suppression is None)
    with standard_output("the summary"):
        typer.echo(f"Wrote {count} finding{'s' if count != 1 else ''} to {target}")
