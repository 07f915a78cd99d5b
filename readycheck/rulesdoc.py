"""The rulebook as documentation: docs/rules.md, and the text of `readycheck rules show`.

docs/rules.md is generated from the rulebook (`readycheck rules docs -o docs/rules.md`), and a
test fails when it is stale, so the documentation can never drift from the rules.
"""

from __future__ import annotations

import json
from typing import Any

from readycheck.model import AllOf, AnyOf, Check, DetectorCall, FactCheck, Pillar, Rule
from readycheck.rulebook import Rulebook


def describe_check(check: Check, indent: str = "") -> list[str]:
    """A readable outline of a check: detectors, what they expect, and their parameters."""
    if isinstance(check, AnyOf | AllOf):
        word = "any of" if isinstance(check, AnyOf) else "all of"
        lines = [f"{indent}{word}:"]
        for child in check.checks:
            lines.extend(describe_check(child, indent + "  "))
        return lines
    if isinstance(check, FactCheck):
        return [f"{indent}- the fact `{check.fact}` holds"]
    return [f"{indent}- {_call(check)}"]


def _call(call: DetectorCall) -> str:
    params = ", ".join(f"{key}={_value(value)}" for key, value in call.raw_params)
    scope = []
    if call.kinds:
        scope.append("kinds " + "/".join(sorted(k.value for k in call.kinds)))
    if call.roles:
        scope.append("in " + "/".join(sorted(r.value for r in call.roles)))
    if call.paths:
        scope.append("paths " + ", ".join(call.paths))
    where = f" [{'; '.join(scope)}]" if scope else ""
    # Parameters hold globs and patterns (`**/features/**/*.py`): a code span keeps their
    # asterisks and underscores from being read as emphasis, on GitHub and in the terminal.
    return f"`{call.detector}` expects {call.expect}{_code(where)}" + (
        f": {_code(params)}" if params else ""
    )


def _code(text: str) -> str:
    if not text:
        return text
    fence = "``" if "`" in text else "`"
    return f" {fence}{text.strip()}{fence}" if text.startswith(" ") else f"{fence}{text}{fence}"


def _value(value: Any) -> str:
    text = json.dumps(list(value) if isinstance(value, tuple) else value, ensure_ascii=False)
    return text if len(text) <= 160 else text[:157] + "…"


def _applies(rule: Rule) -> str:
    if not rule.applies_when.facts:
        return "always"
    joiner = " and " if rule.applies_when.mode == "all" else " or "
    return joiner.join(f"`{fact}`" for fact in rule.applies_when.facts)


def _scope(rule: Rule) -> str:
    """Which kinds of repository the rule judges, and what covers it instead."""
    parts = []
    if rule.kinds is not None:
        parts.append("judges " + ", ".join(sorted(rule.kinds)) + " repositories")
    if rule.covered_by:
        parts.append("covered by " + ", ".join(f"`{f}`" for f in rule.covered_by))
    if rule.requires:
        parts.append("requires " + ", ".join(rule.requires))
    return "".join(f"{part} · " for part in parts)


def rule_anchor(rule: Rule) -> str:
    """The anchor GitHub gives the rule's heading in docs/rules.md ("### RC-SEC-001: Title")."""
    anchor = f"{rule.id}-{rule.title}".lower()
    return "".join(c if c.isalnum() or c == "-" else "" for c in anchor.replace(" ", "-"))


def rule_markdown(rule: Rule, heading: str = "###") -> str:
    references = "\n".join(
        f"- [{ref.title}]({ref.url})" if ref.url else f"- {ref.title}" for ref in rule.references
    )
    check = "\n".join(describe_check(rule.check))
    capability = f"**What it asks for.** {rule.capability}\n\n" if rule.capability else ""
    forms = (
        "**Recognised forms.**\n\n" + "\n".join(f"- {form}" for form in rule.forms) + "\n\n"
        if rule.forms
        else ""
    )
    return (
        f"{heading} {rule.id}: {rule.title}\n\n"
        f"*{rule.pillar.title}* · {rule.type.value} · severity **{rule.severity.value}** "
        f"(weight {rule.weight:g}) · confidence {rule.confidence.value} · "
        f"{_scope(rule)}applies when {_applies(rule)}\n\n"
        f"{capability}"
        f"**What it finds.** {rule.problem}\n\n"
        f"**Why it matters.** {rule.why}\n\n"
        f"**How to fix it.** {rule.fix}\n\n"
        f"{forms}"
        f"**Check.**\n\n{check}\n\n"
        f"**References.**\n\n{references}\n"
    )


def rulebook_markdown(rulebook: Rulebook) -> str:
    parts = [
        "# The readycheck rulebook\n",
        f"Rulebook version {rulebook.version}, {len(rulebook.rules)} rules. "
        "This file is generated from `rules/*.yaml` by `readycheck rules docs -o docs/rules.md`; "
        "do not edit it by hand.\n",
        "## Applicability facts\n",
        "| fact | holds when | otherwise the rule is not applicable because |\n|---|---|---|",
    ]
    for fact in rulebook.facts.values():
        parts.append(f"| `{fact.name}` | {fact.description} | {fact.otherwise} |")
    parts.append("")
    for pillar in Pillar:
        rules = [r for r in rulebook.rules if r.pillar is pillar]
        if not rules:
            continue
        parts.append(f"## {pillar.title} ({len(rules)} rules)\n")
        parts.append("| id | title | severity | confidence |\n|---|---|---|---|")
        for rule in rules:
            parts.append(
                f"| [{rule.id}](#{rule_anchor(rule)}) | {rule.title} | {rule.severity.value} | {rule.confidence.value} |"
            )
        parts.append("")
        parts.extend(rule_markdown(rule) for rule in rules)
    return "\n".join(parts).rstrip() + "\n"
