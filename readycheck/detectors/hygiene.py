"""Engineering hygiene seen in what the code and its automation do: paths that exist on
one person's machine, tests that test something, and what CI really runs, followed
through the task runners and scripts it calls."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from readycheck.detectors import delivery
from readycheck.detectors.base import REGEX, file_detector, repo_detector
from readycheck.detectors.common import line_holding, runs_only_by_hand
from readycheck.detectors.patterns import Matcher
from readycheck.model import Detection, Evidence, FileKind, Location
from readycheck.parsers.python import PythonCode
from readycheck.workspace import Repository, SourceFile, clip

#: A path in someone's home folder, a Windows user profile, a mounted Google Drive or a
#: WSL view of a Windows profile. The first group is where such paths used to be looked
#: for, at the start of a string; the second finds them anywhere in it (`cd /home/ana/x &&
#: make`), but not inside a URL or a longer path (`https://host/home/x/`, `/data/home/x/`).
PERSONAL_PATH = (
    r"^(/Users/[^/]+/|/home/[^/]+/|[A-Za-z]:[\\/]+Users[\\/]|/content/drive/|/mnt/[a-z]/Users/)"
    r"|(?<![\w.~$}/\\:-])(/(?:Users|home)/[^/\s'\"`$%{}<>*]+(?=/|$|[\s'\"`:;])"
    r"|(?<![A-Za-z])[A-Za-z]:[\\/]+Users[\\/]+[^\\/\s'\"`$%{}<>*]+|/content/drive/|/mnt/[a-z]/Users/)"
)
_USER = re.compile(r"/(?:Users|home)/([^/\s'\"`]+)|[A-Za-z]:[\\/]+Users[\\/]+([^\\/\s'\"`]+)")
#: Users that are not a person: placeholders, and the accounts of containers, CI runners
#: and cloud images, which exist wherever the code is meant to run.
_NOT_A_PERSON = frozenset(
    {
        "user", "username", "you", "yourname", "your_name", "your-name", "yourusername", "me",
        "name", "myuser", "someone", "somebody", "example", "shared", "public", "guest", "default",
        "jovyan", "jupyter", "runner", "app", "appuser", "app-user", "ubuntu", "ec2-user", "sagemaker-user",
        "airflow", "docker", "worker", "circleci", "vscode", "node", "nonroot", "model-server",
        "azureuser", "cdsw", "codespace", "codespaces", "gitpod", "travis", "builder", "ray", "spark",
        "hadoop", "jenkins", "runneradmin", "vsts", "cloudshell-user", "ml", "mluser", "service",
        "nobody", "admin", "developer", "dev", "devel", "coder", "linuxbrew", "site", "www-data",
    }
)  # fmt: skip
_CREATES_USER = re.compile(r"\b(?:useradd|adduser)\b[^&;|]*?\s([a-z_][\w-]*)\s*(?:$|&&|;|\|)")
_USER_LINE = re.compile(r"^([a-z_][\w-]*)")
#: `$NAME` and `${NAME}` in a Dockerfile instruction; `NAME=value` in ENV and ARG.
_VARIABLE = re.compile(r"\$\{(\w+)\}|\$(\w+)")
_ASSIGNED = re.compile(r"(\w+)=[\"']?([\w.-]+)")


@dataclass(frozen=True)
class PersonalPathParams:
    #: What a path on one person's machine looks like (searched anywhere in a string).
    pattern: str = field(default=PERSONAL_PATH, metadata=REGEX)
    label: str = "absolute path on a personal machine"


def _personal(matcher: Matcher, text: str, exempt: frozenset[str] = frozenset()) -> bool:
    """Whether `text` holds a path of the pattern that belongs to a person (the accounts
    of containers and CI runners, placeholders and users an image creates are not)."""
    for _ in range(20):
        match = matcher.search(text)
        if match is None:
            return False
        user = _USER.match(match.group(0).lstrip("^"))
        name = next((g for g in user.groups() if g), "") if user else ""
        if not name or (name.lower() not in _NOT_A_PERSON and name not in exempt):
            return True
        text = text[match.end() :]
    return False


@file_detector(FileKind.PYTHON, FileKind.NOTEBOOK, FileKind.DOCKERFILE, params=PersonalPathParams)
def personal_path(source: SourceFile, params: PersonalPathParams) -> Iterator[Evidence]:
    """Paths on one person's machine (`/home/ana/`, `/Users/bob/`, `C:\\Users\\eve`, a
    mounted Google Drive) anywhere in the code's strings, a notebook's shell lines or a
    Dockerfile's instructions (users the image creates excepted)."""
    matcher = Matcher(params.pattern)
    if source.kind is FileKind.DOCKERFILE:
        dockerfile = source.dockerfile
        if dockerfile is None:
            return
        created: set[str] = set()
        values: dict[str, str] = {}  # ENV and ARG values, for `useradd $USERNAME`
        expanded: list[str] = []  # each instruction's arguments, its variables filled in
        for instruction in dockerfile.instructions:
            arguments = _VARIABLE.sub(lambda m: values.get(m.group(1) or m.group(2), m.group(0)),
                                      instruction.arguments)  # fmt: skip
            expanded.append(arguments)
            if instruction.keyword in ("ENV", "ARG"):
                values.update(_ASSIGNED.findall(arguments))
            elif instruction.keyword == "RUN":
                created.update(_CREATES_USER.findall(arguments))
            elif instruction.keyword == "USER":
                user = _USER_LINE.match(arguments)
                if user:
                    created.add(user.group(1))
        for instruction, arguments in zip(dockerfile.instructions, expanded, strict=True):
            # `WORKDIR /home/$USERNAME/app` is the home of the user the image creates
            if _personal(matcher, arguments, frozenset(created)):
                line = instruction.line
                yield Evidence(Location(source.path, line), params.label, source.snippet(line))
        return
    code = source.python
    if code is not None:
        for ref in code.strings:
            if _personal(matcher, ref.value[:2000]):
                yield Evidence(source.locate(ref.line), params.label, source.snippet(ref.line))
    notebook = source.notebook if source.kind is FileKind.NOTEBOOK else None
    for shell in notebook.shell_lines if notebook else ():
        if _personal(matcher, shell.command):
            where = notebook.location(source.path, shell.cell, shell.line)  # type: ignore[union-attr]
            yield Evidence(where, params.label, clip(shell.command))


