"""The values that flow through a scan, from discovered files to the final report.

Every type here is immutable once built, so each stage of the pipeline can hand
its output to the next (or to another process) without defensive copies.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal


class Pillar(enum.Enum):
    """The five production pillars, plus the engineering hygiene they stand on."""

    DATA = "data"
    INFRASTRUCTURE = "infrastructure"
    MONITORING = "monitoring"
    SECURITY = "security"
    HUMAN_IN_THE_LOOP = "human_in_the_loop"
    HYGIENE = "hygiene"

    @property
    def title(self) -> str:
        return _PILLAR_TITLES[self]

    @property
    def short(self) -> str:
        return _PILLAR_SHORT[self]


_PILLAR_TITLES = {
    Pillar.DATA: "Data pipeline robustness",
    Pillar.INFRASTRUCTURE: "Infrastructure that scales",
    Pillar.MONITORING: "Monitoring and observability",
    Pillar.SECURITY: "Security and governance",
    Pillar.HUMAN_IN_THE_LOOP: "Human-in-the-loop design",
    Pillar.HYGIENE: "Engineering hygiene",
}
_PILLAR_SHORT = {
    Pillar.DATA: "Data",
    Pillar.INFRASTRUCTURE: "Infrastructure",
    Pillar.MONITORING: "Monitoring",
    Pillar.SECURITY: "Security",
    Pillar.HUMAN_IN_THE_LOOP: "Human in the loop",
    Pillar.HYGIENE: "Hygiene",
}


class Severity(enum.Enum):
    """How much a failed rule matters; the weight is OpenSSF Scorecard's risk weight."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def weight(self) -> float:
        return _SEVERITY_WEIGHTS[self]

    @property
    def rank(self) -> int:
        """Higher is more severe; used for sorting and for `--fail-on` comparisons."""
        return _SEVERITY_RANKS[self]


_SEVERITY_WEIGHTS = {
    Severity.CRITICAL: 10.0,
    Severity.HIGH: 7.5,
    Severity.MEDIUM: 5.0,
    Severity.LOW: 2.5,
}
_SEVERITY_RANKS = {Severity.CRITICAL: 4, Severity.HIGH: 3, Severity.MEDIUM: 2, Severity.LOW: 1}


