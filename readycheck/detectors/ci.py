"""What CI actually does: the commands its jobs run and the actions they use.

A rule such as "CI runs the tests" must not pass on `# TODO: add pytest` or
`echo "run pytest later"`. This detector reads CI definitions as data: in YAML
(GitHub Actions, GitLab CI, Azure Pipelines, CircleCI, Bitbucket, CodeBuild,
Cloud Build, Travis) only the values of keys that hold commands or actions
(`run`, `script`, `commands`, `uses`, `task`, ...), and the hooks of a
pre-commit config; in other files (Jenkinsfile, Makefile, tox.ini, noxfile.py)
the lines that are not comments. In both, shell comments and `echo`/`printf` commands
are dropped before the pattern is matched.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from readycheck.detectors.base import REGEX, file_detector
from readycheck.detectors.manifests import line_of
from readycheck.detectors.patterns import Matcher
from readycheck.model import Evidence, FileKind, Location
from readycheck.workspace import SourceFile

#: Keys whose values are commands or the steps CI runs.
_COMMAND_KEYS = frozenset(
    {
        "run", "script", "before_script", "after_script", "commands", "command",
        "bash", "sh", "pwsh", "powershell", "inlineScript", "args", "entrypoint",
        "uses", "task", "image", "pipe", "install", "before_install",
    }
)  # fmt: skip
#: Keys that label a step rather than run it: `name: Run pytest` on a step that echoes.
_LABEL_KEYS = frozenset({"name", "displayName", "description", "label", "if", "when", "condition"})
_SEPARATORS = re.compile(r"&&|\|\||;")
#: In a Jenkinsfile, steps also follow braces: `stage('t') { steps { echo 'pytest' } }`.
_GROOVY_SEPARATORS = re.compile(r"&&|\|\||;|[{}]")
_SAYS = re.compile(r"(?:echo|printf|Write-(?:Host|Output))\b")
_COMMENT = re.compile(r"(?:^|\s)(?:#|//).*$")


@dataclass(frozen=True)
class CiStepParams:
    pattern: str = field(metadata=REGEX)
    label: str = "CI step"


def _commands(text: str, separators: re.Pattern[str] = _SEPARATORS) -> Iterator[str]:
    """The commands in a script, without comments and without what is only echoed."""
    for line in text.splitlines():
        code = _COMMENT.sub("", line).strip()
        for command in separators.split(code):
            command = command.strip()
            if command and _SAYS.match(command) is None:
                yield command


def _values(node: Any, under_command: bool = False) -> Iterator[tuple[str, int | None]]:
    """(text, line) for every string under a command key, however deep (lists of
    script lines, `run: {command: ...}`, `inputs: {command: build}`)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _LABEL_KEYS:
                continue
            if isinstance(value, str) and (under_command or key in _COMMAND_KEYS):
                yield value, line_of(node, key)
            else:
                yield from _values(value, under_command or key in _COMMAND_KEYS)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            if isinstance(item, str) and under_command:
                yield item, line_of(node, index)
            else:
                yield from _values(item, under_command)


def _pre_commit_hooks(document: Any) -> Iterator[tuple[str, int | None]]:
    """The hooks a pre-commit config runs: each repository and hook id."""
    repos = document.get("repos") if isinstance(document, dict) else None
    for repo in repos if isinstance(repos, list) else []:
        if not isinstance(repo, dict):
            continue
        if isinstance(repo.get("repo"), str):
            yield repo["repo"], line_of(repo, "repo")
        hooks = repo.get("hooks")
        for hook in hooks if isinstance(hooks, list) else []:
            if isinstance(hook, dict) and isinstance(hook.get("id"), str):
                yield hook["id"], line_of(hook, "id")


def _line_holding(source: SourceFile, start: int | None, command: str) -> int | None:
    """The line a command is on: a block scalar starts on the line after its key."""
    if start is None:
        return None
    for number in range(start, min(start + 200, len(source.lines)) + 1):
        if command in source.lines[number - 1]:
            return number
    return start


@file_detector(FileKind.YAML, FileKind.OTHER, FileKind.TOML, FileKind.PYTHON, params=CiStepParams)
def ci_step(source: SourceFile, params: CiStepParams) -> Iterator[Evidence]:
    """Commands and actions CI runs (not comments, not echoed text) matching a pattern."""
    regex = Matcher(params.pattern)
    if source.kind is FileKind.YAML:
        scripts = [
            found
            for document in source.documents
            for found in (*_values(document), *_pre_commit_hooks(document))
        ]
    else:
        scripts = [(line, number) for number, line in enumerate(source.lines, start=1)]
    separators = _SEPARATORS if source.kind is FileKind.YAML else _GROOVY_SEPARATORS
    for text, line in scripts:
        for command in _commands(text, separators):
            if regex.search(command):
                where = _line_holding(source, line, command)
                yield Evidence(Location(source.path, where), params.label, source.snippet(where))
                break
