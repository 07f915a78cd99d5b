"""Load and validate rulebooks: YAML files of rules and applicability facts.

Validation happens in two passes, both reporting the file, line and field of
the first mistake: the JSON Schema (shape of every rule), then what a schema
cannot know (duplicate ids, unknown detectors, each detector's parameters,
unknown facts, regular expressions that do not compile).
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from readycheck import yamlload
from readycheck.detectors import REGISTRY, patterns
from readycheck.detectors.base import FileDetector, build_params, params_schema, regex_params
from readycheck.errors import ConfigError, ReadycheckError, RulebookError
from readycheck.model import (
    AllOf,
    AnyOf,
    Applicability,
    Caps,
    Check,
    Confidence,
    DetectorCall,
    Expect,
    Fact,
    FactCheck,
    FileKind,
    Pillar,
    Reference,
    RepoKind,
    Role,
    Rule,
    RuleType,
    Severity,
)
from readycheck.validation import validate
from readycheck.yamlload import LineDict

if TYPE_CHECKING:
    from readycheck.config import Config

#: Where a config file keeps its own rules, in the same format as a rulebook's `rules`.
CONFIG_RULES_FIELD = "rules.custom"
#: Evidence from these roles earns half credit, unless a check says otherwise.
DEFAULT_PARTIAL_IN = {
    "present": frozenset({Role.NOTEBOOK, Role.TEST, Role.DOCS, Role.EXAMPLE, Role.ARCHIVED}),
    # A hazard in tests, docs or examples is on no production path: it is not counted
    # (the rule says where it was seen), unless its check lists those roles here.
    "absent": frozenset(),
}
#: The readiness levels a hazard may cap (score.LEVEL_BANDS holds their thresholds).
LEVEL_IDS = ("prototype", "pilot", "pre_production", "production_ready")


@dataclass(frozen=True)
class MLTest:
    """One test of the ML Test Score and the rules whose results evidence it."""

    id: str  # "Data 1"
    title: str
    rules: tuple[str, ...]
    note: str = ""
    #: The evidence is a document (a datasheet), which no CI run executes: half a point
    #: at most, as the paper gives a test done by hand with its results written down.
    by_hand: bool = False


@dataclass(frozen=True)
class MLTestSpec:
    automated_when: tuple[str, ...]
    sections: tuple[tuple[str, tuple[MLTest, ...]], ...]


@dataclass(frozen=True)
class ChecklistEntry:
    """One item of a checklist and the rules whose results evidence it."""

    id: str
    title: str
    rules: tuple[str, ...]


@dataclass(frozen=True)
class ChecklistSpec:
    """A checklist a report shows instead of the ML Test Score for the kinds it fits: the
    ML Test Score judges classic ML, an LLM application has a checklist of its own."""

    id: str
    name: str
    reference: str
    kinds: tuple[str, ...]
    sections: tuple[tuple[str, tuple[ChecklistEntry, ...]], ...]


@dataclass(frozen=True)
class Rulebook:
    version: str
    digest: str  # content hash of every file: what a cache must be keyed on
    rules: tuple[Rule, ...]
    facts: dict[str, Fact]
    ml_test_score: MLTestSpec | None = None
    #: Repository kinds, most specific first; the last one is the default.
    kinds: tuple[RepoKind, ...] = ()
    checklists: tuple[ChecklistSpec, ...] = ()
    #: Facts any of which makes a notebook's practice evidence earn full credit (a
    #: notebook that deploys the model provisions the platform: what it sets up there is
    #: as real as the endpoint); otherwise a notebook is a partial place.
    notebooks_count_when: tuple[str, ...] = ()

    def checklist_for(self, kind_id: str | None) -> ChecklistSpec | None:
        """The checklist a repository of this kind is shown, if one fits it."""
        return next((c for c in self.checklists if kind_id in c.kinds), None)

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def kind(self, kind_id: str) -> RepoKind | None:
        return next((k for k in self.kinds if k.id == kind_id), None)

    def resolve(self, rule_id: str) -> str:
        """A rule id, or the id of the rule that replaced a retired one."""
        for rule in self.rules:
            if rule_id == rule.id or rule_id in rule.aliases:
                return rule.id
        return rule_id


def default_rules_dir() -> Path:
    """The built-in rulebook: inside the installed wheel, or rules/ of a source checkout."""
    packaged = resources.files("readycheck") / "rules"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "rules"


@cache
def _schema() -> dict[str, Any]:
    text = (resources.files("readycheck") / "schemas" / "rulebook.schema.json").read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


def rule_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.suffix in {".yml", ".yaml"} and p.is_file())


class CheckedRulebooks(Protocol):
    """Where scans remember the rulebooks they validated in full (the analysis cache)."""

    def checked(self, digest: str) -> bool: ...

    def mark_checked(self, digest: str) -> None: ...


def load_rulebook(
    paths: Sequence[Path] | None = None,
    extra: Sequence[tuple[str, Any]] = (),
    memo: CheckedRulebooks | None = None,
) -> Rulebook:
    """Load rulebook files (default: the built-in rulebook), plus the custom rules of
    config files, as (config file, its `rules.custom` list), into one validated Rulebook.

    Checking every file against the schema and compiling every pattern is most of the
    load (a third of a second, more than half of a rescan where nothing changed). With a
    `memo`, a rulebook already checked in full (the same bytes, by the same readycheck)
    is built without those checks; one never seen is checked, then remembered."""
    files: list[Path] = []
    for path in paths or [default_rules_dir()]:
        if path.is_dir():
            files.extend(rule_files(path))
        elif path.is_file():
            files.append(path)
        else:
            raise RulebookError("rulebook file or folder not found", path=str(path))
    if not files:
        raise RulebookError("no rulebook files (*.yaml) found", path=str(paths))
    return _Builder().build(files, extra, memo)


class _Builder:
    """Turns validated YAML into Rule and Fact values, failing on the first mistake."""

    def __init__(self) -> None:
        self.version: str | None = None
        self.ml_test_raw: tuple[str, LineDict] | None = None
        self.kinds_raw: tuple[str, Any] | None = None
        self.notebooks_raw: tuple[str, LineDict] | None = None
        self.checklists_raw: list[tuple[str, LineDict]] = []
        self.facts: dict[str, Fact] = {}
        #: Every `fact:` check, to check once all facts are known: (fact, file, line, field).
        self.fact_refs: list[tuple[str, str, int, str]] = []
        self.raw_rules: list[tuple[str, LineDict, int]] = []
        self.digest = hashlib.sha256()
        #: False when the same rulebook was already checked in full: schema and patterns
        #: are then not checked again.
        self.thorough = True

    def build(
        self,
        files: list[Path],
        extra: Sequence[tuple[str, Any]] = (),
        memo: CheckedRulebooks | None = None,
    ) -> Rulebook:
        try:
            return self._build(files, extra, memo)
        except RulebookError as error:
            if error.path not in {display for display, _ in extra} or not error.field:
                raise
            # A config's rules are its `rules.custom` list: name fields as the user wrote them.
            raise RulebookError(
                error.message,
                path=error.path,
                line=error.line,
                column=error.column,
                field=re.sub(r"^rules(?=\[)", CONFIG_RULES_FIELD, error.field),
            ) from None

    def _build(
        self,
        files: list[Path],
        extra: Sequence[tuple[str, Any]],
        memo: CheckedRulebooks | None,
    ) -> Rulebook:
        texts = [(path, self._text(path)) for path in files]
        for display, custom_rules in extra:
            self.digest.update(
                display.encode()
                + json.dumps({"rules": custom_rules}, sort_keys=True, default=str).encode()
            )
        digest = self.digest.hexdigest()
        self.thorough = memo is None or not memo.checked(digest)
        for path, text in texts:
            self._read(path, text)
        for display, custom_rules in extra:
            self._add(display, {"rules": custom_rules})
        seen: dict[str, str] = {}
        rules = []
        for display, raw, index in self.raw_rules:
            rule = self._rule(display, raw, index)
            if rule.id in seen:
                raise RulebookError(
                    f"duplicate rule id {rule.id} (first defined at {seen[rule.id]})",
                    path=display,
                    line=raw.line_of("id"),
                    field=f"rules[{index}].id",
                )
            seen[rule.id] = rule.source
            rules.append(rule)
        kinds = self._kinds()
        self._check_links(rules, {k.id for k in kinds})
        self._check_fact_refs()
        if memo is not None and self.thorough:
            memo.mark_checked(digest)
        return Rulebook(
            self.version or "unversioned",
            digest[:16],
            tuple(rules),
            self.facts,
            self._ml_test_score(set(seen)),
            kinds,
            self._checklists(set(seen), {k.id for k in kinds}),
            self._notebooks_count_when(),
        )

    def _notebooks_count_when(self) -> tuple[str, ...]:
        """The facts that make notebooks count in full, checked against the facts that exist."""
        if self.notebooks_raw is None:
            return ()
        display, data = self.notebooks_raw
        for name in data["notebooks_count_when"]:
            if name not in self.facts:
                raise RulebookError(
                    f"unknown fact {name!r}",
                    path=display,
                    line=data.line_of("notebooks_count_when"),
                    field="notebooks_count_when",
                )
        return tuple(data["notebooks_count_when"])

    def _checklists(self, rule_ids: set[str], kind_ids: set[str]) -> tuple[ChecklistSpec, ...]:
        """The checklists, each checked against the rules and kinds that exist."""
        specs = []
        for display, raw in self.checklists_raw:
            where = f"checklists[{raw['id']}]"
            unknown_kinds = [k for k in raw["kinds"] if k not in kind_ids]
            if unknown_kinds:
                raise RulebookError(f"checklist {raw['id']!r} names unknown kind {unknown_kinds[0]!r}",
                                    path=display, line=raw.line_of("kinds"), field=f"{where}.kinds")  # fmt: skip
            sections = []
            for section in raw["sections"]:
                entries = []
                for item in section["items"]:
                    unknown = [r for r in item["rules"] if r not in rule_ids]
                    if unknown:
                        raise RulebookError(
                            f"checklist item {item['id']!r} names unknown rule {unknown[0]}",
                            path=display, line=item.line_of("rules"), field=f"{where}.sections.items.rules",
                        )  # fmt: skip
                    entries.append(ChecklistEntry(item["id"], item["title"], tuple(item["rules"])))
                sections.append((section["name"], tuple(entries)))
            specs.append(ChecklistSpec(raw["id"], raw["name"], raw["reference"],
                                       tuple(raw["kinds"]), tuple(sections)))  # fmt: skip
        return tuple(specs)

    def _kinds(self) -> tuple[RepoKind, ...]:
        """The repository kinds, each decided by facts that exist."""
        if self.kinds_raw is None:
            return ()
        display, raw = self.kinds_raw
        kinds = []
        for index, item in enumerate(raw):
            for fact in item.get("when", ()):
                if fact.lstrip("!") not in self.facts:
                    raise RulebookError(f"unknown fact {fact!r}", path=display,
                                        line=item.line_of("when"), field=f"kinds[{index}].when")  # fmt: skip
            kinds.append(
                RepoKind(item["id"], item["title"], _prose(item["description"]),
                         tuple(item.get("when", ())))
            )  # fmt: skip
        return tuple(kinds)

    def _check_fact_refs(self) -> None:
        """A `fact:` check names a fact that exists, and facts do not depend on themselves."""
        for name, display, line, where in self.fact_refs:
            if name not in self.facts:
                raise RulebookError(f"unknown fact {name!r}", path=display, line=line, field=where)

        def visit(name: str, path: tuple[str, ...]) -> None:
            if name in path:
                cycle = " -> ".join((*path[path.index(name) :], name))
                raise RulebookError(f"facts depend on each other in a cycle: {cycle}",
                                    field=f"facts.{name}")  # fmt: skip
            for child in _fact_names(self.facts[name].check):
                visit(child, (*path, name))

        for name in self.facts:
            visit(name, ())

    def _check_links(self, rules: list[Rule], kind_ids: set[str]) -> None:
        """What a rule names must exist: its kinds, the rules it requires, retired ids."""
        by_id = {rule.id: rule for rule in rules}
        aliases: dict[str, str] = {}
        for display, raw, index in self.raw_rules:
            rule = by_id[raw["id"]]
            where = f"rules[{index}]"
            for kind in sorted(rule.kinds or ()):
                if kind_ids and kind not in kind_ids:
                    raise RulebookError(
                        f"unknown repository kind {kind!r}; known kinds: {', '.join(sorted(kind_ids))}",
                        path=display, line=raw.line_of("kinds"), field=f"{where}.kinds",
                    )  # fmt: skip
            for required in rule.requires:
                other = by_id.get(required)
                if other is None or required == rule.id or other.type is not RuleType.PRACTICE:
                    problem = "unknown rule" if other is None else "not another practice"
                    raise RulebookError(
                        f"rule {rule.id} requires {required}, which is {problem}",
                        path=display, line=raw.line_of("requires"), field=f"{where}.requires",
                    )  # fmt: skip
            for same in rule.same_defect_as:
                if same not in by_id or same == rule.id:
                    raise RulebookError(
                        f"rule {rule.id} names {same} as the same defect, which is not another rule",
                        path=display, line=raw.line_of("same_defect_as"), field=f"{where}.same_defect_as",
                    )  # fmt: skip
            for alias in rule.aliases:
                if alias in by_id or alias in aliases:
                    raise RulebookError(
                        f"retired id {alias} is still a rule or replaced twice",
                        path=display, line=raw.line_of("aliases"), field=f"{where}.aliases",
                    )  # fmt: skip
                aliases[alias] = rule.id

    def _ml_test_score(self, rule_ids: set[str]) -> MLTestSpec | None:
        """The ML Test Score map, checked against the rules and facts that exist."""
        if self.ml_test_raw is None:
            return None
        display, raw = self.ml_test_raw
        for fact in raw["automated_when"]:
            if fact.lstrip("!") not in self.facts:
                raise RulebookError(
                    f"unknown fact {fact!r}",
                    path=display,
                    line=raw.line_of("automated_when"),
                    field="ml_test_score.automated_when",
                )
        sections = []
        for section in raw["sections"]:
            tests = []
            for test in section["tests"]:
                unknown = [r for r in test["rules"] if r not in rule_ids]
                if unknown:
                    raise RulebookError(
                        f"ML Test Score test {test['id']!r} names unknown rule {unknown[0]}",
                        path=display, line=test.line_of("rules"), field="ml_test_score.sections.tests.rules",
                    )  # fmt: skip
                tests.append(
                    MLTest(
                        test["id"],
                        test["title"],
                        tuple(test["rules"]),
                        test.get("note", ""),
                        test.get("by_hand", False),
                    )
                )
            sections.append((section["name"], tuple(tests)))
        return MLTestSpec(tuple(raw["automated_when"]), tuple(sections))

    def _text(self, path: Path) -> str:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise RulebookError(f"cannot read rulebook file: {error}", path=str(path)) from None
        self.digest.update(path.name.encode() + b"\0" + text.encode() + b"\0")
        return text

    def _read(self, path: Path, text: str) -> None:
        display = str(path)
        documents = yamlload.load_trusted(text, display, RulebookError)
        if len(documents) != 1:
            raise RulebookError("a rulebook file must hold exactly one YAML document", path=display)
        self._add(display, documents[0])

    def _add(self, display: str, data: Any) -> None:
        if self.thorough:
            validate(data, _schema(), display)
        if "version" in data:
            if self.version is not None:
                raise RulebookError(
                    "the rulebook version is declared in more than one file",
                    path=display,
                    line=data.line_of("version"),
                    field="version",
                )
            self.version = data["version"]
        if "ml_test_score" in data:
            if self.ml_test_raw is not None:
                raise RulebookError("the ML Test Score map is declared in more than one file", path=display,
                                    line=data.line_of("ml_test_score"), field="ml_test_score")  # fmt: skip
            self.ml_test_raw = (display, data["ml_test_score"])
        if "notebooks_count_when" in data:
            if self.notebooks_raw is not None:
                raise RulebookError("notebooks_count_when is declared in more than one file",
                                    path=display, line=data.line_of("notebooks_count_when"),
                                    field="notebooks_count_when")  # fmt: skip
            self.notebooks_raw = (display, data)
        for checklist in data.get("checklists", ()):
            self.checklists_raw.append((display, checklist))
        if "kinds" in data:
            if self.kinds_raw is not None:
                raise RulebookError("repository kinds are declared in more than one file",
                                    path=display, line=data.line_of("kinds"), field="kinds")  # fmt: skip
            self.kinds_raw = (display, data["kinds"])
        for name, raw in (data.get("facts") or {}).items():
            if name in self.facts:
                raise RulebookError(
                    "fact defined twice",
                    path=display,
                    line=data["facts"].line_of(name),
                    field=f"facts.{name}",
                )
            check = self._check(raw["check"], display, f"facts.{name}.check")
            self.facts[name] = Fact(name, raw["description"], raw["otherwise"], check)
        for index, raw in enumerate(data.get("rules") or []):
            self.raw_rules.append((display, raw, index))

    def _rule(self, display: str, raw: LineDict, index: int) -> Rule:
        where = f"rules[{index}]"
        applies = _applicability(raw["applies_when"])
        for fact in applies.facts:
            if fact.lstrip("!") not in self.facts:
                known = ", ".join(sorted(self.facts)) or "none defined"
                raise RulebookError(
                    f"unknown fact {fact.lstrip('!')!r}; known facts: {known}",
                    path=display,
                    line=raw.line_of("applies_when"),
                    field=f"{where}.applies_when",
                )
        for fact in raw.get("covered_by", ()):
            if fact not in self.facts:
                raise RulebookError(f"unknown fact {fact!r}", path=display,
                                    line=raw.line_of("covered_by"), field=f"{where}.covered_by")  # fmt: skip
        severity = Severity(raw["severity"])
        check = self._check(raw["check"], display, f"{where}.check")
        rule_type = _rule_type(raw, check, display, where)
        caps = raw.get("caps")
        if caps is not None and rule_type is not RuleType.HAZARD:
            raise RulebookError("only a hazard can cap a pillar or the level", path=display,
                                line=raw.line_of("caps"), field=f"{where}.caps")  # fmt: skip
        return Rule(
            id=raw["id"],
            title=raw["title"],
            pillar=Pillar(raw["pillar"]),
            severity=severity,
            weight=float(raw.get("weight", severity.weight)),
            confidence=Confidence(raw.get("confidence", "high")),
            applies_when=applies,
            check=check,
            problem=_prose(raw["problem"]),
            why=_prose(raw["why"]),
            fix=_prose(raw["fix"]),
            references=tuple(_reference(r) for r in raw["references"]),
            tags=tuple(raw.get("tags", ())),
            source=f"{display}:{raw.line}",
            type=rule_type,
            kinds=frozenset(raw["kinds"]) if "kinds" in raw else None,
            covered_by=tuple(raw.get("covered_by", ())),
            requires=tuple(raw.get("requires", ())),
            caps=Caps(caps.get("pillar"), caps.get("level")) if caps is not None else None,
            aliases=tuple(raw.get("aliases", ())),
            same_defect_as=tuple(raw.get("same_defect_as", ())),
            capability=_prose(raw.get("capability", "")),
            forms=tuple(raw.get("forms", ())),
        )

    def _check(self, raw: LineDict, display: str, where: str) -> Check:
        if "fact" in raw:
            name = raw["fact"].lstrip("!")
            self.fact_refs.append((name, display, raw.line_of("fact"), f"{where}.fact"))
            return FactCheck(raw["fact"])
        if "any" in raw:
            return AnyOf(
                tuple(
                    self._check(c, display, f"{where}.any[{i}]") for i, c in enumerate(raw["any"])
                )
            )
        if "all" in raw:
            return AllOf(
                tuple(
                    self._check(c, display, f"{where}.all[{i}]") for i, c in enumerate(raw["all"])
                )
            )
        return _detector_call(raw, display, where, self.thorough)


def _detector_call(raw: LineDict, display: str, where: str, thorough: bool) -> DetectorCall:
    name = raw["detector"]
    detector = REGISTRY.get(name)
    if detector is None:
        close = difflib.get_close_matches(name, REGISTRY, n=1)
        hint = (
            f"; did you mean {close[0]!r}?"
            if close
            else f"; known detectors: {', '.join(sorted(REGISTRY))}"
        )
        raise RulebookError(
            f"unknown detector {name!r}{hint}",
            path=display,
            line=raw.line_of("detector"),
            field=f"{where}.detector",
        )
    params_raw = raw.get("params") or {}
    if thorough:
        validate(
            params_raw,
            params_schema(detector.params),
            display,
            prefix=f"{where}.params",
            what=f"parameters of detector {name!r}",
        )
        _check_patterns(detector.params, params_raw, display, f"{where}.params")
    kinds = frozenset(FileKind(k) for k in raw["kinds"]) if "kinds" in raw else None
    if kinds is not None:
        if not isinstance(detector, FileDetector):
            raise RulebookError(
                f"detector {name!r} looks at the whole repository; `kinds` does not apply",
                path=display,
                line=raw.line_of("kinds"),
                field=f"{where}.kinds",
            )
        unsupported = kinds - detector.kinds
        if unsupported:
            raise RulebookError(
                f"detector {name!r} cannot read {', '.join(sorted(k.value for k in unsupported))} files",
                path=display,
                line=raw.line_of("kinds"),
                field=f"{where}.kinds",
            )
    expect: Expect = raw.get("expect", "present")
    roles = frozenset(Role(r) for r in raw["roles"]) if "roles" in raw else None
    partial_in = (
        frozenset(Role(r) for r in raw["partial_in"])
        if "partial_in" in raw
        else DEFAULT_PARTIAL_IN[expect]
    )
    paths = tuple(raw.get("paths", ()))
    key = _call_key(name, params_raw, kinds, roles, paths)
    return DetectorCall(
        detector=name,
        params=build_params(detector.params, dict(params_raw)),
        raw_params=tuple(sorted(params_raw.items())),
        expect=expect,
        kinds=kinds,
        roles=roles,
        paths=paths,
        partial_in=partial_in,
        key=key,
    )


def _call_key(
    name: str,
    params: Any,
    kinds: frozenset[FileKind] | None,
    roles: frozenset[Role] | None,
    paths: tuple[str, ...],
) -> str:
    """What identifies a detector call: equal calls in two rules run once per file."""
    identity = {
        "detector": name,
        "params": params,
        "kinds": sorted(k.value for k in kinds) if kinds else None,
        "roles": sorted(r.value for r in roles) if roles else None,
        "paths": list(paths),
    }
    return hashlib.sha256(json.dumps(identity, sort_keys=True, default=str).encode()).hexdigest()[
        :16
    ]


def customise(rulebook: Rulebook, config: Config) -> Rulebook:
    """Apply a config's `rules:` section: disable rules, change severities and parameters."""
    known = {rule.id for rule in rulebook.rules}
    line = config.lines.get("rules")
    for section, ids in (
        ("disable", config.disable),
        ("severity", config.severity),
        ("params", config.params),
    ):
        for rule_id in ids:
            if rule_id not in known:
                close = difflib.get_close_matches(rule_id, known, n=1)
                hint = f"; did you mean {close[0]}?" if close else ""
                in_list = section == "disable"
                raise ConfigError(
                    f"unknown rule {rule_id}{hint}",
                    path=config.source,
                    line=config.disable.get(rule_id)
                    if in_list
                    else config.lines.get(f"rules.{section}.{rule_id}", line),
                    field=f"rules.{section}" if in_list else f"rules.{section}.{rule_id}",
                )
    rules = []
    for rule in rulebook.rules:
        if rule.id in config.disable:
            continue
        if rule.id in config.severity:
            severity = config.severity[rule.id]
            rule = dataclasses.replace(rule, severity=severity, weight=severity.weight)
        if rule.id in config.params:
            rule = dataclasses.replace(
                rule, check=_with_params(rule, config.params[rule.id], config)
            )
        rules.append(rule)
    digest = hashlib.sha256(
        (rulebook.digest + json.dumps([config.disable, {k: v.value for k, v in config.severity.items()},
                                       config.params], sort_keys=True, default=str)).encode()
    ).hexdigest()[:16]  # fmt: skip
    return dataclasses.replace(rulebook, rules=tuple(rules), digest=digest)


