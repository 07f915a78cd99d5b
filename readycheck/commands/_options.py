"""Command-line options more than one command takes, declared once so they read the
same in every `--help`, and the scan options that `scan` and `baseline create` build
from theirs."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from readycheck.model import Pillar
    from readycheck.pipeline import ScanOptions


class SeverityChoice(enum.StrEnum):
    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"


# The commands that scan (`scan`, `baseline create`).
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
SelectOption = Annotated[
    list[str] | None,
    typer.Option(
        "--select",
        metavar="RULES",
        help="Evaluate only these rules: ids, id prefixes (RC-SEC) or pillar names, "
        "comma-separated or repeated.",
    ),
]
IgnoreOption = Annotated[
    list[str] | None,
    typer.Option(
        "--ignore",
        metavar="RULES",
        help="Leave out these rules: ids, id prefixes or pillar names, as --select.",
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

# Every command that analyses files (`scan`, `baseline create`, `portfolio`, `trend`);
# `cache clean` takes --cache-dir too.
CacheDirOption = Annotated[
    Path | None,
    typer.Option(
        "--cache-dir",
        help="Keep the incremental cache here \\[default: ~/.cache/readycheck].",
        file_okay=False,
        show_default=False,
        rich_help_panel="Performance",
    ),
]
NoCacheOption = Annotated[
    bool,
    typer.Option(
        "--no-cache",
        help="Analyse every file again; read and write no cache.",
        rich_help_panel="Performance",
    ),
]
JobsOption = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        min=1,
        help="Worker processes \\[default: one per available core].",
        show_default=False,
        rich_help_panel="Performance",
    ),
]


# `portfolio` and `trend`.
class FleetFormat(enum.StrEnum):
    terminal = "terminal"
    html = "html"
    json = "json"
    markdown = "markdown"


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


def scan_options(
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
    select: list[str] | None = None,
    ignore: list[str] | None = None,
) -> ScanOptions:
    from readycheck.gate import GateOptions
    from readycheck.model import Severity
    from readycheck.pipeline import ScanOptions
    from readycheck.selection import selectors

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
        select=selectors(select or []),
        ignore=selectors(ignore or []),
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


def with_performance(
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
