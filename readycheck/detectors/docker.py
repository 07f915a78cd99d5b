"""Detectors over Dockerfiles: one verdict per Dockerfile, so two images where
only one has a HEALTHCHECK is a partial pass, pointing at the other."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from readycheck.detectors.base import REGEX, NoParams, file_detector
from readycheck.detectors.common import SERVER_COMMANDS
from readycheck.detectors.parsed import share
from readycheck.detectors.patterns import Matcher
from readycheck.model import Evidence, FileKind, Location
from readycheck.parsers.dockerfile import Dockerfile, image_tag
from readycheck.workspace import SourceFile, clip, mask_secret


@dataclass(frozen=True)
class InstructionParams:
    instruction: str
    #: Regular expression searched in the instruction's arguments.
    pattern: str | None = field(default=None, metadata=REGEX)
    #: `final`: only the last build stage, the image that ships.
    stage: Literal["final", "any"] = "any"
    #: Only the last such instruction counts (USER: the one in force at run time).
    last: bool = False
    #: Mask the pattern's `secret` group in what the report shows (ENV and ARG secrets).
    mask: bool = False
    #: Judge only images that serve: the final stage EXPOSEs a port or starts a server.
    #: A training or batch image needs no HEALTHCHECK.
    serving_only: bool = False


def _serves(dockerfile: Dockerfile) -> bool:
    final = [i for i in dockerfile.instructions if i.stage == dockerfile.final_stage]
    return any(
        i.keyword == "EXPOSE"
        or (i.keyword in {"CMD", "ENTRYPOINT"} and SERVER_COMMANDS.search(i.arguments))
        for i in final
    )


@file_detector(FileKind.DOCKERFILE, params=InstructionParams)
def dockerfile_instruction(source: SourceFile, params: InstructionParams) -> Iterator[Evidence]:
    """Instructions of a kind (optionally matching a pattern); a Dockerfile with none is a gap."""
    dockerfile = source.dockerfile
    if dockerfile is None or not dockerfile.stages:
        return
    if params.serving_only and not _serves(dockerfile):
        return
    keyword = params.instruction.upper()
    candidates = [
        i for i in dockerfile.instructions
        if i.keyword == keyword and (params.stage == "any" or i.stage == dockerfile.final_stage)
    ]  # fmt: skip
    if params.last:
        candidates = candidates[-1:]
    regex = Matcher(params.pattern) if params.pattern else None
    found = [i for i in candidates if regex is None or regex.search(i.arguments)]
    for instruction in found:
        arguments, secret = instruction.arguments, None
        match = regex.search(arguments) if regex is not None and params.mask else None
        if match is not None:
            secret = match.group("secret") if "secret" in match.re.groupindex else match.group(0)
            arguments = arguments.replace(secret, mask_secret(secret))
        yield Evidence(
            Location(source.path, instruction.line),
            f"{keyword} {clip(arguments, 60)}",
            source.snippet(instruction.line, secret),
        )
    if not found:
        final = dockerfile.stages[-1]
        where = "final stage" if params.stage == "final" else "Dockerfile"
        yield Evidence(
            Location(source.path, final.line),
            f"no matching {keyword} instruction in the {where}",
            source.snippet(final.line),
            missing=True,
        )


@file_detector(FileKind.DOCKERFILE, params=NoParams)
def dockerfile_unpinned_base(source: SourceFile, params: NoParams) -> Iterator[Evidence]:
    """FROM lines whose image has no tag, or the `latest` tag, and no digest
    (hadolint DL3006, DL3007). Earlier build stages and `scratch` are exempt."""
    dockerfile = source.dockerfile
    if dockerfile is None:
        return
    share(source)  # detectors.images judges the image each Dockerfile ships
    seen_stages: set[str] = set()
    for stage in dockerfile.stages:
        base = stage.base
        exempt = base.lower() in seen_stages or base == "scratch" or "$" in base
        if not exempt:
            _name, tag, digest = image_tag(base)
            if digest is None and (tag is None or tag == "latest"):
                problem = "the `latest` tag" if tag == "latest" else "no tag"
                yield Evidence(
                    Location(source.path, stage.line),
                    f"base image {base} has {problem}",
                    source.snippet(stage.line),
                )
        if stage.name:
            seen_stages.add(stage.name.lower())
