"""Benchmark readycheck against bandit and radon on one large tree of real code.

    python bench/bench.py                      # corpus: every installed package's source
    python bench/bench.py --corpus DIR         # any tree you already have
    python bench/bench.py --write bench/RESULTS.md

It installs nothing. By default the corpus is the Python source of the
packages installed beside readycheck (pip, pygments, mypy, pydantic, rich,
bandit, ... after the README's test set-up: thousands of files nobody here
wrote), copied into a temporary folder. For the corpus in bench/RESULTS.md,
`pip install --no-deps --target /tmp/corpus pandas scikit-learn mlflow` first
and pass `--corpus /tmp/corpus`.

Every command runs as a separate process on the same tree, several times, and
the median is reported with its CPU time (user + system, the process and its
workers) and the peak memory of the process and its children (their resident
sizes summed, sampled every 20 ms from /proc). The timed runs are: readycheck
cold (empty cache, both cores), in one process (`-j 1`, no cache), warm
(nothing changed), after touching one file, `bandit -r`, `radon cc`, `radon
mi`, and the parse floor of the same tree (bench/floor.py: read, parse, walk
and tokenize every Python file, load every YAML file, in one process). It also
checks that a single-process scan and a parallel one produce the same report.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

PYTHON = sys.executable


@dataclass(frozen=True)
class Measure:
    """The median wall and CPU time of several runs, and the largest peak memory seen."""

    name: str
    seconds: float
    peak_mb: float
    runs: int
    cpu: float


def _children(pid: int) -> list[int]:
    """Every live descendant of `pid`, from /proc (worker processes included)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        current = frontier.pop()
        kids = [child for child, parent in parents.items() if parent == current]
        found.extend(kids)
        frontier.extend(kids)
    return found


