"""The organisation's portfolio as one self-contained HTML page, for a manager.

Top to bottom: how many repositories and their mean score, how they spread over
the readiness levels, the table of repositories (sortable and filterable by a
small inline script, readable without it), the practices missing most widely
with the repositories that already have them as examples to copy, then the
inputs left out and the merge rules applied.

Everything a repository controls (its name, remote, evidence, paths) is
untrusted: it goes through the escaping builder in `markup`, only `https://`
addresses become links, and the Content-Security-Policy forbids every fetch and
lets only this module's own script (by hash) run, as the scorecard's does.
"""

from __future__ import annotations

from readycheck.portfolio import Example, LevelCount, Portfolio, Practice, Row
from readycheck.renderers import portfolio_common as common
from readycheck.renderers.html_assets import STYLE
from readycheck.renderers.html_pillars import prose
from readycheck.renderers.markup import Html, el, join, raw
from readycheck.renderers.page import head as page_head
from readycheck.renderers.portfolio_html_assets import PORTFOLIO_SCRIPT, PORTFOLIO_STYLE
from readycheck.renderers.svg import band, fmt_score
from readycheck.score import LEVEL_BANDS

#: Repository names listed per practice; the JSON portfolio has every one.
NAMES_SHOWN = 40
#: A soft hyphen lets the one long pillar name break in a narrow header.
_HEADERS = {"infrastructure": "Infra\u00adstructure"}
_LEVEL_IDS = frozenset(b.level.id for b in LEVEL_BANDS)


def render(portfolio: Portfolio) -> str:
    """The whole page, ready to write to a file; it needs nothing else to display or print."""
    body = el(
        "div",
        _masthead(portfolio),
        el(
            "main",
            _summary(portfolio),
            _filters(portfolio),
            _table(portfolio),
            _practices(portfolio),
            _rejected(portfolio),
            _notes(portfolio),
        ),
        _footer(portfolio),
        class_="page",
    )
    page = el(
        "html",
        _head(portfolio),
        el("body", body, el("script", raw(PORTFOLIO_SCRIPT))),
        lang="en",
    )
    return "<!DOCTYPE html>\n" + page + "\n"


def _head(portfolio: Portfolio) -> Html:
    title = "Organisation portfolio · production readiness"
    return page_head(title, portfolio.tool_version, STYLE + PORTFOLIO_STYLE, PORTFOLIO_SCRIPT)


def _time(value: str) -> Html:
    return el("time", common.when(value), datetime=value)


def _link(text: Html | str, url: str | None, **attrs: str) -> Html:
    """`text` linked to `url` when it is a safe https address, else `text` alone."""
    href = common.safe_url(url)
    if href is None:
        return el("span", text, **attrs) if attrs else el("span", text)
    return el("a", text, href=href, rel="noopener noreferrer", **attrs)


def _level_class(level_id: str) -> str:
    """The colour band of a level id (a level and a score of that level match)."""
    return level_id if level_id in _LEVEL_IDS else "na"


def _masthead(portfolio: Portfolio) -> Html:
    count = len(portfolio.rows)
    facts = [
        el("li", el("b", str(count)), " ", "repository" if count == 1 else "repositories"),
        el("li", el("b", "Generated"), " ", _time(portfolio.generated_at)),
        el(
            "li",
            el("b", "Mean score"),
            " ",
            el(
                "span", fmt_score(portfolio.mean_score), class_=f"band-{band(portfolio.mean_score)}"
            ),
        ),
    ]
    if portfolio.previous_run:
        facts.append(el("li", el("b", "Compared with"), " ", _time(portfolio.previous_run)))
    if portfolio.rulebook_version:
        facts.append(el("li", el("b", "Rulebook"), " ", portfolio.rulebook_version))
    if portfolio.rejected:
        left_out = len(portfolio.rejected)
        link = el(
            "a", f"⚠ {left_out} input{'s' if left_out > 1 else ''} left out", href="#rejected"
        )
        facts.append(el("li", link, class_="warned"))
    return el(
        "header",
        el(
            "div",
            el("div", "Production-readiness portfolio", class_="eyebrow"),
            el("h1", "Organisation portfolio"),
            el("ul", facts, class_="meta"),
        ),
        class_="masthead",
    )


