"""Jupyter notebooks read as JSON, never executed.

Code cells are turned into one Python module so that a name imported in cell 1
resolves in cell 7; every line of that module maps back to its cell. IPython
syntax is neutralised line by line (`!pip install x` and `%matplotlib` become
`pass` at the same indentation) and remembered, because shell installs in a
notebook are themselves a finding. A cell that is still not Python is left
out, with a reason, and the other cells are analysed as usual.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from typing import Any

from readycheck.model import Location
from readycheck.parsers import ParseError
from readycheck.parsers.python import MAX_PARSED_PYTHON, PythonCode, parse_module

#: Output text kept per output; notebooks can hold megabytes of printed data.
MAX_OUTPUT_TEXT = 64 * 1024
_CELL_MAGICS_WITH_PYTHON_BODY = {"time", "timeit", "capture", "prun", "debug"}
_SHELL_CELL_MAGICS = {"bash", "sh", "script", "system"}
_ASSIGNED_MAGIC = re.compile(r"^(\s*[A-Za-z_][\w.,\s\[\]]*=\s*)([!%])(.*)$")
_HELP = re.compile(r"^\s*[\w.]+\?\??\s*$|^\s*\?\??[\w.]+\s*$")


@dataclass(frozen=True)
class Output:
    type: str
    text: str
    ename: str = ""
    evalue: str = ""


@dataclass(frozen=True)
class Cell:
    number: int  # 1-based position in the notebook
    type: str
    source: str
    execution_count: int | None = None
    outputs: tuple[Output, ...] = ()


@dataclass(frozen=True)
class ShellLine:
    """A `!command`, `%pip`/`%conda` or `%%bash` line: code that runs outside Python."""

    cell: int
    line: int
    command: str


@dataclass
class Notebook:
    cells: tuple[Cell, ...]
    language: str
    nbformat: int
    code: PythonCode | None
    shell_lines: tuple[ShellLine, ...]
    problems: tuple[str, ...] = ()
    _line_map: list[tuple[int, int]] = field(default_factory=list, repr=False)
    #: cell number -> the .ipynb line of each of its source lines (or of its "source" key)
    _file_lines: dict[int, list[int]] = field(default_factory=dict, repr=False)

    def file_line(self, cell: int, line: int | None) -> int | None:
        """The line in the .ipynb file where line `line` of cell `cell` is written."""
        lines = self._file_lines.get(cell)
        if not lines:
            return None
        if line is None or line < 1:
            return lines[0]
        return lines[min(line, len(lines)) - 1]

    def location(self, path: str, cell: int, line: int | None) -> Location:
        return Location(path, line, cell, file_line=self.file_line(cell, line))

    def locate(self, line: int) -> tuple[int | None, int | None]:
        """Map a line of the combined code back to (cell number, line within the cell)."""
        if 1 <= line <= len(self._line_map):
            return self._line_map[line - 1]
        return None, None

    @property
    def code_cells(self) -> tuple[Cell, ...]:
        return tuple(c for c in self.cells if c.type == "code")


def _text(value: Any, separator: str = "") -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return separator.join(value)
    raise ValueError("not a string or list of strings")


def _outputs(raw: Any) -> tuple[tuple[Output, ...], bool]:
    """The cell's outputs, and whether any text was clipped to MAX_OUTPUT_TEXT."""
    if not isinstance(raw, list):
        return (), False
    outputs = []
    clipped = False
    for item in raw:
        if not isinstance(item, dict):
            continue
        kind = str(item.get("output_type", ""))
        text = ""
        try:
            if kind == "stream":
                text = _text(item.get("text", ""))
            elif kind in {"execute_result", "display_data"}:
                data = item.get("data", {})
                if isinstance(data, dict):
                    text = _text(data.get("text/plain", ""))
            elif kind == "error":
                text = _text(item.get("traceback", []), separator="\n")
        except ValueError:
            text = ""
        clipped = clipped or len(text) > MAX_OUTPUT_TEXT
        outputs.append(
            Output(
                kind,
                text[:MAX_OUTPUT_TEXT],
                str(item.get("ename", ""))[:200],
                str(item.get("evalue", ""))[:1000],
            )
        )
    return tuple(outputs), clipped


def _python_lines(cell: Cell) -> tuple[list[str], list[ShellLine]]:
    """The cell's lines with IPython syntax replaced by Python that parses the same way."""
    lines = cell.source.split("\n")
    shell: list[ShellLine] = []
    first = lines[0].strip() if lines else ""
    if first.startswith("%%"):
        magic = first[2:].split(" ")[0]
        if magic in _SHELL_CELL_MAGICS:
            shell.extend(
                ShellLine(cell.number, i + 1, line.strip())
                for i, line in enumerate(lines[1:], start=1)
                if line.strip()
            )
        if magic not in _CELL_MAGICS_WITH_PYTHON_BODY:
            return [""] * len(lines), shell
        lines = ["", *lines[1:]]
    result = []
    for index, line in enumerate(lines):
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        if stripped.startswith("!") or stripped.startswith(
            ("%pip ", "%conda ", "%sx ", "%system ")
        ):
            shell.append(ShellLine(cell.number, index + 1, stripped.lstrip("!%").strip()))
            result.append(indent + "pass")
        elif stripped.startswith("%"):
            result.append(indent + "pass")
        elif assigned := _ASSIGNED_MAGIC.match(line):
            if assigned.group(2) == "!":
                shell.append(ShellLine(cell.number, index + 1, assigned.group(3).strip()))
            result.append(assigned.group(1) + "None")
        elif _HELP.match(line):
            result.append(indent + "pass")
        else:
            result.append(line)
    return result, shell