#: What a test checks with: pytest's assert, unittest's assert methods, numpy/pandas
#: testing helpers, expected exceptions, mocks asserting their calls.
_CHECKS = re.compile(
    r"(?:^|\.)(?:assert\w*|fail\w*|raises|warns|approx|expect\w*|check\w*|verify\w*|"
    r"assert_called\w*|assert_has_calls|assert_frame_equal|assert_series_equal|"
    r"assert_array\w*|assert_allclose|snapshot|matches_snapshot)$"
)
_FIXTURES = ("pytest.fixture", "fixture", "pytest_asyncio.fixture")
#: Unconditional skips (`skipif` and `skipUnless` run the test somewhere).
_SKIPS = frozenset({"pytest.mark.skip", "unittest.skip", "unittest.case.skip"})


@dataclass(frozen=True)
class TestParams:
    #: Names that make a function a test, as pytest collects them.
    pattern: str = field(default=r"test\w*", metadata=REGEX)


def _skipped(code_decorators: tuple[str, ...]) -> bool:
    return any(d in _SKIPS for d in code_decorators)


#: Modules a test can import and still exercise nothing of the repository: the test
#: runners, the standard library's basics and the data libraries a placeholder builds
#: its own inputs with.
_SELF_CONTAINED = frozenset({
    "__future__", "unittest", "pytest", "pandas", "numpy", "os", "sys", "json", "math",
    "random", "datetime", "typing", "collections", "pathlib", "re", "time", "io",
    "itertools", "functools", "string", "tempfile", "dataclasses", "copy", "decimal",
    "statistics", "uuid", "warnings", "logging",
})  # fmt: skip


