"""How long one pathological file just under the size cap can hold up a scan, per kind of file.

    python bench/pathological.py                    # every case, one run each
    python bench/pathological.py --runs 3 --write bench/RESULTS.md
    python bench/pathological.py --only yaml-multi --only python-generated

A scanned repository comes from a pull request: whatever it commits, no single
file under the size cap (`max_file_size`, 5 MiB by default) may cost more than
10 s or 500 MB (SECURITY.md). Each case writes one generated file of a kind
readycheck parses (Python, notebooks, JSON, YAML, Dockerfiles, requirements,
shell, Markdown, TOML, workflows, minified and binary text) into an otherwise
empty folder and runs `readycheck scan --no-cache` on it as a separate process,
measuring wall time and the peak resident memory of the process tree (the same
sampling as bench/bench.py). The scan of an empty folder is measured too: the
file's own share is the difference, the figure judged against the target is the
whole scan (the stricter one).
"""

from __future__ import annotations

import argparse
import json
import random
import string
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import PYTHON, Measure, machine, measure, versions

TARGET_BYTES = 5 * 1024 * 1024 - 64 * 1024  # just under the default cap, 5 MiB
LIMIT_SECONDS = 10.0
LIMIT_MB = 500.0
MARKERS = ("<!-- pathological:start -->", "<!-- pathological:end -->")


def _fill(unit: Callable[[int], str], header: str = "", footer: str = "") -> str:
    """Repeat `unit(i)` until the text reaches the target size."""
    parts = [header]
    size = len(header) + len(footer)
    index = 0
    while size < TARGET_BYTES:
        chunk = unit(index)
        parts.append(chunk)
        size += len(chunk)
        index += 1
    parts.append(footer)
    return "".join(parts)


def _python_function(i: int) -> str:
    return (
        f"def handler_{i}(request, threshold={i % 7}):\n"
        f'    """Generated handler {i}."""\n'
        f"    value = request.get('field_{i}', None)\n"
        f"    if value is None or value < threshold:\n"
        f"        raise ValueError('field_{i} missing')\n"
        f"    for item in range({i % 5 + 1}):\n"
        f"        value = transform_{i % 13}(value, item) if item else value\n"
        f"    return {{'id': {i}, 'score': value * 0.{i % 9 + 1}, 'ok': True}}\n\n\n"
    )


def python_generated() -> tuple[str, str]:
    """A generated module of small functions, like protobuf or client stubs."""
    return "src/generated_handlers.py", _fill(_python_function, "import os\nimport json\n\n")


def python_table() -> tuple[str, str]:
    """One huge literal on very long lines: embedded lookup tables."""
    row = lambda i: f"    ({i}, {i * 0.5!r}, 'label_{i % 97}', [{i % 3}, {i % 5}, {i % 11}]),\n"  # noqa: E731
    return "src/lookup_table.py", _fill(row, "TABLE = [\n", "]\n")


def python_one_line() -> tuple[str, str]:
    """A minified module: one statement on a single 5 MB line."""
    return "src/minified.py", _fill(lambda i: f"{i},", "DATA = [", "]\n")


def python_deep() -> tuple[str, str]:
    """Deeply nested expressions repeated: the parser's recursion, not its size."""
    depth = 180
    unit = lambda i: f"v{i} = " + "(" * depth + "1" + ")" * depth + "\n"  # noqa: E731
    return "src/deep.py", _fill(unit)


def _cell(source: str, outputs: list[object] | None = None) -> dict[str, object]:
    return {
        "cell_type": "code",
        "execution_count": 1,
        "metadata": {},
        "outputs": outputs or [],
        "source": source,
    }


def _notebook(cells: list[dict[str, object]]) -> str:
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def notebook_code() -> tuple[str, str]:
    """A notebook whose code cells hold megabytes of code."""
    cells: list[dict[str, object]] = []
    size = 0
    index = 0
    while size < TARGET_BYTES * 0.9:
        source = "".join(_python_function(index * 20 + k) for k in range(20))
        cells.append(_cell(source))
        size += len(source) + 80
        index += 1
    return "notebooks/exploration.ipynb", _notebook(cells)


