"""What a repository's automation does, wherever the work is written down.

Teams rarely put a deployment in the CI file itself: the workflow runs
`python build/utils.py --mode deploy-model`, `./scripts/deploy.sh` or `make up` over
SSH, and the script is where the endpoint is created or the containers restarted.
`ci_does` reads what every CI definition runs (as `ci.ci_step` does: commands and
actions, never comments or echoed text, with the commands only a step's structure
spells out) and follows the scripts it runs into the repository: Python scripts and
modules (the calls they and the local modules they import make), shell scripts and
Makefile targets, two levels deep. It also knows where a command runs: a step of an
SSH action, a command after `ssh host`, or a job on a self-hosted runner runs on the
team's own machine, where `docker compose up -d` is a deployment and not a test
fixture.

`shell_command` reads scripts and Makefiles a person runs by hand the same way, for
facts that hold however the command is started (an endpoint created by a script).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from readycheck.detectors.base import REGEX, NoParams, file_detector, repo_detector
from readycheck.detectors.common import (
    CI_PATHS,
    COMMAND_KEYS,
    GROOVY_SEPARATORS,
    LABEL_KEYS,
    MAKEFILES,
    PY_MODULE,
    PY_SCRIPT,
    SEPARATORS,
    SHELL_SCRIPT,
    commands,
    is_ci_definition,
    is_script,
    line_of,
    may_be_ci_definition,
    structured_commands,
)
from readycheck.detectors.parsed import shared
from readycheck.detectors.patterns import Matcher
from readycheck.model import Detection, Evidence, FileKind, Location
from readycheck.parsers.dependencies import normalise
from readycheck.workspace import Repository, SourceFile, clip

_MAKE = re.compile(r"(?:^|[\s;&|(])make\s+(?P<args>[^;&|]*)")
_MAKE_TARGET = re.compile(r"^(?P<names>[A-Za-z0-9_./ -]+?)\s*::?(?!=)(?P<deps>[^=#]*)$")
_SSH = re.compile(r"^(?:sudo\s+)?ssh\s")
_SSH_ACTION = re.compile(r"ssh", re.I)
_WORKSPACE_PREFIX = re.compile(r"^(?:\$\{\{[^}]*\}\}/|\$\{?[A-Z_]*WORKSPACE\}?/|\$\(pwd\)/|\./)+")
#: Python files followed from one script into the local modules it imports.
_MAX_IMPORTS = 20
_MAX_DEPTH = 2


@dataclass(frozen=True)
class CiDoesParams:
    #: What a command or action that does it looks like.
    pattern: str = field(metadata=REGEX)
    label: str = "CI step"
    #: What a command that does it looks like when it runs on the team's own machine (after
    #: `ssh host`, in an SSH action, on a self-hosted runner): `docker compose up -d`.
    remote: str | None = field(default=None, metadata=REGEX)
    #: Python calls that do it, in the scripts CI runs and the local modules they import.
    calls: tuple[str, ...] = ()
    #: Follow the scripts, modules and Makefile targets CI runs into the repository.
    follow: bool = True
    #: Leave out the jobs that first create a throwaway cluster (kind, minikube, k3d):
    #: what they apply is admitted to a cluster deleted with the job, a test, not a deploy.
    skip_throwaway_clusters: bool = False


@dataclass(frozen=True)
class _Script:
    text: str
    line: int | None
    remote: bool
    #: In a CI job that creates a throwaway cluster to run against.
    throwaway: bool = False


#: Actions and commands that create a Kubernetes cluster living as long as the CI job.
_THROWAWAY_ACTION = re.compile(
    r"(?i)^(helm/kind-action|engineerd/setup-kind|container-tools/kind-action|medyagh/setup-minikube"
    r"|manusa/actions-setup-minikube|AbsaOSS/k3d-action|nolar/setup-k3d-k3s|debianmaster/actions-k3s)@"
)
_THROWAWAY_COMMAND = re.compile(
    r"\b(kind\s+create\s+cluster|minikube\s+start|k3d\s+cluster\s+create|ctlptl\s+create\s+cluster)\b"
)


def _throwaway_cluster(node: dict[str, Any]) -> bool:
    """A CI job (GitHub Actions steps, or a GitLab script) that creates a throwaway cluster."""
    steps = node.get("steps")
    if isinstance(steps, list):
        for step in steps:
            if not isinstance(step, dict):
                continue
            uses, run = step.get("uses"), step.get("run")
            if isinstance(uses, str) and _THROWAWAY_ACTION.match(uses):
                return True
            if isinstance(run, str) and _THROWAWAY_COMMAND.search(run):
                return True
    script = node.get("script")
    lines = script if isinstance(script, list) else [script]
    return any(isinstance(line, str) and _THROWAWAY_COMMAND.search(line) for line in lines)


def _self_hosted(node: dict[str, Any]) -> bool:
    runs_on = node.get("runs-on")
    values = runs_on if isinstance(runs_on, list) else [runs_on]
    return any(isinstance(v, str) and "self-hosted" in v for v in values)


def _scripts(
    node: Any, under: bool = False, remote: bool = False, throwaway: bool = False
) -> Iterator[_Script]:
    """Every command text in a CI document (as ci._values reads them), with whether it
    runs on the team's own machine, and whether its job runs against a throwaway cluster."""
    if isinstance(node, dict):
        remote = remote or _self_hosted(node)
        throwaway = throwaway or _throwaway_cluster(node)
        uses = node.get("uses")
        ssh_step = isinstance(uses, str) and _SSH_ACTION.search(uses) is not None
        for key, value in node.items():
            if key in LABEL_KEYS:
                continue
            inner_remote = remote or (ssh_step and key == "with")
            if isinstance(value, str) and (under or key in COMMAND_KEYS):
                yield _Script(value, line_of(node, key), inner_remote, throwaway)
            else:
                yield from _scripts(value, under or key in COMMAND_KEYS, inner_remote, throwaway)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            if isinstance(item, str) and under:
                yield _Script(item, line_of(node, index), remote, throwaway)
            else:
                yield from _scripts(item, under, remote, throwaway)


