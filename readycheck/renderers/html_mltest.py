"""The checklist section of the HTML scorecard: for classic ML the ML Test Score (the
estimate, its band, the four section sums, and each of the paper's 28 tests with the
rules that evidence it); for a kind with a checklist of its own (an LLM application),
that checklist, with each item's standing and why it was chosen."""

from __future__ import annotations

from readycheck.model import Checklist, ChecklistItem, MLTestItem, MLTestScore
from readycheck.renderers.markup import Html, el, join


def ml_test_score_section(estimate: MLTestScore | None) -> Html | None:
    """The section, or None when the rulebook has no ML Test Score map."""
    if estimate is None:
        return None
    sums = el(
        "ul",
        (
            el(
                "li",
                el("span", name, class_="ml-section"),
                el("strong", f"{points:g}"),
                f" / {len(tests)}",
                class_="weakest" if points == estimate.score else None,
            )
            for name, points, tests in estimate.sections
        ),
        class_="ml-sums",
    )
    rows = [_row(test) for _name, _points, tests in estimate.sections for test in tests]
    return el(
        "section",
        el("h2", "ML Test Score (static estimate)", class_="section-title"),
        el(
            "div",
            el(
                "p",
                el(
                    "span",
                    f"{estimate.score:g}",
                    class_="ml-score",
                    data_ml_test_score=f"{estimate.score:g}",
                ),
                el("span", estimate.band, class_="ml-band"),
            ),
            sums,
            el(
                "p",
                "Breck et al. (2017), \u201cThe ML Test Score\u201d: each of its 28 tests earns a "
                "point when the evidence runs automatically (in CI, on a schedule), half a point "
                "when it exists only by hand, and the score is the weakest section's sum. Tests "
                "with no trace in code are not verifiable here and earn nothing.",
                class_="note",
            ),
            el("h3", "The 28 tests and their evidence", class_="ml-tests-title"),
            el(
                "table",
                el(
                    "thead",
                    el(
                        "tr",
                        el("th", "Test"),
                        el("th", "Points"),
                        el("th", "What"),
                        el("th", "Evidence"),
                    ),
                ),
                el("tbody", rows),
                class_="ml-tests",
            ),
            class_="box",
        ),
        class_="mltest",
        id="ml-test-score",
    )


def _row(test: MLTestItem) -> Html:
    if test.points is None:
        points, evidence = "–", test.note or "not verifiable from the repository"
    else:
        points = f"{test.points:g}"
        evidence = join((el("code", rule) for rule in test.rules), ", ")
    return el(
        "tr",
        el("td", test.id),
        el("td", points, class_="num"),
        el("td", test.title),
        el("td", evidence),
        class_="unverifiable" if test.points is None else None,
    )


_STANDING = {
    "met": "met",
    "partly": "partly met",
    "missing": "missing",
    "not_applicable": "not applicable",
}


def checklist_section(shown: Checklist | None) -> Html | None:
    """The kind's own checklist, or None when the report shows the ML Test Score."""
    if shown is None:
        return None
    sums = el(
        "ul",
        (
            el(
                "li",
                el("span", section.name, class_="ml-section"),
                el("strong", f"{section.met:g}"),
                f" / {section.applicable}",
            )
            for section in shown.sections
        ),
        class_="ml-sums",
    )
    rows = [_item_row(item) for section in shown.sections for item in section.items]
    return el(
        "section",
        el("h2", shown.name, class_="section-title"),
        el(
            "div",
            el("p", shown.reference, class_="ml-band"),
            sums,
            el(
                "p",
                f"{shown.reason[:1].upper()}{shown.reason[1:]}. An item is met when every "
                "rule behind it that applies passes; a partly met item counts half.",
                class_="note",
            ),
            el(
                "table",
                el(
                    "thead",
                    el(
                        "tr",
                        el("th", "Item"),
                        el("th", "Standing"),
                        el("th", "What"),
                        el("th", "Rules"),
                    ),
                ),
                el("tbody", rows),
                class_="ml-tests",
            ),
            class_="box",
        ),
        class_="mltest",
        id="checklist",
    )


def _item_row(item: ChecklistItem) -> Html:
    return el(
        "tr",
        el("td", item.id),
        el("td", _STANDING[item.status], class_=f"standing {item.status}"),
        el("td", item.title),
        el("td", join((el("code", rule) for rule in item.rules), ", ")),
        class_="unverifiable" if item.status == "not_applicable" else None,
    )
