"""The advisory list that ships with readycheck: known-vulnerable versions of the packages
LLM applications and agents are built on (readycheck/data/advisories.yaml).

It is read from the wheel, never fetched: a scan makes no network request, so the list
is as old as the installed readycheck, and every finding says how old (`as_of`).
Version ranges are PEP 440 specifier sets, compared with `packaging`, the library pip
itself uses, so pre-releases, epochs and post-releases order as they do on PyPI.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from readycheck.parsers.dependencies import normalise


@dataclass(frozen=True)
class Advisory:
    id: str
    package: str  # normalised as PEP 503 does
    affected: SpecifierSet
    fixed: str
    severity: str
    summary: str
    url: str


@dataclass(frozen=True)
class AdvisoryList:
    as_of: str
    advisories: tuple[Advisory, ...]

    def affecting(self, package: str, version: str) -> list[Advisory]:
        """The advisories whose affected range holds this exact version of the package."""
        try:
            parsed = Version(version)
        except InvalidVersion:
            return []
        name = normalise(package)
        return [
            a for a in self.advisories if a.package == name and a.affected.contains(parsed, True)
        ]


@cache
def shipped() -> AdvisoryList:
    """The list inside the installed package. A malformed entry is a packaging bug: it
    raises here, and the test suite reads the whole list."""
    text = (resources.files("readycheck") / "data" / "advisories.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    advisories = []
    for item in data["advisories"]:
        try:
            affected = SpecifierSet(item["affected"])
        except InvalidSpecifier as error:
            raise ValueError(f"advisory {item['id']}: {error}") from None
        advisories.append(
            Advisory(
                item["id"],
                normalise(item["package"]),
                affected,
                str(item["fixed"]),
                item["severity"],
                item["summary"],
                item["url"],
            )
        )
    return AdvisoryList(str(data["as_of"]), tuple(advisories))
