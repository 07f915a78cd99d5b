"""The scorecard's section for one pillar: its score, then the missing practices and the
risks found (why each matters, how to fix it, where), suppressed findings with their
reasons, the practices seen with their evidence (file and line), the risks looked for and
not found, and the rules that do not apply, grouped by why.

Every item carries `data-severity` and `data-status`, which the page's filter script reads;
without the script, everything is shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from readycheck import score
from readycheck.forge import source_url
from readycheck.model import Basis, Finding, Location, PillarScore, Report, RuleResult, Status
from readycheck.renderers.markup import Html, el, join
from readycheck.renderers.svg import band, bar, fmt_score
from readycheck.verdicts import Verdict, verdict

FINDINGS_SHOWN = 25  # per rule; the JSON report has every one
EVIDENCE_SHOWN = 3  # per passed rule


def pillar_section(pillar: PillarScore, report: Report) -> Html:
    """A pillar's score, then what to fix, what is suppressed, what passed, what does not apply."""
    results = [r for r in report.results if r.rule.pillar is pillar.pillar]
    link = linker(report)
    by_verdict: dict[Verdict, list[RuleResult]] = {v: [] for v in Verdict}
    for result in sorted(results, key=score.biggest_gain_first):
        by_verdict[verdict(result)].append(result)
    missing = by_verdict[Verdict.MISSING] + by_verdict[Verdict.PARTLY_SEEN]
    missing.sort(key=score.biggest_gain_first)
    risks = by_verdict[Verdict.RISK] + by_verdict[Verdict.RISK_OUTSIDE]
    blocked = by_verdict[Verdict.BLOCKED]
    passed = by_verdict[Verdict.SEEN]
    clear = by_verdict[Verdict.CLEAR]
    skipped = by_verdict[Verdict.NOT_APPLICABLE] + by_verdict[Verdict.ERROR]
    suppressed = [(r, f) for r in results for f in r.findings if f.suppression is not None]
    summary = (
        f"{len(passed)} seen · {len(by_verdict[Verdict.PARTLY_SEEN])} partly seen · "
        f"{len(by_verdict[Verdict.MISSING]) + len(blocked)} missing · {len(risks)} risks found · "
        f"{len(skipped)} not applicable"
    )
    header = el(
        "header",
        el("h2", pillar.pillar.title),
        pillar_score(pillar, "score"),
        el("span", summary, class_="counts"),
    )
    groups = [
        _group(f"Missing practices ({len(missing)})", (_fix_card(r, link) for r in missing))
        if missing
        else None,
        _group(
            f"Blocked by a missing practice ({len(blocked)})",
            el("ul", (_blocked_item(r) for r in blocked), class_="box checklist blocked"),
        )
        if blocked
        else None,
        _group(f"Risks found ({len(risks)})", (_fix_card(r, link) for r in risks))
        if risks
        else None,
        _group(
            f"Suppressed ({len(suppressed)})",
            el(
                "ul",
                (_suppressed_item(r, f, link) for r, f in suppressed),
                class_="box checklist suppressed",
            ),
        )
        if suppressed
        else None,
        _group(
            f"Practices seen ({len(passed)})",
            el("ul", (_passed_item(r, link) for r in passed), class_="box checklist passed"),
        )
        if passed
        else None,
        _group(
            f"Risks looked for and not found ({len(clear)}): no points, only no penalty",
            el("ul", (_clear_item(r) for r in clear), class_="box checklist clear"),
        )
        if clear
        else None,
        _group(
            f"Not applicable ({len(skipped)})",
            el("ul", _skipped_items(skipped), class_="box checklist na"),
        )
        if skipped
        else None,
    ]
    if not results:
        groups.append(el("p", "No rule in the rulebook covers this pillar.", class_="empty"))
    elif pillar.score is None:
        groups.insert(
            0,
            el(
                "p",
                "No rule applies to this repository, so this pillar has no "
                "score and does not count towards the overall score.",
                class_="empty",
            ),
        )
    return el(
        "section",
        header,
        groups,
        class_="pillar",
        id=f"pillar-{pillar.pillar.value}",
        data_pillar=pillar.pillar.value,
    )


