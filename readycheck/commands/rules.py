"""`readycheck rules`: browse the rulebook. `list` lists the rules (a table, or JSON for
tools), `show` prints one in full, and `docs` writes the whole rulebook as Markdown
(docs/rules.md).
"""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from readycheck.commands._options import SeverityChoice
from readycheck.commands._output import fail, standard_output, write_file

if TYPE_CHECKING:
    from readycheck.rulebook import Rulebook


class ListFormat(enum.StrEnum):
    table = "table"
    json = "json"


rules_app = typer.Typer(help="Browse the rulebook.", no_args_is_help=True)


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
        fail(f"unknown pillar; expected one of {', '.join(p.value for p in Pillar)}")
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
        with standard_output("the rules"):
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
    with standard_output("the rules"):
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
        fail(f"no rule {rule_id}{hint}")
    with standard_output("the rule"):
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
        write_file(output, text, "the rule docs")
    else:
        with standard_output("the rule docs"):
            sys.stdout.write(text)


def _load_rulebook(paths: list[Path] | None) -> Rulebook:
    from readycheck.errors import ReadycheckError
    from readycheck.rulebook import load_rulebook

    try:
        return load_rulebook(paths or None)
    except ReadycheckError as error:
        fail(str(error))
