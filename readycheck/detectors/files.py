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


@repo_detector(params=FileParams)
def file_exists(repo: Repository, params: FileParams) -> Detection:
    """Files whose path matches any of the patterns."""
    matches = tuple(
        Evidence(Location(entry.path), f"{entry.path} exists")
        for entry in list(repo.glob(params.globs))[:_MAX_EVIDENCE]
    )
    return Detection(matches)
