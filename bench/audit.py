"""The precision audit: is each verdict readycheck gives on a real repository true?

    python bench/audit.py collect      # scan the audit repositories, list their verdicts
    python bench/audit.py report --write bench/PRECISION.md

The audit set is the `audit` group of bench/corpus/manifest.yaml: repositories that
were never looked at while rules were changed. `collect` scans each (rebuilt from its
snapshot as calibrate.py does) and merges its verdicts into
bench/corpus/audit/<owner>__<name>.yaml, one item per verdict:

- every finding of a failing or partial rule (at most `--per-rule` located findings per
  rule, the first ones in path order, plus the finding about the whole repository);
- every practice that passed, with the evidence it passed on;
- every rule that was not applicable, with its reason.

A reviewer then reads the files each item points at and sets `judged` to `true`
(the verdict is right), `false` (wrong) or `debatable`, with `why` naming the file and
line that decide it. Items judged earlier keep their judgement when their verdict
is unchanged; a verdict that changed gets a fresh, unjudged item. `report` counts:

- failing findings: precision = true / judged, with debatable ones counted against;
- passes: share earned; not-applicable verdicts: share right.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import calibrate

CORPUS = Path(__file__).resolve().parent / "corpus"


def _where(location: dict[str, Any] | None) -> str:
    if not location:
        return "whole repository"
    text = str(location["path"])
    if location.get("cell"):
        text += f" cell {location['cell']}"
    if location.get("line"):
        text += f":{location['line']}"
    return text


def items_of(report: dict[str, Any], per_rule: int) -> list[dict[str, Any]]:
    """The verdicts of one report, each as an item a reviewer can judge."""
    items = []
    for result in report["results"]:
        rule, status = result["rule_id"], result["status"]
        if status in ("fail", "partial"):
            located = [f for f in result["findings"] if f["location"]]
            whole = [f for f in result["findings"] if not f["location"]]
            for finding in whole + located[:per_rule]:
                items.append({
                    "id": f"{rule} {status} @ {_where(finding['location'])}",
                    "kind": "finding", "rule": rule, "type": result["type"],
                    "message": finding["message"], "snippet": finding["snippet"][:160],
                })  # fmt: skip
            if not result["findings"] and result.get("basis") == "blocked":
                items.append({
                    "id": f"{rule} blocked", "kind": "finding", "rule": rule,
                    "type": result["type"], "message": result["reason"], "snippet": "",
                })  # fmt: skip
        elif status == "pass" and result["type"] == "practice":
            evidence = result["evidence"][:2]
            items.append({
                "id": f"{rule} pass", "kind": "pass", "rule": rule, "type": result["type"],
                "message": "; ".join(f"{_where(e['location'])}: {e['detail']}" for e in evidence),
                "snippet": (evidence[0]["snippet"][:160] if evidence else ""),
            })  # fmt: skip
        elif status == "not_applicable":
            items.append({
                "id": f"{rule} n/a", "kind": "not_applicable", "rule": rule,
                "type": result["type"], "message": result["reason"] or "", "snippet": "",
            })  # fmt: skip
    return items


def collect(args: argparse.Namespace) -> None:
    folder = CORPUS / args.group
    folder.mkdir(parents=True, exist_ok=True)
    command = args.readycheck.split() if args.readycheck else [sys.executable, "-m", "readycheck"]
    for entry in (e for e in calibrate.manifest() if e.group == args.group):
        tree = calibrate.materialise(entry, args.mirrors, args.work)
        report = calibrate.scan(command, tree)
        path = folder / f"{entry.slug}.yaml"
        old = yaml.safe_load(path.read_text()) if path.exists() else {}
        judged = {(i["id"], i["message"]): i for i in (old or {}).get("items", []) if "judged" in i}
        items = []
        for item in items_of(report, args.per_rule):
            previous = judged.get((item["id"], item["message"]))
            if previous is not None:
                item |= {k: previous[k] for k in ("judged", "why") if k in previous}
            items.append(item)
        document = {
            "repo": entry.repo,
            "commit": entry.commit,
            "score": report["summary"]["score"],
            "kind": (report.get("kind") or {}).get("id"),
            "items": items,
        }
        path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100))
        done = sum(1 for i in items if "judged" in i)
        print(f"{entry.repo}: {len(items)} verdicts, {done} judged")


def report(args: argparse.Namespace) -> None:
    totals: dict[str, Counter[str]] = {k: Counter() for k in ("finding", "pass", "not_applicable")}
    per_repo = []
    rows = []
    for path in sorted((CORPUS / args.group).glob("*.yaml")):
        document = yaml.safe_load(path.read_text())
        counts: dict[str, Counter[str]] = {k: Counter() for k in totals}
        for item in document["items"]:
            verdict = str(item.get("judged", "unjudged")).lower()
            counts[item["kind"]][verdict] += 1
            totals[item["kind"]][verdict] += 1
            rows.append((document["repo"], item, verdict))
        per_repo.append((document["repo"], document["score"], counts))
    lines = [_figures(totals), "", "| repository | score | findings true/judged | passes earned | n/a right |",
             "|---|---|---|---|---|"]  # fmt: skip
    for repo, score, counts in per_repo:
        lines.append(f"| {repo} | {score} | {_ratio(counts['finding'])} | {_ratio(counts['pass'])} | "
                     f"{_ratio(counts['not_applicable'])} |")  # fmt: skip
    lines += ["", "| repository | verdict | kind | judged | why |", "|---|---|---|---|---|"]
    for repo, item, verdict in rows:
        why = " ".join(str(item.get("why", "")).split()).replace("|", "\\|")
        lines.append(f"| {repo} | `{item['id']}` | {item['kind']} | {verdict} | {why} |")
    text = "\n".join(lines)
    print(_figures(totals))
    if args.write:
        current = args.write.read_text()
        start, end = f"<!-- {args.group}:start -->", f"<!-- {args.group}:end -->"
        head, _, rest = current.partition(start)
        _, _, tail = rest.partition(end)
        args.write.write_text(f"{head}{start}\n{text}\n{end}{tail}")


def _ratio(counts: Counter[str]) -> str:
    judged = counts["true"] + counts["false"] + counts["debatable"]
    return f"{counts['true']}/{judged}" + (
        f" ({counts['unjudged']} unjudged)" if counts["unjudged"] else ""
    )


def _figures(totals: dict[str, Counter[str]]) -> str:
    def share(counts: Counter[str]) -> str:
        judged = counts["true"] + counts["false"] + counts["debatable"]
        return f"{100 * counts['true'] / judged:.1f} % of {judged}" if judged else "none judged"

    return (
        f"Failing findings true (debatable counted against): {share(totals['finding'])}; "
        f"passes earned: {share(totals['pass'])}; "
        f"not-applicable verdicts right: {share(totals['not_applicable'])}."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    first = sub.add_parser("collect")
    first.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    first.add_argument("--work", type=Path, default=Path("/work/corpus"))
    first.add_argument("--readycheck")
    first.add_argument("--per-rule", type=int, default=3)
    second = sub.add_parser("report")
    second.add_argument("--write", type=Path)
    for each in (first, second):
        each.add_argument(
            "--group",
            default="audit",
            help="a group of bench/corpus/manifest.yaml (audit, audit_fresh, audit_llm, audit_round5 ...)",
        )
    args = parser.parse_args()
    collect(args) if args.command == "collect" else report(args)


if __name__ == "__main__":
    main()
