"""A tiny HTML builder that escapes by default, shared by the HTML scorecard and its charts.

Scanned repositories are untrusted: a file name, a snippet or a branch name can
hold `<script>`. Building pages from f-strings makes every interpolation a
place to forget escaping; here, any plain `str` handed to `el()` is escaped,
and only `Html` values (built by `el()` or `e()`) pass through as markup.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import TypeAlias

# C0/C1 controls except tab and newline, and the Unicode bidi controls behind
# "Trojan Source": they could make a file name read differently from what it is.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_VOID = frozenset({"meta", "link", "br", "hr", "input", "img", "col", "wbr"})


class Html(str):
    """Text that is already markup: escaped or built by `el()`, safe to insert as is."""

    __slots__ = ()


Child: TypeAlias = "Html | str | int | float | Iterable[Child] | None"
Attr = str | int | float | bool | None


def visible(text: str) -> str:
    """Show control and bidi characters as `\\uXXXX` instead of letting them act."""
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def e(text: object) -> Html:
    """Escape any value for use as HTML text or inside a quoted attribute."""
    return Html(html.escape(visible(str(text)), quote=True))


def raw(markup: str) -> Html:
    """Mark a constant written in this package (CSS, script) as markup; never repository text."""
    return Html(markup)


def _children(children: Iterable[Child]) -> str:
    parts: list[str] = []
    for child in children:
        if child is None:
            continue
        if isinstance(child, Html):
            parts.append(child)
        elif isinstance(child, str | int | float):
            parts.append(e(child))
        else:
            parts.append(_children(child))
    return "".join(parts)


def el(tag: str, /, *children: Child, **attrs: Attr) -> Html:
    """An element. Keyword names map to attributes: `class_` -> class, `data_score` -> data-score;
    None and False leave the attribute out, True writes it bare."""
    parts = [tag]
    for key, value in attrs.items():
        if value is None or value is False:
            continue
        name = key.rstrip("_").replace("_", "-")
        parts.append(name if value is True else f'{name}="{e(value)}"')
    opening = "<" + " ".join(parts) + ">"
    if tag in _VOID:
        return Html(opening)
    return Html(f"{opening}{_children(children)}</{tag}>")


def join(items: Iterable[Child], separator: Child = "") -> Html:
    """Items with a separator between them, as markup."""
    out: list[Child] = []
    for index, item in enumerate(items):
        if index:
            out.append(separator)
        out.append(item)
    return Html(_children(out))
