"""The code base stays typed and linted: mypy (strict) and ruff run as part of the tests."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT


@pytest.mark.parametrize(
    "command",
    [
        pytest.param([sys.executable, "-m", "ruff", "check", "."], id="ruff-check"),
        pytest.param(
            [sys.executable, "-m", "ruff", "format", "--check", "readycheck", "tests"],
            id="ruff-format",
        ),
        pytest.param([sys.executable, "-m", "mypy"], id="mypy"),
    ],
)
def test_static_checks_pass(command: list[str]) -> None:
    result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