class Confidence(enum.Enum):
    """How sure a rule's check can be: `high` is decided by a file, key or call;
    `medium` and `low` infer intent from names or co-occurrence (heuristics)."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Status(enum.Enum):
    """The outcome of one rule. `not_applicable` and `error` never enter a score."""

    PASS = "pass"
    PARTIAL = "partial"
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    ERROR = "error"

    @property
    def value_earned(self) -> float | None:
        """The share of a rule's weight earned: the ML Test Score's full and half point."""
        return _STATUS_VALUES[self]


_STATUS_VALUES: dict[Status, float | None] = {
    Status.PASS: 1.0,
    Status.PARTIAL: 0.5,
    Status.FAIL: 0.0,
    Status.NOT_APPLICABLE: None,
    Status.ERROR: None,
}


class RuleType(enum.Enum):
    """What a rule judges. A practice earns its weight when its evidence is seen and
    fails when it is not; a hazard costs points when it is present, and its absence
    earns nothing: a repository with nothing in it has no hazards and no practices."""

    PRACTICE = "practice"
    HAZARD = "hazard"


class Basis(enum.Enum):
    """What a verdict rests on, recorded when the rule is evaluated, so a report can
    say why a rule passed: because the practice was seen, or only because nothing was
    there to examine."""

    EVIDENCE = "evidence"  # the practice was seen (pass, or partial)
    NO_EVIDENCE = "no_evidence"  # the practice was looked for and not seen
    BLOCKED = "blocked"  # a practice this one needs is missing: it fails with it, once
    HAZARD = "hazard"  # the hazard was seen
    CLEAR = "clear"  # the hazard was looked for in files and not seen
    NOTHING_TO_EXAMINE = "nothing_to_examine"  # no file the hazard's check reads exists
    NOT_APPLICABLE = "not_applicable"
    ERROR = "error"


class FileKind(enum.Enum):
    """What a file is, decided once at discovery from its name."""

    PYTHON = "python"
    NOTEBOOK = "notebook"
    DOCKERFILE = "dockerfile"
    YAML = "yaml"
    JSON = "json"
    TOML = "toml"
    REQUIREMENTS = "requirements"
    MARKDOWN = "markdown"
    OTHER = "other"


class Role(enum.Enum):
    """What part a file plays in the project, decided from its path.

    Evidence found only in notebooks, tests, docs or examples counts for half a
    point where a rule says so: it shows intent, not a production path.
    """

    CODE = "code"
    TEST = "test"
    NOTEBOOK = "notebook"
    DOCS = "docs"
    EXAMPLE = "example"
    #: Third-party code copied into the repository: it ships, but it is not the team's.
    VENDORED = "vendored"
    #: Code kept for the record (`archive/`, `deprecated/`, `old/`): nothing runs it now.
    ARCHIVED = "archived"


@functools.total_ordering
@dataclass(frozen=True)
class Location:
    """Where something is: a path relative to the scanned root, and optionally a
    1-based line, and for notebooks the 1-based cell number (the line is then
    within the cell). Locations order by path, then line, cell, column and file line,
    a missing number (the whole file) before any number."""

    path: str
    line: int | None = None
    cell: int | None = None
    column: int | None = None
    #: For notebooks: the line in the .ipynb file itself (what diffs and SARIF viewers show).
    file_line: int | None = None

    def _order(self) -> tuple[object, ...]:
        numbers = (self.line, self.cell, self.column, self.file_line)
        return (self.path, *((n is not None, n or 0) for n in numbers))

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Location):
            return NotImplemented
        return self._order() < other._order()

    @property
    def physical_line(self) -> int | None:
        """The line in the file on disk: the notebook JSON line for cells, else `line`."""
        return self.file_line if self.cell is not None else self.line

    def __str__(self) -> str:
        text = self.path
        if self.cell is not None:
            text += f" cell {self.cell}"
            if self.line is not None:
                text += f", line {self.line}"
        elif self.line is not None:
            text += f":{self.line}"
        return text


@dataclass(frozen=True)
class Evidence:
    """One thing a detector saw.

    `missing` marks a target that lacks what was looked for (a container with
    no resource limits, a Dockerfile with no HEALTHCHECK): the place to fix.
    """

    location: Location | None
    detail: str
    snippet: str = ""
    missing: bool = False


@dataclass(frozen=True)
class Detection:
    """What one detector saw across the repository."""

    matches: tuple[Evidence, ...] = ()
    gaps: tuple[Evidence, ...] = ()
    inapplicable: str | None = None


@dataclass(frozen=True)
class ScanWarning:
    """A file or feature readycheck could not fully read; the scan went on without it."""

    code: str
    message: str
    path: str | None = None

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


#: Kinds of scan notes, each with its own heading, matched on the code's prefix; a file
#: readycheck could not fully read is the default.
WARNING_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Suppressions that need attention", ("suppression-",)),
    ("Rules that could not run in full", ("rule-error", "detector-error", "pattern-")),
    ("Cache", ("cache",)),
    ("Git history", ("git-",)),
    ("Code readycheck does not read", ("unread-code",)),
    ("Skipped on purpose", ("own-output", "untracked-skipped")),
    ("Rules left out on the command line", ("rule-selection",)),
)
FILES_NOT_READ = "Files readycheck could not fully read"


def warning_group(code: str) -> str:
    """The heading a scan note is listed under."""
    for title, prefixes in WARNING_GROUPS:
        if code.startswith(prefixes):
            return title
    return FILES_NOT_READ


def grouped_warnings(
    warnings: Iterable[ScanWarning],
) -> list[tuple[str, list[ScanWarning]]]:
    """Scan notes by heading: unread files first, then the kinds in WARNING_GROUPS order."""
    order = [FILES_NOT_READ, *(title for title, _ in WARNING_GROUPS)]
    groups: dict[str, list[ScanWarning]] = {}
    for warning in warnings:
        groups.setdefault(warning_group(warning.code), []).append(warning)
    return [(title, groups[title]) for title in order if title in groups]


@dataclass(frozen=True)
class Reference:
    title: str
    url: str | None = None


@dataclass(frozen=True)
class Suppression:
    """Why a finding is accepted: an inline comment or a config entry, with a reason."""

    reason: str
    source: str  # "inline" or "config"
    location: Location | None = None  # where the suppression itself is written
    until: str | None = None  # ISO date after which it stops applying


@dataclass(frozen=True)
class Finding:
    """A problem the user should act on: what, where, and (through its rule) why and how.

    `fingerprint` identifies the finding across edits that move it (rule, path and
    the normalised offending text, never the line number). `suppression` is set when
    the finding is accepted; `in_baseline` when it was already known; `in_change`
    tells, for diff-aware scans, whether it lies on a changed line (None otherwise).
    """

    rule_id: str
    message: str
    location: Location | None = None
    snippet: str = ""
    fingerprint: str = ""
    suppression: Suppression | None = None
    in_baseline: bool = False
    in_change: bool | None = None

    @property
    def gating(self) -> bool:
        """Whether this finding can fail a CI gate: not accepted, not known, in the change."""
        return self.suppression is None and not self.in_baseline and self.in_change is not False


#: Companions (a Helm template's Chart.yaml and values.yaml, a manifest's kustomizations)
#: are discovered files, already under the size cap; this only bounds a file that grew
#: between discovery and reading.
MAX_COMPANION = 16 * 1024 * 1024


@dataclass(frozen=True)
class FileEntry:
    """A discovered file: its path relative to the root, and how it was classified."""

    path: str
    kind: FileKind
    role: Role
    size: int
    readable: bool = True
    #: Other discovered files this one is read with: a Helm template's Chart.yaml and
    #: values.yaml, a manifest's kustomizations (parsers/kustomize.py). They are part of
    #: its content for the cache.
    companions: tuple[str, ...] = ()


@dataclass(frozen=True)
class TargetInfo:
    """What was scanned: the folder, and its git state when it is a repository."""

    path: str
    name: str
    files: int
    commit: str | None = None
    branch: str | None = None
    commit_date: str | None = None
    #: A real file to anchor repository-wide findings to (README first), for SARIF viewers.
    anchor: str | None = None
    #: The config file that set this scan's options, as the user would type it; None: none.
    config: str | None = None
    #: The repository's web address on its forge, without credentials; None: unknown.
    remote: str | None = None
    #: The scanned folder inside the repository ("" at its root, None outside git): report
    #: paths are relative to the scanned folder, forge links to the repository's root.
    repository_path: str | None = None


Expect = Literal["present", "absent"]


@dataclass(frozen=True)
class DetectorCall:
    """One use of a detector in a rule or fact: its parameters and which files it reads."""

    detector: str
    params: Any  # the detector's own frozen parameters dataclass
    raw_params: tuple[tuple[str, Any], ...]
    expect: Expect
    kinds: frozenset[FileKind] | None
    roles: frozenset[Role] | None
    paths: tuple[str, ...]
    #: Roles whose evidence earns half credit (practices) or weighs less (hazards).
    partial_in: frozenset[Role]
    key: str


@dataclass(frozen=True)
class AnyOf:
    """Alternatives: the best outcome counts."""

    checks: tuple[Check, ...]


@dataclass(frozen=True)
class AllOf:
    """Requirements: the worst outcome counts."""

    checks: tuple[Check, ...]


@dataclass(frozen=True)
class FactCheck:
    """Holds when a fact of the rulebook holds; its evidence is where the fact was seen."""

    fact: str


Check = DetectorCall | AnyOf | AllOf | FactCheck


@dataclass(frozen=True)
class Applicability:
    facts: tuple[str, ...] = ()  # "name" must hold, "!name" must not
    mode: Literal["all", "any"] = "all"


@dataclass(frozen=True)
class Caps:
    """What a grave hazard holds down while it is present: its pillar's score, the level."""

    pillar: float | None = None
    level: str | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    pillar: Pillar
    severity: Severity
    weight: float
    confidence: Confidence
    applies_when: Applicability
    check: Check
    problem: str
    why: str
    fix: str
    references: tuple[Reference, ...]
    tags: tuple[str, ...]
    source: str  # "rules/data.yaml:12"
    type: RuleType = RuleType.PRACTICE
    #: The repository kinds the rule judges (None: every kind).
    kinds: frozenset[str] | None = None
    #: Facts naming another mechanism that meets the need: when one holds, the rule
    #: does not apply, and the report says which mechanism covers it.
    covered_by: tuple[str, ...] = ()
    #: A practice that cannot exist without another: when that one fails, this one
    #: fails with it as blocked, without a finding of its own.
    requires: tuple[str, ...] = ()
    caps: Caps | None = None
    #: Retired rule ids this rule replaced: suppressions and config naming them still work.
    aliases: tuple[str, ...] = ()
    #: Rules that can see the same defect at the same place (a secret both a token pattern
    #: and bandit recognise): one finding is kept, the more severe, naming both sources.
    same_defect_as: tuple[str, ...] = ()
    #: What the rule asks for, whatever implements it, and the forms of evidence it knows.
    capability: str = ""
    forms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fact:
    """Something true or false of the repository, decided once per scan."""

    name: str
    description: str
    otherwise: str
    check: Check