def _commands_of(script: _Script, separators: re.Pattern[str]) -> Iterator[tuple[str, bool]]:
    """(command, runs remotely) for each command of a script: after `ssh host` the rest
    of the script block runs on that host."""
    remote = script.remote
    for command in commands(script.text, separators):
        if _SSH.match(command):
            remote = True
            rest = command.split(None, 1)[1] if " " in command else ""
            yield rest.strip("'\""), True
            continue
        yield command, remote


class _Repo:
    """The repository's files by path, parsed on demand, once per scan."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo
        self.entries = {entry.path: entry for entry in repo.files if entry.readable}
        self._sources: dict[str, SourceFile] = {}
        #: Every Makefile, found once: each `make` command CI runs looks among them.
        self.makefiles = [p for p in self.entries if PurePosixPath(p).name.lower() in MAKEFILES]
        #: The CI definitions, once `ci_files` has looked for them.
        self.ci_definitions: tuple[SourceFile, ...] | None = None

    def source(self, path: str) -> SourceFile:
        """The file, parsed at most once: the per-file analysis's parse when it ran in
        this process (detectors.parsed), else this view's own."""
        if path not in self._sources:
            self._sources[path] = shared(SourceFile(self.repo.root, self.entries[path]))
        return self._sources[path]

    def find(self, reference: str) -> list[str]:
        """Files a command names by a path relative to wherever it runs."""
        reference = _WORKSPACE_PREFIX.sub("", reference.strip("'\""))
        if not reference or "$" in reference or reference.startswith("/"):
            reference = reference.rsplit("}", 1)[-1].lstrip("/")
            if not reference or "$" in reference:
                return []
        return sorted(p for p in self.entries if p == reference or p.endswith("/" + reference))[:3]

    def module(self, name: str) -> list[str]:
        base = name.replace(".", "/")
        found: list[str] = []
        for candidate in (f"{base}.py", f"{base}/__main__.py", f"{base}/__init__.py"):
            found += self.find(candidate)
            if found:
                break
        return found


