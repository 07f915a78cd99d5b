"""Detectors about which files exist: a Dockerfile, a model card, a lock file."""

from __future__ import annotations

from dataclasses import dataclass

from readycheck.detectors.base import repo_detector
from readycheck.model import Detection, Evidence, Location
from readycheck.workspace import Repository

_MAX_EVIDENCE = 20


@dataclass(frozen=True)
class FileParams:
    #: gitignore-style patterns: `Dockerfile` matches at any depth, `/LICENSE` only at the root.
    globs: tuple[str, ...]
    #: Smaller files do not count: a model card of a few lines is a placeholder
    #: ("to be written"), not documentation.
    min_bytes: int = 0


@repo_detector(params=FileParams)
def file_exists(repo: Repository, params: FileParams) -> Detection:
    """Files whose path matches any of the patterns (and hold at least `min_bytes`)."""
    found = [entry for entry in repo.glob(params.globs) if entry.size >= params.min_bytes]
    matches = tuple(
        Evidence(Location(entry.path), f"{entry.path} exists") for entry in found[:_MAX_EVIDENCE]
    )
    return Detection(matches)
