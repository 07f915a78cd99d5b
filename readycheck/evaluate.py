"""From evidence to verdicts: decide each fact, then each rule.

A detector call expects its pattern `present` (a good practice: a schema
library, a probe) or `absent` (a hazard: `pickle.load`, a secret):

    present  strong match, no gaps      -> pass
             matches and gaps            -> partial (findings at the gaps)
             only weak matches           -> partial (notebooks, tests, docs...)
             gaps only, or nothing       -> fail
    absent   no match                    -> pass
             only weak matches           -> partial
             any strong match            -> fail (a finding per match)

`any` takes the best outcome of its checks, `all` the worst; an `any` whose
judged checks all fail, while another could not be judged, is not applicable
(one author or several cannot be told in a shallow clone).

A rule does not apply, and says why, when the repository is of a kind it does
not judge (a library has no serving endpoint to authenticate), when another
mechanism covers its need (`covered_by`: a managed endpoint checks health
itself), or when the subject its `applies_when` facts name is absent (no HTTP
calls, no retry policy to ask for). A practice that `requires` another fails
with it, blocked, instead of adding a second finding for the same gap (and whatever
its own evidence, which means nothing without the practice it needs).

Each verdict records its basis (evidence seen, hazard seen, nothing to examine)
and, for a hazard, how many of the examined files hold it, which is what the
score charges for.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from readycheck.analyze import paths_applied_to
from readycheck.detectors import REGISTRY
from readycheck.detectors.base import FileDetector
from readycheck.model import (
    AllOf,
    AnyOf,
    Basis,
    Check,
    Detection,
    DetectorCall,
    Evidence,
    Fact,
    FactCheck,
    FileEntry,
    FileKind,
    Finding,
    KindVerdict,
    Role,
    Rule,
    RuleResult,
    RuleType,
    ScanWarning,
    Status,
    with_article,
)
from readycheck.rulebook import Rulebook
from readycheck.workspace import Repository

_STATUS_ORDER = {Status.PASS: 3, Status.PARTIAL: 2, Status.FAIL: 1}
#: What a repository detector "examines" when it runs: the repository as a whole.
_WHOLE_REPOSITORY = "<repository>"
_CODE = frozenset({FileKind.PYTHON, FileKind.NOTEBOOK})


@dataclass(frozen=True)
class Outcome:
    status: Status
    evidence: tuple[Evidence, ...] = ()  # what supports a pass
    problems: tuple[Evidence, ...] = ()  # where to act
    reason: str | None = None
    #: Failed with nothing to point at: the whole practice is missing from the repository.
    missing: bool = False
    #: The files the checks read, and (for hazards) those that hold the hazard.
    examined: frozenset[str] = frozenset()
    affected: frozenset[str] = frozenset()


class Evaluator:
    """Evaluates checks against per-file evidence and the repository, each call once."""

    def __init__(
        self,
        rulebook: Rulebook,
        repository: Repository,
        file_evidence: Mapping[str, list[Evidence]],
        call_errors: Mapping[str, str] | None = None,
        declared_kind: str | None = None,
    ) -> None:
        self.rulebook = rulebook
        self.repository = repository
        self.file_evidence = file_evidence
        #: File-detector calls that could not be judged (call key -> why): their rules are errors.
        self.call_errors = dict(call_errors or {})
        self.roles = {entry.path: entry.role for entry in repository.files}
        self.warnings: list[ScanWarning] = []
        self._detections: dict[str, Detection | None] = {}
        self._examined: dict[str, frozenset[str]] = {}
        #: The readable files by kind and role, for `examined`.
        self._readable: dict[tuple[FileKind, Role], list[FileEntry]] = defaultdict(list)
        for entry in repository.files:
            if entry.readable and entry.role is not Role.VENDORED:
                self._readable[(entry.kind, entry.role)].append(entry)
        #: Whether any file is vendored: only then is evidence filtered for it.
        self._vendored = any(entry.role is Role.VENDORED for entry in repository.files)
        #: Each fact that holds, with the first place it was seen (None: it does not hold).
        self.fact_evidence: dict[str, Evidence | None] = {}
        #: Where notebooks provision the platform, their practice evidence counts in full.
        self.notebooks_count = False
        for name in rulebook.facts:
            self._fact_seen(name)
        self.facts = {name: seen is not None for name, seen in self.fact_evidence.items()}
        self.notebooks_count = any(self.facts[name] for name in rulebook.notebooks_count_when)
        self.kind: KindVerdict | None = self.infer_kind(declared_kind)

    def infer_kind(self, declared: str | None = None) -> KindVerdict | None:
        """The repository's kind: the one its config declares, else the first whose facts
        all hold, else the last (the default)."""
        kinds = self.rulebook.kinds
        if not kinds:
            return None
        if declared is not None:
            kind = self.rulebook.kind(declared)
            if kind is not None:
                return KindVerdict(kind.id, kind.title, True, "declared in the configuration")
        for kind in kinds[:-1]:
            if kind.when and all(self._holds(name) for name in kind.when):
                seen = next(
                    (self.fact_evidence[n] for n in kind.when if not n.startswith("!")), None
                )
                return KindVerdict(kind.id, kind.title, False, kind.description, seen)
        default = kinds[-1]
        return KindVerdict(default.id, default.title, False, default.description)

    def _holds(self, name: str) -> bool:
        return self.facts[name.lstrip("!")] != name.startswith("!")

    def _fact_seen(self, name: str) -> Evidence | None:
        """Where a fact was seen, computed once (facts may name other facts; the rulebook
        loader has checked they form no cycle)."""
        if name not in self.fact_evidence:
            self.fact_evidence[name] = self._fact(self.rulebook.facts[name])
        return self.fact_evidence[name]

    def _fact(self, fact: Fact) -> Evidence | None:
        outcome = self.outcome(fact.check)
        if outcome.status not in (Status.PASS, Status.PARTIAL):
            return None
        # In an `all`, the last check is the telling one: the import is the precondition,
        # the `.fit()` call the proof that the repository trains models.
        telling = fact.check.checks[-1] if isinstance(fact.check, AllOf) else fact.check
        located = sorted(
            (
                e
                for e in self.outcome(telling).evidence or outcome.evidence
                if e.location is not None
            ),
            key=lambda e: (*self._rank(e), e.location),
        )
        seen = located[0] if located else None
        return Evidence(
            seen.location if seen else None, fact.description, seen.snippet if seen else ""
        )

    def detection(self, call: DetectorCall) -> Detection | None:
        """What a call saw; None when it could not be judged (`call_errors` says why)."""
        if call.key not in self._detections:
            detector = REGISTRY[call.detector]
            if call.key in self.call_errors:
                self._detections[call.key] = None
            elif isinstance(detector, FileDetector):
                found = [e for e in self.file_evidence.get(call.key, []) if self._owned(e)]
                self._detections[call.key] = Detection(
                    tuple(e for e in found if not e.missing), tuple(e for e in found if e.missing)
                )
            else:
                try:
                    self._detections[call.key] = self._in_roles(
                        detector.run(self.repository, call.params), call.roles
                    )
                except Exception as error:
                    reason = f"detector {call.detector} failed: {error!r}"
                    self.warnings.append(ScanWarning("detector-error", reason))
                    self.call_errors[call.key] = reason
                    self._detections[call.key] = None
        return self._detections[call.key]

    def _in_roles(self, detection: Detection, roles: frozenset[Role] | None) -> Detection:
        """A repository-wide detection limited to evidence in files of `roles`, as a file
        detector's call is limited to those files: an example's Dockerfile is not the
        project's serving image. Evidence about no file (a git fact) is kept; evidence in
        vendored third-party code never is."""

        def kept(items: tuple[Evidence, ...]) -> tuple[Evidence, ...]:
            return tuple(
                e
                for e in items
                if self._owned(e)
                and (roles is None or e.location is None or self._role(e) in roles)
            )

        return dataclasses.replace(
            detection, matches=kept(detection.matches), gaps=kept(detection.gaps)
        )

    def _owned(self, evidence: Evidence) -> bool:
        """Whether evidence is about the team's own files: vendored third-party code is
        neither their practice nor their hazard."""
        return (
            not self._vendored
            or evidence.location is None
            or self._role(evidence) is not Role.VENDORED
        )

    def _role(self, evidence: Evidence) -> Role:
        if evidence.location is None:
            return Role.CODE
        return self.roles.get(evidence.location.path, Role.CODE)

    def examined(self, call: DetectorCall) -> frozenset[str]:
        """The files a hazard's share is measured against: those the call reads, and for
        a call on code (modules or notebooks) all the code it could read, so one notebook
        in a large package is a small share of its code, not all of its notebooks."""
        if call.key not in self._examined:
            detector = REGISTRY[call.detector]
            if isinstance(detector, FileDetector):
                kinds = call.kinds if call.kinds is not None else detector.kinds
                widened = call
                if kinds & _CODE:
                    widened = dataclasses.replace(call, kinds=frozenset(kinds | _CODE))
                files = set(paths_applied_to(call, self._readable))
                if widened is not call:
                    files.update(paths_applied_to(widened, self._readable))
                self._examined[call.key] = frozenset(files)
            else:
                self._examined[call.key] = frozenset({_WHOLE_REPOSITORY})
        return self._examined[call.key]

    def outcome(self, check: Check) -> Outcome:
        if isinstance(check, FactCheck):
            name = check.fact.lstrip("!")
            seen = self._fact_seen(name)
            if check.fact.startswith("!"):
                return Outcome(Status.FAIL, missing=True) if seen else Outcome(Status.PASS)
            if seen is None:
                return Outcome(Status.FAIL, missing=True)
            return Outcome(Status.PASS, evidence=(seen,))
        if isinstance(check, AnyOf):
            return _best([self.outcome(child) for child in check.checks])
        if isinstance(check, AllOf):
            return _worst([self.outcome(child) for child in check.checks])
        detection = self.detection(check)
        if detection is None:
            return Outcome(Status.ERROR, reason=self.call_errors[check.key])
        if detection.inapplicable:
            return Outcome(Status.NOT_APPLICABLE, reason=detection.inapplicable)
        partial_in = check.partial_in
        if self.notebooks_count and check.expect == "present":
            partial_in = partial_in - {Role.NOTEBOOK}
        strong = tuple(m for m in detection.matches if self._role(m) not in partial_in)
        weak = tuple(m for m in detection.matches if self._role(m) in partial_in)
        if check.expect == "absent":
            examined = self.examined(check)
            # Outside production (tests, docs, examples) a hazard counts only where the
            # check says so (`partial_in`): elsewhere it is on no path to users.
            outside = tuple(m for m in strong if self._role(m) in _OUTSIDE_PRODUCTION)
            strong = tuple(m for m in strong if self._role(m) not in _OUTSIDE_PRODUCTION)
            # Nor is a hazard in a function nothing in the project calls on any path;
            # one that counts wherever it is (`partial_in`: a committed credential, which
            # every clone carries) counts there too.
            idle = (
                {m: fn for m in strong if (fn := self._idle(m)) is not None}
                if not check.partial_in
                else {}
            )
            strong = tuple(m for m in strong if m not in idle)
            if strong:
                # Where production code holds the hazard, the same in tests or examples is
                # noise beside it: those places are reported only when they are all there is.
                return Outcome(Status.FAIL, problems=strong, examined=examined,
                               affected=_paths(strong, examined))  # fmt: skip
            if weak:
                return Outcome(Status.PARTIAL, problems=weak, examined=examined,
                               affected=_paths(weak, examined))  # fmt: skip
            return Outcome(
                Status.PASS,
                examined=examined,
                reason=self._outside(outside) or self._unused(idle),
            )
        gaps = detection.gaps
        production_gaps = tuple(g for g in gaps if self._role(g) not in _OUTSIDE_PRODUCTION)
        if production_gaps or detection.matches:
            # Where the project's own files are judged, a gap in a test, an example or
            # the docs (an example's unpinned requirements) is noise beside them.
            gaps = production_gaps
        if gaps:
            status = Status.PARTIAL if detection.matches else Status.FAIL
            return Outcome(status, evidence=detection.matches, problems=gaps)
        if strong:
            return Outcome(Status.PASS, evidence=strong + weak)
        if weak:
            return Outcome(Status.PARTIAL, evidence=weak, problems=weak)
        return Outcome(Status.FAIL, missing=True)

    def _outside(self, seen: tuple[Evidence, ...]) -> str | None:
        """What a hazard's pass says of the places outside production that hold it."""
        located = sorted(
            ((e.location, e) for e in seen if e.location is not None), key=lambda pair: pair[0]
        )
        if not located:
            return None
        where_at, first = located[0]
        where = _OUTSIDE_PRODUCTION[self._role(first)]
        at = where_at.path + (f":{where_at.line}" if where_at.line else "")
        more = f" and {len(located) - 1} more" if len(located) > 1 else ""
        return (
            f"seen only outside production code, which is not counted: {first.detail} "
            f"in {where} ({at}){more}"
        )

    def _idle(self, evidence: Evidence) -> str | None:
        """The function nothing in the project calls that holds a hazard, if any (see
        Repository.idle_function). A library's functions are for its users to call."""
        if evidence.location is None or (self.kind is not None and self.kind.id == "library"):
            return None
        return self.repository.idle_function(evidence.location)

    def _unused(self, seen: dict[Evidence, str]) -> str | None:
        """What a hazard's pass says of the functions nothing calls that hold it."""
        located = sorted(
            ((e.location, e) for e in seen if e.location is not None), key=lambda pair: pair[0]
        )
        if not located:
            return None
        where_at, first = located[0]
        at = where_at.path + (f":{where_at.line}" if where_at.line else "")
        more = f" and {len(located) - 1} more" if len(located) > 1 else ""
        return (
            "seen only in code nothing in the project calls, which is not counted: "
            f"{first.detail} in {seen[first]}() ({at}){more}"
        )

    def applicability(self, rule: Rule) -> str | None:
        """None when the rule applies; otherwise the reason it does not."""
        if self.kind is not None and rule.kinds is not None and self.kind.id not in rule.kinds:
            judged = [k.title for k in self.rulebook.kinds if k.id in rule.kinds]
            if 0 < len(judged) <= 2:  # say what it is for: "only an LLM application or agent"
                only = ", or ".join(with_article(title) for title in judged)
                return f"it judges only {only}, not {with_article(self.kind.title)}"
            return f"it does not judge {with_article(self.kind.title)}"
        for name in rule.covered_by:
            if self.facts[name]:
                return f"covered: {self.rulebook.facts[name].description}"
        reasons = []
        for name in rule.applies_when.facts:
            fact = self.rulebook.facts[name.lstrip("!")]
            negated = name.startswith("!")
            holds = self.facts[fact.name] != negated
            if holds and rule.applies_when.mode == "any":
                return None
            if not holds:
                reasons.append(fact.description if negated else fact.otherwise)
        if not reasons:
            return None
        return reasons[0] if rule.applies_when.mode == "all" else "; ".join(reasons)

    def applies_because(self, rule: Rule) -> tuple[Evidence, ...]:
        """The facts that make an applicable rule apply, with where each was seen; for a
        rule that judges only some kinds of repository, the kind comes first."""
        held = [self.fact_evidence.get(name) for name in rule.applies_when.facts]
        if rule.kinds is not None and self.kind is not None:
            held.insert(0, Evidence(
                self.kind.evidence.location if self.kind.evidence else None,
                f"the repository is {with_article(self.kind.title)} ({self.kind.reason})",
                self.kind.evidence.snippet if self.kind.evidence else "",
            ))  # fmt: skip
        return tuple(seen for seen in held if seen is not None)

    def _leading(self, evidence: tuple[Evidence, ...]) -> tuple[Evidence, ...]:
        """Evidence in the order a reader should see it: the product's own code first,
        then code around it (analyses, reports, benchmarks, scripts), then tests,
        examples and docs; the detectors' order otherwise."""

        return tuple(sorted(evidence, key=self._rank))

    def _rank(self, item: Evidence) -> tuple[bool, bool, bool, bool]:
        """Which evidence to show first: the product's code before what is outside it
        (tests, examples, docs) and around it (analyses, reports, benchmarks, scripts);
        then, within it, what is on the prediction path (a `/predict` route's typed input
        before a management route's)."""
        on_path = _PREDICTION_PATH.search(f"{item.detail} {item.snippet}") is not None
        predicting = _PREDICTING_HANDLER.search(item.detail) is not None
        if item.location is None:
            return (False, False, not predicting, not on_path)
        return (
            self._role(item) is not Role.CODE,
            _AUXILIARY.search(item.location.path) is not None,
            not predicting,
            not on_path,
        )

    def _with_every_form(self, check: Check, outcome: Outcome) -> Outcome:
        """A practice met in several of its forms shows the evidence of each (product code
        first, when the evidence is ordered): a service's own logger before a benchmark
        script's `basicConfig`, whichever form the rule lists first. Detections are made
        once per call, so judging the alternatives again only re-reads them."""
        if not isinstance(check, AnyOf):
            return outcome
        held = [
            o for o in (self.outcome(child) for child in check.checks) if o.status is Status.PASS
        ]
        evidence = dict.fromkeys(e for o in held for e in o.evidence)
        return dataclasses.replace(outcome, evidence=tuple(evidence))

    def _in_use(self, rule: Rule, outcome: Outcome) -> Outcome:
        """A practice whose every piece of evidence sits in functions nothing calls is
        written but not in use: partly met, and the finding says which function to wire
        in. A library's functions are for its users to call, so its evidence stands."""
        if self.kind is not None and self.kind.id == "library":
            return outcome
        idle: list[Evidence] = []
        functions: set[tuple[str, str]] = set()
        for item in outcome.evidence:
            name = self.repository.idle_function(item.location) if item.location else None
            if name is None or item.location is None:
                return outcome
            if (item.location.path, name) in functions:
                continue  # one finding per function to wire in
            functions.add((item.location.path, name))
            detail = item.detail[:1].upper() + item.detail[1:]
            idle.append(dataclasses.replace(
                item,
                detail=f"{detail} is in {name}(), which nothing in the project calls: "
                "the practice is written but never runs",
            ))  # fmt: skip
        if not idle:
            return outcome
        return dataclasses.replace(
            outcome, status=Status.PARTIAL, evidence=(), problems=tuple(idle)
        )

    def _say_where(self, finding: Finding) -> Finding:
        """A hazard outside production code is reported as such (it also weighs less)."""
        if finding.location is None:
            return finding
        place = _OUTSIDE_PRODUCTION.get(self.roles.get(finding.location.path, Role.CODE))
        if place is None:
            return finding
        return dataclasses.replace(finding, message=f"{finding.message} (in {place})")

    def evaluate_all(self, rules: tuple[Rule, ...] | list[Rule]) -> list[RuleResult]:
        """Every rule's verdict; a practice whose required practice failed is blocked.

        It is blocked even when its own evidence was seen: a CI step running pytest in a
        repository with no tests, or request validation where no model is delivered, is
        not the practice (the precision audit judged such passes unearned).
        """
        results = {rule.id: self.evaluate(rule) for rule in rules}
        for rule in rules:
            result = results[rule.id]
            if result.status not in (Status.FAIL, Status.PARTIAL, Status.PASS):
                continue
            missing = next(
                (r for r in rule.requires if r in results and results[r].status is Status.FAIL),
                None,
            )
            if missing is not None:
                reason = f"it needs {missing} ({results[missing].rule.title.lower()}) first"
                seen = None
                if result.status is not Status.FAIL:
                    # say what is already there: the practice is not missing, it waits
                    seen = next((e.location for e in result.evidence if e.location), None)
                if seen is not None:
                    reason += f"; its own practice is already in the code ({seen}) and counts then"
                results[rule.id] = dataclasses.replace(
                    result,
                    status=Status.FAIL,
                    findings=(),
                    evidence=(),
                    basis=Basis.BLOCKED,
                    blocked_by=missing,
                    waiting_at=seen,
                    reason=reason,
                )
        return [results[rule.id] for rule in rules]

    def evaluate(self, rule: Rule) -> RuleResult:
        reason = self.applicability(rule)
        if reason is not None:
            return RuleResult(rule, Status.NOT_APPLICABLE, reason=reason)
        outcome = self.outcome(rule.check)
        if rule.type is RuleType.PRACTICE and outcome.status is Status.PASS:
            outcome = self._with_every_form(rule.check, outcome)
            outcome = self._in_use(rule, outcome)
        if outcome.status is Status.ERROR:
            self.warnings.append(
                ScanWarning("rule-error", f"rule {rule.id} was not evaluated: {outcome.reason}")
            )
        findings: tuple[Finding, ...] = ()
        if outcome.status in (Status.FAIL, Status.PARTIAL):
            findings = _findings(rule, outcome)
        hazard = rule.type is RuleType.HAZARD
        if hazard:
            findings = tuple(self._say_where(f) for f in findings)
        return RuleResult(
            rule,
            outcome.status,
            findings,
            self._leading(outcome.evidence),
            outcome.reason,
            applies_because=self.applies_because(rule),
            basis=_basis(rule, outcome),
            affected=len(outcome.affected) if hazard else 0,
            examined=len(outcome.examined) if hazard else 0,
        )


