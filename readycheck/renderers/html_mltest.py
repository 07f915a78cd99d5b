"""The checklist section of the HTML scorecard: for classic ML the ML Test Score (the
estimate, its band, the four section sums, and each of the paper's 28 tests with the
rules that evidence it); for a kind with a checklist of its own (an LLM application),
that checklist, with each item's standing and why it was chosen."""

from __future__ import annotations

from readycheck.model import Checklist, ChecklistItem, MLTestItem, MLTestScore
from readycheck.renderers.markup import Html, el, join


def _sums(parts: list[tuple[str, float, int, bool]]) -> Html:
    """Each section's points out of its total: (name, points, total, weakest)."""
    return el(
        "ul",
        (
            el(
                "li",
                el("span", name, class_="ml-section"),
                el("strong", f"{points:g}"),
                f" / {total}",
                class_="weakest" if weakest else None,
            )
            for name, points, total, weakest in parts
        ),
        class_="ml-sums",
    )


def _section(
    title: str, section_id: str, body: list[Html], headers: tuple[str, ...], rows: list[Html]
) -> Html:
    """A checklist section: its title, what it says, and one table row per item."""
    table = el(
        "table",
        el("thead", el("tr", *(el("th", header) for header in headers))),
        el("tbody", rows),
        class_="ml-tests",
    )
    return el(
        "section",
        el("h2", title, class_="section-title"),
        el("div", *body, table, class_="box"),
        class_="mltest",
        id=section_id,
    )


def ml_test_score_section(estimate: MLTestScore | None) -> Html | None:
    """The section, or None when the rulebook has no ML Test Score map."""
    if estimate is None:
        return None
    sums = _sums(
        [
            (name, points, len(tests), points == estimate.score)
            for name, points, tests in estimate.sections
        ]
    )
    rows = [_row(test) for _name, _points, tests in estimate.sections for test in tests]
    body = [
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
    ]
    headers = ("Test", "Points", "What", "Evidence")
    return _section("ML Test Score (static estimate)", "ml-test-score", body, headers, rows)


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
    sums = _sums([(s.name, s.met, s.applicable, False) for s in shown.sections])
    rows = [_item_row(item) for section in shown.sections for item in section.items]
    body = [
        el("p", shown.reference, class_="ml-band"),
        sums,
        el(
            "p",
            f"{shown.reason[:1].upper()}{shown.reason[1:]}. An item is met when every "
            "rule behind it that applies passes; a partly met item counts half.",
            class_="note",
        ),
    ]
    return _section(shown.name, "checklist", body, ("Item", "Standing", "What", "Rules"), rows)


def _item_row(item: ChecklistItem) -> Html:
    return el(
        "tr",
        el("td", item.id),
        el("td", _STANDING[item.status], class_=f"standing {item.status}"),
        el("td", item.title),
        el("td", join((el("code", rule) for rule in item.rules), ", ")),
        class_="unverifiable" if item.status == "not_applicable" else None,
    )
