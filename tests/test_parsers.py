"""Parsers read what they are given without executing it, and say clearly when they cannot."""

from __future__ import annotations

import json

import pytest

from readycheck import yamlload
from readycheck.parsers import ParseError
from readycheck.parsers.dependencies import from_pyproject, from_setup_py, parse_requirements_text
from readycheck.parsers.dockerfile import image_tag, parse_dockerfile
from readycheck.parsers.notebook import parse_notebook
from readycheck.parsers.python import PythonCode, parse_module


def _notebook(*cells: dict[str, object]) -> str:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": list(cells)})


def _code(source: str, count: int | None = None) -> dict[str, object]:
    return {
        "cell_type": "code",
        "source": source,
        "execution_count": count,
        "outputs": [],
        "metadata": {},
    }


def test_names_resolve_through_imports() -> None:
    source = "import numpy as np\nfrom pickle import load as unpickle\nnp.random.seed(0)\nunpickle(f)\nx.y()\n"
    code = PythonCode(parse_module(source), source)
    assert [c.name for c in code.calls] == ["numpy.random.seed", "pickle.load", "x.y"]


def test_calls_on_expressions_keep_a_matchable_receiver() -> None:
    source = "import pandas as pd\npd.read_csv('a').dropna()\n"
    code = PythonCode(parse_module(source), source)
    assert "(...).dropna" in [c.name for c in code.calls]


def test_docstrings_are_not_string_literals() -> None:
    source = '"""Reads /home/alice/data."""\ndef f():\n    """/Users/bob"""\n    return "/tmp/x"\n'
    code = PythonCode(parse_module(source), source)
    assert [s.value for s in code.strings] == ["/tmp/x"]


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("print 'hello'\n", "Python 2"),
        ("x = (\n", "syntax error"),
        ("a = 1\x00\n", "null bytes"),
        ("x = " + "(" * 300 + ")" * 300 + "\n", "nested"),
    ],
)
def test_unparseable_python_raises_a_parse_error(source: str, reason: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_module(source)
    assert reason in str(caught.value)


def test_notebook_magics_become_pass_and_lines_map_back_to_cells() -> None:
    text = _notebook(
        _code("!pip install shap\nimport pandas as pd", 1),
        {"cell_type": "markdown", "source": ["# Title"], "metadata": {}},
        _code(
            [
                "%matplotlib inline\n",
                "df = pd.read_csv('/Users/a/x.csv')\n",
                "files = !ls\n",
                "df?",
            ],
            2,
        ),
    )
    notebook = parse_notebook(text)
    assert notebook.code is not None
    call = next(c for c in notebook.code.calls if c.name == "pandas.read_csv")
    assert notebook.locate(call.line) == (3, 2)
    assert [(s.cell, s.line, s.command) for s in notebook.shell_lines] == [
        (1, 1, "pip install shap"),
        (3, 3, "ls"),
    ]


def test_a_bad_cell_is_left_out_and_the_rest_is_analysed() -> None:
    notebook = parse_notebook(
        _notebook(_code("def broken(:\n"), _code("import torch\ntorch.load('m.pt')"))
    )
    assert notebook.code is not None
    assert [c.name for c in notebook.code.calls] == ["torch.load"]
    assert notebook.problems == (
        "cell 1 is not valid Python (syntax error: invalid syntax (line 1))",
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"cells": [', "invalid notebook JSON"),
        ("[1, 2]", "not a notebook"),
        ('{"nbformat": 3, "worksheets": []}', "nbformat 3"),
    ],
)
def test_invalid_notebooks_raise_a_parse_error(text: str, reason: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_notebook(text)
    assert reason in str(caught.value)


def test_cells_that_are_not_text_are_reported() -> None:
    text = json.dumps(
        {"nbformat": 4, "metadata": {}, "cells": [{"cell_type": "code", "source": 42}, 7]}
    )
    assert parse_notebook(text).problems == (
        "cell 1 has a source that is not text",
        "cell 2 is not a JSON object",
    )


def test_dockerfile_stages_continuations_and_heredocs() -> None:
    dockerfile = parse_dockerfile(
        "# escape=`\nFROM python:3.11-slim AS build\nRUN pip install `\n    # a comment\n    numpy\n"
        "RUN <<EOF\necho hi\nEOF\nFROM build\nUSER 10001\n"
    )
    assert [(i.keyword, i.line, i.stage) for i in dockerfile.instructions] == [
        ("FROM", 2, 0),
        ("RUN", 3, 0),
        ("RUN", 6, 0),
        ("FROM", 9, 1),
        ("USER", 10, 1),
    ]
    assert dockerfile.instructions[1].arguments == "pip install numpy"
    assert [s.name for s in dockerfile.stages] == ["build", None]


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("python:3.11-slim", ("python", "3.11-slim", None)),
        ("localhost:5000/team/img", ("localhost:5000/team/img", None, None)),
        ("ghcr.io/a/b:1.2@sha256:abc", ("ghcr.io/a/b", "1.2", "sha256:abc")),
    ],
)
def test_image_references(reference: str, expected: tuple[str, str | None, str | None]) -> None:
    assert image_tag(reference) == expected


def test_requirements_pins() -> None:
    deps = parse_requirements_text(
        "# comment\nnumpy==1.26.4\npandas>=2.0\nscikit_learn == 1.5.*\n-r base.txt\n"
        "torch==2.3.0 \\\n    --hash=sha256:abc\nrequests[socks]==2.32.3 ; python_version > '3.8'\n"
    )
    assert [(d.name, d.pinned, d.line) for d in deps] == [
        ("numpy", True, 2),
        ("pandas", False, 3),
        ("scikit-learn", False, 4),
        ("torch", True, 6),
        ("requests", True, 8),
    ]


def test_pyproject_and_setup_py_dependencies() -> None:
    text = '[project]\ndependencies = ["fastapi==0.111.0", "pydantic>=2"]\n[tool.poetry.dependencies]\nshap = "0.45.0"\n'
    import tomllib

    deps = from_pyproject(tomllib.loads(text), text)
    assert [(d.name, d.pinned) for d in deps] == [
        ("fastapi", True),
        ("pydantic", False),
        ("shap", True),
    ]
    tree = parse_module(
        "from setuptools import setup\nsetup(install_requires=['mlflow>=2', 'numpy==1.26'])\n"
    )
    assert [(d.name, d.pinned) for d in from_setup_py(tree)] == [("mlflow", False), ("numpy", True)]


def test_yaml_keeps_lines_and_never_builds_objects() -> None:
    loaded = yamlload.load_all(
        "a: 1\nb:\n  - !Ref Bucket\n  - !!python/object/apply:os.system ['echo hi']\n"
    )
    document = loaded.documents[0]
    assert document == {"a": 1, "b": ["Bucket", ["echo hi"]]}
    assert document.line_of("b") == 2
    assert document["b"].line_of(1) == 4


def test_yaml_alias_bombs_are_refused() -> None:
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    previous = "a"
    for name in "bcdefghi":
        bomb += f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]\n"
        previous = name
    with pytest.raises(yamlload.YamlBudgetError):
        yamlload.load_all(bomb)


def test_notebook_lines_map_to_lines_of_the_ipynb_file() -> None:
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Churn\n", "model"]},
        _code(["import os\n", "KEY = 'x'\n", "print(KEY)"], 1),
    ]
    text = json.dumps(
        {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}, indent=1
    )
    notebook = parse_notebook(text)
    raw_lines = text.splitlines()
    line = notebook.file_line(2, 2)
    assert line is not None
    assert "KEY = 'x'" in raw_lines[line - 1]