@dataclass(frozen=True)
class RepoKind:
    """A kind of repository (an online service, a library, ...), as the rulebook defines it:
    the first kind whose facts all hold is the repository's, unless its config declares one."""

    id: str
    title: str
    description: str
    when: tuple[str, ...] = ()


@dataclass(frozen=True)
class KindVerdict:
    """Which kind the repository was judged as, and why."""

    id: str
    title: str
    declared: bool
    reason: str
    evidence: Evidence | None = None


@dataclass(frozen=True)
class RuleResult:
    """The verdict on one rule, with the evidence behind it."""

    rule: Rule
    status: Status
    findings: tuple[Finding, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    reason: str | None = None
    gain: float = 0.0
    #: Why the rule applies at all: each `applies_when` fact that holds, with where it was
    #: seen. It is the "where" of a finding about a practice missing from the whole repository.
    applies_because: tuple[Evidence, ...] = ()
    basis: Basis = Basis.NOT_APPLICABLE
    #: For hazards: how many of the files the check examined hold the hazard. The
    #: penalty is proportional to their share (density), so size is not punished.
    affected: int = 0
    examined: int = 0
    #: For a blocked practice: the rule whose absence blocks it.
    blocked_by: str | None = None
    #: For a blocked practice whose own evidence was seen: where, so the report says the
    #: practice is waiting for its prerequisite, not missing.
    waiting_at: Location | None = None

    @property
    def density(self) -> float:
        """The share of examined files a hazard affects (0 when nothing was examined)."""
        return min(1.0, self.affected / self.examined) if self.examined else 0.0


@dataclass(frozen=True)
class PillarScore:
    """A pillar's score: its practices' share of their possible weight, less the
    penalty of the hazards present, within the caps of the gravest hazards."""

    pillar: Pillar
    score: float | None
    earned: float
    possible: float
    counts: dict[Status, int] = field(default_factory=dict)
    #: The penalty of the hazards present, in percent of the practices' score (up to 100).
    penalty: float = 0.0
    #: The hazard rules whose presence caps this pillar, with the cap.
    caps: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Level:
    """A readiness level; `rank` orders them (higher is more ready)."""

    id: str
    title: str
    rank: int
    summary: str


@dataclass(frozen=True)
class PolicyChange:
    """A difference between the gate settings and suppressions in force and those at the
    base of a diff-aware scan ("lowers fail_under from 60 to 10"), and where it is."""

    text: str
    weakens: bool
    where: str | None = None


@dataclass(frozen=True)
class GateResult:
    """Whether a CI gate passed, and every reason it failed (empty when it passed)."""

    passed: bool
    reasons: tuple[str, ...] = ()
    checked: tuple[str, ...] = ()  # what the gate checked, in words, for the summary line
    #: The severity from which a finding fails the gate (`--fail-on`), if the gate judges
    #: findings at all: annotations follow it.
    fail_on: Severity | None = None


@dataclass(frozen=True)
class MLTestItem:
    """One ML Test Score test: its points (None: not verifiable statically) and why."""

    id: str
    title: str
    points: float | None
    rules: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class MLTestScore:
    """The ML Test Score (Breck et al., 2017), estimated from static evidence."""

    sections: tuple[tuple[str, float, tuple[MLTestItem, ...]], ...]  # name, points, tests
    score: float  # the minimum of the section sums, as in the paper
    band: str  # the paper's interpretation of that score


#: Initials read with a vowel sound: "an LLM application", "an ML service", "an SDK".
_VOWEL_SOUND_INITIALS = frozenset("AEFHILMNORSX")


def with_article(noun: str) -> str:
    """The noun with "a" or "an", as it is read aloud: an online service, a batch
    pipeline, an LLM application (an acronym is read letter by letter)."""
    word = noun.split(" ", 1)[0]
    if len(word) > 1 and word.isupper():
        vowel = word[0] in _VOWEL_SOUND_INITIALS
    else:
        vowel = noun[:1].lower() in "aeiou"
    return ("an " if vowel else "a ") + noun


@dataclass(frozen=True)
class ChecklistItem:
    """One checklist item and how the repository stands on it: `met` when every rule
    that applies passes, `partly` when some evidence is missing or only partial,
    `missing` when none is there, `not_applicable` when no rule of it applies."""

    id: str
    title: str
    status: str
    rules: tuple[str, ...]


@dataclass(frozen=True)
class ChecklistSection:
    name: str
    items: tuple[ChecklistItem, ...]

    @property
    def applicable(self) -> int:
        return sum(item.status != "not_applicable" for item in self.items)

    @property
    def met(self) -> float:
        """Items met, a partly met item counting half."""
        return sum({"met": 1.0, "partly": 0.5}.get(item.status, 0.0) for item in self.items)


@dataclass(frozen=True)
class Checklist:
    """The checklist shown instead of the ML Test Score for the kinds of repository it
    fits, and why it was chosen."""

    id: str
    name: str
    reference: str
    reason: str
    sections: tuple[ChecklistSection, ...]


@dataclass(frozen=True)
class Report:
    """Everything a renderer needs; every output format is a function of this."""

    tool_version: str
    rulebook_version: str
    target: TargetInfo
    scanned_at: str
    score: float
    level: Level
    level_capped_by: Pillar | None
    pillars: tuple[PillarScore, ...]
    results: tuple[RuleResult, ...]
    warnings: tuple[ScanWarning, ...]
    gate: GateResult | None = None
    #: Baseline entries no longer found: "RULE-ID path" descriptions of what was fixed.
    fixed: tuple[str, ...] = ()
    ml_test_score: MLTestScore | None = None
    checklist: Checklist | None = None
    kind: KindVerdict | None = None
    #: Hazard rules present that hold the level down, whatever the scores.
    level_capped_by_rules: tuple[str, ...] = ()
    #: With --since: how the change alters its own gate settings and suppressions.
    policy_changes: tuple[PolicyChange, ...] = ()
    #: The reference the diff-aware scan compared with (--since), if any.
    since: str | None = None

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for r in self.results for f in r.findings)
