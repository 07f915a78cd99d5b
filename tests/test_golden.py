"""Every report format is pinned by a golden file rendered from one shared report.

A change to any renderer then shows in review as a diff of a file in tests/golden/,
which says what a user will see differently, instead of passing unnoticed because no
assertion happened to look at that line. After an intended change, rewrite them with

    READYCHECK_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py

and review the diff like code. A normal run never writes a file.

Each format is rendered the way the command line renders it: the terminal report
through `terminal.print_report` (what `readycheck scan` calls for standard output),
the others through `renderers.renderer(name)`. Which terminal the report is printed
on is the only input besides the report, so it is set here, not inherited: the
variables rich reads (COLUMNS, TERM, FORCE_COLOR, ...) are cleared, then COLUMNS is
set for the fixed widths, which is how a width reaches rich when standard output is
not a terminal (`COLUMNS=80 readycheck scan . > out.txt`). Colours are not pinned:
with no terminal, rich writes none, and the goldens stay readable as text. Unset,
COLUMNS leaves the piped layout, the one `readycheck scan . | less` gets.

SARIF and GitHub annotations look on disk for the top of the git repository holding
the scanned folder, so every format is rendered from inside a checkout written to a
temporary folder (tests/golden_report.py says why the path is relative).
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import io
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from readycheck.model import Report
from readycheck.renderers import renderer, terminal
from tests.conftest import write_tree
from tests.golden_report import CHECKOUT_FILES, golden_report

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE_VARIABLE = "READYCHECK_UPDATE_GOLDEN"
REGENERATE = f"{UPDATE_VARIABLE}=1 python -m pytest tests/test_golden.py"
#: Diff lines shown in a failure: enough to see what moved, short enough to read.
DIFF_LINES = 80
#: Environment variables that change what rich prints, or how wide: none may leak in
#: from the shell that runs the tests.
TERMINAL_VARIABLES = (
    "COLUMNS",
    "LINES",
    "TERM",
    "COLORTERM",
    "FORCE_COLOR",
    "NO_COLOR",
    "TTY_COMPATIBLE",
    "TTY_INTERACTIVE",
    "JUPYTER_COLUMNS",
    "JUPYTER_LINES",
)


def _terminal(*, columns: int | None, verbose: bool = False) -> Callable[[Report], str]:
    """The terminal report as `readycheck scan` prints it to standard output: `columns`
    wide, or piped (None)."""

    def render(report: Report) -> str:
        buffer = io.StringIO()
        with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(buffer):
            if columns is None:
                patch.delenv("COLUMNS", raising=False)
            else:
                patch.setenv("COLUMNS", str(columns))
            terminal.print_report(report, verbose=verbose)
        return buffer.getvalue()

    return render


def _text(name: str) -> Callable[[Report], str]:
    """A text format as `--format NAME` and `-o FILE` render it."""
    return lambda report: renderer(name)(report)


#: Golden file name -> how that output is rendered.
OUTPUTS: dict[str, Callable[[Report], str]] = {
    "terminal-60.txt": _terminal(columns=60),
    "terminal-80.txt": _terminal(columns=80),
    "terminal-120.txt": _terminal(columns=120),
    "terminal-piped.txt": _terminal(columns=None),
    # Passes, clear risks and n/a reasons show only with --show-passed or --verbose, the
    # ML Test Score items and every finding only with --verbose: one golden shows them.
    "terminal-verbose-80.txt": _terminal(columns=80, verbose=True),
    "report.md": _text("markdown"),
    "report.sarif": _text("sarif"),
    "report.junit.xml": _text("junit"),
    "report.json": _text("json"),
    "github-annotations.txt": _text("github"),
    "gl-code-quality-report.json": _text("gitlab"),
}


@pytest.fixture()
def checkout(tmp_path: Path) -> Iterator[Path]:
    """Render from the top of a git checkout holding the scanned folder, with no terminal
    settings from the caller's environment."""
    root = write_tree(tmp_path / "checkout", CHECKOUT_FILES)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        for variable in TERMINAL_VARIABLES:
            patch.delenv(variable, raising=False)
        yield root


