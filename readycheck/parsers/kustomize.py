"""Kustomize overlays, read statically: which kustomizations a manifest is built by.

A repository laid out as `k8s/base/` plus `k8s/overlays/<env>/` deploys what
`kustomize build overlays/<env>` prints, not its files one by one. Two things
change how a file must be judged:

* a strategic-merge or JSON patch an overlay lists (`patches`, `patchesStrategicMerge`,
  `patchesJson6902`) holds only the fields it changes: a field it leaves out comes from
  the base, so its absence is no gap;
* the `images` transformer of every kustomization that reaches a file (through
  `resources`, `bases` or `components`, folder by folder) rewrites its image references
  (`newName`, `newTag`, `digest`): `image: trainer` in the base ships as
  `trainer:2.3.1` when an overlay pins it.

Nothing is built or run. Paths are relative to each kustomization's folder; one that
leaves the scanned tree, a URL, or a file discovery did not keep is ignored, and so is a
kustomization that does not parse (it gets its own parse warning when analysed).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

from readycheck import yamlload

#: The file names kustomize looks for in a folder, in the order it looks.
KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
_RESOURCE_KEYS = ("resources", "bases", "components")
_PATCH_KEYS = ("patches", "patchesStrategicMerge", "patchesJson6902")
_REMOTE_PREFIXES = ("git@", "git::", "github.com/", "gitlab.com/", "bitbucket.org/")


@dataclass(frozen=True)
class ImageRewrite:
    """One entry of a kustomization's `images`: what an image called `name` becomes."""

    name: str
    new_name: str | None = None
    new_tag: str | None = None
    digest: str | None = None

    def apply(self, reference: str) -> str | None:
        """`reference` as this entry rewrites it, or None when the entry is for another image."""
        name, suffix = split_reference(reference)
        if name != self.name:
            return None
        base = self.new_name or name
        if self.digest:
            return (
                f"{base}:{self.new_tag}@{self.digest}" if self.new_tag else f"{base}@{self.digest}"
            )
        if self.new_tag:
            return f"{base}:{self.new_tag}"
        return base + suffix


@dataclass(frozen=True)
class Kustomization:
    """What one kustomization file says about other files, paths as written."""

    resources: tuple[str, ...] = ()
    patches: tuple[str, ...] = ()
    images: tuple[ImageRewrite, ...] = ()


@dataclass(frozen=True)
class KustomizeView:
    """How the kustomizations that build a manifest file change its judgement."""

    #: Some kustomization merges this file onto a base as a patch.
    is_patch: bool = False
    #: The `images` entries of every kustomization that reaches the file.
    images: tuple[ImageRewrite, ...] = ()

    def rewritten(self, reference: str) -> tuple[str, ...]:
        """Every form `reference` ships as: each distinct rewrite of it, or itself when no
        kustomization rewrites it. Several overlays may pin the same base image differently."""
        forms: list[str] = []
        for rewrite in self.images:
            form = rewrite.apply(reference)
            if form is not None and form not in forms:
                forms.append(form)
        return tuple(forms) or (reference,)


NO_KUSTOMIZE = KustomizeView()


def is_kustomization(path: str) -> bool:
    return PurePosixPath(path).name in KUSTOMIZATION_NAMES


def split_reference(reference: str) -> tuple[str, str]:
    """An image reference as (name, tag and digest): `reg:5000/a/b:1.2@sha256:x` ->
    (`reg:5000/a/b`, `:1.2@sha256:x`). A colon before the last `/` is a registry port."""
    at = reference.find("@")
    head = reference if at < 0 else reference[:at]
    colon = head.rfind(":")
    if colon > head.rfind("/"):
        return reference[:colon], reference[colon:]
    return head, reference[len(head) :]


def parse_kustomization(text: str) -> Kustomization | None:
    """The references of a kustomization file, or None when it is not one readycheck can
    read (invalid YAML, not a mapping, larger than any YAML readycheck parses)."""
    if len(text) > yamlload.MAX_PARSED_YAML:
        return None
    return _parse(text)


@lru_cache(maxsize=256)
def _parse(text: str) -> Kustomization | None:
    """Remembered by text: every file an overlay builds reads the overlay again."""
    try:
        documents = yamlload.load_all(text).documents
    except (yamlload.yaml.YAMLError, RecursionError, ValueError):
        return None
    document = documents[0] if documents else None
    if not isinstance(document, dict):
        return None
    return Kustomization(
        resources=tuple(_strings(document, _RESOURCE_KEYS)),
        patches=tuple(_patch_paths(document)),
        images=tuple(_images(document.get("images"))),
    )