def _summary(portfolio: Portfolio) -> Html:
    mean = portfolio.mean_score
    ready = sum(level.count for level in portfolio.levels if level.rank >= 4)
    overall = el(
        "div",
        el("div", "Mean score", class_="label"),
        el(
            "div",
            fmt_score(mean),
            el("small", " / 100"),
            class_=f"big band-{band(mean)}",
            id="mean-score",
            data_score="" if mean is None else mean,
        ),
        el(
            "p",
            f"{ready} of {common.repositories_phrase(len(portfolio.rows))} "
            "production-ready; the table below is ordered by score.",
        ),
        class_="card",
    )
    spread = el(
        "div",
        el("div", "Readiness levels", class_="label"),
        _distribution(portfolio.levels),
        _level_counts(portfolio.levels),
        class_="card",
    )
    return el("section", overall, spread, class_="summary", aria_label="Summary")


def _distribution(levels: tuple[LevelCount, ...]) -> Html:
    """One horizontal bar split by level, in the legend's order (most ready on the left);
    a drawing, so it prints without background graphics."""
    total = sum(level.count for level in levels)
    parts: list[Html] = []
    x = 0.0
    for level in levels:
        if not level.count:
            continue
        width = 100 * level.count / total
        parts.append(
            el(
                "rect",
                el("title", f"{level.title}: {level.count}"),
                class_=f"band-{_level_class(level.id)}",
                x=f"{x:.3f}",
                y=0,
                width=f"{width:.3f}",
                height=10,
            )
        )
        x += width
    if not parts:
        parts.append(el("rect", class_="empty-bar", x=0, y=0, width=100, height=10))
    summary = ", ".join(f"{level.title} {level.count}" for level in levels)
    return el(
        "svg",
        parts,
        class_="distribution",
        id="level-distribution",
        viewBox="0 0 100 10",
        preserveAspectRatio="none",
        role="img",
        aria_label=f"Repositories per readiness level: {summary}",
        xmlns="http://www.w3.org/2000/svg",
    )


def _level_counts(levels: tuple[LevelCount, ...]) -> Html:
    return el(
        "ul",
        (
            el(
                "li",
                el("span", level.title),
                el("b", str(level.count)),
                class_=f"band-{_level_class(level.id)}" + ("" if level.count else " zero"),
                data_level=level.id,
                data_count=level.count,
            )
            for level in levels
        ),
        class_="level-counts",
    )


def _filters(portfolio: Portfolio) -> Html:
    options = [el("option", "All levels", value="all")] + [
        el("option", level.title, value=level.id) for level in portfolio.levels
    ]
    return el(
        "div",
        el(
            "label",
            el("span", "Repository", class_="visually-hidden"),
            el(
                "input",
                type="search",
                id="filter-name",
                placeholder="Filter by name",
                autocomplete="off",
            ),
        ),
        el(
            "label",
            el("span", "Level", class_="visually-hidden"),
            el("select", options, id="filter-level"),
        ),
        el("output", id="filter-count"),
        id="filters",
        class_="card filters",
        role="search",
        aria_label="Filter repositories",
        hidden=True,
    )