#: Folders of code around the product rather than in it (analyses, reports, benchmarks,
#: one-off scripts): evidence from them is shown after the product's own.
_AUXILIARY = re.compile(
    r"(^|/)(analysis|analyses|reports?|benchmarks?|bench|scripts?|tools|eda|diagnostics"
    r"|benchmarking|experiments?|sandbox|playground|demos?|notebooks?|load_?tests?|locust)/"
    # load generators and simulators of the traffic or the drift a service will see
    r"|(^|/)(locustfile|simulat\w*|load_?test\w*|mocks?|fakes?)\.py$",
    re.I,
)

#: A handler or route that is the prediction itself (`POST /predict (predict)`, `route
#: score_batch`), not one that lists, exports or explains stored predictions
#: (`GET /predictions/stats`): its evidence is shown first.
_PREDICTING_HANDLER = re.compile(
    r"(?i)(\(|route |/)(predict|infer|inference|score|classify|forecast|recommend|generate"
    r"|chat|ask|embed|answer)(_\w+)?(\)|\s|$)"
)

#: What names the prediction path: routes, handlers and calls that predict, score,
#: classify, forecast, recommend or answer.
_PREDICTION_PATH = re.compile(
    r"(?i)predict|infer|classif|forecast|recommend|\bscor(e|es|ing)\b|/(ask|chat|generate)\b"
)

