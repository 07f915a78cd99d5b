"""Detectors over documents, by what they contain rather than what they are called.

A model card is a model card whether it is `MODEL_CARD.md`, a page of the docs, a
model's README or the card a model hub renders from a README's metadata; a data
folder's README that says where to put the CSV is not a datasheet. `doc_sections`
recognises a kind of document by the sections it has (headings, or bold labels such
as `- **Intended use:**`), and `front_matter` by the metadata a model or dataset hub
reads from the YAML block at the top of a README.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from readycheck.detectors.base import file_detector
from readycheck.detectors.patterns import Matcher
from readycheck.model import Evidence, FileKind, Location
from readycheck.workspace import SourceFile

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
_RST_UNDERLINE = re.compile(r"^\s*([=\-~^\"'`+*#])\1{2,}\s*$")
#: A bold label ends with a colon (`- **Source:** CRM export`, `**Owner**: ...`): a bold
#: word in a list (`- **cleans.sources** - Clean the sources`) is not a section.
_LABEL = re.compile(r"^\s*(?:[-*+]\s+)?(?:\*\*|__)([^*_]{2,80}?)(?::(?:\*\*|__)|(?:\*\*|__)\s*:)")
_TABLE_LABEL = re.compile(r"^\s*\|\s*\*\*([^|*]{2,60}?)\*\*\s*\|")


def _titles(lines: list[str]) -> Iterator[tuple[int, str]]:
    """(line, text) for each heading, underlined reStructuredText title, bold label
    (`- **Source:** ...`) and bold first cell of a table row in a document."""
    for number, line in enumerate(lines, start=1):
        heading = _HEADING.match(line)
        if heading:
            yield number, heading.group(1)
            continue
        if number < len(lines) and _RST_UNDERLINE.match(lines[number]) and line.strip():
            yield number, line.strip()
            continue
        label = _LABEL.match(line) or _TABLE_LABEL.match(line)
        if label:
            yield number, label.group(1)


@dataclass(frozen=True)
class SectionParams:
    #: Regular expressions, one per section such a document has (matched in titles).
    sections: tuple[str, ...]
    #: How many of them a document must have ...
    min_sections: int = 3
    #: ... at least one of which names this kind of document (`intended use` is a
    #: model card's, `collection process` a datasheet's; `license` is everyone's).
    distinctive: tuple[str, ...] = ()
    label: str = "document"
    #: A section counts only where its title begins with it (after numbering, emoji and
    #: a qualifier such as "training data"): a datasheet's `Distribution` or `Dataset
    #: composition`, not a security review's `Weak secret distribution`.
    at_start: bool = False


#: What may come before a section's name at the start of its title: numbering, emoji and
#: bold marks, then a qualifier naming the data (`2. Training data sources`).
_TITLE_LEAD = re.compile(
    r"^[\W\d_]*(?:(?:the|our|known|training|source|raw|input)\s+)?(?:data\s*sets?\s+|data\s+)?",
    re.I,
)


#: A backreference counts groups: it would point elsewhere inside a union of patterns.
_BACKREFERENCE = re.compile(r"\\[1-9]|\(\?P=|\\g<")


def _any_of(patterns: tuple[str, ...]) -> Matcher | None:
    """One pattern matching a title when any of `patterns` does: most titles name no
    section, and one search rules them out instead of one per section (a generated
    5 MiB document of 40,000 headings took 4 s)."""
    if not patterns or any(_BACKREFERENCE.search(pattern) for pattern in patterns):
        return None
    return Matcher("|".join(f"(?:{pattern})" for pattern in patterns), ignore_case=True)


@file_detector(FileKind.MARKDOWN, params=SectionParams)
def doc_sections(source: SourceFile, params: SectionParams) -> Iterator[Evidence]:
    """Documents that have enough of the sections of a kind of document (a model card,
    a datasheet), in headings or bold labels."""
    if not source.lines:
        return
    sections = [Matcher(pattern, ignore_case=True) for pattern in params.sections]
    distinctive = [Matcher(pattern, ignore_case=True) for pattern in params.distinctive]
    named = _any_of((*params.sections, *params.distinctive))
    found: dict[int, int] = {}  # section index -> first line
    special = False
    for line, title in _titles(source.lines):
        title = title.strip()[:120]
        if named is not None and not named.search(title):
            continue
        lead = _TITLE_LEAD.match(title) if params.at_start else None
        starts = {0, lead.end()} if lead else None  # where a section's name may begin
        for index, section in enumerate(sections):
            if index in found:
                continue
            hit = section.search(title)
            if hit and (starts is None or hit.start() in starts):
                found[index] = line
        if not special and any(
            (hit := d.search(title)) and (starts is None or hit.start() in starts)
            for d in distinctive
        ):
            special = True
    if len(found) < params.min_sections or (params.distinctive and not special):
        return
    first = min(found.values())
    yield Evidence(
        Location(source.path, first),
        f"{params.label} ({len(found)} of its sections)",
        source.snippet(first),
    )


@dataclass(frozen=True)
class FrontMatterParams:
    #: Top-level keys of the YAML front matter that make the document what it is.
    keys: tuple[str, ...]
    label: str = "front matter"


_FRONT_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")


@file_detector(FileKind.MARKDOWN, params=FrontMatterParams)
def front_matter(source: SourceFile, params: FrontMatterParams) -> Iterator[Evidence]:
    """Documents whose YAML front matter (the `---` block a model or dataset hub reads
    from a README) has any of the given top-level keys: `model-index`, `pipeline_tag`."""
    lines = source.lines
    if not lines or lines[0].strip() != "---":
        return
    wanted = set(params.keys)
    for number, line in enumerate(lines[1:400], start=2):
        if line.strip() in ("---", "..."):
            return
        key = _FRONT_KEY.match(line)
        if key and key.group(1) in wanted:
            yield Evidence(
                Location(source.path, number),
                f"{params.label} (`{key.group(1)}`)",
                source.snippet(number),
            )
            return
