"""Third-party projects copied into a repository, found after the files are parsed.

A folder named `vendor/` or `third_party/` says what it holds, and discovery reads
that from the path. A copied project often lives under a name of its own instead
(`backend/docker/ramp/solaris`): it is recognised as one when the folder is a project
of its own (its packaging file and its licence), its licence is of another family than
the repository's (Apache code inside an AGPL application), and no code outside it
imports its packages. A team's own sub-package of a monorepo has the repository's
licence or is imported by the rest of it, so it stays the team's code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import PurePosixPath

from readycheck.discover import classify_role
from readycheck.model import FileEntry, FileKind, Role
from readycheck.workspace import CodeSummary

_PACKAGING = frozenset({"setup.py", "pyproject.toml", "setup.cfg"})
_LICENCE = re.compile(r"(?i)^(licen[cs]e|copying)(\.(txt|md|rst))?$")
#: Licence families, by the words their texts open with.
_FAMILIES = (
    ("agpl", re.compile(r"GNU AFFERO GENERAL PUBLIC LICENSE", re.I)),
    ("lgpl", re.compile(r"GNU LESSER GENERAL PUBLIC LICENSE", re.I)),
    ("gpl", re.compile(r"GNU GENERAL PUBLIC LICENSE", re.I)),
    ("apache", re.compile(r"Apache License", re.I)),
    ("mpl", re.compile(r"Mozilla Public License", re.I)),
    ("mit", re.compile(r"MIT License|Permission is hereby granted, free of charge", re.I)),
    ("bsd", re.compile(r"Redistribution and use in source and binary forms", re.I)),
)
_LICENCE_HEAD = 4096
#: How the text of a discovered file is read (Repository.read_text).
ReadText = Callable[[str], "str | None"]


def licence_family(text: str) -> str | None:
    """The family of a licence text, or None when it is none of the common ones."""
    head = text[:_LICENCE_HEAD]
    return next((family for family, words in _FAMILIES if words.search(head)), None)


def _folder_licence(files: Iterable[FileEntry], folder: str, read: ReadText) -> str | None:
    for entry in files:
        path = PurePosixPath(entry.path)
        if str(path.parent) == folder and _LICENCE.match(path.name):
            text = read(entry.path)
            if text is not None:
                return licence_family(text) or "other"
    return None


def _packages(folder: str, files: Iterable[FileEntry]) -> set[str]:
    """The top-level modules a project folder defines (under it, or under its src/)."""
    names: set[str] = set()
    for entry in files:
        if entry.kind is not FileKind.PYTHON or not entry.path.startswith(folder + "/"):
            continue
        parts = PurePosixPath(entry.path[len(folder) + 1 :]).parts
        if parts and parts[0] == "src":
            parts = parts[1:]
        if len(parts) > 1:
            names.add(parts[0])
        elif parts and parts[0] not in ("setup.py", "conftest.py", "__init__.py"):
            names.add(PurePosixPath(parts[0]).stem)
    return names


def vendored_folders(
    files: list[FileEntry], summaries: Mapping[str, CodeSummary], read: ReadText
) -> list[str]:
    """Folders below the root that hold a copied third-party project (see the module)."""
    root = _folder_licence(files, ".", read)
    if root is None or root == "other":
        return []
    projects = sorted(
        {
            str(PurePosixPath(e.path).parent)
            for e in files
            if PurePosixPath(e.path).name in _PACKAGING and "/" in e.path
        }
    )
    found: list[str] = []
    for folder in projects:
        if any(folder.startswith(outer + "/") for outer in found):
            continue
        family = _folder_licence(files, folder, read)
        if family is None or family == root:
            continue
        packages = _packages(folder, files)
        imported = any(
            name.split(".", 1)[0] in packages
            for path, summary in summaries.items()
            if not path.startswith(folder + "/")
            for name in summary.imports
        )
        if packages and not imported:
            found.append(folder)
    return found


def copied_charts(files: list[FileEntry], read: ReadText) -> list[str]:
    """Helm charts the repository carries but did not write: a chart inside another
    chart's `charts/` folder is a dependency Helm put there (`helm dependency update`),
    and a chart annotated for Artifact Hub is a published chart copied in (Loki's,
    Traefik's). Their templates are upstream's defaults, not the team's deployment."""
    charts = {
        str(PurePosixPath(e.path).parent)
        for e in files
        if PurePosixPath(e.path).name == "Chart.yaml" and "/" in e.path
    }
    found: list[str] = []
    for folder in sorted(charts):
        if any(folder.startswith(outer + "/") for outer in found):
            continue
        parent = PurePosixPath(folder).parent
        dependency = parent.name == "charts" and str(parent.parent) in charts
        published = _ARTIFACT_HUB in (read(f"{folder}/Chart.yaml") or "")
        if dependency or published:
            found.append(folder)
    return found


#: The annotations of a chart published on Artifact Hub.
_ARTIFACT_HUB = "artifacthub.io/"


def mark_vendored(files: list[FileEntry], folders: list[str]) -> list[FileEntry]:
    """The files with those under a vendored folder given the vendored role, unless the
    configuration gave them a role of its own (a role other than the path's)."""
    if not folders:
        return files
    marked = []
    for entry in files:
        inside = any(entry.path.startswith(f + "/") for f in folders)
        if inside and entry.role is classify_role(entry.path, entry.kind):
            entry = replace(entry, role=Role.VENDORED)
        marked.append(entry)
    return marked