_CACHE: dict[int, tuple[Repository, _Repo]] = {}


def _view(repo: Repository) -> _Repo:
    cached = _CACHE.get(id(repo))
    if cached is None or cached[0] is not repo:
        _CACHE.clear()
        cached = (repo, _Repo(repo))
        _CACHE[id(repo)] = cached
    return cached[1]


def ci_files(view: _Repo) -> Iterator[SourceFile]:
    """The repository's CI definitions, by path convention or (YAML) by content; found
    once per scan, since every rule about CI asks (dozens of times a scan)."""
    if view.ci_definitions is None:
        view.ci_definitions = tuple(_find_ci_files(view))
    return iter(view.ci_definitions)


def _find_ci_files(view: _Repo) -> Iterator[SourceFile]:
    for path, entry in sorted(view.entries.items()):
        if entry.kind not in (FileKind.YAML, FileKind.OTHER, FileKind.JSON):
            continue
        if entry.kind is FileKind.YAML or CI_PATHS.match_file(path):
            source = view.source(path)
            if may_be_ci_definition(source) and is_ci_definition(source):
                yield source


def _ci_scripts(source: SourceFile) -> Iterator[tuple[_Script, re.Pattern[str]]]:
    """The scripts of a CI definition with how to split them into commands, read once
    per file and scan."""
    key = ("ci_scripts",)
    if key not in source.memo:
        source.memo[key] = tuple(_read_ci_scripts(source))
    return iter(source.memo[key])


def _read_ci_scripts(source: SourceFile) -> Iterator[tuple[_Script, re.Pattern[str]]]:
    if source.kind is FileKind.YAML:
        for document in source.documents:
            for script in _scripts(document):
                yield script, SEPARATORS
            for text, where in structured_commands(document):
                yield _Script(text, where, False), SEPARATORS
    else:
        for number, line in enumerate(source.lines, start=1):
            yield _Script(line, number, False), GROOVY_SEPARATORS