def _strings(document: dict[Any, Any], keys: Iterable[str]) -> Iterable[str]:
    for key in keys:
        entries = document.get(key)
        if isinstance(entries, list):
            yield from (entry for entry in entries if isinstance(entry, str))


def _patch_paths(document: dict[Any, Any]) -> Iterable[str]:
    """Patch files, listed as `- path: x.yaml` or as the bare path; inline patches name no file."""
    for key in _PATCH_KEYS:
        entries = document.get(key)
        if not isinstance(entries, list):
            continue
        for entry in entries:
            path = entry.get("path") if isinstance(entry, dict) else entry
            if isinstance(path, str):
                yield path


def _images(entries: Any) -> Iterable[ImageRewrite]:
    if not isinstance(entries, list):
        return
    for entry in entries:
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name:
            continue
        yield ImageRewrite(
            name,
            _scalar(entry.get("newName")),
            _scalar(entry.get("newTag")),
            _scalar(entry.get("digest")),
        )


def _scalar(value: Any) -> str | None:
    """A value as kustomize reads it: `newTag: 1.7` is the tag "1.7", not a number."""
    if isinstance(value, bool) or value is None or value == "":
        return None
    return str(value) if isinstance(value, str | int | float) else None


def resolve(kustomization: str, entry: str) -> str | None:
    """A path a kustomization names, relative to the scanned tree; None for a URL or a
    path that leaves the tree."""
    if "://" in entry or entry.startswith(_REMOTE_PREFIXES) or entry.startswith("/"):
        return None
    folder = posixpath.dirname(kustomization)
    resolved = posixpath.normpath(posixpath.join(folder, entry))
    if resolved == ".." or resolved.startswith("../"):
        return None
    return "" if resolved == "." else resolved


def kustomize_companions(
    paths: Iterable[str], read: Callable[[str], str | None]
) -> dict[str, tuple[str, ...]]:
    """For each file among `paths` that some kustomization builds, the kustomization files
    that matter to it (sorted): those listing it as a patch, and those it is reachable
    from through resources, whose `images` apply to it. `read` gives a kustomization
    file's text, or None when it cannot be read."""
    present = set(paths)
    parsed: dict[str, Kustomization] = {}
    for path in sorted(present):
        if is_kustomization(path):
            text = read(path)
            kustomization = parse_kustomization(text) if text is not None else None
            if kustomization is not None:
                parsed[path] = kustomization
    folders: dict[str, str] = {}
    for name in KUSTOMIZATION_NAMES:
        for path in sorted(parsed):
            if PurePosixPath(path).name == name:
                folders.setdefault(posixpath.dirname(path), path)
    found: dict[str, set[str]] = {}
    for path in sorted(parsed):
        for target in _reach(path, parsed, folders, present):
            found.setdefault(target, set()).add(path)
    return {target: tuple(sorted(sources)) for target, sources in sorted(found.items())}


def _reach(
    start: str, parsed: Mapping[str, Kustomization], folders: Mapping[str, str], present: set[str]
) -> set[str]:
    """Every manifest and patch file the kustomization `start` builds, through nested
    kustomizations; each kustomization is entered once, so a cycle ends."""
    reached: set[str] = set()
    seen = {start}
    pending = [start]
    while pending:
        current = pending.pop()
        kustomization = parsed[current]
        for entry in (*kustomization.resources, *kustomization.patches):
            resolved = resolve(current, entry)
            if resolved is None:
                continue
            if resolved in present and not is_kustomization(resolved):
                reached.add(resolved)
            nested = folders.get(resolved)
            if nested is not None and nested not in seen:
                seen.add(nested)
                pending.append(nested)
    return reached


def view(path: str, kustomizations: Mapping[str, str | None]) -> KustomizeView:
    """How the kustomization files that build `path` (path -> text) change its judgement."""
    is_patch = False
    images: list[ImageRewrite] = []
    for source, text in kustomizations.items():
        kustomization = parse_kustomization(text) if text is not None else None
        if kustomization is None:
            continue
        is_patch = is_patch or any(resolve(source, p) == path for p in kustomization.patches)
        images.extend(kustomization.images)
    if not is_patch and not images:
        return NO_KUSTOMIZE
    return KustomizeView(is_patch, tuple(images))