def _with_params(rule: Rule, overrides: Any, config: Config) -> DetectorCall:
    call = rule.check
    where = f"rules.params.{rule.id}"
    if not isinstance(call, DetectorCall):
        raise ConfigError(
            f"rule {rule.id} combines several checks, so its parameters cannot be overridden; "
            "disable it and add a custom rule instead",
            path=config.source, line=config.lines.get("rules"), field=where,
        )  # fmt: skip
    detector = REGISTRY[call.detector]
    merged = dict(call.raw_params) | dict(overrides)
    validate(merged, params_schema(detector.params), config.source or "config", prefix=where,
             what=f"parameters of detector {call.detector!r}", error_type=ConfigError)  # fmt: skip
    _check_patterns(detector.params, overrides, config.source or "config", where, ConfigError)
    return dataclasses.replace(
        call,
        params=build_params(detector.params, merged),
        raw_params=tuple(sorted(merged.items())),
        key=_call_key(call.detector, merged, call.kinds, call.roles, call.paths),
    )


def _check_patterns(
    params_type: type[Any],
    params: Any,
    display: str,
    where: str,
    error_type: type[ReadycheckError] = RulebookError,
) -> None:
    """Compile every regular-expression parameter with the engine that will run it."""
    for key in regex_params(params_type):
        value = params.get(key) if isinstance(params, dict) else None
        problem = patterns.check(value) if isinstance(value, str) else None
        if problem is not None:
            located = isinstance(params, yamlload.LineDict) and key in params.value_positions
            line, column = params.value_positions[key] if located else (None, None)
            raise error_type(
                f"invalid regular expression {value!r}: {problem}",
                path=display,
                line=line,
                column=column,
                field=f"{where}.{key}",
            )


