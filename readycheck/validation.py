"""JSON Schema validation whose errors name the file, line, column and field at fault.

Data loaded with readycheck.yamlload remembers where each key and item came
from; the first schema error is mapped back to that place and phrased for a
person ("unknown field 'whyy' (did you mean 'why'?)") rather than as a
validator dump. Used for rulebooks and configuration files alike.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any, cast

import jsonschema

from readycheck import yamlload
from readycheck.errors import ReadycheckError, RulebookError


def validate(
    data: Any,
    schema: dict[str, Any],
    display: str,
    prefix: str = "",
    what: str = "",
    error_type: type[ReadycheckError] = RulebookError,
) -> None:
    """Validate against a JSON Schema; raise `error_type` at the best-matching error's line."""
    validator = jsonschema.Draft202012Validator(schema)
    errors = list(validator.iter_errors(data))
    if not errors:
        return
    # An unknown key is usually the typo behind a "missing required field" next to it: report it first.
    unknown = [e for e in errors if e.validator == "additionalProperties"]
    error = jsonschema.exceptions.best_match(unknown or errors)
    path = list(error.absolute_path)
    node, line, column = _locate(data, path)
    field = _field_name(prefix, path)
    message = _message(error)
    if error.validator == "additionalProperties" and isinstance(node, dict):
        allowed = set((error.schema.get("properties") or {}).keys())
        extra = sorted(str(k) for k in node if k not in allowed)
        if extra:
            key = extra[0]
            if isinstance(node, yamlload.LineDict) and key in node.key_positions:
                line, column = node.key_positions[key]
            field = _field_name(prefix, [*path, key])
            options = ", ".join(sorted(allowed))
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            message = f"unknown field {key!r}{hint}; expected one of: {options}"
    elif error.validator == "required" and isinstance(node, dict):
        missing = [k for k in cast(list[str], error.validator_value) if k not in node]
        if missing:
            field = _field_name(prefix, [*path, missing[0]])
            message = f"missing required field {missing[0]!r}"
    if what:
        message = f"{what}: {message}"
    rule_id = _rule_id(data, path)
    if rule_id:
        message = f"rule {rule_id}: {message}"
    raise error_type(message, path=display, line=line, column=column, field=field)


def _locate(data: Any, path: Iterable[Any]) -> tuple[Any, int | None, int | None]:
    """The node at `path` and the best-known line and column on the way to it."""
    node = data
    line = getattr(data, "line", None)
    column = getattr(data, "column", None)
    for key in path:
        if isinstance(node, yamlload.LineDict) and key in node.value_positions:
            line, column = node.value_positions[key]
        elif (
            isinstance(node, yamlload.LineList)
            and isinstance(key, int)
            and key < len(node.item_positions)
        ):
            line, column = node.item_positions[key]
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            break
    return node, line, column


def _field_name(prefix: str, path: Iterable[Any]) -> str:
    text = prefix
    for key in path:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else str(key))
    return text or "(top level)"


def _rule_id(data: Any, path: list[Any]) -> str | None:
    if len(path) >= 2 and path[0] == "rules" and isinstance(data, dict):
        rules = data.get("rules")
        if isinstance(rules, list) and isinstance(path[1], int) and path[1] < len(rules):
            rule = rules[path[1]]
            rule_id = rule.get("id") if isinstance(rule, dict) else None
            if isinstance(rule_id, str):
                return rule_id
    return None


def _message(error: jsonschema.ValidationError) -> str:
    if error.validator == "enum":
        options = ", ".join(str(o) for o in cast(list[Any], error.validator_value))
        return f"{error.instance!r} is not allowed; expected one of: {options}"
    if error.validator == "type":
        return f"expected {error.validator_value}, got {type(error.instance).__name__} {error.instance!r}"
    if error.validator == "pattern":
        return f"{error.instance!r} does not match the expected form {error.validator_value}"
    if error.validator == "minLength":
        return (
            f"{error.instance!r} is too short; expected at least {error.validator_value} characters"
        )
    if error.validator == "minItems":
        return f"expected at least {error.validator_value} item(s)"
    if error.validator in ("minimum", "maximum"):
        bound = "at least" if error.validator == "minimum" else "at most"
        return f"{error.instance!r} is out of range; expected {bound} {error.validator_value}"
    return error.message