def notebook_outputs() -> tuple[str, str]:
    """A small notebook carrying megabytes of rendered images, the common real case."""
    rng = random.Random(7)
    png = "".join(rng.choice(string.ascii_letters + string.digits + "+/") for _ in range(400_000))
    cells = [
        _cell(
            f"plt.plot(history[{i}])\nplt.show()\n",
            [{"output_type": "display_data", "data": {"image/png": png}, "metadata": {}}],
        )
        for i in range(int(TARGET_BYTES / 400_000))
    ]
    return "notebooks/training_curves.ipynb", _notebook(cells)


def json_data() -> tuple[str, str]:
    """A committed data file: records with nested fields."""
    record = lambda i: json.dumps(  # noqa: E731
        {"id": i, "text": f"sample text {i}", "label": i % 3, "meta": {"split": "train", "w": i}}
    )
    return "data/records.json", _fill(lambda i: record(i) + ",\n", "[\n", '{"id": -1}\n]\n')


def yaml_multi() -> tuple[str, str]:
    """Thousands of Kubernetes documents in one rendered manifest file."""
    doc = lambda i: (  # noqa: E731
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
        f"  name: model-{i}\n  labels: {{app: model-{i}}}\nspec:\n  replicas: 2\n"
        f"  template:\n    spec:\n      containers:\n        - name: server\n"
        f"          image: registry.example.com/model:{i}\n"
        "          resources: {limits: {cpu: '1', memory: 1Gi}}\n"
        "          readinessProbe: {httpGet: {path: /health, port: 8080}}\n"
    )
    return "deploy/rendered.yaml", _fill(doc)


def yaml_anchors() -> tuple[str, str]:
    """One YAML document built of anchors and aliases (bounded text, large graph)."""
    unit = lambda i: f"k{i}: &a{i} {{x: {i}, y: [1, 2, 3]}}\nr{i}: *a{i}\n"  # noqa: E731
    return "config/params.yaml", _fill(unit)


def dockerfile() -> tuple[str, str]:
    """A Dockerfile of tens of thousands of instructions."""
    unit = lambda i: f"RUN pip install package-{i}==1.{i % 10}.0 && echo step {i}\n"  # noqa: E731
    return "Dockerfile", _fill(unit, "FROM python:3.11-slim\n", 'CMD ["python", "serve.py"]\n')


def requirements() -> tuple[str, str]:
    """A requirements file with a hundred thousand lines."""
    return "requirements.txt", _fill(lambda i: f"package-{i}>={i % 9}.0,<{i % 9 + 1}.0\n")


def shell_script() -> tuple[str, str]:
    """A long shell script, the kind CI steps are followed into."""
    unit = lambda i: f"python -m train --seed {i} --out runs/{i} || exit 1\n"  # noqa: E731
    return "scripts/train_all.sh", _fill(unit, "#!/bin/sh\nset -eu\n")


def markdown() -> tuple[str, str]:
    """A huge README: prose, tables and code fences."""
    unit = lambda i: (  # noqa: E731
        f"## Section {i}\n\nThe model is evaluated on split {i % 5}.\n\n"
        f"| metric | value |\n|---|---|\n| acc | 0.{i % 100:02d} |\n\n```bash\nmake eval-{i}\n```\n\n"
    )
    return "README.md", _fill(unit, "# Model\n\n")


def toml_file() -> tuple[str, str]:
    """A pyproject.toml with an enormous dependency list."""
    unit = lambda i: f'  "package-{i}>=1.{i % 10}",\n'  # noqa: E731
    header = '[project]\nname = "big"\nversion = "1.0"\ndependencies = [\n'
    return "pyproject.toml", _fill(unit, header, "]\n")


def workflow() -> tuple[str, str]:
    """A CI workflow with thousands of steps."""
    unit = lambda i: f"      - name: step {i}\n        run: pytest tests/test_{i}.py\n"  # noqa: E731
    header = "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
    return ".github/workflows/ci.yml", _fill(unit, header)