def parse_notebook(text: str) -> Notebook:
    """Read a notebook's JSON; raise ParseError when it is not a notebook at all."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise ParseError(f"invalid notebook JSON: {error.msg}", error.lineno) from None
    except RecursionError:
        raise ParseError("notebook JSON is nested too deeply") from None
    except ValueError as error:  # a number longer than int() accepts (4,300 digits)
        raise ParseError(f"invalid notebook JSON: {error}") from None
    if not isinstance(raw, dict):
        raise ParseError("not a notebook: the top level is not a JSON object")
    nbformat = raw.get("nbformat")
    if nbformat != 4 or not isinstance(raw.get("cells"), list):
        if "worksheets" in raw:
            raise ParseError("nbformat 3 notebook: open and save it in Jupyter to upgrade it")
        raise ParseError(f"not an nbformat 4 notebook (nbformat is {nbformat!r})")
    metadata = raw["metadata"] if isinstance(raw.get("metadata"), dict) else {}
    language = _language(metadata)

    cells: list[Cell] = []
    problems: list[str] = []
    for number, item in enumerate(raw["cells"], start=1):
        if not isinstance(item, dict):
            problems.append(f"cell {number} is not a JSON object")
            continue
        try:
            source = _text(item.get("source", ""))
        except ValueError:
            problems.append(f"cell {number} has a source that is not text")
            continue
        count = item.get("execution_count")
        outputs, clipped = _outputs(item.get("outputs"))
        if clipped:
            problems.append(
                f"cell {number} has an output over {MAX_OUTPUT_TEXT:,} characters; "
                "only its start was scanned"
            )
        cells.append(
            Cell(
                number,
                str(item.get("cell_type", "")),
                source,
                count if isinstance(count, int) and not isinstance(count, bool) else None,
                outputs,
            )
        )

    notebook = Notebook(tuple(cells), language, 4, None, (), tuple(problems))
    notebook._file_lines = _source_file_lines(text, cells)
    code_size = sum(len(cell.source) for cell in notebook.code_cells)
    if language == "python" and code_size > MAX_PARSED_PYTHON:
        problems.append(
            f"its code cells hold {code_size // 1024} KiB of Python (more than "
            f"{MAX_PARSED_PYTHON // 1024 // 1024} MiB): read as text only; rules that need "
            "its syntax tree skipped it"
        )
        notebook.problems = tuple(problems)
    elif language == "python":
        _attach_code(notebook, problems)
        notebook.problems = tuple(problems)
    return notebook


_SOURCE_KEY = re.compile(r'"source"\s*:\s*(\[)?')


def _source_file_lines(text: str, cells: list[Cell]) -> dict[int, list[int]]:
    """Where each cell's source lines sit in the raw JSON.

    Jupyter writes `"source": [` with one JSON string per line; we find each
    cell's `"source"` key in order and count from there. A notebook written
    differently (one string, minified) maps every line of a cell to the line of
    its `"source"` key, which is still the right place to look.
    """
    positions = [m for m in _SOURCE_KEY.finditer(text)]
    if len(positions) < len(cells):
        return {}
    mapping: dict[int, list[int]] = {}
    for cell, match in zip(cells, positions, strict=False):
        start = text.count("\n", 0, match.start()) + 1
        count = max(1, cell.source.count("\n") + 1)
        if match.group(1) and text[match.end() : match.end() + 1] in {"\n", "\r"}:
            mapping[cell.number] = [start + i for i in range(1, count + 1)]
        else:
            mapping[cell.number] = [start] * count
    return mapping


def _language(metadata: dict[str, Any]) -> str:
    for key in ("kernelspec", "language_info"):
        section = metadata.get(key)
        if isinstance(section, dict):
            name = section.get("language") or section.get("name")
            if isinstance(name, str) and name:
                return "python" if name.lower().startswith("python") else name.lower()
    return "python"  # Jupyter's default kernel


def _attach_code(notebook: Notebook, problems: list[str]) -> None:
    """Parse each code cell once and stitch the trees into one module."""
    body: list[ast.stmt] = []
    virtual_lines: list[str] = []
    line_map: list[tuple[int, int]] = []
    shell: list[ShellLine] = []
    for cell in notebook.code_cells:
        lines, cell_shell = _python_lines(cell)
        shell.extend(cell_shell)
        try:
            tree = parse_module("\n".join(lines), filename=f"<cell {cell.number}>")
        except ParseError as error:
            problems.append(f"cell {cell.number} is not valid Python ({error})")
            continue
        ast.increment_lineno(tree, len(virtual_lines))
        body.extend(tree.body)
        virtual_lines.extend(lines)
        line_map.extend((cell.number, i) for i in range(1, len(lines) + 1))
    module = ast.Module(body=body, type_ignores=[])
    notebook.code = PythonCode(module, "\n".join(virtual_lines))
    notebook.shell_lines = tuple(shell)
    notebook._line_map = line_map