def pillar_score(pillar: PillarScore, css_class: str) -> list[Html]:
    """A pillar's score, coloured by its band and tagged with `data-pillar` / `data-score`
    (what the page's script and its tests read), followed by its bar."""
    return [
        el(
            "span",
            fmt_score(pillar.score),
            class_=f"{css_class} band-{band(pillar.score)}",
            data_pillar=pillar.pillar.value,
            data_score="" if pillar.score is None else pillar.score,
        ),
        bar(pillar.score, pillar.pillar.title),
    ]


def _group(title: str, content: Html | Iterable[Html]) -> Html:
    return el("div", el("h3", title), content, data_group=True)


#: A finding's or an evidence's place on the repository's forge, or None.
Link = Callable[[Location | None], str | None]


def linker(report: Report) -> Link:
    """Links into the repository at the scanned commit, when its forge is known."""
    target = report.target
    return lambda location: source_url(
        target.remote, target.commit, target.repository_path, location
    )


def _where(location: Location | None, link: Link) -> Html:
    if location is None:
        return el("span", "whole repository", class_="loc")
    url = link(location)
    shown = el("code", str(location), class_="loc")
    return el("a", shown, href=url, rel="noreferrer", target="_blank") if url else shown


def _marks(finding: Finding) -> list[Html]:
    marks = []
    if finding.in_baseline:
        marks.append(el("span", "known: in the baseline", class_="mark"))
    if finding.in_change is False:
        marks.append(el("span", "outside the change", class_="mark"))
    return marks


