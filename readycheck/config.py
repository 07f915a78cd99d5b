"""Configuration: defaults < `.readycheck.yml` or `[tool.readycheck]` < command line.

The file is validated against schemas/config.schema.json; an unknown key or
a wrong value stops readycheck with exit code 2 and names the file, line and
key. The repository's own config is convenient, but a pull request can edit
it: a central team passes `--config` (which replaces it) and
`--no-inline-ignores`.
"""

from __future__ import annotations

import json
import math
import re
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from readycheck import yamlload
from readycheck.errors import ConfigError
from readycheck.model import Pillar, Role, Severity
from readycheck.validation import validate

CONFIG_NAMES = (".readycheck.yml", ".readycheck.yaml")
#: A config, or the pyproject.toml that may hold one, is read only below this size: the
#: repository's own copy is repository content, and must not make readycheck read gigabytes.
MAX_CONFIG_SIZE = 1024 * 1024
#: What tomllib raises besides TOMLDecodeError: numbers past int()'s 4,300-digit limit,
#: arrays nested deeper than the interpreter's recursion limit.
_TOML_LIMITS = (ValueError, RecursionError)
_READYCHECK_TABLE = re.compile(r"^\s*\[+\s*tool\s*\.\s*readycheck\b", re.MULTILINE)
#: No setting needs a longer number; a longer one is refused by its length, not printed whole.
MAX_DIGITS = 20
_DIGIT_RUN = re.compile(r"[0-9][0-9_]*")


@dataclass(frozen=True)
class ConfigSuppression:
    rule: str
    reason: str
    path: str | None = None
    until: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class Config:
    """Everything a configuration file can set; None means "not set here"."""

    source: str | None = None
    #: Where the scanned folder sits below the config's folder ("src" when `scan src` used
    #: the repository root's config; "" when they are the same): its patterns and baseline
    #: are relative to its own folder.
    base: str = ""
    #: The repository kind the owner declares; it wins over the inferred one.
    kind: str | None = None
    exclude: tuple[str, ...] = ()
    #: Gitignore patterns per role ("code", "test", ...), over the path-based defaults.
    roles: tuple[tuple[Role, tuple[str, ...]], ...] = ()
    max_file_size: int | None = None
    inline_ignores: bool | None = None
    disable: dict[str, int | None] = field(default_factory=dict)  # rule id -> line
    severity: dict[str, Severity] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    custom_rules: Any = None  # the raw `rules.custom` list, validated as a rulebook
    fail_under: float | None = None
    fail_on: Severity | None = None
    min_pillar: dict[Pillar, float] = field(default_factory=dict)
    baseline: str | None = None
    suppressions: tuple[ConfigSuppression, ...] = ()
    #: key path -> line, for errors found after validation (unknown rule ids)
    lines: dict[str, int | None] = field(default_factory=dict)


@cache
def _schema() -> dict[str, Any]:
    text = (resources.files("readycheck") / "schemas" / "config.schema.json").read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


def find_config(start: Path) -> Path | None:
    """The repository's own config, looked for as ruff and pytest do: in the scanned folder,
    then in each folder above it up to the repository root (the folder holding `.git`), so
    `readycheck scan src` uses the root's `.readycheck.yml`. Never above the repository
    root, and outside a git repository only in the scanned folder: a config elsewhere on
    the machine is not the repository's word."""
    for depth, folder in enumerate(_search_path(start)):
        found = _config_in(folder)
        if found is not None:
            return start / found.name if depth == 0 else found
    return None


def _search_path(start: Path) -> list[Path]:
    """The scanned folder and the folders above it, up to and including the repository root."""
    start = start.resolve()
    chain = [start, *start.parents]
    for index, folder in enumerate(chain):
        if (folder / ".git").exists():
            return chain[: index + 1]
    return [start]


def _config_in(folder: Path) -> Path | None:
    """.readycheck.yml, else a pyproject.toml with a [tool.readycheck] table, in one folder."""
    for name in CONFIG_NAMES:
        candidate = folder / name
        if candidate.is_file() and not candidate.is_symlink():
            return candidate
    pyproject = folder / "pyproject.toml"
    if pyproject.is_file() and not pyproject.is_symlink():
        try:
            if pyproject.stat().st_size > MAX_CONFIG_SIZE:
                return None  # listed as too large by the scan, like any other oversized file
            text = pyproject.read_text("utf-8")
            data = tomllib.loads(text)
        except (OSError, UnicodeDecodeError):
            return None
        except (tomllib.TOMLDecodeError, *_TOML_LIMITS):
            # A broken pyproject is the project's problem, reported by the scan, unless it
            # holds our table: then a typo must stop readycheck, not silently drop the gate.
            return pyproject if _READYCHECK_TABLE.search(text) else None
        tool = data.get("tool")
        if isinstance(tool, dict) and "readycheck" in tool:
            return pyproject
    return None