def minified_text() -> tuple[str, str]:
    """A single-line minified bundle: text patterns over one 5 MB line."""
    return "app/static/bundle.min.js", _fill(lambda i: f"var a{i}=function(b){{return b+{i}}};")


def binary() -> tuple[str, str]:
    """Random bytes under a source-looking name (written as latin-1 text)."""
    rng = random.Random(11)
    return "src/weights.py", "".join(chr(rng.randrange(256)) for _ in range(TARGET_BYTES))


CASES: dict[str, Callable[[], tuple[str, str]]] = {
    "python-generated": python_generated,
    "python-table": python_table,
    "python-one-line": python_one_line,
    "python-deep": python_deep,
    "notebook-code": notebook_code,
    "notebook-outputs": notebook_outputs,
    "json-data": json_data,
    "yaml-multi": yaml_multi,
    "yaml-anchors": yaml_anchors,
    "dockerfile": dockerfile,
    "requirements": requirements,
    "shell": shell_script,
    "markdown": markdown,
    "toml": toml_file,
    "workflow": workflow,
    "minified-js": minified_text,
    "binary": binary,
}


def scan_command(folder: Path) -> list[str]:
    """One cold single-process scan of `folder`, nothing cached, report discarded."""
    return [PYTHON, "-m", "readycheck", "scan", str(folder), "--no-cache", "-f", "json", "-q"]


def run_case(name: str, runs: int, scratch: Path) -> tuple[Measure, int]:
    """Write the case's one file into a fresh folder and scan it `runs` times."""
    relative, text = CASES[name]()
    folder = scratch / name
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("latin-1" if name == "binary" else "utf-8"))
    return measure(name, scan_command(folder), runs), path.stat().st_size


def table(empty: Measure, rows: Sequence[tuple[Measure, int]]) -> str:
    """The Markdown result: every case against the 10 s / 500 MB target."""
    lines = [
        f"Machine: {machine()}. {versions()}. Median of {empty.runs} run(s) per case; "
        f"an empty folder scans in {empty.seconds:.2f} s, {empty.peak_mb:.0f} MB.",
        "",
        "| case | file size | scan | file's share | peak memory | within 10 s / 500 MB |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for result, size in rows:
        ok = result.seconds <= LIMIT_SECONDS and result.peak_mb <= LIMIT_MB
        lines.append(
            f"| {result.name} | {size / 1024 / 1024:.2f} MiB | {result.seconds:.2f} s "
            f"| {max(0.0, result.seconds - empty.seconds):.2f} s | {result.peak_mb:.0f} MB "
            f"| {'yes' if ok else '**no**'} |"
        )
    return "\n".join(lines) + "\n"


def write_section(path: Path, section: str) -> None:
    """Replace the text between the markers in `path` (append them if missing)."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    start, end = MARKERS
    block = f"{start}\n{section}{end}"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + f"\n\n## Pathological files\n\n{block}\n"
    path.write_text(text, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1, help="runs per case (median kept)")
    parser.add_argument("--only", action="append", choices=sorted(CASES), help="run these cases")
    parser.add_argument("--write", type=Path, help="also write the table into this Markdown file")
    args = parser.parse_args(argv)
    names = args.only or list(CASES)
    with tempfile.TemporaryDirectory(prefix="rc-pathological-") as scratch:
        root = Path(scratch)
        (root / "empty").mkdir()
        empty = measure("empty", scan_command(root / "empty"), args.runs)
        rows = [run_case(name, args.runs, root) for name in names]
    section = table(empty, rows)
    print(section)
    if args.write:
        write_section(args.write, section)
    failing = [m.name for m, _ in rows if m.seconds > LIMIT_SECONDS or m.peak_mb > LIMIT_MB]
    if failing:
        print(f"over the per-file target: {', '.join(failing)}", file=sys.stderr)
    return 1 if failing else 0


if __name__ == "__main__":
    raise SystemExit(main())
