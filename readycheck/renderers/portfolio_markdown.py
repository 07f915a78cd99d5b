"""The organisation's portfolio as Markdown, for a wiki page or a pull-request comment.

The same content as the HTML page: the level spread, one table row per
repository, the practices missing most widely with examples to copy, then
the inputs left out and the merge rules. Repository text (names, evidence,
paths) goes through the Markdown report's escaping helpers, so a repository
name cannot add markup, HTML, a disguised link or an @-mention; only forge
addresses checked by `portfolio_common.safe_url` become links.

A comment has a size limit, so practices past the budget are left out with a
line saying how many (the table of repositories is always whole).
"""

from __future__ import annotations

from readycheck.portfolio import Example, Portfolio, Practice, Row
from readycheck.renderers import portfolio_common as common
from readycheck.renderers.markdown import BAND_MARK, BUDGET, code, prose, size, text
from readycheck.renderers.svg import band, fmt_score

#: Repository names listed per practice; the JSON portfolio has every one.
NAMES_SHOWN = 30
#: Short pillar headers, so the table fits a comment's width.
PILLAR_HEADERS = {
    "data": "Data",
    "infrastructure": "Infra",
    "monitoring": "Monitoring",
    "security": "Security",
    "human_in_the_loop": "HITL",
    "hygiene": "Hygiene",
}


def render(portfolio: Portfolio) -> str:
    head = _header(portfolio) + _table(portfolio)
    tail = _rejected(portfolio) + _notes(portfolio) + _footer(portfolio)
    used = sum(size(line) + 1 for line in head + tail)
    body = _practices(portfolio, max(BUDGET - used, 2000))
    return "\n".join(head + body + tail) + "\n"


def _link(label: str, url: str | None) -> str:
    """`label` (already Markdown) as a link when `url` is a safe https address."""
    href = common.safe_url(url)
    return f"[{label}]({href})" if href else label


def _header(portfolio: Portfolio) -> list[str]:
    mean = portfolio.mean_score
    count = common.repositories_phrase(len(portfolio.rows))
    lines = [
        f"## readycheck portfolio: {count} · mean score **{fmt_score(mean)}** / 100 "
        f"{BAND_MARK[band(mean)]}",
        "",
    ]
    facts = [f"generated {text(common.when(portfolio.generated_at) or '', 40)}"]
    if portfolio.previous_run:
        previous = common.when(portfolio.previous_run) or ""
        facts.append(f"compared with the portfolio of {text(previous, 40)}")
    if portfolio.rulebook_version:
        facts.append(f"rulebook {text(portfolio.rulebook_version, 40)}")
    if portfolio.rejected:
        facts.append(f"{len(portfolio.rejected)} input(s) left out (see below)")
    levels = " · ".join(
        f"{BAND_MARK.get(level.id, BAND_MARK['na'])} {level.title} **{level.count}**"
        for level in portfolio.levels
    )
    sentence = " · ".join(facts)
    return [*lines, sentence[:1].upper() + sentence[1:], "", f"**Levels:** {levels}", ""]


def _table(portfolio: Portfolio) -> list[str]:
    scan = common.has_scan_column(portfolio)
    pillars = [PILLAR_HEADERS.get(p.value, p.short) for p in common.PILLARS]
    header = ["Repository", "Score", "Level", *pillars, "Commit", "Change since previous"]
    align = [":--", "--:", ":--", *["--:"] * len(pillars), ":--", ":--"]
    if scan:
        header.append("Scan")
        align.append(":--")
    lines = [_cells(header), _cells(align)]
    lines += [_row(row, scan) for row in portfolio.rows]
    if not portfolio.rows:
        lines = ["No repository in this portfolio."]
    return [*lines, ""]