def load_config(path: Path) -> Config:
    """Read and validate a config file (YAML, or the [tool.readycheck] table of a TOML file)."""
    display = str(path)
    try:
        if not path.is_file():
            raise ConfigError("not a regular file", path=display)
        if path.stat().st_size > MAX_CONFIG_SIZE:
            raise ConfigError(
                f"config file is larger than {MAX_CONFIG_SIZE:,} bytes; is it the right file?",
                path=display,
            )
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read config file: {error}", path=display) from None
    return parse_config(text, display, toml=path.suffix == ".toml")


def parse_config(text: str, display: str, toml: bool = False) -> Config:
    """Validate a config's text; `display` names it in errors (a file, or `REF:path` for
    the config a diff-aware scan reads at its base)."""
    if toml:
        data = _from_toml(text, display)
        if data is not None:
            data = _with_lines(data, _toml_positions(text), (), 1)
    else:
        data = _from_yaml(text, display)
    if data is None:
        return Config(source=display)
    _check_numbers(data, display)
    validate(data, _schema(), display, error_type=ConfigError)
    return _build(data, display)


Position = tuple[int | None, int | None]


def _check_numbers(data: Any, display: str) -> None:
    """Refuse NaN, infinities and numbers too long to mean anything, wherever they are.

    JSON Schema's bounds do not catch NaN (every comparison with it is false), so
    `fail_under: .nan` would pass validation and then never fail the gate; nor does a
    threshold or a weight need to be infinite. A repository's own config is repository
    content, so this is a gate it must not be able to switch off that way."""
    for value, path, (line, column) in _numbers(data, (), (None, None)):
        if isinstance(value, float) and not math.isfinite(value):
            message = f"{value!r} is not a finite number"
        elif isinstance(value, int) and len(str(abs(value))) > MAX_DIGITS:
            message = f"a {len(str(abs(value))):,}-digit number is out of range"
        else:
            continue
        raise ConfigError(message, path=display, line=line, column=column, field=_dotted(path))


def _numbers(
    value: Any, path: TomlPath, where: Position
) -> Iterator[tuple[int | float, TomlPath, Position]]:
    """Every number in loaded config data, with its key path and position."""
    if isinstance(value, dict):
        positions = getattr(value, "value_positions", {})
        for key, item in value.items():
            yield from _numbers(item, (*path, key), positions.get(key, where))
    elif isinstance(value, list):
        positions = getattr(value, "item_positions", [])
        for index, item in enumerate(value):
            yield from _numbers(
                item, (*path, index), positions[index] if index < len(positions) else where
            )
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield value, path, where


def _dotted(path: TomlPath) -> str:
    """A key path as errors name it: gate.min_pillar.security, rules.custom[0].weight."""
    text = ""
    for key in path:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else str(key))
    return text or "(top level)"


def _from_yaml(text: str, display: str) -> Any:
    try:
        documents = yamlload.load_trusted(text, display, ConfigError)
    except ConfigError as error:
        if error.line is None:
            _raise_for_long_yaml_integer(text, display)
        raise
    if len(documents) > 1:
        raise ConfigError("a config file must hold one YAML document", path=display)
    return documents[0] if documents else None


