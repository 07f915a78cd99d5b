"""Detectors about which files exist: a Dockerfile, a model card, a lock file."""

from __future__ import annotations

from dataclasses import dataclass, field

from readycheck.detectors.base import REGEX, repo_detector
from readycheck.detectors.patterns import Matcher
from readycheck.model import Detection, Evidence, FileKind, Location, Role
from readycheck.workspace import Repository

_MAX_EVIDENCE = 20


@dataclass(frozen=True)
class FileParams:
    #: gitignore-style patterns: `Dockerfile` matches at any depth, `/LICENSE` only at the root.
    globs: tuple[str, ...]
    #: Smaller files do not count: a model card of a few lines is a placeholder
    #: ("to be written"), not documentation.
    min_bytes: int = 0
    #: Files holding text that matches this do not count: a template left as generated
    #: (GitHub's SECURITY.md template still says "Use this section to tell people ...").
    unless_text: str | None = field(default=None, metadata=REGEX)
    #: Only files holding text that matches this count: a SECURITY.md that describes the
    #: product's security features but says nowhere how to report a vulnerability does not.
    when_text: str | None = field(default=None, metadata=REGEX)


@repo_detector(params=FileParams)
def file_exists(repo: Repository, params: FileParams) -> Detection:
    """Files whose path matches any of the patterns (and hold at least `min_bytes`)."""
    found = [entry for entry in repo.glob(params.globs) if entry.size >= params.min_bytes]
    if params.unless_text:
        template = Matcher(params.unless_text)
        found = [
            entry
            for entry in found
            if not template.search(repo.read_text(entry.path, limit=65536) or "")
        ]
    if params.when_text:
        wanted = Matcher(params.when_text)
        found = [
            entry for entry in found if wanted.search(repo.read_text(entry.path, limit=65536) or "")
        ]
    matches = tuple(
        Evidence(Location(entry.path), f"{entry.path} exists") for entry in found[:_MAX_EVIDENCE]
    )
    return Detection(matches)


@dataclass(frozen=True)
class TemplatesParams:
    #: A folder whose name is a template placeholder: cookiecutter's `{{cookiecutter.name}}`,
    #: copier's and Jinja's `{{ project_name }}`.
    placeholder: str = field(default=r"\{\{.*\}\}", metadata=REGEX)


@repo_detector(params=TemplatesParams)
def templates_dominate(repo: Repository, params: TemplatesParams) -> Detection:
    """Whether the repository is a set of project templates: more of its Python files sit
    under template placeholder folders than outside them (tests and docs aside), so what
    it delivers is the projects others generate from it, not a system of its own."""
    placeholder = Matcher(params.placeholder)
    templated: list[str] = []
    own = 0
    for entry in repo.files:
        if entry.kind is not FileKind.PYTHON or entry.role in (Role.TEST, Role.DOCS):
            continue
        if any(placeholder.fullmatch(part) for part in entry.path.split("/")[:-1]):
            templated.append(entry.path)
        elif entry.role is Role.CODE:
            own += 1
    if not templated:
        return Detection(inapplicable="no Python file sits in a template placeholder folder")
    if len(templated) <= own:
        return Detection(())
    detail = f"{len(templated)} Python files are in project templates, {own} outside them"
    shown = min(templated, key=lambda path: ("/docs/" in f"/{path}", path))
    return Detection((Evidence(Location(shown), detail),))
