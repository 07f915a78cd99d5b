"""Declared dependencies, from every file where Python projects declare them.

requirements*.txt, pyproject.toml (PEP 621, PEP 735 groups, Poetry), Pipfile,
setup.cfg, setup.py (its `setup()` call read as an AST, never run) and conda
environment files. A dependency is *pinned* when it names one exact version
(`==1.2.3`, a Poetry bare version, a conda build) or a commit hash.
"""

from __future__ import annotations

import ast
import bisect
import configparser
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$")
_EXACT = re.compile(r"^===?\s*[^*,;\s]+$")
_COMMIT = re.compile(r"@[0-9a-f]{40}\b")
_TOML_KEY = re.compile(r"^[ \t]*[\"']?([^\"'\s=]+)[\"']?[ \t]*=.*$", re.MULTILINE)


@dataclass(frozen=True)
class Dependency:
    name: str  # normalised as PEP 503 does: lower case, runs of -_. as one -
    specifier: str
    pinned: bool
    line: int | None
    group: str  # "runtime", or the extra / group name ("dev", "test", ...)
    raw: str


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def is_dependency_file(path: str) -> bool:
    name = PurePosixPath(path).name.lower()
    return (
        name in {"pyproject.toml", "pipfile", "setup.cfg", "setup.py"}
        or name in {"environment.yml", "environment.yaml", "conda.yml", "conda.yaml"}
        or (name.endswith((".txt", ".in")) and name.startswith(("requirements", "constraints")))
        or PurePosixPath(path).parent.name.lower() == "requirements"
    )


def parse_requirement(text: str, line: int | None, group: str) -> Dependency | None:
    """One PEP 508 requirement string (markers and hashes ignored)."""
    text = text.split(" #", 1)[0].strip()
    if not text or text.startswith(("-", "#", ".", "/", "git+", "http:", "https:", "file:")):
        return None
    match = _REQUIREMENT.match(text)
    if not match:
        return None
    name, _extras, rest = match.groups()
    specifier = rest.split(";", 1)[0].split(" --", 1)[0].strip()
    pinned = bool(_EXACT.match(specifier)) or bool(_COMMIT.search(specifier))
    return Dependency(normalise(name), specifier, pinned, line, group, text)


def parse_requirements_text(text: str, group: str = "runtime") -> list[Dependency]:
    deps = []
    pending = ""
    start = 1
    for number, line in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        dependency = parse_requirement(pending + line, start, group)
        pending = ""
        if dependency:
            deps.append(dependency)
    return deps


class Locator:
    """Finds the lines where a file's entries are written, in the order it declares them.

    Each lookup searches on from where the previous one was found, then from the start
    (an entry listed twice gets the line of each listing), and line numbers come from a
    table of line starts built once. Searching the whole text for every entry instead is
    quadratic: a generated 5 MB pyproject.toml of 80,000 dependencies took 60 s. Past a
    budget of characters searched, the remaining entries get no line rather than holding
    up the scan; a file written in order never comes near it.
    """

    #: Characters searched per file, as a multiple of its length (with a floor).
    BUDGET_PASSES = 200
    BUDGET_FLOOR = 10_000_000

    def __init__(self, text: str) -> None:
        self.text = text
        self._cursor = 0
        self._budget = max(self.BUDGET_FLOOR, self.BUDGET_PASSES * len(text))
        self._starts: list[int] | None = None
        self._keys: dict[str, list[re.Match[str]]] | None = None

    def line(self, index: int) -> int:
        """The 1-based line holding character `index`."""
        if self._starts is None:
            self._starts = [0, *(m.end() for m in re.finditer("\n", self.text))]
        return bisect.bisect_right(self._starts, index)

    def find(self, needle: str) -> int | None:
        """The line of the next place `needle` is written, or None."""
        if not needle or self._budget < 0:
            return None
        index = self.text.find(needle, self._cursor)
        self._budget -= (index + len(needle) if index >= 0 else len(self.text)) - self._cursor
        if index < 0:
            index = self.text.find(needle, 0, self._cursor + len(needle))
            self._budget -= self._cursor
        if index < 0:
            return None
        self._cursor = index + len(needle)
        return self.line(index)

    def key(self, key: str) -> re.Match[str] | None:
        """The next line that sets `key` in a TOML table, bare or quoted. Every such line
        is indexed once, rather than a pattern compiled and run over the text per key."""
        if self._keys is None:
            self._keys = {}
            for match in _TOML_KEY.finditer(self.text):
                self._keys.setdefault(match.group(1), []).append(match)
        matches = self._keys.get(key)
        if not matches:
            return None
        after = bisect.bisect_left([m.start() for m in matches], self._cursor)
        match = matches[after] if after < len(matches) else matches[0]
        self._cursor = match.end()
        return match

    def string_line(self, value: str) -> int | None:
        """The line of a TOML or YAML string element as written: quoted first (`"numpy"`
        is not found inside `"numpy-financial"` or a description), with TOML's escapes
        (`python_version < \\"3.11\\"`), else bare."""
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        for written in (f'"{escaped}"', f"'{value}'", f'"{value}"', value):
            line = self.find(written)
            if line is not None:
                return line
        return None


def _from_strings(items: Any, where: Locator, group: str) -> list[Dependency]:
    if not isinstance(items, list):
        return []
    deps = []
    for item in items:
        if isinstance(item, str):
            dependency = parse_requirement(item, where.string_line(item), group)
            if dependency:
                deps.append(dependency)
    return deps


