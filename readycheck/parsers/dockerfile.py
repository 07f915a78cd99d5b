"""Dockerfiles read into instructions and build stages.

Follows the Dockerfile reference closely enough for linting: the `escape`
parser directive, line continuations (with comment lines inside them
dropped, as Docker does), heredocs (`RUN <<EOF ... EOF`), and multi-stage
builds (`FROM image AS name`). Nothing is built or run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DIRECTIVE = re.compile(r"^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$")
_HEREDOC = re.compile(r"<<-?\s*[\"']?([A-Za-z_][A-Za-z0-9_]*)[\"']?")
_INSTRUCTION = re.compile(r"^\s*([A-Za-z]+)(?:\s+(.*))?$", re.DOTALL)
_MAX_INSTRUCTIONS = 10_000


@dataclass(frozen=True)
class Instruction:
    keyword: str  # upper-case, e.g. "RUN"
    arguments: str  # continuation lines joined, heredoc bodies appended
    line: int  # 1-based line where the instruction starts
    stage: int  # index of the build stage it belongs to (-1 before the first FROM)


@dataclass(frozen=True)
class Stage:
    index: int
    base: str  # the image reference after FROM, without flags
    name: str | None
    line: int


@dataclass(frozen=True)
class Dockerfile:
    instructions: tuple[Instruction, ...]
    stages: tuple[Stage, ...]

    @property
    def final_stage(self) -> int:
        return len(self.stages) - 1

    def stage_names(self) -> set[str]:
        return {s.name.lower() for s in self.stages if s.name}


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Join continuation lines and heredocs into (start line, text) pairs."""
    raw = text.splitlines()
    escape = "\\"
    for line in raw:  # parser directives come first, before any other line
        directive = _DIRECTIVE.match(line)
        if not directive:
            break
        if directive.group(1).lower() == "escape" and directive.group(2) in {"\\", "`"}:
            escape = directive.group(2)

    logical: list[tuple[int, str]] = []
    buffer: list[str] = []
    start = 0
    index = 0
    while index < len(raw):
        line = raw[index]
        index += 1
        stripped = line.strip()
        if not buffer and (not stripped or stripped.startswith("#")):
            continue
        if buffer and stripped.startswith("#"):
            continue  # comments inside a continuation are dropped by Docker
        if not buffer:
            start = index
        if stripped.endswith(escape) and not stripped.endswith(escape * 2):
            buffer.append(stripped[:-1].strip())
            continue
        buffer.append(stripped)
        joined = " ".join(part for part in buffer if part)
        buffer = []
        for marker in _HEREDOC.findall(joined):
            body: list[str] = []
            while index < len(raw) and raw[index].strip() != marker:
                body.append(raw[index])
                index += 1
            index += 1  # the closing marker
            joined += "\n" + "\n".join(body)
        logical.append((start, joined))
        if len(logical) >= _MAX_INSTRUCTIONS:
            break
    if buffer:
        logical.append((start, " ".join(buffer)))
    return logical


def parse_dockerfile(text: str) -> Dockerfile:
    """Parse a Dockerfile; unknown or malformed lines are kept as they are."""
    instructions: list[Instruction] = []
    stages: list[Stage] = []
    for line, content in _logical_lines(text):
        match = _INSTRUCTION.match(content)
        if not match:
            continue
        keyword = match.group(1).upper()
        arguments = (match.group(2) or "").strip()
        if keyword == "FROM":
            stages.append(_stage(len(stages), arguments, line))
        instructions.append(Instruction(keyword, arguments, line, len(stages) - 1))
    return Dockerfile(tuple(instructions), tuple(stages))


def _stage(index: int, arguments: str, line: int) -> Stage:
    words = [w for w in arguments.split() if not w.startswith("--")]
    base = words[0] if words else ""
    name = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
    return Stage(index, base, name, line)


def image_tag(reference: str) -> tuple[str, str | None, str | None]:
    """Split an image reference into (name, tag, digest); tag is None when absent."""
    digest = None
    if "@" in reference:
        reference, digest = reference.split("@", 1)
    last = reference.rsplit("/", 1)[-1]
    if ":" in last:
        name, tag = reference.rsplit(":", 1)
        return name, tag, digest
    return reference, None, digest
