"""Versioned prompt templates (``prompts/<name>.<version>.txt``), loaded once at start-up."""

from __future__ import annotations

import hashlib
import string
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PromptTemplate:
    name: str
    version: str
    template: str

    @property
    def id(self) -> str:
        return f"{self.name}.{self.version}"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.template.encode("utf-8")).hexdigest()

    def render(self, **values: str) -> str:
        # substitute() raises KeyError on a missing placeholder instead of sending a broken prompt
        return string.Template(self.template).substitute(values)


class PromptRegistry:
    def __init__(self, templates: dict[str, PromptTemplate]) -> None:
        self._templates = templates

    @classmethod
    def load(cls, directory: Path, versions: dict[str, str]) -> PromptRegistry:
        """Read the configured version of every prompt; fail start-up if one is missing."""
        templates: dict[str, PromptTemplate] = {}
        for name, version in versions.items():
            path = directory / f"{name}.{version}.txt"
            if not path.is_file():
                raise FileNotFoundError(f"prompt {name!r} version {version!r} not found at {path}")
            templates[name] = PromptTemplate(name=name, version=version, template=path.read_text(encoding="utf-8"))
        return cls(templates)

    def get(self, name: str) -> PromptTemplate:
        return self._templates[name]

    def describe(self) -> dict[str, str]:
        """Prompt id -> content hash, logged at start-up and written to the audit trail."""
        return {t.id: t.sha256[:12] for t in self._templates.values()}