def _reaches_outside(code: PythonCode) -> bool:
    """Whether a test module imports anything that could be the code under test: the
    repository's own modules, a client of a running service, a subprocess."""
    return any(ref.module.split(".")[0] not in _SELF_CONTAINED for ref in code.imports)


def _has_fixtures(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether pytest hands the test something from outside it (any parameter but self)."""
    arguments = node.args
    every = (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)
    return any(a.arg not in ("self", "cls") for a in every)


def _touches_nothing(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A placeholder that asserts about values it wrote itself (`assert True`,
    `assert 1 + 1 == 2`): no call, no fixture, no name from outside the test."""
    if _has_fixtures(node):
        return False
    bound = {
        child.id
        for child in ast.walk(node)
        if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store)
    }
    for child in ast.walk(node):
        if isinstance(child, ast.Call | ast.Attribute | ast.Subscript | ast.Await):
            return False
        if (
            isinstance(child, ast.Name)
            and isinstance(child.ctx, ast.Load)
            and child.id not in bound
        ):
            return False
    return True


def _only_imports(body: list[ast.stmt]) -> bool:
    """A smoke test that imports modules and asserts they exist (`import pkg` then
    `assert pkg is not None`, `pytest.importorskip("torch")`): it checks that the
    packages install, not what any of the code does."""
    imported: set[str] = set()
    for statement in body:
        if isinstance(statement, ast.Import | ast.ImportFrom):
            imported.update((a.asname or a.name).split(".")[0] for a in statement.names)
        elif isinstance(statement, ast.Assert):
            names = {n.id for n in ast.walk(statement.test) if isinstance(n, ast.Name)}
            calls = [n for n in ast.walk(statement.test) if isinstance(n, ast.Call)]
            if calls or not names or not names <= imported:
                return False
        elif not (
            isinstance(statement, ast.Expr | ast.Assign)
            and isinstance(statement.value, ast.Call)
            and ast.unparse(statement.value.func).endswith("importorskip")
        ):
            return False
    return bool(imported)


def _checks_something(node: ast.FunctionDef | ast.AsyncFunctionDef, resolve: object) -> bool:
    """The test asserts, expects an exception, or calls a checking helper; a body that
    is only `pass`, `...` or `raise NotImplementedError` tests nothing, nor does one that
    only imports modules and asserts they exist."""
    body = [
        s for s in node.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
    ]
    if not body or all(
        isinstance(s, ast.Pass) or (isinstance(s, ast.Raise) and "NotImplemented" in ast.unparse(s))
        for s in body
    ):
        return False
    if _touches_nothing(node) or _only_imports(body):
        return False
    for child in ast.walk(node):
        if isinstance(child, ast.Assert):
            return True
        if isinstance(child, ast.Call | ast.With):
            calls = (
                [child]
                if isinstance(child, ast.Call)
                else [i.context_expr for i in child.items if isinstance(i.context_expr, ast.Call)]
            )
            for call in calls:
                func = call.func if isinstance(call, ast.Call) else None
                name = ast.unparse(func) if func is not None else ""
                if _CHECKS.search(name):
                    return True
    # a test that only calls the code still fails when it raises: it counts when it calls
    # something other than print or logging
    return any(
        isinstance(c, ast.Call) and not ast.unparse(c.func).startswith(("print", "log"))
        for c in ast.walk(node)
    )


