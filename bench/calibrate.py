"""Does the score agree with what an experienced ML platform engineer says? Measure it.

    python bench/calibrate.py                     # rebuild the trees, scan, print the figures
    python bench/calibrate.py --write bench/VALIDITY.md
    python bench/calibrate.py --materialise       # only rebuild the trees
    python bench/calibrate.py --readycheck /other/venv/bin/readycheck   # measure another build

The corpus is bench/corpus/manifest.yaml: public repositories pinned to commits, and
for each calibration repository a label file (bench/corpus/labels/) written from its
files before its score was looked at: pilot / partial / production, and a 0-3 grade
per pillar. Trees are rebuilt from the snapshots the `fetch` tool brings
(`--mirrors`, default /work/.mirror/<owner>+<name>/repo) into `--work`, as full
clones checked out at the pinned commit, so the git rules see real history.

Each tree is scanned by the readycheck command (`scan --no-config -f json`), in its own
process, so the same harness measures any version of readycheck. The figures, for the
`dev` half, the `test` half (kept aside, never tuned on) and both:

- Kendall's tau-b between the overall score and the label (pilot < partial < production);
- the share of (production, pilot) pairs in which the production repository scores higher;
- Spearman's rho between each pillar's score and its grade.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "corpus" / "manifest.yaml"
LABELS = HERE / "corpus" / "labels"
PILLARS = ("data", "infrastructure", "monitoring", "security", "human_in_the_loop")
LEVELS = {"pilot": 0, "partial": 1, "production": 2}
TARGETS = {"tau_b": 0.75, "pairs": 1.0, "spearman": 0.6}


@dataclass(frozen=True)
class Entry:
    repo: str
    commit: str
    group: str
    split: str | None

    @property
    def slug(self) -> str:
        return self.repo.replace("/", "__")


def manifest(path: Path = MANIFEST) -> list[Entry]:
    """Every pinned repository, in the order of the file: each top-level key is a group."""
    data = yaml.safe_load(path.read_text())
    return [
        Entry(item["repo"], item["commit"], group, item.get("split"))
        for group, items in data.items()
        for item in items or []
    ]


def label(entry: Entry) -> dict[str, object]:
    return yaml.safe_load((LABELS / f"{entry.slug}.yaml").read_text())  # type: ignore[no-any-return]


def materialise(entry: Entry, mirrors: Path, work: Path) -> Path:
    """A clone of the snapshot checked out at the pinned commit (large blobs the snapshot
    lacks stay missing, as they would in a partial clone)."""
    dest = work / entry.slug
    mirror = mirrors / entry.repo.replace("/", "+") / "repo"
    if not dest.exists():
        if not mirror.exists():
            raise SystemExit(
                f"{entry.repo}: no snapshot at {mirror}; run `fetch github:{entry.repo}`"
            )
        subprocess.run(["git", "clone", "-q", "--shared", "--no-checkout", str(mirror), str(dest)],
                       check=True)  # fmt: skip
    # Always check the commit out: a fresh `--no-checkout` clone already sits at it, with an
    # empty work tree. A snapshot lacks blobs of 4 MiB and more: checkout reports them and
    # goes on.
    subprocess.run(["git", "-C", str(dest), "checkout", "-q", "-f", entry.commit],
                   capture_output=True)  # fmt: skip
    return dest


def scan(readycheck: Sequence[str], tree: Path) -> dict[str, object]:
    done = subprocess.run(
        [*readycheck, "scan", str(tree), "--no-config", "-f", "json"],
        capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip
    if done.returncode not in (0, 1):
        raise RuntimeError(f"readycheck failed on {tree}: {done.stderr.strip()[-500:]}")
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def _ranks(values: Sequence[float]) -> list[float]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    """Spearman's rho: Pearson's correlation of the ranks (ties get their mean rank)."""
    rx, ry = _ranks(x), _ranks(y)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    sx = math.sqrt(sum((a - mx) ** 2 for a in rx))
    sy = math.sqrt(sum((b - my) ** 2 for b in ry))
    return cov / (sx * sy) if sx and sy else float("nan")


def kendall_tau_b(x: Sequence[float], y: Sequence[float]) -> float:
    """Kendall's tau-b, which corrects for ties (the labels have only three values)."""
    concordant = discordant = ties_x = ties_y = 0
    n = len(x)
    for i in range(n):
        for j in range(i + 1, n):
            dx, dy = x[i] - x[j], y[i] - y[j]
            if dx == 0 and dy == 0:
                continue
            if dx == 0:
                ties_x += 1
            elif dy == 0:
                ties_y += 1
            elif dx * dy > 0:
                concordant += 1
            else:
                discordant += 1
    denominator = math.sqrt((concordant + discordant + ties_x) * (concordant + discordant + ties_y))
    return (concordant - discordant) / denominator if denominator else float("nan")


def pair_share(rows: Sequence[dict[str, object]]) -> tuple[int, int]:
    """(production repositories above pilot ones, all such pairs)."""
    prod = [r["score"] for r in rows if r["label"] == "production"]
    pilot = [r["score"] for r in rows if r["label"] == "pilot"]
    above = sum(1 for p in prod for q in pilot if p > q)  # type: ignore[operator]
    return above, len(prod) * len(pilot)