class _Follower:
    """Whether a command does the thing, directly or through what it runs."""

    def __init__(self, view: _Repo, params: CiDoesParams) -> None:
        self.view = view
        self.params = params
        self.pattern = Matcher(params.pattern)
        self.remote = Matcher(params.remote) if params.remote else None
        self.calls = call_regex(params.calls) if params.calls else None
        self._seen: dict[tuple[str, bool], str | None] = {}

    def command(self, command: str, remote: bool, depth: int = 0) -> str | None:
        """How the command does it (for the report), or None."""
        if self.pattern.search(command):
            return f"`{clip(command, 90)}`"
        if remote and self.remote is not None and self.remote.search(command):
            return f"`{clip(command, 90)}` on the deployment host"
        if not self.params.follow or depth >= _MAX_DEPTH:
            return None
        for path in self._references(command):
            how = self.file(path, remote, depth + 1)
            if how is not None:
                return f"`{clip(command, 70)}` runs {path}, which {how}"
        return None

    def _references(self, command: str) -> list[str]:
        found: list[str] = []
        for match in PY_SCRIPT.finditer(command):
            found += self.view.find(match.group("path"))
        for match in PY_MODULE.finditer(command):
            found += self.view.module(match.group("module"))
        for match in SHELL_SCRIPT.finditer(command):
            found += self.view.find(match.group("path"))
        for match in _MAKE.finditer(command):
            found += [
                f"{path}#{target}" for path, target in self._make_targets(match.group("args"))
            ]
        return list(dict.fromkeys(found))

    def _make_targets(self, args: str) -> list[tuple[str, str]]:
        words = args.split()
        directory, makefile, targets = "", None, []
        index = 0
        while index < len(words):
            word = words[index]
            if word in {"-C", "--directory"} and index + 1 < len(words):
                directory, index = words[index + 1].rstrip("/") + "/", index + 2
                continue
            if word in {"-f", "--file"} and index + 1 < len(words):
                makefile, index = words[index + 1], index + 2
                continue
            if not word.startswith("-") and "=" not in word:
                targets.append(word)
            index += 1
        if not targets:
            return []
        candidates = (
            self.view.find(directory + makefile)
            if makefile
            else [
                p
                for p in self.view.makefiles
                if not directory
                or p.startswith(directory)
                or p == directory + PurePosixPath(p).name
            ]
        )
        return [(path, target) for path in sorted(candidates)[:5] for target in targets[:3]]

    def file(self, reference: str, remote: bool, depth: int) -> str | None:
        key = (reference, remote)
        if key in self._seen:
            return self._seen[key]
        self._seen[key] = None  # a cycle finds nothing new
        path, _, target = reference.partition("#")
        if path not in self.view.entries:
            return None
        source = self.view.source(path)
        if target:
            how = self._lines(make_recipe(source.lines, target), remote, depth)
        elif source.kind in (FileKind.PYTHON, FileKind.NOTEBOOK):
            how = self._python(source)
        else:
            how = self._lines(source.lines, remote, depth)
        self._seen[key] = how
        return how

    def _lines(self, lines: list[str], remote: bool, depth: int) -> str | None:
        script = _Script("\n".join(lines), None, remote)
        for command, runs_remote in _commands_of(script, SEPARATORS):
            how = self.command(command, runs_remote, depth)
            if how is not None:
                return how
        return None

    def _python(self, source: SourceFile) -> str | None:
        """Whether a Python script makes one of the calls, itself or in the local modules it
        imports. Read as text with the imports the per-file analysis recorded, so that no
        file is parsed twice in a scan."""
        how = self._python_does(source)
        if how is not None:
            return how
        summary = self.view.repo.summaries.get(source.path)
        imports = summary.imports if summary is not None else ()
        # `from pkg.deploy import release` is recorded as pkg.deploy.release: a name in a module
        local = {
            p
            for module in imports[:_MAX_IMPORTS]
            for p in self.view.module(module) or self.view.module(module.rpartition(".")[0])
        }
        for path in sorted(local - {source.path}):
            imported = self._python_does(self.view.source(path))
            if imported is not None:
                return f"imports {path}, which {imported}"
        return None

    def _python_does(self, source: SourceFile) -> str | None:
        """One of the calls, or a command the module runs as a process (an argument list
        such as `["gcloud", "run", "deploy", ...]`) that matches the pattern."""
        if self.calls is not None:
            how = python_calls(source, self.calls)
            if how is not None:
                return how
        for command, number in argv_commands(source):
            if self.pattern.search(command):
                return f"runs `{clip(command, 60)}` (line {number})"
        return None