@file_detector(FileKind.PYTHON, FileKind.NOTEBOOK, params=TestParams)
def test_functions(source: SourceFile, params: TestParams) -> Iterator[Evidence]:
    """Test functions as pytest and unittest collect them (`test*` functions, `Test*`
    classes, TestCase methods) that check something: fixtures, skipped tests,
    placeholders that only raise NotImplementedError and tests of values the module
    builds itself (it imports nothing the repository could provide) are not tests."""
    code = source.python
    if code is None:
        return
    pattern = re.compile(params.pattern)
    module_skipped = any(
        isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets)
        and re.search(r"mark\.skip\b|mark\.skip\(", ast.unparse(node.value)) is not None
        for node in code.tree.body
    )
    if module_skipped:
        return
    skipped_classes = {
        id(item)
        for cls in code.classes
        if _skipped(
            tuple(
                code.resolve(d.func if isinstance(d, ast.Call) else d)
                for d in cls.node.decorator_list
            )
        )
        for item in cls.node.body
    }
    # a module that imports nothing the repository could provide tests what it builds
    # itself, unless a fixture hands its tests the code (`def test_x(client)`)
    reaches_outside = _reaches_outside(code)
    for ref in code.functions:
        if not pattern.fullmatch(ref.name) or id(ref.node) in skipped_classes:
            continue
        if not reaches_outside and not _has_fixtures(ref.node):
            continue
        if any(d.endswith(_FIXTURES) for d in ref.decorators) or _skipped(ref.decorators):
            continue
        if not _checks_something(ref.node, code.resolve):
            continue
        yield Evidence(source.locate(ref.line), f"test `{ref.name}`", source.snippet(ref.line))


# What CI runs, followed through the task runners teams put between CI and the tools:
# Taskfile (`task test`), just, invoke (`invoke checks`), tox, nox, pre-commit, the
# scripts of pyproject task runners (poe, hatch, pdm) and job definitions a command
# submits or applies (`anyscale job submit -f job.yaml`, `kubectl apply -f test-job.yaml`),
# on top of what `delivery.ci_does` follows (shell and Python scripts, Makefile targets).
_TASK = re.compile(r"(?:^|[\s;&|(])(?:go-)?task\s+(?P<args>[^;&|]*)")
_JUST = re.compile(r"(?:^|[\s;&|(])just\s+(?P<args>[^;&|]*)")
_INVOKE = re.compile(r"(?:^|[\s;&|(])(?:invoke|inv)\s+(?P<args>[^;&|]*)")
_TOX = re.compile(r"(?:^|[\s;&|(/])tox(?:\s+(?P<args>[^;&|]*)|$)")
_NOX = re.compile(r"(?:^|[\s;&|(/])nox(?:\s+(?P<args>[^;&|]*)|$)")
#: `pre-commit run`, or the actions that run it in GitHub Actions.
_PRE_COMMIT = re.compile(
    r"(?:^|[\s;&|(/])pre-commit\s+run\b(?P<args>[^;&|]*)|^(pre-commit/action|pre-commit-ci/lite-action)@"
)
_SCRIPT_RUNNER = re.compile(
    r"(?:^|[\s;&|(])(?:poe|hatch\s+run|pdm\s+run|rye\s+run|npm\s+run|yarn\s+run|pnpm\s+run)\s+(?P<args>[^;&|]*)"
)
_CONFIG_FILE = re.compile(r"(?:^|[\s=])(?P<path>[\w./${}-]+\.(?:ya?ml|json))\b")
#: Commands that only install a tool do not run it (`pip install pytest`).
INSTALLS = r"(?!.*\b(?:pip3?|uv\s+pip|uv\s+tool|pipx|conda|mamba|micromamba|poetry|pipenv|pdm|uv|apt(?:-get)?|brew|npm|yarn|pnpm)\s+(?:install|add|sync)\b)"


#: `pixi run -e lint lint`, `pixi run --environment ${{ matrix.env }} tests`.
_PIXI = re.compile(r"(?:^|[\s;&|(])pixi\s+run\s+(?P<args>[^;&|]*)")
_PIXI_OPTIONS = re.compile(
    r"(?:-e|--environment|--manifest-path)\s+(?:\$\{\{[^}]*\}\}|\S+)|\$\{\{[^}]*\}\}"
)


def _pixi_task(args: str) -> list[str]:
    """The task a `pixi run` names: its first word once the options and their values are out."""
    return _words(_PIXI_OPTIONS.sub(" ", args))[:1]


def _words(args: str | None) -> list[str]:
    return [w for w in (args or "").split() if not w.startswith("-") and "=" not in w]


