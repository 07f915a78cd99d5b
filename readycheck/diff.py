"""Diff-aware scanning: which files and lines changed since a git reference.

Compares the working tree with the merge base of REF and HEAD, as a pull
request does, so `--since origin/main` works in a GitHub Actions checkout once
the base branch is fetched. Only read-only git commands run, with external
diff drivers and textconv filters disabled: the repository is untrusted.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass

from readycheck.errors import ConfigError
from readycheck.model import Finding, RuleResult
from readycheck.parsers.git import GitInfo

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


@dataclass(frozen=True)
class Changes:
    """Changed lines per path (relative to the scanned folder); None means the whole file."""

    lines: dict[str, set[int] | None]

    def touches(self, finding: Finding) -> bool:
        if finding.location is None:
            return False  # repository-wide findings describe the state before the change too
        changed = self.lines.get(finding.location.path, ...)
        if changed is ...:
            return False
        if changed is None:
            return True
        line = finding.location.physical_line
        return line is None or line in changed


def changes_since(git: GitInfo | None, ref: str) -> Changes:
    git = _required(git, ref)
    base = merge_base(git, ref)
    repo = git.repo
    diff = repo.git.diff(
        base, "--unified=0", "--no-color", "--no-ext-diff", "--no-textconv", "--relative"
    )
    lines = _parse_diff(diff)
    untracked = repo.git.ls_files("--others", "--exclude-standard")
    for path in untracked.splitlines():
        lines[path] = None
    prefix = f"{git.subpath}/" if git.subpath else ""
    scoped = {
        path[len(prefix) :]: changed for path, changed in lines.items() if path.startswith(prefix)
    }
    return Changes(scoped)


def _required(git: GitInfo | None, ref: str) -> GitInfo:
    if git is None:
        raise ConfigError(
            f"--since {ref} needs a git repository, and the scanned folder is not in one"
        )
    return git


def merge_base(git: GitInfo | None, ref: str) -> str:
    """The commit a pull request from HEAD into `ref` would be compared with."""
    repo = _required(git, ref).repo
    try:
        repo.git.rev_parse("--verify", "--quiet", f"{ref}^{{commit}}")
    except Exception:
        raise ConfigError(
            f"unknown git reference {ref!r}: fetch it first (in GitHub Actions, "
            "actions/checkout with fetch-depth: 0)",
            field="--since",
        ) from None
    try:
        base = repo.git.merge_base(ref, "HEAD").strip()
    except Exception:
        shallow = " in this shallow clone" if _required(git, ref).shallow else ""
        raise ConfigError(
            f"{ref!r} and HEAD have no common ancestor{shallow}, so there is no base to "
            "compare with: fetch more history (in GitHub Actions, actions/checkout with "
            "fetch-depth: 0)",
            field="--since",
        ) from None
    return str(base)


def _parse_diff(diff: str) -> dict[str, set[int] | None]:
    lines: dict[str, set[int] | None] = {}
    current: str | None = None
    for line in diff.splitlines():
        if line.startswith("+++ "):
            target = line[4:].strip()
            current = None if target == "/dev/null" else target.removeprefix("b/")
            if current is not None:
                lines.setdefault(current, set())
        elif current is not None and (hunk := _HUNK.match(line)):
            start, count = int(hunk.group(1)), int(hunk.group(2) or 1)
            changed = lines[current]
            if changed is not None:
                changed.update(range(start, start + count))
    return lines


def mark(results: Iterable[RuleResult], changes: Changes) -> list[RuleResult]:
    return [
        dataclasses.replace(
            result,
            findings=tuple(
                dataclasses.replace(f, in_change=changes.touches(f)) for f in result.findings
            ),
        )
        for result in results
    ]
