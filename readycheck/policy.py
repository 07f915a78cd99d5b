"""Did this change weaken its own gate? The config at the base of a diff-aware scan.

A repository's `.readycheck.yml` is repository content, so a pull request can lower
`fail_under`, switch `fail_on` off, disable a rule or add suppressions in the same
change that adds the findings they hide. With `--since REF`, the config the scan uses
is read as it was at the merge base of REF and HEAD (through `git show`, read-only)
and compared setting by setting. Every difference is reported, each saying whether it
weakens the gate, and `--fail-on-weaker-gate` makes a weakening fail it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from readycheck.config import CONFIG_NAMES, Config, ConfigSuppression, parse_config
from readycheck.errors import ReadycheckError
from readycheck.model import Pillar, PolicyChange, RuleResult, Severity
from readycheck.parsers.git import GitInfo

#: A pyproject.toml holds a config only with a [tool.readycheck] table.
_TOOL_TABLE = re.compile(r"^\s*\[+\s*tool\s*\.\s*readycheck\b", re.MULTILINE)


@dataclass(frozen=True)
class _Before:
    """The config as it was at the base: `config` None when there was none there."""

    config: Config | None
    path: str | None


def changes(
    git: GitInfo | None, base: str, now: Config, results: Iterable[RuleResult]
) -> tuple[PolicyChange, ...]:
    """How the gate settings and suppressions at `base` differ from those in force now,
    plus the inline suppressions the change adds on its changed lines."""
    if git is None:
        return ()
    before = _config_at(git, base, now)
    if before is None:
        return ()
    old = before.config or Config()
    where = now.source or before.path
    differences = [*_gate(old, now), *_rules(old, now), *_suppressions(old, now)]
    found = [PolicyChange(text, weakens, where) for text, weakens in differences]
    inline = sum(
        1
        for result in results
        for finding in result.findings
        if finding.suppression is not None
        and finding.suppression.source == "inline"
        and finding.in_change
    )
    if inline:
        where_inline = "inline comments on changed lines"
        plural = "s" if inline > 1 else ""
        found.append(PolicyChange(f"adds {inline} inline suppression{plural}", True, where_inline))
    return tuple(found)


def _config_at(git: GitInfo, base: str, now: Config) -> _Before | None:
    """The scan's config as it was at `base`; None when the config in force is not the
    repository's own (a `--config` outside it, or nothing to compare)."""
    root = git.root.resolve()
    if now.source is not None:
        current = Path(now.source).resolve()
        if not current.is_relative_to(root):
            return None  # a config the person running the scan chose: not part of the change
        candidates = [current.relative_to(root).as_posix()]
    else:
        folder = Path(git.subpath)
        candidates = [(folder / name).as_posix() for name in (*CONFIG_NAMES, "pyproject.toml")]
    for relative in candidates:
        try:
            text = git.repo.git.show(f"{base}:{relative}")
        except Exception:
            continue  # not there at the base
        if relative.endswith(".toml") and not _TOOL_TABLE.search(text):
            continue
        loaded = _load(text, relative, base)
        if loaded is None:
            return None  # a base config that does not load: nothing to compare with
        return _Before(loaded, relative)
    return _Before(None, None)


def _load(text: str, relative: str, base: str) -> Config | None:
    """Parse the base's config text the way the scan parses its own; None when it does not
    load (nothing to compare with)."""
    try:
        return parse_config(text, f"{base[:10]}:{relative}", toml=relative.endswith(".toml"))
    except ReadycheckError:
        return None


def _gate(old: Config, new: Config) -> Iterable[tuple[str, bool]]:
    if old.fail_under != new.fail_under:
        if new.fail_under is None:
            yield f"removes fail_under (was {old.fail_under:g})", True
        elif old.fail_under is None:
            yield f"sets fail_under to {new.fail_under:g}", False
        else:
            weaker = new.fail_under < old.fail_under
            verb = "lowers" if weaker else "raises"
            yield f"{verb} fail_under from {old.fail_under:g} to {new.fail_under:g}", weaker
    if old.fail_on != new.fail_on:
        yield _severity_change("fail_on", old.fail_on, new.fail_on)
    for pillar in Pillar:
        before, after = old.min_pillar.get(pillar), new.min_pillar.get(pillar)
        if before == after:
            continue
        name = f"min_pillar.{pillar.value}"
        if after is None:
            yield f"removes {name} (was {before:g})", True
        elif before is None:
            yield f"sets {name} to {after:g}", False
        else:
            verb = "lowers" if after < before else "raises"
            yield f"{verb} {name} from {before:g} to {after:g}", after < before
    if old.baseline != new.baseline:
        yield f"changes the baseline file from {old.baseline} to {new.baseline}", True
    if old.inline_ignores is False and new.inline_ignores is not False:
        yield "turns inline suppressions back on", True
    added = sorted(set(new.exclude) - set(old.exclude))
    if added:
        yield (
            f"excludes {len(added)} more path pattern{'s' if len(added) > 1 else ''} from the scan ({', '.join(added)})",
            True,
        )
    if old.kind != new.kind:
        yield (
            f"declares the repository kind {new.kind or 'inferred'} (was {old.kind or 'inferred'})",
            True,
        )


def _severity_change(
    name: str, before: Severity | None, after: Severity | None
) -> tuple[str, bool]:
    if after is None:
        return f"removes {name} (was {before.value if before else 'unset'})", True
    if before is None:
        return f"sets {name} to {after.value}", False
    weaker = after.rank > before.rank  # fails on fewer findings
    return f"changes {name} from {before.value} to {after.value}", weaker


def _rules(old: Config, new: Config) -> Iterable[tuple[str, bool]]:
    disabled = sorted(set(new.disable) - set(old.disable))
    if disabled:
        yield f"disables {', '.join(disabled)}", True
    enabled = sorted(set(old.disable) - set(new.disable))
    if enabled:
        yield f"enables {', '.join(enabled)} again", False
    for rule_id in sorted(set(old.severity) | set(new.severity)):
        before, after = old.severity.get(rule_id), new.severity.get(rule_id)
        if before == after:
            continue
        if after is None:
            yield (
                f"gives {rule_id} its own severity again (was {before.value if before else ''})",
                False,
            )
        elif before is None:
            # the rule's own severity is the rulebook's; medium or low rarely raises it
            yield f"sets {rule_id}'s severity to {after.value}", after.rank <= Severity.MEDIUM.rank
        elif after.rank < before.rank:
            yield f"lowers {rule_id}'s severity from {before.value} to {after.value}", True
        else:
            yield f"raises {rule_id}'s severity from {before.value} to {after.value}", False
    for rule_id in sorted(set(old.params) | set(new.params)):
        if old.params.get(rule_id) != new.params.get(rule_id):
            yield f"changes {rule_id}'s parameters", True


def _suppressions(old: Config, new: Config) -> Iterable[tuple[str, bool]]:
    def key(item: ConfigSuppression) -> tuple[str, str | None, str | None]:
        return (item.rule, item.path, item.until)

    before = {key(s) for s in old.suppressions}
    after = {key(s) for s in new.suppressions}
    added, removed = len(after - before), len(before - after)
    if added:
        yield f"adds {added} suppression{'s' if added > 1 else ''}", True
    if removed:
        yield f"removes {removed} suppression{'s' if removed > 1 else ''}", False