def _option(args: str | None, *flags: str) -> list[str]:
    """The values of an option (`-e py311,lint`, `--session=tests`), split on commas."""
    words = (args or "").replace("=", " ").split()
    found: list[str] = []
    for index, word in enumerate(words[:-1]):
        if word in flags:
            found += [v.strip("'\"") for v in words[index + 1].split(",")]
    return found


def _taskfile_lines(source: SourceFile, name: str, depth: int = 0) -> list[str]:
    """A Taskfile task's commands, and those of the tasks it depends on or calls."""
    document = source.documents[0] if source.documents else None
    tasks = document.get("tasks") if isinstance(document, dict) else None
    task = tasks.get(name) if isinstance(tasks, dict) else None
    if isinstance(task, list):
        task = {"cmds": task}
    if not isinstance(task, dict):
        return []
    lines: list[str] = []
    others: list[str] = [
        d if isinstance(d, str) else str(d.get("task", ""))
        for d in task.get("deps") or []
        if isinstance(d, str | dict)
    ]
    for command in task.get("cmds") or ([task["cmd"]] if "cmd" in task else []):
        if isinstance(command, str):
            lines += command.splitlines()
        elif isinstance(command, dict):
            if isinstance(command.get("cmd"), str):
                lines += command["cmd"].splitlines()
            elif isinstance(command.get("task"), str):
                others.append(command["task"])
    if depth < 2:
        for other in others:
            lines += _taskfile_lines(source, other, depth + 1)
    return lines


def _just_lines(source: SourceFile, name: str) -> list[str]:
    """A justfile recipe's lines (indented under `name args: deps`), with its dependencies'."""
    recipes: dict[str, tuple[list[str], list[str]]] = {}
    current: list[str] | None = None
    for line in source.lines:
        if line[:1] in {" ", "\t"} and current is not None:
            current.append(line.strip().lstrip("@-"))
            continue
        match = re.match(r"^@?([A-Za-z_][\w-]*)[^:=]*:(?!=)\s*(.*)$", line)
        current = None
        if match:
            current = []
            recipes[match.group(1)] = (current, _words(match.group(2)))
    body, deps = recipes.get(name, ([], []))
    return body + [line for dep in deps[:6] for line in recipes.get(dep, ([], []))[0]]


def _python_commands(source: SourceFile, function: str | None) -> list[str]:
    """The command strings a Python task file runs (`c.run("pytest")`, `session.run("ruff",
    "check")`), in one function and the tasks it lists as `pre=[...]`, or in the file."""
    code = source.python
    if code is None:
        return []
    functions = {f.name: f.node for f in code.functions}
    chosen: list[ast.AST] = [code.tree]
    if function is not None:
        node = functions.get(function) or functions.get(function.replace("-", "_"))
        if node is None:
            return []
        chosen = [node]
        for decorator in node.decorator_list:
            if isinstance(decorator, ast.Call):
                for keyword in decorator.keywords:
                    if keyword.arg in {"pre", "post"} and isinstance(
                        keyword.value, ast.List | ast.Tuple
                    ):
                        chosen += [
                            functions[e.id]
                            for e in keyword.value.elts
                            if isinstance(e, ast.Name) and e.id in functions
                        ]
    commands: list[str] = []
    for root in chosen:
        for call in ast.walk(root):
            if (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Attribute)
                and call.func.attr in {"run", "run_always", "run_install", "sudo", "local"}
            ):
                words = [
                    a.value
                    for a in call.args
                    if isinstance(a, ast.Constant) and isinstance(a.value, str)
                ]
                if words:
                    commands.append(" ".join(words))
    return commands


def _tox_lines(source: SourceFile, envs: list[str]) -> list[str]:
    """The commands of the tox environments (all of `envlist` when none is named)."""
    import configparser

    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(source.text or "")
    except configparser.Error:
        return []
    if not envs and parser.has_option("tox", "envlist"):
        envs = [e.strip() for e in re.split(r"[,\n]", parser.get("tox", "envlist")) if e.strip()]
    lines: list[str] = []
    for env in envs or ["testenv"]:
        for section in (f"testenv:{env}", "testenv"):
            if parser.has_option(section, "commands"):
                # `{posargs:flake8 pkg tests}` runs its default when no arguments are given
                lines += _TOX_POSARGS.sub(r"\1", parser.get(section, "commands")).splitlines()
                break
    return lines