_OUTSIDE_PRODUCTION = {
    Role.TEST: "test code",
    Role.EXAMPLE: "an example",
    Role.DOCS: "documentation",
    Role.VENDORED: "vendored third-party code",
    Role.ARCHIVED: "archived code",
}


def _basis(rule: Rule, outcome: Outcome) -> Basis:
    status = outcome.status
    if status is Status.ERROR:
        return Basis.ERROR
    if status is Status.NOT_APPLICABLE:
        return Basis.NOT_APPLICABLE
    if rule.type is RuleType.HAZARD:
        if status is Status.PASS:
            return Basis.CLEAR if outcome.examined else Basis.NOTHING_TO_EXAMINE
        return Basis.HAZARD
    return Basis.NO_EVIDENCE if status is Status.FAIL else Basis.EVIDENCE


def _paths(evidence: tuple[Evidence, ...], examined: frozenset[str]) -> frozenset[str]:
    """The examined files some evidence points at; evidence anywhere else (a repository
    detector's finding) stands for the repository as a whole."""
    return frozenset(
        e.location.path if e.location and e.location.path in examined else _WHOLE_REPOSITORY
        for e in evidence
    )


def _findings(rule: Rule, outcome: Outcome) -> tuple[Finding, ...]:
    located = [p for p in outcome.problems if p.location is not None]
    whole_repository = (Finding(rule.id, rule.problem),) if outcome.missing or not located else ()
    if not located:
        return whole_repository
    if (
        outcome.status is Status.PARTIAL
        and outcome.evidence
        and not any(p.missing for p in located)
    ):
        # Evidence exists, but only in notebooks, tests or docs: one finding, at the first such place.
        first = located[0]
        note = f"{rule.problem} It was only seen outside production code: {first.detail}."
        return (Finding(rule.id, note, first.location, first.snippet),)
    unique = {(p.location, p.detail): p for p in located}
    return whole_repository + tuple(
        Finding(rule.id, p.detail, p.location, p.snippet)
        for p in sorted(unique.values(), key=lambda p: (p.location, p.detail))
    )