def call_regex(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """Calls as they are written, from resolved-name patterns: `*.deploy` is `.deploy(`,
    `google.cloud.aiplatform.Endpoint.create` is `Endpoint.create(` (its last two names)."""
    written = []
    for pattern in patterns:
        parts = pattern.split(".")
        wildcards = [index for index, part in enumerate(parts) if part == "*"]
        tail = parts[wildcards[-1] + 1 :] if wildcards else parts[-2:]
        body = r"\.".join(re.escape(part).replace(r"\*", r"\w*") for part in tail if part)
        prefix = r"\." if pattern.startswith("*.") else r"\b"
        written.append(prefix + body + r"\s*\(")
    return re.compile("|".join(written))


def python_calls(source: SourceFile, calls: re.Pattern[str]) -> str | None:
    """The first line of a Python file (comments aside) that makes one of the calls."""
    for number, line in enumerate(source.lines, start=1):
        code = line.split("#", 1)[0]
        match = calls.search(code)
        if match:
            return f"calls {match.group(0).lstrip('.').rstrip('( ')}() (line {number})"
    return None


#: An argument list of string literals, as a process is started with it: `["gcloud",
#: "run", "deploy", name, ...]` (the literals before the first non-literal count).
_ARGV = re.compile(r"""[\[(]\s*((?:(?:"[\w./:=-]+"|'[\w./:=-]+')\s*,\s*)+)""")
_ARGV_WORD = re.compile(r"""["']([^"']+)["']""")
_RUNS_PROCESSES = re.compile(
    r"\bsubprocess\b|\bos\.(system|exec\w*|spawn\w*)\b|\bsh\.|\bplumbum\b|\binvoke\b"
)


def argv_commands(source: SourceFile) -> Iterator[tuple[str, int]]:
    """The commands a Python module starts as argument lists of literals, with their
    line; only in a module that starts processes at all."""
    text = source.text or ""
    if not _RUNS_PROCESSES.search(text):
        return
    for match in _ARGV.finditer(text):
        words = _ARGV_WORD.findall(match.group(1))
        if len(words) >= 2:
            yield " ".join(words), text.count("\n", 0, match.start()) + 1


_MAKE_VARIABLE = re.compile(r"^(?P<name>[A-Za-z_][\w]*)\s*(?::{1,3}|\?|\+)?=\s*(?P<value>.*)$")
_MAKE_REFERENCE = re.compile(r"\$[({](?P<name>[A-Za-z_][\w]*)[)}]")
_MAKE_DIRECTIVE = re.compile(r"^\s*(ifn?def|ifn?eq|else|endif|include|-include|export|\.)")


def make_recipe(lines: list[str], target: str) -> list[str]:
    """The recipe lines of a Makefile target and of the targets it depends on, with the
    Makefile's own variables expanded (`${DOCKER_COMPOSE} up -d`)."""
    recipes: dict[str, list[str]] = {}
    deps: dict[str, list[str]] = {}
    variables: dict[str, str] = {}
    current: list[str] = []
    for line in lines:
        if line.startswith("\t"):
            current.append(line.strip().lstrip("@-+"))
            continue
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or _MAKE_DIRECTIVE.match(line):
            continue
        variable = _MAKE_VARIABLE.match(stripped)
        if variable:
            variables.setdefault(variable.group("name"), variable.group("value"))
            continue
        # `lint: fmt-check flake8 ## Run lint` - a help comment after the prerequisites
        match = _MAKE_TARGET.match(line.split("#", 1)[0].rstrip())
        current = []
        if match and not line.startswith(" "):
            for name in match.group("names").split():
                recipes[name] = current
                deps[name] = match.group("deps").split()
    found: list[str] = []
    for name in [target, *deps.get(target, [])][:6]:
        found += recipes.get(name, [])

    def expand(text: str) -> str:
        for _ in range(3):
            text = _MAKE_REFERENCE.sub(lambda m: variables.get(m.group("name"), m.group(0)), text)
        return text

    return [expand(line) for line in found]


@repo_detector(params=CiDoesParams)
def ci_does(repo: Repository, params: CiDoesParams) -> Detection:
    """What CI does, through the scripts, modules and Makefile targets it runs: each CI
    definition with a step that matches (a command, an action, or a script it runs that
    makes one of the given calls)."""
    view = _view(repo)
    follower = _Follower(view, params)
    matches = []
    for source in ci_files(view):
        for script, separators in _ci_scripts(source):
            if params.skip_throwaway_clusters and script.throwaway:
                continue
            how = next(
                (
                    found
                    for command, remote in _commands_of(script, separators)
                    if (found := follower.command(command, remote)) is not None
                ),
                None,
            )
            if how is not None:
                line = script.line
                matches.append(
                    Evidence(
                        Location(source.path, line), f"{params.label}: {how}", source.snippet(line)
                    )
                )
                break
    return Detection(tuple(matches))


@dataclass(frozen=True)
class ShellCommandParams:
    pattern: str = field(metadata=REGEX)
    label: str = "command"
    #: Only scripts that also run a command matching this: a pipeline script that predicts
    #: *and* publishes what it predicted.
    with_pattern: str | None = field(default=None, metadata=REGEX)


_SHELL_SHEBANG = re.compile(r"^#!\s*\S*\b(env\s+)?(ba|z|k|da)?sh\b")


def _is_shell_script(source: SourceFile) -> bool:
    """A shell script or Makefile by its name, or an executable script with no extension
    whose first line says a shell runs it (`run_pipeline` starting `#!/bin/bash`)."""
    if is_script(source.path):
        return True
    return (
        "." not in PurePosixPath(source.path).name
        and bool(source.lines)
        and _SHELL_SHEBANG.match(source.lines[0]) is not None
    )


@file_detector(FileKind.OTHER, params=ShellCommandParams)
def shell_command(source: SourceFile, params: ShellCommandParams) -> Iterator[Evidence]:
    """Commands in shell scripts and Makefiles (not comments, not echoed text) matching a pattern."""
    if not _is_shell_script(source):
        return
    regex = Matcher(params.pattern)
    found = [
        number
        for number, line in enumerate(source.lines, start=1)
        if any(regex.search(command) for command in commands(line))
    ]
    if found and params.with_pattern is not None:
        also = Matcher(params.with_pattern)
        if not any(also.search(c) for line in source.lines for c in commands(line)):
            return
    for number in found:
        yield Evidence(Location(source.path, number), params.label, source.snippet(number))


#: How a README tells its users to install a package from an index.
_INSTALL = re.compile(
    r"(?:pip3?|uv\s+pip|pipx|poetry|uv|pdm|conda|mamba)\s+(?:install|add)\s+(?:-[-\w=]+\s+)*"
    r"[\"']?(?P<name>[A-Za-z0-9][\w.-]*)"
)


def _distribution_name(view: _Repo) -> str | None:
    """The name the repository's own package is built under (pyproject or setup.cfg)."""
    if "pyproject.toml" in view.entries:
        documents = view.source("pyproject.toml").documents
        data: Any = documents[0] if documents and isinstance(documents[0], dict) else {}
        tool: Any = data.get("tool") if isinstance(data.get("tool"), dict) else {}
        for table in (data.get("project"), tool.get("poetry")):
            if isinstance(table, dict) and isinstance(table.get("name"), str):
                return str(table["name"])
    if "setup.cfg" in view.entries:
        for line in view.source("setup.cfg").lines:
            key, _, value = line.partition("=")
            if key.strip() == "name" and value.strip():
                return value.strip()
    if "setup.py" in view.entries:
        # read as text, never run: the literal `name=` given to setup()
        match = _SETUP_NAME.search(view.source("setup.py").text or "")
        if match is not None:
            return match.group("name")
    return None


#: `setup(name="IOPaint", ...)`: the distribution name a setup.py passes as a literal.
_SETUP_NAME = re.compile(
    r"\bsetup\s*\([^)]*?\bname\s*=\s*[\"'](?P<name>[A-Za-z0-9][\w.-]*)[\"']", re.S
)


@repo_detector(params=NoParams)
def released_package(repo: Repository, params: NoParams) -> Detection:
    """A package users install by name from an index: the README's install command names
    the package this repository builds (`pip install unbabel-comet`, built by its
    pyproject). Released by hand or by CI, it is how the code reaches its users."""
    view = _Repo(repo)
    name = _distribution_name(view)
    if name is None:
        return Detection(inapplicable="the repository builds no named package")
    wanted = normalise(name)
    for path in sorted(p for p in view.entries if "/" not in p and p.lower().startswith("readme")):
        for number, line in enumerate(view.source(path).lines, start=1):
            for match in _INSTALL.finditer(line):
                if normalise(match.group("name")) == wanted:
                    return Detection(
                        (
                            Evidence(
                                Location(path, number),
                                f"the README installs {name}, the package this repository builds",
                                line.strip()[:200],
                            ),
                        )
                    )
    return Detection(())