def _from_toml(text: str, display: str) -> Any:
    """The [tool.readycheck] table, or None when there is none."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"line (\d+), column (\d+)", str(error))
        line, column = (int(match.group(1)), int(match.group(2))) if match else (None, None)
        reason = re.sub(r"\s*\(at line \d+, column \d+\)$", "", str(error))
        if reason == "Cannot overwrite a value":  # tomllib's words for a repeated key
            reason = "key defined twice"
        raise ConfigError(
            f"invalid TOML: {reason}", path=display, line=line, column=column
        ) from None
    except _TOML_LIMITS as error:
        if isinstance(error, ValueError):
            _raise_for_long_toml_integer(text, display)
        reason = "nesting is too deep" if isinstance(error, RecursionError) else str(error)
        raise ConfigError(f"invalid TOML: {reason}", path=display) from None
    tool = data.get("tool")
    return tool.get("readycheck") if isinstance(tool, dict) else None


TomlPath = tuple[str | int, ...]


def _long_number_error(
    digits: str, display: str, line: int | None, column: int | None, field: str | None
) -> ConfigError:
    count = sum(character.isdigit() for character in digits)
    return ConfigError(
        f"a {count:,}-digit number is out of range",
        path=display,
        line=line,
        column=column,
        field=field,
    )


def _raise_for_long_yaml_integer(text: str, display: str) -> None:
    """Python refuses to read an integer of more than 4,300 digits (a guard against
    quadratic-time conversion), and PyYAML's error then has no position: find the number
    in the document's nodes (composed, not constructed) and name its line and key."""
    import yaml
    from yaml.constructor import SafeConstructor
    from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

    constructor = SafeConstructor()

    def walk(node: Node, path: TomlPath) -> None:
        if isinstance(node, MappingNode):
            for key, value in node.value:
                walk(value, (*path, str(key.value) if isinstance(key, ScalarNode) else "?"))
        elif isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, (*path, index))
        elif isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:int":
            try:
                constructor.construct_yaml_int(node)
            except ValueError:
                mark = node.start_mark
                raise _long_number_error(
                    node.value, display, mark.line + 1, mark.column + 1, _dotted(path)
                ) from None

    try:
        documents = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except (yaml.YAMLError, RecursionError, ValueError):
        return
    for document in documents:
        if document is not None:
            walk(document, ())


def _raise_for_long_toml_integer(text: str, display: str) -> None:
    """The TOML counterpart: tomllib's error has no position either. The line is the first
    that holds an integer tomllib refuses on its own (or, inside a multi-line array or
    table, the first with a digit run that long); the key is read from the line map."""
    limit = sys.get_int_max_str_digits()
    if not limit:
        return
    found: tuple[int, str] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        runs = [run for run in _DIGIT_RUN.findall(line) if len(run.replace("_", "")) > limit]
        if not runs:
            continue
        try:
            tomllib.loads(line)
        except tomllib.TOMLDecodeError:
            found = found or (number, runs[0])
            continue
        except ValueError:
            found = (number, runs[0])
            break
    if found is None:
        return
    line_number, digits = found
    keys = [path for path, at in _toml_positions(text).items() if at == line_number]
    field = _dotted(max(keys, key=len)) if keys else None
    raise _long_number_error(digits, display, line_number, None, field)


_TOML_HEADER = re.compile(r"^\[(\[?)\s*([^\[\]]+?)\s*\]")
_TOML_KEY = re.compile(r"^([A-Za-z0-9_\-\"'.]+?)\s*=")


def _toml_parts(dotted: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in dotted.split("."))


def _toml_positions(text: str) -> dict[TomlPath, int]:
    """The line of each table and `key =` under [tool.readycheck], by its path inside
    that table: ("gate", "fail_on"), ("rules", "custom", 0, "check"). tomllib keeps no
    positions; this is enough for the layouts people write (one key per line)."""
    positions: dict[TomlPath, int] = {}
    arrays: dict[TomlPath, int] = {}  # array-of-tables path -> index of its last element
    table: TomlPath | None = None  # None: outside [tool.readycheck]
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if header := _TOML_HEADER.match(stripped):
            parts = _toml_parts(header.group(2))
            table = None
            if parts[:2] != ("tool", "readycheck"):
                continue
            path: TomlPath = ()
            for index, part in enumerate(parts[2:], start=3):
                path = (*path, part)
                if path in arrays and not (header.group(1) and index == len(parts)):
                    path = (*path, arrays[path])  # a sub-table of the array's last element
            if header.group(1):  # [[array of tables]]: a new element
                arrays[path] = arrays.get(path, -1) + 1
                path = (*path, arrays[path])
            table = path
            positions.setdefault(table, number)
        elif table is not None and (key := _TOML_KEY.match(stripped)):
            positions.setdefault((*table, *_toml_parts(key.group(1))), number)
    return positions


def _with_lines(value: Any, positions: dict[TomlPath, int], path: TomlPath, default: int) -> Any:
    """TOML data as LineDict/LineList, so schema errors can name a line as they do for YAML."""
    line = positions.get(path, default)
    if isinstance(value, dict):
        result = yamlload.LineDict()
        result.line, result.column = line, 1
        result.key_positions, result.value_positions = {}, {}
        for key, item in value.items():
            child = (*path, key)
            result[key] = _with_lines(item, positions, child, line)
            result.key_positions[key] = result.value_positions[key] = (
                positions.get(child, line),
                1,
            )
        return result
    if isinstance(value, list):
        items = yamlload.LineList(
            _with_lines(item, positions, (*path, index), line) for index, item in enumerate(value)
        )
        items.line, items.column = line, 1
        items.item_positions = [
            (positions.get((*path, index), line), 1) for index in range(len(value))
        ]
        return items
    return value