def _cells(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _row(row: Row, scan: bool) -> str:
    snap = row.snapshot
    commit = (
        _link(code(common.short_commit(snap.commit), in_table=True), common.commit_link(snap))
        if snap.commit
        else "none"
    )
    cells = [
        _link(text(snap.name, 100), common.repository_url(snap)),
        f"**{fmt_score(snap.score)}**",
        f"{BAND_MARK.get(snap.level_id, BAND_MARK['na'])} {text(snap.level_title, 40)}",
        *(fmt_score(common.pillar_score(snap, p)) for p in common.PILLARS),
        commit,
        _change(row),
    ]
    if scan:
        cells.append(common.scan_label(row.rescanned))
    return _cells(cells)


def _change(row: Row) -> str:
    """Delta, level move and the rule ids newly missing or met, in one table cell."""
    moved = row.change
    if moved is None:
        return "new"
    parts = [f"**{common.delta(moved)}**"]
    level = common.level_move(moved, row.snapshot)
    if level:
        parts.append(text(level, 100))
    if moved.newly_lacking:
        parts.append("newly missing: " + _ids(moved.newly_lacking))
    if moved.newly_met:
        parts.append("newly met: " + _ids(moved.newly_met))
    return " · ".join(parts)


def _ids(rule_ids: tuple[str, ...]) -> str:
    return ", ".join(code(rule_id, 40, in_table=True) for rule_id in rule_ids)


def _practices(portfolio: Portfolio, room: int) -> list[str]:
    shown = portfolio.practices
    lines = [f"### Practices missing across the organisation ({len(shown)})", ""]
    if not shown:
        return [*lines, "Every practice that applies is in place everywhere.", ""]
    lines += [
        "Most widely missing first. Points are what fixing a practice in every repository "
        "adds to the mean score.",
        "",
    ]
    used = sum(size(line) + 1 for line in lines) + 200  # room for the cut notice
    for index, practice in enumerate(shown):
        block = _practice(index + 1, practice, len(portfolio.rows))
        cost = sum(size(line) + 1 for line in block)
        if used + cost > room:
            rest = len(shown) - index
            lines += [f"… and {rest} more practices: see the HTML or JSON portfolio.", ""]
            break
        lines += block
        used += cost
    return lines


def _practice(number: int, practice: Practice, total: int) -> list[str]:
    reach = [common.missing_phrase(practice)]
    partly = common.partial_phrase(practice)
    if partly:
        reach.append(partly)
    if practice.applicable < total:
        reach.append(f"does not apply to {total - practice.applicable}")
    lines = [
        f"#### {number}. {prose(practice.title, 200)} ({code(practice.rule_id, 60)})",
        "",
        f"**{text(practice.severity, 20)}** · {text(common.pillar_name(practice.pillar), 40)} · "
        f"{'; '.join(reach)} · **{text(common.gain_phrase(practice), 120)}**",
        "",
    ]
    if practice.fix:
        lines += [f"How to fix: {prose(practice.fix, 1000)}", ""]
    for title, names in (("Missing in", practice.lacking), ("Partly in", practice.partial)):
        if names:
            listed = ", ".join(text(name, 100) for name in names[:NAMES_SHOWN])
            more = f" and {len(names) - NAMES_SHOWN} more" if len(names) > NAMES_SHOWN else ""
            lines += [f"{title}: {listed}{more}.", ""]
    if practice.examples:
        lines += ["Examples to copy:", ""]
        lines += [f"- {_example(example)}" for example in practice.examples]
        lines.append("")
    else:
        lines += ["Examples to copy: no repository has it yet.", ""]
    return lines


def _example(example: Example) -> str:
    where = ""
    if example.path is not None:
        place = example.path + (f":{example.line}" if example.line else "")
        where = " · " + _link(code(place, 200), example.url)
    return f"**{text(example.repository, 100)}**: {prose(example.detail, 300)}{where}"


def _rejected(portfolio: Portfolio) -> list[str]:
    if not portfolio.rejected:
        return []
    lines = [f"### Inputs left out ({len(portfolio.rejected)})", ""]
    lines += [f"- {code(r.source, 200)}: {text(r.reason, 400)}" for r in portfolio.rejected]
    return [*lines, ""]


def _notes(portfolio: Portfolio) -> list[str]:
    if not portfolio.notes:
        return []
    lines = ["### How the reports were merged", ""]
    lines += [f"- {text(note, 400)}" for note in portfolio.notes]
    return [*lines, ""]


def _footer(portfolio: Portfolio) -> list[str]:
    rulebook = (
        f" · rulebook {text(portfolio.rulebook_version, 40)}" if portfolio.rulebook_version else ""
    )
    return [f"<sub>readycheck {text(portfolio.tool_version, 40)}{rulebook}</sub>"]
