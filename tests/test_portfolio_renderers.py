"""The portfolio's four renderers, read as text: escaped, self-contained, complete, valid.

The portfolio is built from three small synthetic reports (the public JSON that
`portfolio.build` reads), one of them named like an attack on every format.
"""

from __future__ import annotations

import base64
import copy
import dataclasses
import hashlib
import io
import json
import re
from html.parser import HTMLParser
from importlib import resources
from typing import Any

import jsonschema
import pytest
from rich.console import Console

from readycheck.portfolio import Portfolio, Rejected, build, repository_key, snapshot
from readycheck.renderers import (
    portfolio_html,
    portfolio_json,
    portfolio_markdown,
    portfolio_terminal,
)
from readycheck.renderers.markdown import GITHUB_COMMENT_LIMIT, size
from readycheck.renderers.portfolio_html_assets import PORTFOLIO_SCRIPT

HOSTILE = "<script>alert(1)</script>|[x](http://evil)"
CHURN_REMOTE = "https://github.com/acme/churn"
CHURN_COMMIT = "0123456789abcdef0123456789abcdef01234567"
PILLARS = ("data", "infrastructure", "monitoring", "security", "human_in_the_loop", "hygiene")
LEVELS = {
    "production_ready": ("Production-ready", 4),
    "pre_production": ("Pre-production", 3),
    "pilot": ("Pilot", 2),
    "prototype": ("Prototype", 1),
}


def _result(rule_id: str, status: str, **extra: Any) -> dict[str, Any]:
    result: dict[str, Any] = {
        "rule_id": rule_id,
        "title": f"Title of {rule_id}",
        "pillar": "data" if rule_id.startswith("DATA") else "monitoring",
        "severity": "high",
        "type": "practice",
        "status": status,
        "basis": "evidence" if status == "pass" else "absence",
        "gain": 0.0 if status == "pass" else 4.0,
        "fix": f"Add `{rule_id.lower()}` to the pipeline.",
        "evidence": [],
    }
    result.update(extra)
    return result


def _report(
    name: str,
    score: float,
    level: str,
    results: list[dict[str, Any]],
    *,
    remote: str | None = None,
    commit: str | None = None,
    scanned_at: str = "2026-03-01T10:00:00+00:00",
) -> dict[str, Any]:
    title, rank = LEVELS[level]
    return {
        "target": {"name": name, "remote": remote, "commit": commit},
        "scanned_at": scanned_at,
        "summary": {"score": score, "level": {"id": level, "title": title, "rank": rank}},
        "pillars": [
            {"id": p, "title": p.title(), "score": None if p == "security" else score}
            for p in PILLARS
        ],
        "rulebook": {"version": "2026.03"},
        "kind": {"id": "service"},
        "results": results,
    }


def _reports() -> list[tuple[str, dict[str, Any]]]:
    churn = _report(
        "churn",
        82.5,
        "production_ready",
        [
            _result(
                "DATA-001",
                "pass",
                evidence=[
                    {
                        "detail": "schema checked with `pandera`",
                        "location": {"path": "src/validate.py", "line": 12},
                    }
                ],
            ),
            _result("MON-002", "fail"),
            _result("HAZ-001", "fail", type="hazard"),
        ],
        remote=CHURN_REMOTE,
        commit=CHURN_COMMIT,
    )
    hostile = _report(
        HOSTILE,
        40.0,
        "pilot",
        [_result("DATA-001", "fail"), _result("MON-002", "fail")],
    )
    fraud = _report(
        "fraud",
        20.0,
        "prototype",
        [_result("DATA-001", "partial", gain=2.0), _result("MON-002", "not_applicable")],
        remote="https://gitlab.com/acme/fraud",
        commit="abcdef0",
    )
    return [("churn.json", churn), ("hostile.json", hostile), ("fraud.json", fraud)]


def _portfolio(**overrides: Any) -> Portfolio:
    reports = _reports()
    churn = reports[0][1]
    earlier = copy.deepcopy(churn)
    earlier["summary"].update(
        score=70.0, level={"id": "pre_production", "title": "Pre-production", "rank": 3}
    )
    earlier["results"] = [_result("DATA-001", "fail"), _result("MON-002", "pass")]
    arguments: dict[str, Any] = {
        "generated_at": "2026-03-02T08:00:00+00:00",
        "tool_version": "0.1.0",
        "previous": {repository_key(churn): snapshot(earlier, "old/churn.json")},
        "previous_run": "2026-02-01T08:00:00+00:00",
        "rejected": [Rejected("broken.json", "not a readycheck report: <b>no schema_version</b>")],
        "rescanned": {CHURN_REMOTE: True, HOSTILE: False},
        "notes": ["Two checkouts of one remote are one repository."],
    }
    arguments.update(overrides)
    return build(reports, **arguments)


