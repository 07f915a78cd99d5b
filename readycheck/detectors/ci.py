"""What CI actually does: which files define it, the commands its jobs run and the
actions they use.

A CI definition is recognised wherever a team keeps it, by the conventions of the
systems teams use (GitHub Actions, GitLab, Azure DevOps, Jenkins, CircleCI, Bitbucket,
CodeBuild, Cloud Build, Travis, Taskcluster, Drone, Woodpecker, Buildkite, Tekton,
GoCD, ...) and by its content where names are free (an Azure DevOps pipeline in
`.pipelines/train.yml`, a Cloud Build config in `build/model-deployment.yaml`).

A rule such as "CI runs the tests" must not pass on `# TODO: add pytest` or
`echo "run pytest later"`. `ci_step` reads CI definitions as data: in YAML only the
values of keys that hold commands or actions (`run`, `script`, `commands`, `uses`,
`task`, `args`, ...), and the hooks of a pre-commit config; in other files
(Jenkinsfile, Makefile, tox.ini, noxfile.py) the lines that are not comments. In
both, shell comments and `echo`/`printf` commands are dropped before matching.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pathspec

from readycheck.detectors.base import REGEX, file_detector
from readycheck.detectors.common import (
    COMMAND_KEYS,
    COMMENT,
    GROOVY_SEPARATORS,
    LABEL_KEYS,
    SEPARATORS,
    commands,
    is_ci_definition,
    line_holding,
    line_of,
    may_be_ci_definition,
    may_hold,
    structured_commands,
    workflow_events,
)
from readycheck.detectors.parsed import share
from readycheck.detectors.patterns import Matcher
from readycheck.model import Evidence, FileKind, Location
from readycheck.workspace import SourceFile

#: Files of tools that run the same checks locally and in CI (pre-commit, tox, nox, make).
_TOOL_PATHS = pathspec.GitIgnoreSpec.from_lines([
    ".pre-commit-config.yaml", ".pre-commit-config.yml", "tox.ini", "noxfile.py", "Makefile",
    "justfile", "Taskfile.y*ml",
])  # fmt: skip


def _in_scope(source: SourceFile, tools: bool) -> bool:
    return is_ci_definition(source) or (tools and bool(_TOOL_PATHS.match_file(source.path)))


@dataclass(frozen=True)
class CiStepParams:
    pattern: str = field(metadata=REGEX)
    label: str = "CI step"
    #: Also read the configs of tools that CI and developers run alike (pre-commit, tox,
    #: nox, make): where linters and scanners are usually declared.
    tools: bool = False


@dataclass(frozen=True)
class CiDefinitionParams:
    label: str = "CI definition"
    #: Only lines of the definition matching this (a schedule, a trigger); none: the file.
    pattern: str | None = field(default=None, metadata=REGEX)
    #: Only definitions that also run a command matching this (as `ci_step` reads commands):
    #: a schedule that retrains or checks a model, not one that labels stale issues.
    step: str | None = field(default=None, metadata=REGEX)


def _values(node: Any, under_command: bool = False) -> Iterator[tuple[str, int | None]]:
    """(text, line) for every string under a command key, however deep (lists of
    script lines, `run: {command: ...}`, `inputs: {command: build}`)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in LABEL_KEYS:
                continue
            if isinstance(value, str) and (under_command or key in COMMAND_KEYS):
                yield value, line_of(node, key)
            else:
                yield from _values(value, under_command or key in COMMAND_KEYS)
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


@file_detector(FileKind.YAML, FileKind.OTHER, FileKind.TOML, FileKind.PYTHON, params=CiStepParams)
def ci_step(source: SourceFile, params: CiStepParams) -> Iterator[Evidence]:
    """Commands and actions CI runs (not comments, not echoed text) matching a pattern."""
    if not _in_scope(source, params.tools):
        return
    regex = Matcher(params.pattern)
    if source.kind is FileKind.YAML:
        share(source)  # ci_runs follows pre-commit hooks and CI steps into it again
        scripts = [
            found
            for document in source.documents
            for found in (
                *_values(document),
                *structured_commands(document),
                *_pre_commit_hooks(document),
            )
        ]
    else:
        scripts = [(line, number) for number, line in enumerate(source.lines, start=1)]
    separators = SEPARATORS if source.kind is FileKind.YAML else GROOVY_SEPARATORS
    for text, line in scripts:
        for command in commands(text, separators):
            if regex.search(command):
                where = line_holding(source, line, command)
                yield Evidence(Location(source.path, where), params.label, source.snippet(where))
                break


def _runs_step(source: SourceFile, regex: Matcher) -> bool:
    """Whether a CI definition runs a command (as `ci_step` reads them) matching `regex`."""
    scripts: list[str] = (
        [text for document in source.documents for text, _line in _values(document)]
        if source.kind is FileKind.YAML
        else list(source.lines)
    )
    separators = SEPARATORS if source.kind is FileKind.YAML else GROOVY_SEPARATORS
    return any(regex.search(command) for text in scripts for command in commands(text, separators))


@file_detector(FileKind.YAML, FileKind.OTHER, params=CiDefinitionParams)
def ci_definition(source: SourceFile, params: CiDefinitionParams) -> Iterator[Evidence]:
    """CI pipeline definitions, wherever the repository keeps them (optionally, their
    lines matching a pattern, such as a schedule, and only those that run a given step)."""
    if may_be_ci_definition(source):
        share(source)  # the repository-wide detectors of detectors.delivery read it again
    if not is_ci_definition(source):
        return
    if params.step is not None and not _runs_step(source, Matcher(params.step)):
        return
    if params.pattern is None:
        yield Evidence(Location(source.path, 1), params.label, source.snippet(1))
        return
    if not may_hold(source, params.pattern):
        return
    regex = Matcher(params.pattern)
    for number, line in enumerate(source.lines, start=1):
        if regex.search(COMMENT.sub("", line)):
            yield Evidence(Location(source.path, number), params.label, source.snippet(number))
            return


@dataclass(frozen=True)
class ManualWorkflowParams:
    #: What the workflow does, matched in its file name and its `name:`.
    pattern: str = field(metadata=REGEX)
    label: str = "a workflow a person starts"


@file_detector(FileKind.YAML, params=ManualWorkflowParams)
def manual_workflow(source: SourceFile, params: ManualWorkflowParams) -> Iterator[Evidence]:
    """GitHub workflows that only a person starts (`on: workflow_dispatch`) and that do
    what the pattern names: a promotion to production run by hand, on inputs a person
    chooses (which artefact), is the person's decision, as a manual CI job is."""
    if workflow_events(source) != frozenset({"workflow_dispatch"}):
        return
    document = source.documents[0]
    name = document.get("name") if isinstance(document, dict) else None
    text = f"{source.path.rsplit('/', 1)[-1]} {name if isinstance(name, str) else ''}"
    if Matcher(params.pattern, True).search(text):
        line = line_of(document, "name") or 1
        yield Evidence(
            Location(source.path, line),
            f"{params.label}: {name or source.path} runs only when someone starts it",
            source.snippet(line),
        )