def _fact_names(check: Check) -> list[str]:
    if isinstance(check, FactCheck):
        return [check.fact.lstrip("!")]
    if isinstance(check, AnyOf | AllOf):
        return [name for child in check.checks for name in _fact_names(child)]
    return []


def _expects(check: Check) -> set[str]:
    """What a check's detector calls expect; a fact is something present."""
    if isinstance(check, FactCheck):
        return {"present"}
    if isinstance(check, AnyOf | AllOf):
        return set().union(*(_expects(child) for child in check.checks))
    return {check.expect}


def _rule_type(raw: LineDict, check: Check, display: str, where: str) -> RuleType:
    """A practice looks for what should be present, a hazard for what should be absent;
    a rule that says neither is typed by its checks, and one that mixes them must say."""
    expects = _expects(check)
    derived = {frozenset({"present"}): RuleType.PRACTICE, frozenset({"absent"}): RuleType.HAZARD}
    implied = derived.get(frozenset(expects))
    declared = RuleType(raw["type"]) if "type" in raw else None
    if declared is None and implied is None:
        raise RulebookError(
            "the rule's checks expect both present and absent; say `type: practice` or `type: hazard`",
            path=display, line=raw.line, field=f"{where}.type",
        )  # fmt: skip
    if declared is not None and implied is not None and declared is not implied:
        want = "present" if declared is RuleType.PRACTICE else "absent"
        raise RulebookError(
            f"a {declared.value} looks for what should be {want}, but every check expects "
            f"{next(iter(expects))}",
            path=display, line=raw.line_of("type"), field=f"{where}.type",
        )  # fmt: skip
    return declared or implied or RuleType.PRACTICE


def _applicability(raw: Any) -> Applicability:
    if raw == "always":
        return Applicability()
    if isinstance(raw, list):
        return Applicability(tuple(raw), "all")
    mode, facts = next(iter(raw.items()))
    return Applicability(tuple(facts), mode)


def _reference(raw: Any) -> Reference:
    if isinstance(raw, str):
        url = re.search(r"https?://\S+", raw)
        return Reference(raw, url.group(0) if url else None)
    return Reference(raw["title"], raw.get("url"))


def _prose(text: str) -> str:
    """YAML folded text, with its line breaks and runs of spaces made single spaces."""
    return " ".join(text.split())