def _rss_mb(pid: int) -> float:
    total = 0
    for each in (pid, *_children(pid)):
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def _children_cpu() -> float:
    """CPU seconds of every child process waited for so far (their own waited children
    included: a scan's worker processes count toward it)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(command: Sequence[str]) -> tuple[float, float, float]:
    """Wall time, peak memory (MB, process tree) and CPU time of one run; output discarded."""
    sampling = Path("/proc/self/status").exists()
    cpu_before = _children_cpu()
    start = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL
    )
    peak = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _rss_mb(process.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    if sampling:
        sampler.start()
    _, stderr = process.communicate()
    elapsed = time.perf_counter() - start
    done.set()
    if sampling:
        sampler.join()
    if process.returncode not in (0, 1):
        raise SystemExit(
            f"{' '.join(command)} exited {process.returncode}:\n{stderr.decode(errors='replace')}"
        )
    return elapsed, peak, _children_cpu() - cpu_before


def measure(name: str, command: Sequence[str], runs: int, before: object = None) -> Measure:
    """Run `command` `runs` times (calling `before()` ahead of each) and keep the median."""
    times, peaks, cpus = [], [], []
    for _ in range(runs):
        if callable(before):
            before()
        elapsed, peak, cpu = run_once(command)
        times.append(elapsed)
        peaks.append(peak)
        cpus.append(cpu)
        print(f"  {name}: {elapsed:.2f} s ({cpu:.2f} s CPU), {peak:.0f} MB", file=sys.stderr)
    return Measure(name, statistics.median(times), max(peaks), runs, statistics.median(cpus))


def build_corpus(destination: Path) -> Path:
    """Copy the Python source of every installed package (readycheck excepted)."""
    site = Path(sysconfig.get_paths()["purelib"])
    for package in sorted(site.iterdir()):
        if not package.is_dir() or package.name.endswith((".dist-info", ".egg-info")):
            continue
        if package.name in {"readycheck", "__pycache__", "_distutils_hack"}:
            continue
        for source in package.rglob("*.py"):
            target = destination / source.relative_to(site)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    return destination


def readycheck(corpus: Path, cache: Path, *extra: str) -> list[str]:
    return [
        PYTHON,
        "-m",
        "readycheck",
        "scan",
        str(corpus),
        "-q",
        "--cache-dir",
        str(cache),
        *extra,
    ]


def same_reports(corpus: Path, scratch: Path) -> bool:
    """A single-process scan and a parallel scan give the same report, scan time aside."""
    reports = []
    for jobs in ("1", "2"):
        out = scratch / f"report-{jobs}.json"
        command = [
            PYTHON, "-m", "readycheck", "scan", str(corpus), "-q", "--no-cache",
            "-j", jobs, "-o", str(out),
        ]  # fmt: skip
        subprocess.run(command, check=False, stdin=subprocess.DEVNULL)
        report = json.loads(out.read_text())
        report.pop("scanned_at", None)
        reports.append(report)
    return reports[0] == reports[1]


def startup(runs: int) -> dict[str, float]:
    commands = {
        "readycheck --version": [PYTHON, "-m", "readycheck", "--version"],
        "readycheck scan --help": [PYTHON, "-m", "readycheck", "scan", "--help"],
    }
    return {
        name: statistics.median(run_once(command)[0] for _ in range(runs))
        for name, command in commands.items()
    }


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def versions() -> str:
    from importlib.metadata import version

    from readycheck import DISTRIBUTION

    return ", ".join(f"{name} {version(name)}" for name in (DISTRIBUTION, "bandit", "radon"))


def report(corpus: Path, files: int, results: dict[str, Measure], extra: dict[str, object]) -> str:
    cold, warm, touched = results["cold"], results["warm"], results["touched"]
    bandit, cc, mi = results["bandit"], results["radon cc"], results["radon mi"]
    single, floor = results["single"], results["floor"]
    together = bandit.seconds + cc.seconds + mi.seconds
    rows = [
        ("readycheck scan, cold (empty cache)", cold),
        ("readycheck scan, one process (`-j 1`, no cache)", single),
        ("readycheck scan, warm (nothing changed)", warm),
        ("readycheck scan, one file touched", touched),
        ("bandit -r", bandit),
        ("radon cc", cc),
        ("radon mi", mi),
        ("parse floor (bench/floor.py, one process)", floor),
    ]
    lines = [
        f"Corpus: {corpus} ({files:,} Python files)  ",
        f"Machine: {machine()}  ",
        f"Versions: {versions()}  ",
        f"Median of {cold.runs} runs per command.",
        "",
        "| command | median | CPU | files/s | peak memory |",
        "|:--|--:|--:|--:|--:|",
    ]
    lines += [
        f"| {label} | {m.seconds:.2f} s | {m.cpu:.2f} s | {files / m.seconds:,.0f} "
        f"| {m.peak_mb:.0f} MB |"
        for label, m in rows
    ]
    ratios = [
        ("cold / (bandit + radon cc + radon mi)", cold.seconds / together, "≤ 0.50"),
        ("cold / bandit", cold.seconds / bandit.seconds, "≤ 1.00"),
        ("warm / cold", warm.seconds / cold.seconds, "≤ 0.10"),
        ("one file touched / cold", touched.seconds / cold.seconds, "≤ 0.15"),
        ("one process, CPU / bandit's CPU (issue 15)", single.cpu / bandit.cpu, "≤ 1.00"),
        ("cold, wall on both cores / bandit (issue 15)", cold.seconds / bandit.seconds, "≤ 0.60"),
        ("one process / parse floor (issue 15)", single.seconds / floor.seconds, "≤ 3.00"),
        ("warm / cold (issue 15)", warm.seconds / cold.seconds, "≤ 0.05"),
        ("one file touched / cold (issue 15)", touched.seconds / cold.seconds, "≤ 0.05"),
    ]
    lines += ["", "| ratio | measured | target |", "|:--|--:|--:|"]
    lines += [f"| {label} | {value:.2f} | {target} |" for label, value, target in ratios]
    lines += ["", "| start-up | median | target |", "|:--|--:|--:|"]
    for name, seconds in extra["startup"].items():  # type: ignore[attr-defined]
        lines.append(f"| `{name}` | {seconds:.2f} s | < 0.30 s |")
    lines += [
        "",
        f"Peak memory of the cold scan: {cold.peak_mb:.0f} MB (target < 600 MB).  ",
        "Single-process and parallel reports identical: "
        + ("yes" if extra["identical"] else "**NO**"),
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, help="tree to scan (default: installed packages)")
    parser.add_argument("--runs", type=int, default=3, help="runs per command (median kept)")
    parser.add_argument("--write", type=Path, help="also write the Markdown result to this file")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="readycheck-bench-") as scratch_name:
        scratch = Path(scratch_name)
        source = args.corpus or build_corpus(scratch / "corpus")
        # Work on a copy: touching a file must not change the user's tree.
        corpus = shutil.copytree(source, scratch / "tree", ignore=shutil.ignore_patterns(".git"))
        files = sum(1 for _ in corpus.rglob("*.py"))
        print(f"corpus: {files} Python files", file=sys.stderr)
        cache = scratch / "cache"
        victim = next(iter(sorted(corpus.rglob("*.py"))))

        def empty_cache() -> None:
            shutil.rmtree(cache, ignore_errors=True)

        def touch() -> None:
            with victim.open("a", encoding="utf-8") as handle:
                handle.write(f"\n# touched {time.time_ns()}\n")

        # Each pair of commands a ratio compares runs back to back, so that a machine
        # getting slower or faster during the run does not tilt a ratio.
        results = {
            "cold": measure("cold", readycheck(corpus, cache), args.runs, empty_cache),
        }
        results["bandit"] = measure(
            "bandit", [PYTHON, "-m", "bandit", "-r", str(corpus), "-q", "-f", "json"], args.runs
        )
        results["single"] = measure(
            "one process",
            [PYTHON, "-m", "readycheck", "scan", str(corpus), "-q", "--no-cache", "-j", "1"],
            args.runs,
        )
        results["floor"] = measure(
            "floor", [PYTHON, str(Path(__file__).with_name("floor.py")), str(corpus)], args.runs
        )
        results["radon cc"] = measure(
            "radon cc", [PYTHON, "-m", "radon", "cc", str(corpus)], args.runs
        )
        results["radon mi"] = measure(
            "radon mi", [PYTHON, "-m", "radon", "mi", str(corpus)], args.runs
        )
        run_once(readycheck(corpus, cache))
        results["warm"] = measure("warm", readycheck(corpus, cache), args.runs)
        results["touched"] = measure("touched", readycheck(corpus, cache), args.runs, touch)
        extra = {"startup": startup(20), "identical": same_reports(corpus, scratch)}
        label = args.corpus or "installed packages' source"
        text = report(Path(str(label)), files, results, extra)
    print(text)
    if args.write:
        args.write.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
