"""Expiry dates of suppressions are read strictly: YYYY-MM-DD, a real calendar date.

A date readycheck cannot read must never make a suppression permanent (the old reading
folded `until: 2026-1-5` into the reason and suppressed forever), nor be called expired
when it is simply impossible. Inline, such a suppression does not apply and a warning
names the file and line; in the config, whose other fields stop the scan with exit 2
when malformed, it is a config error naming the file and line.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from readycheck.errors import ConfigError
from readycheck.model import Finding, Report
from readycheck.pipeline import ScanOptions, scan
from readycheck.rulebook import Rulebook
from tests.conftest import write_tree

LOAD = "import pickle\n\nmodel = pickle.load(open('model.pkl', 'rb'))"


def _inline(tmp_path: Path, rulebook: Rulebook, comment: str) -> tuple[Finding, Report]:
    """Scan one file whose pickle load carries `comment`: its RC-SEC-002 finding, the report."""
    root = write_tree(tmp_path / "repo", {"app/model.py": f"{LOAD}  # {comment}\n"})
    report = scan(ScanOptions(path=root), rulebook)
    (finding,) = [f for f in report.findings if f.rule_id == "RC-SEC-002"]
    return finding, report


def _suppression_warnings(report: Report) -> list[tuple[str, str | None, str]]:
    return [(w.code, w.path, w.message) for w in report.warnings if "suppression" in w.code]


@pytest.mark.parametrize(
    "until",
    [
        pytest.param("2026-1-5", id="missing-zeros"),
        pytest.param("99999-01-01", id="five-digit-year"),
        pytest.param("2099-02-30", id="february-30th"),
        pytest.param("2099-13-01", id="month-13"),
        pytest.param("20990101", id="no-dashes"),
        pytest.param("٢٠٩٩-٠١-٠١", id="arabic-indic-digits"),
        pytest.param("", id="empty"),
    ],
)
def test_an_inline_suppression_with_an_unreadable_date_does_not_apply(
    tmp_path: Path, rulebook: Rulebook, until: str
) -> None:
    comment = f"readycheck: ignore[RC-SEC-002] signed artefact (until: {until})"
    finding, report = _inline(tmp_path, rulebook, comment)
    assert finding.suppression is None
    assert _suppression_warnings(report) == [
        (
            "suppression-bad-date",
            "app/model.py",
            f"suppression at app/model.py:3 has the expiry date {until!r}, which is not a real "
            "YYYY-MM-DD date, so it is ignored",
        )
    ]


@pytest.mark.parametrize(
    "clause", ["(until: 2099-02-28)", "until: 2028-02-29", "(until 2099-12-31)"]
)
def test_an_inline_suppression_with_a_real_future_date_applies(
    tmp_path: Path, rulebook: Rulebook, clause: str
) -> None:
    finding, report = _inline(
        tmp_path, rulebook, f"readycheck: ignore[RC-SEC-002] signed artefact {clause}"
    )
    assert finding.suppression is not None
    assert finding.suppression.reason == "signed artefact"
    assert finding.suppression.until == clause.strip("()").split()[-1]
    assert _suppression_warnings(report) == []


def test_until_in_the_words_of_a_reason_is_not_a_date(tmp_path: Path, rulebook: Rulebook) -> None:
    comment = "readycheck: ignore[RC-SEC-002] accepted until we move to safetensors"
    finding, report = _inline(tmp_path, rulebook, comment)
    assert finding.suppression is not None
    assert finding.suppression.reason == "accepted until we move to safetensors"
    assert finding.suppression.until is None
    assert _suppression_warnings(report) == []


def test_an_impossible_date_in_the_config_is_a_config_error_naming_the_line(
    tmp_path: Path, rulebook: Rulebook
) -> None:
    """The schema already refuses `2026-1-5` there (exit 2, file:line:column); a date of the
    right form that is not in the calendar is refused the same way, not called expired."""
    config = (
        "suppressions:\n  - rule: RC-SEC-002\n    reason: signed artefact\n    until: 2099-02-30\n"
    )
    root = write_tree(tmp_path / "repo", {".readycheck.yml": config, "app/model.py": LOAD + "\n"})
    with pytest.raises(ConfigError) as raised:
        scan(ScanOptions(path=root), rulebook)
    assert str(raised.value) == (
        f"{root / '.readycheck.yml'}:2: suppressions[0].until: '2099-02-30' is not a date: "
        "write YYYY-MM-DD, a real calendar date"
    )


def test_a_real_past_date_in_the_config_still_expires(tmp_path: Path, rulebook: Rulebook) -> None:
    config = (
        "suppressions:\n  - rule: RC-SEC-002\n    reason: signed artefact\n    until: 2024-02-29\n"
    )
    root = write_tree(tmp_path / "repo", {".readycheck.yml": config, "app/model.py": LOAD + "\n"})
    report = scan(ScanOptions(path=root), rulebook)
    assert [f.suppression for f in report.findings if f.rule_id == "RC-SEC-002"] == [None]
    assert [code for code, _, _ in _suppression_warnings(report)] == ["suppression-expired"]


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("2026-01-05", dt.date(2026, 1, 5)),
        ("2028-02-29", dt.date(2028, 2, 29)),
        ("2027-02-29", None),
        ("0000-01-01", None),
        ("2026-1-5", None),
        ("2026-01-05T00:00", None),
        ("2026-W01-1", None),  # date.fromisoformat reads this one
        (" 2026-01-05", None),
    ],
)
def test_parse_until_reads_only_real_yyyy_mm_dd_dates(text: str, date: dt.date | None) -> None:
    from readycheck.suppress import parse_until

    assert parse_until(text) == date
