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

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pathspec

from readycheck.detectors.base import REGEX, file_detector
from readycheck.detectors.manifests import line_of
from readycheck.detectors.parsed import share
from readycheck.detectors.patterns import Matcher
from readycheck.model import Evidence, FileKind, Location
from readycheck.workspace import SourceFile

#: Keys whose values are commands or the steps CI runs.
_COMMAND_KEYS = frozenset(
    {
        "run", "script", "before_script", "after_script", "commands", "command",
        "bash", "sh", "pwsh", "powershell", "inlineScript", "args", "entrypoint",
        "uses", "task", "image", "pipe", "install", "before_install",
        # a Taskcluster taskgraph kind's transforms (what builds its tasks), the script file
        # an Azure DevOps task runs
        "transforms", "scriptPath", "filePath",
    }
)  # fmt: skip
#: Keys that label a step rather than run it: `name: Run pytest` on a step that echoes.
_LABEL_KEYS = frozenset({"name", "displayName", "description", "label", "if", "when", "condition"})
_SEPARATORS = re.compile(r"&&|\|\||;")
#: In a Jenkinsfile, steps also follow braces: `stage('t') { steps { echo 'pytest' } }`.
_GROOVY_SEPARATORS = re.compile(r"&&|\|\||;|[{}]")
_SAYS = re.compile(r"(?:echo|printf|Write-(?:Host|Output))\b")
_COMMENT = re.compile(r"(?:^|\s)(?:#|//).*$")


#: Where CI systems keep their pipeline definitions, by convention.
_CI_PATHS = pathspec.GitIgnoreSpec.from_lines([
    ".github/workflows/*.yml", ".github/workflows/*.yaml", ".github/actions/**/action.y*ml",
    ".gitlab-ci.yml", ".gitlab-ci.yaml", ".gitlab/ci/**/*.y*ml", ".gitlab-ci/**/*.y*ml",
    "azure-pipelines*.y*ml", ".azure-pipelines/**/*.y*ml", ".azuredevops/**/*.y*ml",
    ".pipelines/**/*.y*ml", "Jenkinsfile", "Jenkinsfile.*", "*.jenkinsfile", "*.Jenkinsfile",
    ".circleci/config.y*ml", "bitbucket-pipelines.y*ml", "buildspec*.y*ml", "cloudbuild*.y*ml",
    ".travis.yml", ".taskcluster.yml", "taskcluster/**/*.y*ml", ".drone.yml", ".woodpecker.yml",
    ".woodpecker/*.y*ml", ".buildkite/**/*.y*ml", "appveyor.yml", ".appveyor.yml", ".cirrus.yml",
    "codefresh.yml", ".tekton/**/*.y*ml", "*.gocd.y*ml", "*.gocd.json", ".semaphore/*.y*ml",
    "bitrise.yml", ".pipeline/config.y*ml",
])  # fmt: skip
#: Files of tools that run the same checks locally and in CI (pre-commit, tox, nox, make).
_TOOL_PATHS = pathspec.GitIgnoreSpec.from_lines([
    ".pre-commit-config.yaml", ".pre-commit-config.yml", "tox.ini", "noxfile.py", "Makefile",
    "justfile", "Taskfile.y*ml",
])  # fmt: skip
#: Top-level keys of an Azure DevOps pipeline, which may be named anything.
_AZURE_STEPS = frozenset({"steps", "stages", "jobs", "extends"})
_AZURE_CONTEXT = frozenset({"trigger", "pr", "pool", "resources", "schedules", "extends"})
#: What a Cloud Build step has besides the builder image it runs.
_BUILDER_KEYS = frozenset({"args", "script", "entrypoint"})


#: Top-level keys one of the pipelines `_looks_like_pipeline` knows starts with.
_PIPELINE_KEYS = re.compile(
    r"^(?:(steps|stages|jobs|extends|format_version)\s*:|apiVersion:\s*[\"']?tekton\.dev)", re.M
)


