"""`--select` and `--ignore`: which rules one scan evaluates, chosen on the command line.

As in ruff and semgrep, a selector is a rule id or a prefix of one (`RC-SEC-001`,
`RC-SEC`, `RC-LLM`), compared without regard to case; a pillar's name (`security`,
`human_in_the_loop`, `hygiene`) selects every rule of that pillar. `--select` keeps only
the rules some selector names, `--ignore` then drops those any selector names. A
selector that names no rule is a mistake in what the user typed: exit 2, with the
closest id. The report says how many rules were left out, since the score of a
selection cannot be compared with the score of a full scan.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import json
from collections.abc import Sequence

from readycheck.errors import ConfigError
from readycheck.model import Pillar, Rule
from readycheck.rulebook import Rulebook

_PILLARS = {pillar.value: pillar for pillar in Pillar} | {"hitl": Pillar.HUMAN_IN_THE_LOOP}


def selectors(values: Sequence[str]) -> tuple[str, ...]:
    """The selectors given, split at commas (`--select RC-SEC,RC-DATA-001` is two)."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def _names(rule: Rule, selector: str) -> bool:
    pillar = _PILLARS.get(selector.lower().replace("-", "_"))
    if pillar is not None:
        return rule.pillar is pillar
    return rule.id.upper().startswith(selector.upper())


def _check(rulebook: Rulebook, option: str, chosen: Sequence[str]) -> None:
    ids = [rule.id for rule in rulebook.rules]
    for selector in chosen:
        if not any(_names(rule, selector) for rule in rulebook.rules):
            close = difflib.get_close_matches(selector.upper(), ids, n=1, cutoff=0.5)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise ConfigError(
                f"{option} {selector}: no rule has this id or prefix, and no pillar this name"
                f"{hint} (pillars: {', '.join(sorted(_PILLARS))})"
            )


def apply(rulebook: Rulebook, select: Sequence[str], ignore: Sequence[str]) -> Rulebook:
    """The rulebook with only the selected rules, less the ignored ones."""
    if not select and not ignore:
        return rulebook
    _check(rulebook, "--select", select)
    _check(rulebook, "--ignore", ignore)
    kept = tuple(
        rule
        for rule in rulebook.rules
        if (not select or any(_names(rule, s) for s in select))
        and not any(_names(rule, s) for s in ignore)
    )
    digest = hashlib.sha256(
        (rulebook.digest + json.dumps([list(select), list(ignore)])).encode()
    ).hexdigest()[:16]
    return dataclasses.replace(rulebook, rules=kept, digest=digest)