def _table(portfolio: Portfolio) -> Html:
    scan = common.has_scan_column(portfolio)
    heads = [
        el("th", "Repository", scope="col", data_sort="text"),
        el("th", "Score", scope="col", class_="num", data_sort="number", aria_sort="descending"),
        el("th", "Level", scope="col", data_sort="number"),
        [
            el(
                "th",
                _HEADERS.get(p.value, p.short),
                scope="col",
                class_="num pillar",
                data_sort="number",
                title=p.title,
            )
            for p in common.PILLARS
        ],
        el("th", "Commit", scope="col", data_sort="text"),
        el("th", "Change since previous", scope="col", data_sort="number"),
        el("th", "Scan", scope="col", data_sort="text") if scan else None,
    ]
    if not portfolio.rows:
        rows: list[Html] = [
            el("tr", el("td", "No repository in this portfolio.", colspan=len(common.PILLARS) + 6))
        ]
    else:
        rows = [_row(row, scan) for row in portfolio.rows]
    return el(
        "section",
        el("h2", f"Repositories ({len(portfolio.rows)})", class_="section-title"),
        el(
            "div",
            el(
                "table",
                el("thead", el("tr", heads)),
                el("tbody", rows),
                id="repositories",
                class_="portfolio",
            ),
            class_="table-wrap",
        ),
        class_="repositories",
    )


def _row(row: Row, scan: bool) -> Html:
    snap = row.snapshot
    pillars = [
        el(
            "td",
            fmt_score(value),
            class_=f"num band-{band(value)}",
            data_pillar=pillar.value,
            data_value="" if value is None else value,
        )
        for pillar in common.PILLARS
        for value in [common.pillar_score(snap, pillar)]
    ]
    return el(
        "tr",
        el(
            "td", _link(snap.name, common.repository_url(snap)), class_="name", data_value=snap.name
        ),
        el(
            "td",
            fmt_score(snap.score),
            class_=f"num score band-{band(snap.score)}",
            data_value=snap.score,
        ),
        el(
            "td",
            el("span", snap.level_title, class_=f"level band-{_level_class(snap.level_id)}"),
            data_value=snap.level_rank,
        ),
        pillars,
        el("td", _commit(row)),
        _change(row),
        el("td", common.scan_label(row.rescanned), class_="scan") if scan else None,
        data_name=snap.name.lower(),
        data_level=snap.level_id,
        data_key=snap.key,
    )


def _commit(row: Row) -> Html:
    commit = row.snapshot.commit
    if not commit:
        return el("span", "none", class_="none")
    short = el("code", common.short_commit(commit))
    return _link(short, common.commit_link(row.snapshot), title=commit)


def _change(row: Row) -> Html:
    """The score delta with its arrow, the level move, and the practices newly missing or met."""
    moved = row.change
    if moved is None:
        return el("td", "new", class_="change none", title="no previous scan to compare with")
    direction = "up" if moved.score_delta > 0 else "down" if moved.score_delta < 0 else "same"
    parts: list[Html | None] = [
        el(
            "span",
            common.delta(moved),
            class_=direction,
            title=f"was {fmt_score(moved.previous_score)} on {common.when(moved.previous_scanned_at)}",
        ),
    ]
    level = common.level_move(moved, row.snapshot)
    if level:
        parts.append(el("div", level, class_="level-move"))
    if moved.newly_lacking:
        parts.append(
            el("div", "Newly missing: ", join((el("code", r) for r in moved.newly_lacking), ", "))
        )
    if moved.newly_met:
        parts.append(el("div", "Newly met: ", join((el("code", r) for r in moved.newly_met), ", ")))
    return el(
        "td", parts, class_="change", data_value=moved.score_delta, data_delta=moved.score_delta
    )


def _practices(portfolio: Portfolio) -> Html:
    title = f"Practices missing across the organisation ({len(portfolio.practices)})"
    if not portfolio.practices:
        content: Html = el(
            "p", "Every practice that applies is in place everywhere.", class_="empty"
        )
    else:
        content = join(_practice(p, len(portfolio.rows)) for p in portfolio.practices)
    return el(
        "section",
        el("h2", title, class_="section-title"),
        el(
            "p",
            "Most widely missing first: a practice missing in many repositories is one the "
            "platform could provide once. Points are what fixing it in every repository adds "
            "to the mean score above.",
            class_="note",
        ),
        content,
        class_="practices",
        id="practices",
    )