_INSTALLING = re.compile(INSTALLS.replace("(?!.*", "(?=.*", 1))
_TOX_POSARGS = re.compile(r"\{posargs:([^{}]*)\}")


def _pre_commit_lines(source: SourceFile, only: str = "") -> list[str]:
    """What a pre-commit config runs: its repositories, hooks and local hooks' commands
    (only the hook `only`, when a command names one)."""
    lines: list[str] = []
    for document in source.documents:
        repos = document.get("repos") if isinstance(document, dict) else None
        for repo in repos if isinstance(repos, list) else []:
            if isinstance(repo, dict):
                hooks = [
                    h
                    for h in repo.get("hooks") or []
                    if isinstance(h, dict) and (not only or h.get("id") == only)
                ]
                if only and not hooks:
                    continue
                lines.append(str(repo.get("repo", "")))
                for hook in hooks:
                    lines.append(str(hook.get("id", "")))
                    args = hook.get("args")
                    words = [str(a) for a in args] if isinstance(args, list) else []
                    # a local hook's command: `entry: make` with `args: [clean]`
                    lines.append(" ".join([str(hook.get("entry", "")), *words]).strip())
    return lines


def _pyproject_script(source: SourceFile, name: str) -> list[str]:
    """A task of poe, hatch, pdm, rye or pixi declared in pyproject.toml."""
    document = source.documents[0] if source.documents else None
    tool = document.get("tool") if isinstance(document, dict) else None
    if not isinstance(tool, dict):
        return []
    found: list[object] = []
    for table in (
        (tool.get("poe") or {}).get("tasks"),
        (tool.get("pdm") or {}).get("scripts"),
        ((tool.get("rye") or {}).get("scripts")),
        (tool.get("pixi") or {}).get("tasks"),
        *[
            feature.get("tasks")
            for feature in (((tool.get("pixi") or {}).get("feature")) or {}).values()
            if isinstance(feature, dict)
        ],
        *[
            env.get("scripts")
            for env in ((tool.get("hatch") or {}).get("envs") or {}).values()
            if isinstance(env, dict)
        ],
    ):
        if isinstance(table, dict) and name.split(":")[-1] in table:
            found.append(table[name.split(":")[-1]])
    lines: list[str] = []
    for value in found:
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, dict):
                item = item.get("cmd") or item.get("shell") or item.get("call") or ""
            if isinstance(item, str):
                lines += item.splitlines()
    return lines


