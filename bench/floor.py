"""The practical floor of a single-pass scanner, in one process: what any tool that
reads a tree once must pay, and nothing more.

    python bench/floor.py TREE

Reads every Python file, parses it (`ast.parse`), walks the tree once, tokenizes it,
and loads every YAML file. readycheck's cost is judged against this: issue 15 asks a
single-process scan to stay within 3 x of it. Prints the seconds taken and the files
read.
"""

from __future__ import annotations

import ast
import io
import sys
import time
import tokenize
import warnings
from pathlib import Path

import yaml


def floor(tree: Path) -> tuple[float, int]:
    """Seconds to read, parse, walk and tokenize every .py file and load every YAML one."""
    start = time.perf_counter()
    files = 0
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for path in sorted(tree.rglob("*")):
        if not path.is_file() or path.is_symlink():
            continue
        if path.suffix == ".py":
            text = path.read_text(encoding="utf-8", errors="replace")
            files += 1
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    parsed = ast.parse(text)
                for _node in ast.walk(parsed):
                    pass
                for _token in tokenize.generate_tokens(io.StringIO(text).readline):
                    pass
            except (SyntaxError, ValueError, tokenize.TokenError):
                continue
        elif path.suffix in (".yaml", ".yml"):
            files += 1
            try:
                list(yaml.load_all(path.read_text(encoding="utf-8", errors="replace"), loader))
            except yaml.YAMLError:
                continue
    return time.perf_counter() - start, files


if __name__ == "__main__":
    seconds, count = floor(Path(sys.argv[1]))
    print(f"{seconds:.2f} s for {count} files")
