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
(one author or several cannot be told in a shallow clone). A rule whose
`applies_when` facts do not hold is not applicable, and says why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from readycheck.detectors import REGISTRY
from readycheck.detectors.base import FileDetector
from readycheck.model import Detection, Evidence, Finding, Role, RuleResult, ScanWarning, Status
from readycheck.rulebook import AllOf, AnyOf, Check, DetectorCall, Fact, Rule, Rulebook
from readycheck.workspace import Repository

_STATUS_ORDER = {Status.PASS: 3, Status.PARTIAL: 2, Status.FAIL: 1}


@dataclass(frozen=True)
class Outcome:
    status: Status
    evidence: tuple[Evidence, ...] = ()  # what supports a pass
    problems: tuple[Evidence, ...] = ()  # where to act
    reason: str | None = None
    #: Failed with nothing to point at: the whole practice is missing from the repository.
    missing: bool = False


class Evaluator:
    """Evaluates checks against per-file evidence and the repository, each call once."""

    def __init__(
        self,
        rulebook: Rulebook,
        repository: Repository,
        file_evidence: Mapping[str, list[Evidence]],
        call_errors: Mapping[str, str] | None = None,
    ) -> None:
        self.rulebook = rulebook
        self.repository = repository
        self.file_evidence = file_evidence
        #: File-detector calls that could not be judged (call key -> why): their rules are errors.
        self.call_errors = dict(call_errors or {})
        self.roles = {entry.path: entry.role for entry in repository.files}
        self.warnings: list[ScanWarning] = []
        self._detections: dict[str, Detection | None] = {}
        #: Each fact that holds, with the first place it was seen (None: it does not hold).
        self.fact_evidence = {name: self._fact(fact) for name, fact in rulebook.facts.items()}
        self.facts = {name: seen is not None for name, seen in self.fact_evidence.items()}

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
            key=lambda e: (self._role(e) is not Role.CODE, e.location),
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
                found = self.file_evidence.get(call.key, [])
                self._detections[call.key] = Detection(
                    tuple(e for e in found if not e.missing), tuple(e for e in found if e.missing)
                )
            else:
                try:
                    self._detections[call.key] = detector.run(self.repository, call.params)
                except Exception as error:
                    reason = f"detector {call.detector} failed: {error!r}"
                    self.warnings.append(ScanWarning("detector-error", reason))
                    self.call_errors[call.key] = reason
                    self._detections[call.key] = None
        return self._detections[call.key]

    def _role(self, evidence: Evidence) -> Role:
        if evidence.location is None:
            return Role.CODE
        return self.roles.get(evidence.location.path, Role.CODE)

    def outcome(self, check: Check) -> Outcome:
        if isinstance(check, AnyOf):
            return _best([self.outcome(child) for child in check.checks])
        if isinstance(check, AllOf):
            return _worst([self.outcome(child) for child in check.checks])
        detection = self.detection(check)
        if detection is None:
            return Outcome(Status.ERROR, reason=self.call_errors[check.key])
        if detection.inapplicable:
            return Outcome(Status.NOT_APPLICABLE, reason=detection.inapplicable)
        strong = tuple(m for m in detection.matches if self._role(m) not in check.partial_in)
        weak = tuple(m for m in detection.matches if self._role(m) in check.partial_in)
        if check.expect == "absent":
            if strong:
                return Outcome(Status.FAIL, problems=strong + weak)
            if weak:
                return Outcome(Status.PARTIAL, problems=weak)
            return Outcome(Status.PASS)
        if detection.gaps:
            status = Status.PARTIAL if detection.matches else Status.FAIL
            return Outcome(status, evidence=detection.matches, problems=detection.gaps)
        if strong:
            return Outcome(Status.PASS, evidence=strong + weak)
        if weak:
            return Outcome(Status.PARTIAL, evidence=weak, problems=weak)
        return Outcome(Status.FAIL, missing=True)

    def applicability(self, rule: Rule) -> str | None:
        """None when the rule applies; otherwise the reason it does not."""
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
        """The facts that make an applicable rule apply, with where each was seen."""
        held = (self.fact_evidence.get(name) for name in rule.applies_when.facts)
        return tuple(seen for seen in held if seen is not None)

    def evaluate(self, rule: Rule) -> RuleResult:
        reason = self.applicability(rule)
        if reason is not None:
            return RuleResult(rule, Status.NOT_APPLICABLE, reason=reason)
        outcome = self.outcome(rule.check)
        if outcome.status is Status.ERROR:
            self.warnings.append(
                ScanWarning("rule-error", f"rule {rule.id} was not evaluated: {outcome.reason}")
            )
        findings: tuple[Finding, ...] = ()
        if outcome.status in (Status.FAIL, Status.PARTIAL):
            findings = _findings(rule, outcome)
        return RuleResult(
            rule,
            outcome.status,
            findings,
            outcome.evidence,
            outcome.reason,
            applies_because=self.applies_because(rule),
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
    judged = [o for o in outcomes if o.status in _STATUS_ORDER]
    if not judged:
        return outcomes[0]
    top = max(judged, key=lambda o: _STATUS_ORDER[o.status])
    unjudged = [o for o in outcomes if o.status is Status.NOT_APPLICABLE]
    if top.status is Status.FAIL and unjudged:
        # The alternative that could not be judged (history in a plain folder or a shallow
        # clone) might have held: that is not a failure of the whole practice.
        return unjudged[0]
    if top.status is Status.FAIL:
        problems = tuple(p for o in judged for p in o.problems)
        return Outcome(Status.FAIL, problems=problems, missing=not problems)
    return top


def _worst(outcomes: list[Outcome]) -> Outcome:
    judged = [o for o in outcomes if o.status in _STATUS_ORDER]
    if not judged:
        return outcomes[0]
    low = min(judged, key=lambda o: _STATUS_ORDER[o.status])
    return Outcome(
        low.status,
        evidence=tuple(e for o in judged for e in o.evidence),
        problems=tuple(p for o in judged for p in o.problems),
        missing=any(o.missing for o in judged),
    )