def figures(rows: Sequence[dict[str, object]]) -> dict[str, object]:
    levels = [LEVELS[str(r["label"])] for r in rows]
    scores = [float(r["score"]) for r in rows]  # type: ignore[arg-type]
    above, pairs = pair_share(rows)
    rho = {}
    for pillar in PILLARS:
        grades = [float(r["grades"][pillar]) for r in rows]  # type: ignore[index]
        values = [float(r["pillars"].get(pillar) or 0.0) for r in rows]  # type: ignore[attr-defined]
        rho[pillar] = spearman(values, grades)
    return {
        "n": len(rows),
        "tau_b": kendall_tau_b(scores, levels),
        "pairs_above": above,
        "pairs": pairs,
        "spearman": rho,
    }


def measure(args: argparse.Namespace) -> list[dict[str, object]]:
    entries = [e for e in manifest() if e.group == "calibration"]
    if args.split:
        entries = [e for e in entries if e.split == args.split]
    trees = {e.repo: materialise(e, args.mirrors, args.work) for e in entries}
    if args.materialise:
        return []
    command = args.readycheck.split() if args.readycheck else [sys.executable, "-m", "readycheck"]

    def one(entry: Entry) -> dict[str, object]:
        report = scan(command, trees[entry.repo])
        labelled = label(entry)
        grades = {p: labelled["grades"][p]["grade"] for p in PILLARS}  # type: ignore[index]
        summary = report["summary"]
        return {
            "repo": entry.repo,
            "split": entry.split,
            "label": labelled["label"],
            "kind_label": labelled["kind"],
            "kind": (report.get("kind") or {}).get("id"),  # type: ignore[union-attr]
            "score": summary["score"],  # type: ignore[index]
            "level": summary["level"]["id"],  # type: ignore[index]
            "pillars": {p["id"]: p["score"] for p in report["pillars"]},  # type: ignore[union-attr]
            "grades": grades,
        }

    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        rows = list(pool.map(one, entries))
    return rows


def render(rows: Sequence[dict[str, object]]) -> str:
    parts = {"dev": [r for r in rows if r["split"] == "dev"],
             "test": [r for r in rows if r["split"] == "test"], "all": list(rows)}  # fmt: skip
    parts = {name: subset for name, subset in parts.items() if subset}
    lines = ["| set | n | Kendall tau-b | production > pilot | " + " | ".join(
        f"Spearman {p.replace('_', ' ')}" for p in PILLARS) + " |",
        "|---|---|---|---|" + "---|" * len(PILLARS)]  # fmt: skip
    for name, subset in parts.items():
        f = figures(subset)
        rho = f["spearman"]
        lines.append(
            f"| {name} | {f['n']} | {f['tau_b']:.2f} | {f['pairs_above']}/{f['pairs']} | "
            + " | ".join(f"{rho[p]:.2f}" for p in PILLARS)  # type: ignore[index]
            + " |"
        )
    lines += ["", "| repository | split | label | kind (label / inferred) | score | level | "
              + " | ".join(p.replace("_", " ") for p in PILLARS) + " |",
              "|---|---|---|---|---|---|" + "---|" * len(PILLARS)]  # fmt: skip
    order = sorted(rows, key=lambda r: (-LEVELS[str(r["label"])], -float(r["score"])))  # type: ignore[arg-type]
    for r in order:
        cells = " | ".join(
            f"{r['pillars'].get(p)} ({r['grades'][p]})"
            for p in PILLARS  # type: ignore[attr-defined,index]
        )
        lines.append(
            f"| {r['repo']} | {r['split']} | {r['label']} | {r['kind_label']} / {r['kind']} | "
            f"{r['score']} | {r['level']} | {cells} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--mirrors", type=Path, default=Path(os.environ.get("READYCHECK_MIRRORS", "/work/.mirror"))
    )
    parser.add_argument(
        "--work", type=Path, default=Path(os.environ.get("READYCHECK_CORPUS", "/work/corpus"))
    )
    parser.add_argument(
        "--readycheck", help="the readycheck command to measure (default: this checkout's)"
    )
    parser.add_argument("--materialise", action="store_true", help="only rebuild the trees")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--split",
        choices=("dev", "test"),
        help="only this half (while changing rules, look at dev only)",
    )
    parser.add_argument("--json", type=Path, help="also write every row as JSON here")
    parser.add_argument(
        "--write", type=Path, help="replace the tables between the markers of this file"
    )
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    rows = measure(args)
    if not rows:
        return
    text = render(rows)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1, sort_keys=True) + "\n")
    if args.write:
        current = args.write.read_text()
        start, end = "<!-- calibration:start -->", "<!-- calibration:end -->"
        head, _, rest = current.partition(start)
        _, _, tail = rest.partition(end)
        args.write.write_text(f"{head}{start}\n{text}\n{end}{tail}")


if __name__ == "__main__":
    main()