def _practice(practice: Practice, total: int) -> Html:
    reach = [common.missing_phrase(practice)]
    partly = common.partial_phrase(practice)
    if partly:
        reach.append(partly)
    if practice.applicable < total:
        reach.append(f"does not apply to {total - practice.applicable}")
    return el(
        "article",
        el(
            "header",
            el("h3", prose(practice.title)),
            el("span", practice.severity, class_=f"sev sev-{practice.severity}"),
            el("span", common.pillar_name(practice.pillar), class_="tag"),
            el("code", practice.rule_id, class_="rule-id"),
        ),
        el(
            "p",
            _sentence("; ".join(reach)),
            el(
                "span",
                common.gain_phrase(practice),
                class_="gain",
                data_gain=practice.mean_gain,
            ),
            class_="reach",
        ),
        el("div", el("h4", "How to fix"), el("p", prose(practice.fix)), class_="fix")
        if practice.fix
        else None,
        _names("Missing in", practice.lacking, "lacking"),
        _names("Partly in", practice.partial, "partial"),
        _examples(practice.examples),
        class_=f"practice card sev-{practice.severity}",
        id=f"practice-{practice.rule_id}",
        data_rule=practice.rule_id,
    )


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


def _names(title: str, names: tuple[str, ...], kind: str) -> Html | None:
    if not names:
        return None
    items = [el("li", name) for name in names[:NAMES_SHOWN]]
    if len(names) > NAMES_SHOWN:
        items.append(el("li", f"… and {len(names) - NAMES_SHOWN} more", class_="more"))
    return el(
        "div", el("h4", f"{title} ({len(names)})"), el("ul", items, class_="names", data_names=kind)
    )


def _examples(examples: tuple[Example, ...]) -> Html:
    if not examples:
        body: Html = el("p", "No repository has it yet.", class_="empty")
    else:
        body = el("ul", (_example(example) for example in examples), class_="examples")
    return el("div", el("h4", "Examples to copy"), body, class_="examples-block")


def _example(example: Example) -> Html:
    where: Html | None = None
    if example.path is not None:
        place = example.path + (f":{example.line}" if example.line else "")
        url = common.safe_url(example.url)
        where = (
            el("a", el("code", place), href=url, rel="noopener noreferrer", class_="loc")
            if url
            else el("code", place, class_="loc")
        )
    return el("li", el("strong", example.repository), ": ", where, " ", prose(example.detail))


def _rejected(portfolio: Portfolio) -> Html | None:
    if not portfolio.rejected:
        return None
    items = [el("li", el("code", r.source), " ", r.reason) for r in portfolio.rejected]
    return el(
        "section",
        el("h2", f"Inputs left out ({len(portfolio.rejected)})", class_="section-title"),
        el("ul", items, class_="box"),
        class_="rejected",
        id="rejected",
    )


def _notes(portfolio: Portfolio) -> Html | None:
    if not portfolio.notes:
        return None
    return el(
        "section",
        el("h2", "How the reports were merged", class_="section-title"),
        el("ul", (el("li", note) for note in portfolio.notes), class_="box"),
        class_="notes",
        id="notes",
    )


def _footer(portfolio: Portfolio) -> Html:
    rulebook = f"Rulebook {portfolio.rulebook_version} · " if portfolio.rulebook_version else ""
    return el(
        "footer",
        el(
            "p",
            f"{rulebook}readycheck {portfolio.tool_version} · generated {portfolio.generated_at}",
        ),
        el(
            "p",
            "Each repository's score is the mean of its six pillar scores; the mean score is "
            "the mean over the repositories. Not-applicable rules are left out of every score.",
        ),
        el(
            "p",
            "This page is self-contained: it makes no network requests and can be printed "
            "to PDF from the browser.",
            class_="filters-note",
        ),
    )