def prose(text: str) -> Html:
    """Text with `backticked` spans shown as code, as the rulebook and messages write them."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: show the text as it is
        return join([text])
    return join(el("code", part) if i % 2 else part for i, part in enumerate(parts))


def _finding_item(finding: Finding, link: Link) -> Html:
    snippet = (
        el("pre", finding.snippet, class_="snippet")
        if finding.snippet and finding.snippet not in finding.message
        else None
    )
    return el(
        "li", _where(finding.location, link), prose(finding.message), _marks(finding), snippet
    )


def _because(result: RuleResult) -> Html | None:
    """For a practice missing from the whole repository: why it is asked for, and where."""
    if not result.applies_because or any(f.location is not None for f in result.findings):
        return None
    reasons = (
        join([seen.detail, ", seen at ", el("code", str(seen.location), class_="loc")])
        if seen.location
        else join([seen.detail])
        for seen in result.applies_because
    )
    return el("p", "It applies because ", join(reasons, "; "), class_="because")


def _fix_card(result: RuleResult, link: Link) -> Html:
    rule = result.rule
    # A repository-wide finding that only repeats the rule's problem adds nothing to show.
    open_findings = [
        f
        for f in result.findings
        if f.suppression is None
        and (f.location is not None or f.message != rule.problem or _marks(f))
    ]
    shown = open_findings[:FINDINGS_SHOWN]
    items = [_finding_item(f, link) for f in shown]
    if len(open_findings) > len(shown):
        items.append(
            el(
                "li",
                f"… and {len(open_findings) - len(shown)} more (the JSON report lists every one)",
                class_="more",
            )
        )
    if result.findings and all(f.suppression is not None for f in result.findings):
        items.append(
            el(
                "li",
                "Every finding of this rule is suppressed (see below); "
                "the rule still counts against the score.",
                class_="more",
            )
        )
    tags = []
    if result.status is Status.PARTIAL:
        tags.append(el("span", "partial", class_="tag partial", title="half credit"))
    confidence = (
        el(
            "p",
            f"A {rule.confidence.value}-confidence heuristic: check before acting.",
            class_="confidence",
        )
        if rule.confidence.value != "high"
        else None
    )
    return el(
        "article",
        el(
            "header",
            el("span", rule.severity.value, class_=f"sev sev-{rule.severity.value}"),
            el("h4", prose(rule.title)),
            tags,
            el("code", rule.id, class_="rule-id"),
            el(
                "span",
                f"+{result.gain:.1f} pts",
                class_="gain",
                data_rule=rule.id,
                data_gain=result.gain,
            )
            if result.gain
            else None,
        ),
        el("p", prose(rule.problem), class_="problem"),
        _because(result),
        el("ul", items, class_="where") if items else None,
        el(
            "div",
            el("div", el("h5", "Why it matters"), el("p", prose(rule.why)), class_="why"),
            el("div", el("h5", "How to fix"), el("p", prose(rule.fix)), class_="fix"),
            class_="explain",
        ),
        _references(result),
        confidence,
        class_=f"card rule sev-{rule.severity.value}",
        id=f"rule-{rule.id}",
        data_rule=rule.id,
        data_severity=rule.severity.value,
        data_status="fail",
    )


def _references(result: RuleResult) -> Html | None:
    links = []
    for ref in result.rule.references:
        url = ref.url or ""
        if url.startswith(("https://", "http://")):
            links.append(el("a", ref.title, href=url, rel="noopener noreferrer"))
        else:
            links.append(el("span", ref.title))
    return el("p", "References: ", join(links, "; "), class_="refs") if links else None


def _check_item(result: RuleResult, icon: str, status: str, *extra: Html | None) -> Html:
    rule = result.rule
    return el(
        "li",
        el("span", icon, class_="icon", aria_hidden="true"),
        el(
            "div",
            el("span", prose(rule.title), class_="title"),
            el("code", rule.id, class_="rule-id"),
        ),
        *extra,
        data_rule=rule.id,
        data_severity=rule.severity.value,
        data_status=status,
    )


def _passed_item(result: RuleResult, link: Link) -> Html:
    evidence = [e for e in result.evidence if e.location is not None]
    items = [
        el("li", _where(item.location, link), prose(item.detail))
        for item in evidence[:EVIDENCE_SHOWN]
    ]
    if len(evidence) > EVIDENCE_SHOWN:
        more = len(evidence) - EVIDENCE_SHOWN
        items.append(el("li", f"… and {more} more place{'s' if more > 1 else ''}", class_="more"))
    return _check_item(result, "✓", "pass", el("ul", items, class_="evidence") if items else None)


def _blocked_item(result: RuleResult) -> Html:
    text = f"Needs {result.blocked_by} first."
    if result.waiting_at is not None:
        text += f" Already in the code at {result.waiting_at}."
    return _check_item(result, "⊘", "fail", el("p", text, class_="blocked-by"))


def _clear_item(result: RuleResult) -> Html:
    looked = (
        f"None in the {result.examined} file{'s' if result.examined != 1 else ''} examined."
        if result.basis is Basis.CLEAR
        else "Nothing to examine."
    )
    return _check_item(result, "○", "pass", el("p", looked, class_="looked"))


def _skipped_items(results: Iterable[RuleResult]) -> list[Html]:
    """Rules left out of the score, grouped by why: one fact (no Dockerfile, no serving code)
    usually rules out several at once."""
    by_reason: dict[str, list[RuleResult]] = {}
    for result in results:
        prefix = "Could not be checked: " if result.status is Status.ERROR else ""
        by_reason.setdefault(prefix + (result.reason or "does not apply"), []).append(result)
    return [
        el(
            "li",
            el("span", "–", class_="icon", aria_hidden="true"),
            el(
                "div",
                el("span", reason[:1].upper() + reason[1:], class_="reason"),
                el(
                    "ul",
                    (
                        el(
                            "li",
                            prose(r.rule.title),
                            " ",
                            el("code", r.rule.id, class_="rule-id"),
                            data_rule=r.rule.id,
                            data_severity=r.rule.severity.value,
                            data_status="not_applicable",
                        )
                        for r in group
                    ),
                    class_="na-rules",
                ),
            ),
            data_group=True,
        )
        for reason, group in by_reason.items()
    ]


def _suppressed_item(result: RuleResult, finding: Finding, link: Link) -> Html:
    suppression = finding.suppression
    assert suppression is not None
    written = f" at {suppression.location}" if suppression.location else ""
    until = f", until {suppression.until}" if suppression.until else ""
    return _check_item(
        result,
        "⊘",
        "suppressed",
        el(
            "ul",
            _finding_item(finding, link),
            el(
                "li",
                el("b", "Reason: "),
                el("span", suppression.reason, class_="reason"),
                f" ({suppression.source} suppression{written}{until})",
            ),
            class_="evidence",
        ),
    )