def _poetry(table: Any, where: Locator, group: str) -> list[Dependency]:
    if not isinstance(table, dict):
        return []
    deps = []
    for name, spec in table.items():
        if normalise(str(name)) == "python":
            continue
        version = str(spec.get("version", "")) if isinstance(spec, dict) else str(spec)
        pinned = bool(re.match(r"^(==)?\d[\w.]*$", version.strip())) or (
            isinstance(spec, dict) and isinstance(spec.get("rev"), str)
        )
        line, raw = _toml_entry(where, str(name), version)
        deps.append(Dependency(normalise(str(name)), version, pinned, line, group, raw))
    return deps


def from_pyproject(data: dict[str, Any], text: str) -> list[Dependency]:
    deps: list[Dependency] = []
    where = Locator(text)
    project = data.get("project", {})
    if isinstance(project, dict):
        deps += _from_strings(project.get("dependencies"), where, "runtime")
        optional = project.get("optional-dependencies", {})
        if isinstance(optional, dict):
            for extra, items in optional.items():
                deps += _from_strings(items, where, str(extra))
    groups = data.get("dependency-groups", {})
    if isinstance(groups, dict):
        for group, items in groups.items():
            deps += _from_strings(items, where, str(group))
    poetry = data.get("tool", {}).get("poetry", {}) if isinstance(data.get("tool"), dict) else {}
    if isinstance(poetry, dict):
        deps += _poetry(poetry.get("dependencies"), where, "runtime")
        deps += _poetry(poetry.get("dev-dependencies"), where, "dev")
        poetry_groups = poetry.get("group")
        if isinstance(poetry_groups, dict):
            for group, table in poetry_groups.items():
                if isinstance(table, dict):
                    deps += _poetry(table.get("dependencies"), where, str(group))
    return deps


def from_pipfile(data: dict[str, Any], text: str) -> list[Dependency]:
    deps: list[Dependency] = []
    where = Locator(text)
    for section, group in (("packages", "runtime"), ("dev-packages", "dev")):
        table = data.get(section, {})
        if not isinstance(table, dict):
            continue
        for name, spec in table.items():
            version = str(spec.get("version", "*")) if isinstance(spec, dict) else str(spec)
            pinned = bool(_EXACT.match(version.strip()))
            line, raw = _toml_entry(where, str(name), version)
            deps.append(Dependency(normalise(str(name)), version, pinned, line, group, raw))
    return deps


def _toml_entry(where: Locator, key: str, version: str) -> tuple[int | None, str]:
    """The line where a TOML table (Pipfile, Poetry) sets `key`, bare or quoted, and its
    text; `torch` is not found on the line of `pytorch-lightning`."""
    match = where.key(key)
    if match is None:
        return None, f'{key} = "{version}"'
    return where.line(match.start()), match.group(0).strip()


def from_setup_cfg(text: str) -> list[Dependency]:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error:
        return []
    deps: list[Dependency] = []
    where = Locator(text)
    if parser.has_option("options", "install_requires"):
        for item in parser.get("options", "install_requires").splitlines():
            dependency = parse_requirement(item, where.find(item.strip()), "runtime")
            if dependency:
                deps.append(dependency)
    if parser.has_section("options.extras_require"):
        for extra, value in parser.items("options.extras_require"):
            for item in value.splitlines():
                dependency = parse_requirement(item, where.find(item.strip()), extra)
                if dependency:
                    deps.append(dependency)
    return deps


def from_setup_py(tree: ast.Module) -> list[Dependency]:
    """Literal `install_requires=[...]` and `extras_require={...}` of a setup() call."""
    deps: list[Dependency] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name != "setup":
            continue
        for keyword in node.keywords:
            if keyword.arg == "install_requires" and isinstance(
                keyword.value, ast.List | ast.Tuple
            ):
                deps += _literal_requirements(keyword.value.elts, "runtime")
            elif keyword.arg == "extras_require" and isinstance(keyword.value, ast.Dict):
                for key, value in zip(keyword.value.keys, keyword.value.values, strict=True):
                    extra = key.value if isinstance(key, ast.Constant) else "extra"
                    if isinstance(value, ast.List | ast.Tuple):
                        deps += _literal_requirements(value.elts, str(extra))
    return deps


def _literal_requirements(elements: list[ast.expr], group: str) -> list[Dependency]:
    deps = []
    for element in elements:
        if isinstance(element, ast.Constant) and isinstance(element.value, str):
            dependency = parse_requirement(element.value, element.lineno, group)
            if dependency:
                deps.append(dependency)
    return deps


def from_conda(data: Any, text: str) -> list[Dependency]:
    """conda `dependencies:` (a `name=version=build` pin is exact) and its `pip:` list."""
    if not isinstance(data, dict) or not isinstance(data.get("dependencies"), list):
        return []
    deps: list[Dependency] = []
    where = Locator(text)
    for item in data["dependencies"]:
        if isinstance(item, str):
            match = re.match(r"^\s*([A-Za-z0-9][\w.-]*)\s*(.*)$", item)
            if not match or normalise(match.group(1)) in {"python", "pip"}:
                continue
            spec = match.group(2).strip()
            pinned = bool(re.match(r"^==?[\d][\w.]*(=\S+)?$", spec)) and "*" not in spec
            deps.append(
                Dependency(
                    normalise(match.group(1)), spec, pinned, where.find(item), "runtime", item
                )
            )
        elif isinstance(item, dict) and isinstance(item.get("pip"), list):
            deps += _from_strings(item["pip"], where, "runtime")
    return deps