def golden_mismatch(name: str, rendered: str) -> str | None:
    """Why `rendered` is not the golden file `name` (a unified diff and how to regenerate),
    or None when they are the same bytes."""
    path = GOLDEN / name
    if not path.exists():
        return f"tests/golden/{name} is missing. Create it with:\n    {REGENERATE}"
    expected = path.read_bytes()
    actual = rendered.encode("utf-8")
    if expected == actual:
        return None
    old = expected.decode("utf-8", errors="replace").splitlines(keepends=True)
    new = rendered.splitlines(keepends=True)
    diff = list(
        difflib.unified_diff(
            old, new, fromfile=f"tests/golden/{name}", tofile=f"{name} (rendered now)", n=2
        )
    )
    shown = "".join(line if line.endswith("\n") else line + "\n" for line in diff[:DIFF_LINES])
    if len(diff) > DIFF_LINES:
        shown += f"... {len(diff) - DIFF_LINES} more diff lines\n"
    if [line.rstrip() for line in old] == [line.rstrip() for line in new]:
        shown += "(the lines differ only in trailing blanks or line endings)\n"
    return (
        f"The {name} output no longer matches tests/golden/{name}:\n{shown}\n"
        f"If the change is intended, rewrite the goldens and review their diff:\n"
        f"    {REGENERATE}"
    )


def _updating() -> bool:
    return os.environ.get(UPDATE_VARIABLE) == "1"


@pytest.mark.parametrize("name", OUTPUTS)
def test_output_matches_its_golden_file(name: str, checkout: Path) -> None:
    rendered = OUTPUTS[name](golden_report())
    problem = golden_mismatch(name, rendered)
    if problem is None:
        return
    if not _updating():
        pytest.fail(problem, pytrace=False)
    GOLDEN.mkdir(exist_ok=True)
    (GOLDEN / name).write_bytes(rendered.encode("utf-8"))
    pytest.skip(f"rewrote tests/golden/{name} ({UPDATE_VARIABLE}=1): review it with git diff")


def test_rendering_twice_gives_the_same_bytes(checkout: Path) -> None:
    """A golden can only pin what is stable within one process too (no clock, no ids)."""
    for name, render in OUTPUTS.items():
        assert render(golden_report()) == render(golden_report()), name


#: The outputs the project promises a golden file for (the issue that asked for them).
PROMISED = (
    "terminal-60.txt",
    "terminal-80.txt",
    "terminal-120.txt",
    "terminal-piped.txt",
    "report.md",
    "report.sarif",
    "report.junit.xml",
    "report.json",
    "github-annotations.txt",
    "gl-code-quality-report.json",
)


def test_every_promised_output_has_a_golden_file_and_no_golden_is_orphaned() -> None:
    """Dropping an output from OUTPUTS, or a file from tests/golden/, must fail; so must a
    golden left behind by a renamed output, which nothing would compare any more."""
    if _updating():
        pytest.skip("the goldens are being rewritten; a normal run checks that they exist")
    assert set(PROMISED) <= set(OUTPUTS)
    missing = [name for name in OUTPUTS if not (GOLDEN / name).is_file()]
    assert not missing, f"no golden file for {missing}; create them with: {REGENERATE}"
    empty = [name for name in OUTPUTS if (GOLDEN / name).stat().st_size == 0]
    assert not empty, f"empty golden files: {empty}"
    present = {path.name for path in GOLDEN.iterdir() if not path.name.startswith(".")}
    assert present == set(OUTPUTS), f"golden files no output renders: {present - set(OUTPUTS)}"


def _altered_report() -> Report:
    """The golden report with the open critical finding's message changed: a finding every
    output shows, since it is unsuppressed and at the gate's `--fail-on` severity."""
    report = golden_report()
    secret = next(r for r in report.results if r.rule.id == "DEMO-SEC-001")
    renamed = tuple(
        dataclasses.replace(finding, message="GCP service-account key")
        if finding.suppression is None
        else finding
        for finding in secret.findings
    )
    results = tuple(
        dataclasses.replace(r, findings=renamed) if r is secret else r for r in report.results
    )
    return dataclasses.replace(report, results=results)


@pytest.mark.parametrize("name", OUTPUTS)
def test_a_changed_report_fails_against_the_golden_with_a_diff_and_writes_nothing(
    name: str, checkout: Path
) -> None:
    before = (GOLDEN / name).read_bytes()
    problem = golden_mismatch(name, OUTPUTS[name](_altered_report()))
    assert problem is not None
    added = [line for line in problem.splitlines() if line.startswith("+") and "GCP" in line]
    assert added, problem  # the diff shows the new text (its first word: a line may wrap)
    assert REGENERATE in problem
    assert (GOLDEN / name).read_bytes() == before


def test_a_different_score_changes_every_output_that_shows_the_score(checkout: Path) -> None:
    """The score is the headline of every report but the GitHub annotations, which list
    only the findings that can fail the gate, and GitLab's Code Quality report, a list of
    findings for its merge-request widget."""
    report = dataclasses.replace(golden_report(), score=71.5)
    unchanged = [
        name for name, render in OUTPUTS.items() if golden_mismatch(name, render(report)) is None
    ]
    assert unchanged == ["github-annotations.txt", "gl-code-quality-report.json"]