class _Runners(delivery._Follower):
    """delivery's follower of CI commands, taught the task runners."""

    def _references(self, command: str) -> list[str]:
        found: list[str] = list(super()._references(command))
        if _INSTALLING.search(command):
            return found  # `pip install --user tox` installs the runner, it runs nothing
        view = self.view
        named = view.find

        def files(*names: str) -> list[str]:
            return [p for name in names for p in named(name)][:3]

        for match in _TASK.finditer(command):
            for path in files("Taskfile.yml", "Taskfile.yaml", "taskfile.yml", "taskfile.yaml"):
                found += [f"{path}#task:{n}" for n in _words(match.group("args"))[:3]]
        for match in _JUST.finditer(command):
            for path in files("justfile", "Justfile", ".justfile"):
                found += [f"{path}#just:{n}" for n in _words(match.group("args"))[:3]]
        for match in _INVOKE.finditer(command):
            for name in _words(match.group("args"))[:3]:
                module, _, function = name.partition(".")
                found += [f"{p}#python:{function}" for p in files(f"tasks/{module}.py")]
                found += [f"{p}#python:{name}" for p in files("tasks.py", "tasks/__init__.py")]
        for match in _TOX.finditer(command):
            found += [
                f"{p}#tox:{','.join(_option(match.group('args'), '-e'))}" for p in files("tox.ini")
            ]
        for match in _NOX.finditer(command):
            sessions = _option(match.group("args"), "-s", "--session", "--sessions")
            for path in files("noxfile.py"):
                found += [f"{path}#python:{s}" for s in sessions] or [f"{path}#python:"]
        if pre_commit := _PRE_COMMIT.search(command):
            # `pre-commit run gitleaks --all-files` runs that one hook, not the others
            words = (pre_commit.group("args") or "").split()
            hook = next((w for w in words if w[:1] != "-"), "")
            found += [
                f"{p}#pre-commit:{hook}"
                for p in files(".pre-commit-config.yaml", ".pre-commit-config.yml")
            ]
        for match in _SCRIPT_RUNNER.finditer(command):
            for path in files("pyproject.toml"):
                found += [f"{path}#pyproject:{n}" for n in _words(match.group("args"))[:1]]
        for match in _PIXI.finditer(command):
            for path in files("pyproject.toml"):
                found += [f"{path}#pyproject:{n}" for n in _pixi_task(match.group("args"))]
        for match in _CONFIG_FILE.finditer(command):
            found += [f"{p}#config:" for p in named(match.group("path"))]
        return list(dict.fromkeys(found))

    def file(self, reference: str, remote: bool, depth: int) -> str | None:
        path, _, target = reference.partition("#")
        kind, runner, name = target.partition(":")
        if not runner:
            return super().file(reference, remote, depth)
        key = (reference, remote)
        if key in self._seen:
            return self._seen[key]
        self._seen[key] = None
        if path not in self.view.entries:
            return None
        source = self.view.source(path)
        lines = {
            "task": lambda: _taskfile_lines(source, name),
            "just": lambda: _just_lines(source, name),
            "python": lambda: _python_commands(source, name or None),
            "tox": lambda: _tox_lines(source, [e for e in name.split(",") if e]),
            "pre-commit": lambda: _pre_commit_lines(source, name),
            "pyproject": lambda: _pyproject_script(source, name),
            "config": lambda: [s.text for d in source.documents for s in delivery._scripts(d)],
        }[kind]()
        how = self._lines(lines, remote, depth)
        self._seen[key] = how
        return how


@dataclass(frozen=True)
class CiRunsParams:
    #: What a command that runs the tool looks like.
    pattern: str = field(metadata=REGEX)
    label: str = "CI step"
    #: Also what the pre-commit hooks run on every commit, followed the same way (a local
    #: hook running a Makefile target whose prerequisite runs the linters).
    hooks: bool = False
    #: Only CI that runs on changes: a GitHub workflow started only by hand or on a
    #: schedule (`on: workflow_dispatch`) runs the tests when someone remembers to.
    on_changes: bool = False


@repo_detector(params=CiRunsParams)
def ci_runs(repo: Repository, params: CiRunsParams) -> Detection:
    """What CI runs, followed through the scripts, Makefile targets and task runners it
    calls (Taskfile, just, invoke, tox, nox, pre-commit, pyproject task runners) and the
    job definitions it submits: each CI definition with a step that runs a matching command."""
    view = delivery._view(repo)
    follower = _Runners(view, delivery.CiDoesParams(pattern=params.pattern, label=params.label))
    matches = []
    for source in delivery.ci_files(view):
        if params.on_changes and runs_only_by_hand(source):
            continue
        for script, separators in delivery._ci_scripts(source):
            found = next(
                (
                    (command, how)
                    for command, remote in delivery._commands_of(script, separators)
                    if (how := follower.command(command, remote)) is not None
                ),
                None,
            )
            if found is not None:
                line = line_holding(source, script.line, found[0])
                matches.append(
                    Evidence(
                        Location(source.path, line),
                        f"{params.label}: {found[1]}",
                        source.snippet(line),
                    )
                )
                break
    if params.hooks:
        for path in view.find(".pre-commit-config.yaml") + view.find(".pre-commit-config.yml"):
            how = follower.file(f"{path}#pre-commit:", False, 0)
            if how is not None:
                matches.append(Evidence(Location(path), f"pre-commit hook: {how}"))
    return Detection(tuple(matches))