def may_be_ci_definition(source: SourceFile) -> bool:
    """Whether a file lives where CI definitions do, or is YAML with a top-level key a
    pipeline starts with (read before parsing anything)."""
    if _CI_PATHS.match_file(source.path):
        return True
    return (
        source.kind is FileKind.YAML
        and source.text is not None
        and _PIPELINE_KEYS.search(source.text) is not None
    )


def is_ci_definition(source: SourceFile) -> bool:
    """Whether a file defines a CI pipeline: by where it lives, or (YAML) by what it holds."""
    if _CI_PATHS.match_file(source.path):
        return True
    if not may_be_ci_definition(source):
        return False
    return any(_looks_like_pipeline(document) for document in source.documents)


def _looks_like_pipeline(document: Any) -> bool:
    if not isinstance(document, dict):
        return False
    keys = set(document)
    if keys & _AZURE_STEPS and keys & _AZURE_CONTEXT:
        return True  # Azure DevOps
    if str(document.get("apiVersion", "")).startswith("tekton.dev"):
        return True
    if "format_version" in keys and isinstance(document.get("pipelines"), dict):
        return True  # GoCD pipelines as code (YAML config repository)
    steps = document.get("steps")
    if isinstance(steps, list) and steps:
        # Cloud Build: each step runs a builder image with arguments.
        return all(
            isinstance(step, dict) and "name" in step and bool(set(step) & _BUILDER_KEYS)
            for step in steps
        )
    return False


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


def _builder_tool(image: str) -> str:
    """The tool a builder image runs: `gcr.io/cloud-builders/docker` -> docker."""
    return image.rsplit("/", 1)[-1].split("@", 1)[0].split(":", 1)[0]


def structured_commands(node: Any) -> Iterator[tuple[str, int | None]]:
    """Commands that only the structure of a step spells out: a Cloud Build step runs its
    builder (or entrypoint) with its `args` (`docker` + `[build, -t, img, .]` is
    `docker build -t img .`); an Azure DevOps task runs
    its `inputs.command` (`Docker@2` builds and pushes unless told otherwise)."""
    if isinstance(node, dict):
        builder, args = node.get("image", node.get("name")), node.get("args")
        if isinstance(builder, str) and isinstance(args, list) and "steps" not in node:
            words = [str(a) for a in args if isinstance(a, str | int | float)]
            entrypoint = node.get("entrypoint")
            tool = entrypoint if isinstance(entrypoint, str) else _builder_tool(builder)
            line = line_of(node, "args")
            if tool in {"bash", "sh"} and len(words) >= 2 and words[0] == "-c":
                yield words[1], line
            else:
                yield " ".join([tool, *words]), line
        task = node.get("task")
        if isinstance(task, str):
            inputs = node.get("inputs")
            inputs = inputs if isinstance(inputs, dict) else {}
            command = str(inputs.get("command") or inputs.get("action") or "")
            if not command and task.lower().startswith("docker@"):
                command = "buildAndPush"  # the Docker task's default
            yield f"{task} {command}".strip(), line_of(node, "task")
        for value in node.values():
            yield from structured_commands(value)
    elif isinstance(node, list):
        for item in node:
            yield from structured_commands(item)


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


def line_holding(source: SourceFile, start: int | None, command: str) -> int | None:
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
    if not _in_scope(source, params.tools):
        return
    regex = Matcher(params.pattern)
    if source.kind is FileKind.YAML:
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
    separators = _SEPARATORS if source.kind is FileKind.YAML else _GROOVY_SEPARATORS
    for text, line in scripts:
        for command in _commands(text, separators):
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
    separators = _SEPARATORS if source.kind is FileKind.YAML else _GROOVY_SEPARATORS
    return any(regex.search(command) for text in scripts for command in _commands(text, separators))


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
    regex = Matcher(params.pattern)
    for number, line in enumerate(source.lines, start=1):
        if regex.search(_COMMENT.sub("", line)):
            yield Evidence(Location(source.path, number), params.label, source.snippet(number))
            return