@pytest.fixture(scope="module")
def portfolio() -> Portfolio:
    return _portfolio()


class Page(HTMLParser):
    """Every element of a page with its attributes, and the scripts' text."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(markup)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [
            a
            for t, a in self.elements
            if t == tag and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]


# --- HTML -------------------------------------------------------------------------


def test_html_escapes_a_hostile_repository_name(portfolio: Portfolio) -> None:
    page = portfolio_html.render(portfolio)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;|[x](http://evil)" in page
    parsed = Page(page)
    assert [s.strip() for s in parsed.scripts] == [PORTFOLIO_SCRIPT.strip()]
    assert not parsed.find("a", href="http://evil")


def test_html_is_self_contained_under_a_strict_policy(portfolio: Portfolio) -> None:
    page = portfolio_html.render(portfolio)
    parsed = Page(page)
    (policy,) = parsed.find("meta", http_equiv="Content-Security-Policy")
    content = policy["content"] or ""
    assert "default-src 'none'" in content
    digest = base64.b64encode(hashlib.sha256(PORTFOLIO_SCRIPT.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in content
    assert parsed.find("meta", name="referrer", content="no-referrer")
    assert " src=" not in page
    assert not [a for _, a in parsed.elements if "src" in a]
    # The only http:// text left is the SVG namespace and the (escaped) hostile name.
    rest = page.replace('xmlns="http://www.w3.org/2000/svg"', "").replace("(http://evil)", "")
    assert "http://" not in rest
    for _, attrs in parsed.elements:
        for key in ("href", "action", "formaction", "xlink:href"):
            value = attrs.get(key)
            assert value is None or value.startswith(("https://", "#", "data:")), (key, value)


def test_html_table_has_sort_and_filter_hooks_that_start_hidden(portfolio: Portfolio) -> None:
    parsed = Page(portfolio_html.render(portfolio))
    (filters,) = parsed.find("div", id="filters")
    assert "hidden" in filters
    assert parsed.find("input", id="filter-name")
    assert parsed.find("select", id="filter-level")
    assert parsed.find("table", id="repositories")
    sortable = [a for t, a in parsed.elements if t == "th" and a.get("data-sort")]
    assert len(sortable) == 3 + 6 + 3  # name, score, level, six pillars, commit, change, scan
    rows = [a for t, a in parsed.elements if t == "tr" and a.get("data-level")]
    assert [r["data-level"] for r in rows] == ["production_ready", "pilot", "prototype"]
    assert rows[1]["data-name"] == HOSTILE.lower()
    for hook in ('getElementById("filter-name")', '"data-sort"', "aria-sort"):
        assert hook in PORTFOLIO_SCRIPT


def test_html_rows_show_pillars_levels_commits_and_rescans(portfolio: Portfolio) -> None:
    page = portfolio_html.render(portfolio)
    parsed = Page(page)
    assert parsed.find("a", href=CHURN_REMOTE, rel="noopener noreferrer")
    assert parsed.find("a", href=f"{CHURN_REMOTE}/commit/{CHURN_COMMIT}", title=CHURN_COMMIT)
    assert parsed.find("a", href="https://gitlab.com/acme/fraud/-/commit/abcdef0")
    assert len(parsed.find("td", data_pillar="security", data_value="")) == 3
    assert ">n/a</td>" in page
    assert ">rescanned</td>" in page and ">reused</td>" in page
    assert 'class="level band-pilot"' in page


def test_html_change_column_shows_the_score_delta(portfolio: Portfolio) -> None:
    page = portfolio_html.render(portfolio)
    parsed = Page(page)
    (changed,) = parsed.find("td", data_delta="12.5")
    assert changed["data-value"] == "12.5"
    assert "▲ +12.5" in page
    assert "Pre-production → Production-ready" in page
    assert "Newly missing: <code>MON-002</code>" in page
    assert "Newly met: <code>DATA-001</code>" in page
    assert page.count('class="change none"') == 2  # the two without a previous scan


def test_html_practices_link_examples_to_the_forge(portfolio: Portfolio) -> None:
    page = portfolio_html.render(portfolio)
    parsed = Page(page)
    (data,) = parsed.find("article", data_rule="DATA-001")
    assert data["id"] == "practice-DATA-001"
    url = f"{CHURN_REMOTE}/blob/{CHURN_COMMIT}/src/validate.py#L12"
    assert parsed.find("a", href=url)
    assert "<code>src/validate.py:12</code>" in page
    assert "Missing in 1 of 3 repositories; partly in 1." in page
    assert "+2 points to the organisation&#x27;s mean if fixed everywhere" in page
    assert "Add <code>data-001</code> to the pipeline." in page
    assert "HAZ-001" not in page  # a hazard is each repository's own finding, not a practice


def test_html_example_without_a_forge_shows_its_path_as_code() -> None:
    reports = _reports()
    reports[0][1]["target"]["remote"] = "https://example.org/acme/churn"  # unknown layout
    page = portfolio_html.render(build(reports, generated_at="2026-03-02", tool_version="0"))
    assert '<code class="loc">src/validate.py:12</code>' in page
    assert "/blob/" not in page


def _tampered(portfolio: Portfolio) -> Portfolio:
    """The portfolio with examples whose links are not plain https addresses."""
    practice = next(p for p in portfolio.practices if p.examples)
    urls = ("javascript:alert(1)", "http://evil.example/x", 'https://x.example/" onclick="y')
    examples = tuple(dataclasses.replace(practice.examples[0], url=url) for url in urls)
    return dataclasses.replace(
        portfolio, practices=(dataclasses.replace(practice, examples=examples),)
    )


def test_html_links_only_https_addresses(portfolio: Portfolio) -> None:
    page = portfolio_html.render(_tampered(portfolio))
    hrefs = [a.get("href") or "" for t, a in Page(page).elements if t == "a"]
    assert hrefs and all(h.startswith(("https://", "#")) for h in hrefs), hrefs
    assert "javascript:" not in page and "evil.example" not in page and "onclick" not in page
    assert page.count('<code class="loc">src/validate.py:12</code>') == 3  # shown, unlinked


def test_html_lists_rejected_inputs_and_notes(portfolio: Portfolio) -> None:
    page = portfolio_html.render(portfolio)
    assert 'id="rejected"' in page
    assert (
        "<code>broken.json</code> not a readycheck report: &lt;b&gt;no schema_version&lt;/b&gt;"
        in page
    )
    assert "Two checkouts of one remote are one repository." in page
    assert "readycheck 0.1.0" in page and "Rulebook 2026.03" in page


def test_html_level_distribution_counts_every_level(portfolio: Portfolio) -> None:
    parsed = Page(portfolio_html.render(portfolio))
    counts = {a["data-level"]: a["data-count"] for a in parsed.find("li") if a.get("data-count")}
    assert counts == {
        "production_ready": "1",
        "pre_production": "0",
        "pilot": "1",
        "prototype": "1",
    }
    assert len([1 for t, a in parsed.elements if t == "rect"]) == 3


def test_html_renders_an_empty_portfolio() -> None:
    page = portfolio_html.render(build([], generated_at="2026-03-02", tool_version="0"))
    assert "No repository in this portfolio." in page
    assert 'id="mean-score"' in page and ">n/a<" in page


# --- Markdown ---------------------------------------------------------------------


def test_markdown_escapes_a_hostile_repository_name(portfolio: Portfolio) -> None:
    markdown = portfolio_markdown.render(portfolio)
    assert "<script>" not in markdown
    assert "[x](http://evil)" not in markdown
    assert r"\<script\>alert(1)\</script\>\|\[x\](http://evil)" in markdown
    rows = [line for line in markdown.splitlines() if line.startswith("| ")]
    cells = {len(re.split(r"(?<!\\)\|", line)) for line in rows}
    assert len(cells) == 1, rows  # the name's `|` did not add a column


def test_markdown_has_the_table_changes_and_practices(portfolio: Portfolio) -> None:
    markdown = portfolio_markdown.render(portfolio)
    assert f"| [churn]({CHURN_REMOTE}) | **82.5** |" in markdown
    assert f"[`0123456789`]({CHURN_REMOTE}/commit/{CHURN_COMMIT})" in markdown
    assert "**▲ +12.5** · Pre-production → Production-ready · newly missing: `MON-002`" in markdown
    assert "| rescanned |" in markdown and "| reused |" in markdown
    assert "missing in 1 of 3 repositories; partly in 1" in markdown
    url = f"{CHURN_REMOTE}/blob/{CHURN_COMMIT}/src/validate.py#L12"
    assert f"**churn**: schema checked with `pandera` · [`src/validate.py:12`]({url})" in markdown
    assert (
        "- `broken.json`: not a readycheck report: \\<b\\>no schema\\_version\\</b\\>" in markdown
    )
    assert "Two checkouts of one remote are one repository." in markdown


def test_markdown_links_only_https_addresses(portfolio: Portfolio) -> None:
    markdown = portfolio_markdown.render(_tampered(portfolio))
    assert "javascript:" not in markdown and "evil.example" not in markdown
    assert "onclick" not in markdown
    assert markdown.count("· `src/validate.py:12`") == 3


def test_markdown_cuts_practices_to_the_comment_budget() -> None:
    reports = _reports()
    reports[1][1]["results"] += [
        _result(f"DATA-1{i:02d}", "fail", fix="Add a check. " * 80) for i in range(80)
    ]
    markdown = portfolio_markdown.render(
        build(reports, generated_at="2026-03-02", tool_version="0")
    )
    assert size(markdown) < GITHUB_COMMENT_LIMIT
    assert "more practices: see the HTML or JSON portfolio." in markdown
    assert markdown.count("| ") >= 3  # the repository table stays whole


# --- JSON -------------------------------------------------------------------------


def _schema() -> dict[str, Any]:
    text = (resources.files("readycheck") / "schemas" / "portfolio.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def test_json_validates_against_its_schema(portfolio: Portfolio) -> None:
    document = json.loads(portfolio_json.render(portfolio))
    jsonschema.Draft202012Validator.check_schema(_schema())
    jsonschema.validate(document, _schema(), cls=jsonschema.Draft202012Validator)
    assert document["schema_version"] == portfolio_json.SCHEMA_VERSION
    assert list(document) == [
        "schema_version",
        "tool",
        "rulebook",
        "generated_at",
        "previous_run",
        "summary",
        "repositories",
        "practices",
        "rejected",
        "notes",
    ]
    assert document["summary"]["repositories"] == 3
    assert document["repositories"][0]["change"]["score_delta"] == 12.5
    assert document["repositories"][1]["name"] == HOSTILE
    practices = {p["rule_id"]: p for p in document["practices"]}
    assert list(practices) == ["MON-002", "DATA-001"]  # most widely missing first
    assert practices["DATA-001"]["examples"][0]["url"].startswith("https://github.com/")


@pytest.mark.parametrize(
    ("where", "mutate"),
    [
        ("unknown top-level field", lambda d: d.update(extra=1)),
        ("wrong major version", lambda d: d.update(schema_version="2.0.0")),
        ("score out of range", lambda d: d["repositories"][0].update(score=101)),
        ("unknown level", lambda d: d["summary"]["levels"][0].update(id="legendary")),
        ("missing change field", lambda d: d["repositories"][0]["change"].pop("score_delta")),
        (
            "example link not https",
            lambda d: d["practices"][1]["examples"][0].update(url="http://x"),
        ),
    ],
)
def test_json_schema_rejects_a_mutated_document(
    portfolio: Portfolio, where: str, mutate: Any
) -> None:
    document = json.loads(portfolio_json.render(portfolio))
    mutate(document)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, _schema(), cls=jsonschema.Draft202012Validator)


def test_json_of_an_empty_portfolio_validates() -> None:
    document = json.loads(
        portfolio_json.render(build([], generated_at="2026-03-02", tool_version="0"))
    )
    jsonschema.validate(document, _schema(), cls=jsonschema.Draft202012Validator)
    assert document["summary"]["mean_score"] is None


# --- Terminal ---------------------------------------------------------------------


def _terminal(portfolio: Portfolio) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=220, color_system=None, highlight=False)
    portfolio_terminal.print_portfolio(portfolio, console)
    return buffer.getvalue()


def test_terminal_prints_the_hostile_name_literally(portfolio: Portfolio) -> None:
    output = _terminal(portfolio)
    assert HOSTILE in output  # not read as rich markup: `[x]` survives


def test_terminal_makes_control_characters_visible() -> None:
    reports = _reports()
    reports[1][1]["target"]["name"] = "evil\x1b[2Jname"
    output = _terminal(build(reports, generated_at="2026-03-02", tool_version="0"))
    assert "\x1b" not in output
    assert "evil\\x1b[2Jname" in output


def test_terminal_shows_table_changes_and_top_practices(portfolio: Portfolio) -> None:
    output = _terminal(portfolio)
    assert "3 repositories · mean 47.5 / 100" in output
    assert "▲ +12.5" in output and "Pre-production → Production-ready" in output
    assert "rescanned" in output and "reused" in output
    assert "DATA-001 Title of DATA-001" in output
    assert "churn src/validate.py:12" in output
    assert "broken.json" in output and "Two checkouts" in output


def test_terminal_lists_at_most_ten_practices() -> None:
    reports = _reports()
    reports[1][1]["results"] += [_result(f"DATA-1{i:02d}", "fail") for i in range(12)]
    output = _terminal(build(reports, generated_at="2026-03-02", tool_version="0"))
    assert "(top 10 of 14)" in output