def _best(outcomes: list[Outcome]) -> Outcome:
    """Any of the checks: the best judged outcome. An alternative that could not be
    judged (a rule error) might have held, so below a pass it makes the whole an error."""
    judged = [o for o in outcomes if o.status in _STATUS_ORDER]
    if not judged:
        return outcomes[0]
    top = max(judged, key=lambda o: _STATUS_ORDER[o.status])
    errors = [o for o in outcomes if o.status is Status.ERROR]
    if top.status is not Status.PASS and errors:
        return errors[0]
    unjudged = [o for o in outcomes if o.status is Status.NOT_APPLICABLE]
    if top.status is Status.FAIL and unjudged:
        # The alternative that could not be judged (history in a plain folder or a shallow
        # clone) might have held: that is not a failure of the whole practice.
        return unjudged[0]
    if top.status is Status.FAIL:
        problems = tuple(p for o in judged for p in o.problems)
        return Outcome(Status.FAIL, problems=problems, missing=not problems,
                       examined=_union(o.examined for o in judged),
                       affected=_union(o.affected for o in judged))  # fmt: skip
    return top


def _worst(outcomes: list[Outcome]) -> Outcome:
    """All of the checks: the worst judged outcome. A check that could not be judged (a
    rule error) might have failed, so above a failure it makes the whole an error."""
    judged = [o for o in outcomes if o.status in _STATUS_ORDER]
    if not judged:
        return outcomes[0]
    low = min(judged, key=lambda o: _STATUS_ORDER[o.status])
    errors = [o for o in outcomes if o.status is Status.ERROR]
    if low.status is not Status.FAIL and errors:
        return errors[0]
    return Outcome(
        low.status,
        evidence=tuple(e for o in judged for e in o.evidence),
        problems=tuple(p for o in judged for p in o.problems),
        missing=any(o.missing for o in judged),
        examined=_union(o.examined for o in judged),
        affected=_union(o.affected for o in judged if o.status is not Status.PASS),
    )


def _union(sets: Iterable[frozenset[str]]) -> frozenset[str]:
    return frozenset().union(*sets)