def _build(data: Any, display: str) -> Config:
    rules = data.get("rules") or {}
    gate = data.get("gate") or {}
    suppressions = tuple(
        ConfigSuppression(
            rule=item["rule"],
            reason=str(item.get("reason") or "").strip(),
            path=item.get("path"),
            until=item.get("until"),
            line=getattr(data.get("suppressions"), "line_of", lambda _i: None)(index),
        )
        for index, item in enumerate(data.get("suppressions") or [])
    )
    disable_list = rules.get("disable") or []
    return Config(
        source=display,
        kind=data.get("kind"),
        exclude=tuple(data.get("exclude") or ()),
        roles=tuple(
            (Role(name), tuple(globs)) for name, globs in (data.get("roles") or {}).items()
        ),
        max_file_size=data.get("max_file_size"),
        inline_ignores=data.get("inline_ignores"),
        disable={
            rule_id: getattr(disable_list, "line_of", lambda _i: None)(index)
            for index, rule_id in enumerate(disable_list)
        },
        severity={
            rule_id: Severity(value) for rule_id, value in (rules.get("severity") or {}).items()
        },
        params=dict(rules.get("params") or {}),
        custom_rules=rules.get("custom"),
        fail_under=gate.get("fail_under"),
        fail_on=Severity(gate["fail_on"]) if gate.get("fail_on") else None,
        min_pillar={
            Pillar(name): float(value) for name, value in (gate.get("min_pillar") or {}).items()
        },
        baseline=gate.get("baseline"),
        suppressions=suppressions,
        lines={
            "kind": getattr(data, "line_of", lambda _k: None)("kind"),
            "rules": getattr(data, "line_of", lambda _k: None)("rules"),
            "gate.baseline": getattr(gate, "line_of", lambda _k: None)("baseline"),
            **{
                f"rules.{section}.{rule_id}": table.line_of(rule_id)
                for section in ("severity", "params")
                if isinstance(table := rules.get(section), yamlload.LineDict)
                for rule_id in table
            },
        },
    )


STARTER = """\
# readycheck configuration: https://github.com/readycheck/readycheck#configuration
# Command-line options override what is set here. Delete what you do not need.

# What this repository is: service (serves predictions online), batch (a training or
# batch-scoring pipeline), library, or research (notebooks, course or paper code). The
# rules that judge it follow from its kind; readycheck infers it when this is not set.
# kind: service

# Paths not to scan (gitignore syntax).
exclude:
  - "vendor/"

# What files are, when their folder names do not say it (gitignore syntax). Tests,
# examples (samples, demos, tutorials, templates), docs and archived code are not
# production code: evidence there earns half credit, and hazards there weigh a quarter.
# roles:
#   code: ["examples/reference_service/**"]   # this example is deployed: judge it as code
#   example: ["playground/**"]
#   archived: ["v1_pipeline/**"]              # superseded, kept for the record

# Files larger than this are listed but not read.
# max_file_size: 5242880

# Honour `# readycheck: ignore[RULE-ID] reason` comments in the code.
inline_ignores: true

rules:
  # Rules that do not apply to this project, by id (`readycheck scan --show-passed` lists them).
  disable: []
  # Change a rule's severity (and so its weight in the score).
  severity: {}
  #   RC-SEC-004: low
  # Change a rule's detector parameters (only for rules with a single check).
  params: {}
  #   RC-HYG-007:
  #     pattern: "^/(Users|home)/"
  # Your own rules, in the same format as the built-in rulebook (rules/*.yaml).
  custom: []

# The CI gate: when set, `readycheck scan` exits 1 if a condition fails. It is off until
# you choose its thresholds: scan once, look at the score and the findings, create a
# baseline for what you accept today, then uncomment what the team agrees on.
# gate:
#   # Fail when the overall score is below this.
#   fail_under: 50
#   # Fail when a new finding at or above this severity is neither suppressed nor in the baseline.
#   fail_on: critical
#   # Minimum score per pillar.
#   min_pillar:
#     security: 60
#     monitoring: 40
#   # Findings already known; create it with `readycheck baseline create`.
#   baseline: .readycheck-baseline.json

# Accepted findings. Each needs a reason, and may expire.
suppressions: []
#  - rule: RC-SEC-002
#    path: src/serving/loader.py
#    reason: the model is loaded from our signed registry and its checksum verified
#    until: 2027-03-31
"""
