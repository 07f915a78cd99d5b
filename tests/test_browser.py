"""The HTML scorecard in a real browser: headless Chromium opens the page from a file.

Chromium is driven over the DevTools protocol on `--remote-debugging-pipe`
(fd 3 carries commands in, fd 4 responses and events out, each message JSON
ended by a NUL byte), with nothing but the standard library. The test records
every network request the page makes, every console error and uncaught
exception, checks what is visible above the fold, on a phone and in print, and
saves screenshots (screen and print) under the test's temporary folder.

Screenshots of a fixed report (tests/data/scorecard_references/) are compared with
checked-in references at a laptop's and a phone's width and in print, so a layout
regression fails. A reference is no image: it is the mean grey of each 8 x 8 pixel
block (the PNG decoded with zlib alone), which font smoothing barely moves while a
moved or missing block of the page changes many cells. Regenerate the references with
READYCHECK_UPDATE_SCREENSHOTS=1 after a deliberate change of the layout.

Without Chromium the tests are skipped on a developer's machine, but fail when
the environment variable CI is set: in CI the browser check must run.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import functools
import itertools
import json
import math
import os
import re
import select
import shutil
import struct
import subprocess
import time
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from readycheck import score
from readycheck.model import (
    AnyOf,
    Applicability,
    Basis,
    Caps,
    Confidence,
    Evidence,
    Finding,
    KindVerdict,
    Level,
    Location,
    MLTestItem,
    MLTestScore,
    Pillar,
    PillarScore,
    Reference,
    Report,
    Rule,
    RuleResult,
    RuleType,
    ScanWarning,
    Severity,
    Status,
    Suppression,
    TargetInfo,
)
from readycheck.pipeline import ScanOptions, scan
from readycheck.renderers import html as html_renderer
from readycheck.renderers import json_report
from readycheck.rulebook import Rulebook
from tests.conftest import SAMPLES, write_tree

pytestmark = pytest.mark.browser

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--mute-audio",
    "--remote-debugging-pipe",
)
LAPTOP = (1366, 900)
PHONE = (390, 844)
#: The printable area of the pages readers print on, in CSS pixels (96 per inch), inside
#: the stylesheet's 12 mm margins: A4's is the narrower, Letter's the shorter.
A4 = (8.27, 11.69)  # inches
LETTER = (8.5, 11.0)
PRINTED_WIDTH = 703  # A4: 186 mm
PRINTED_HEIGHT = 965  # Letter: 255.4 mm
TIMEOUT = 60.0

HOSTILE_PATH = "a<script>window.pwned=1;alert(1)</script>.py"
SERVICE = {
    "README.md": "# Loan scoring service\n",
    "app/main.py": (
        "from fastapi import FastAPI\nimport pickle\n\napp = FastAPI()\n"
        "model = pickle.load(open('model.pkl', 'rb'))\n\n"
        "@app.post('/predict')\ndef predict(payload: dict) -> dict:\n"
        "    return {'y': model.predict([payload])}\n"
    ),
    # A directory and a file whose joined path reads as a script element.
    HOSTILE_PATH: ("import pickle\nx = pickle.loads(payload)  # <script>window.pwned=2</script>\n"),
    "notebooks/explore.ipynb": json.dumps(
        {
            "cells": [
                {
                    "cell_type": "code",
                    "execution_count": 1,
                    "metadata": {},
                    "outputs": [],
                    "source": ['AWS_ACCESS_KEY_ID = "AKIAQYLPMN5HFIGVT3XQ"\n'],
                }
            ],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    ),
    "Dockerfile": "FROM python:3.11\nCOPY . /app\nCMD uvicorn app.main:app\n",
    "requirements.txt": "fastapi\nscikit-learn\n",
}


def chromium_path() -> str | None:
    override = os.environ.get("READYCHECK_CHROMIUM")
    if override:
        return override
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


def require_chromium() -> str:
    """The browser to drive; skip without one, but fail in CI, where it must run."""
    found = chromium_path()
    if found is None:
        message = (
            "headless Chromium is not installed (apt-get install chromium, "
            "or set READYCHECK_CHROMIUM to a Chrome/Chromium binary)"
        )
        if os.environ.get("CI"):
            pytest.fail(f"CI is set, so the browser test must run: {message}")
        pytest.skip(message)
    return found


@pytest.fixture(scope="module")
def chromium() -> str:
    return require_chromium()


class DevToolsError(RuntimeError):
    pass


class Browser:
    """One headless Chromium process, spoken to over the DevTools pipe."""

    def __init__(self, executable: str, profile: Path) -> None:
        # Our ends of the pipes live above fd 4, so wiring the child's 3 and 4 cannot clobber them.
        commands_read, commands_write = (_high_fd(fd) for fd in os.pipe())
        events_read, events_write = (_high_fd(fd) for fd in os.pipe())

        def wire() -> None:  # runs in the child, before exec: dup2 leaves 3 and 4 inheritable
            os.dup2(commands_read, 3)
            os.dup2(events_write, 4)

        self.log = profile.parent / "chromium.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [executable, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                close_fds=False,  # every other fd Python opened is close-on-exec already
                preexec_fn=wire,
                start_new_session=True,
            )
        os.close(commands_read)
        os.close(events_write)
        self._out = commands_write
        self._in = events_read
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def close(self) -> None:
        with contextlib.suppress(DevToolsError, OSError):  # it may be gone already
            self.call("Browser.close", timeout=10)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, 9)
            self.process.wait(timeout=10)
        for fd in (self._out, self._in):
            os.close(fd)

    def call(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        session: str | None = None,
        timeout: float = TIMEOUT,
    ) -> dict[str, Any]:
        self._next_id += 1
        ident = self._next_id
        message: dict[str, Any] = {"id": ident, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._out, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read(deadline, f"reply to {method}")
            if reply.get("id") == ident:
                if "error" in reply:
                    raise DevToolsError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            self.events.append(reply)

    def wait_for(self, method: str, session: str, timeout: float = TIMEOUT) -> dict[str, Any]:
        seen = next(
            (e for e in self.events if e.get("method") == method and e.get("sessionId") == session),
            None,
        )
        deadline = time.monotonic() + timeout
        while seen is None:
            event = self._read(deadline, method)
            self.events.append(event)
            if event.get("method") == method and event.get("sessionId") == session:
                seen = event
        return seen

    def _read(self, deadline: float, waiting_for: str) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._in], [], [], max(left, 0))
            if not ready:
                raise DevToolsError(f"timed out waiting for {waiting_for}; see {self.log}")
            chunk = os.read(self._in, 1 << 20)
            if not chunk:
                raise DevToolsError(
                    f"Chromium exited while waiting for {waiting_for}; see {self.log}"
                )
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        parsed: dict[str, Any] = json.loads(message)
        if parsed.get("method") == "Page.javascriptDialogOpening":
            # A dialog blocks the page until answered; dismiss it so the test can report it.
            self._next_id += 1
            dismiss = {
                "id": self._next_id,
                "method": "Page.handleJavaScriptDialog",
                "params": {"accept": False},
                "sessionId": parsed.get("sessionId"),
            }
            os.write(self._out, json.dumps(dismiss).encode() + b"\0")
        return parsed


def _high_fd(fd: int) -> int:
    import fcntl

    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


@dataclass
class Visit:
    """What happened while a page was open."""

    url: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)


class Tab:
    """A page in its own target, with the domains that report requests and errors enabled."""

    def __init__(
        self,
        browser: Browser,
        width: int,
        height: int,
        scripts: bool = True,
        mobile: bool = False,
    ) -> None:
        self.browser = browser
        target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session: str = browser.call(
            "Target.attachToTarget", {"targetId": target, "flatten": True}
        )["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
        )
        self.scripts = scripts
        if not scripts:
            self.call("Emulation.setScriptExecutionDisabled", {"value": True})

    def call(self, method: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return self.browser.call(method, params, self.session)

    def open(self, page: Path) -> Visit:
        url = page.resolve().as_uri()
        start = len(self.browser.events)
        self.call("Page.navigate", {"url": url})
        self.browser.wait_for("Page.loadEventFired", self.session)
        if self.scripts:  # let the page's script and layout settle (animation frames need scripts)
            self.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        visit = Visit(url)
        for event in self.browser.events[start:]:
            if event.get("sessionId") != self.session:
                continue
            method, params = event.get("method"), event.get("params", {})
            if method == "Network.requestWillBeSent":
                visit.requests.append(params["request"]["url"])
            elif method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                visit.errors.append(
                    details.get("exception", {}).get("description") or details["text"]
                )
            elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
                visit.errors.append(" ".join(str(a.get("value", a)) for a in params["args"]))
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                visit.errors.append(params["entry"]["text"])
            elif method == "Page.javascriptDialogOpening":
                visit.dialogs.append(params["message"])
        return visit

    def evaluate(self, expression: str) -> Any:
        reply = self.call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in reply:
            raise DevToolsError(f"page script failed: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def screenshot(self, path: Path, full_page: bool = False) -> Path:
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            size = self.call("Page.getLayoutMetrics")["cssContentSize"]
            params["captureBeyondViewport"] = True
            params["clip"] = {
                "x": 0,
                "y": 0,
                "width": size["width"],
                "height": size["height"],
                "scale": 1,
            }
        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot", params)["data"]))
        return path

    def print_pdf(self, path: Path, paper: tuple[float, float] = A4) -> Printed:
        reply = self.call(
            "Page.printToPDF",
            {
                "preferCSSPageSize": True,
                "printBackground": True,
                "paperWidth": paper[0],
                "paperHeight": paper[1],
            },
        )
        pdf = base64.b64decode(reply["data"])
        path.write_bytes(pdf)
        return Printed.read(pdf)

    def capture(self, width: int, height: int) -> bytes:
        """A PNG of the top `width` x `height` CSS pixels of the page, beyond the viewport
        if need be."""
        clip = {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}
        params = {"format": "png", "captureBeyondViewport": True, "clip": clip}
        return base64.b64decode(self.call("Page.captureScreenshot", params)["data"])

    def add_style(self, css: str) -> None:
        """Add a stylesheet to the open page (its policy allows inline styles) and let the
        layout settle."""
        self.evaluate(
            "(() => { const s = document.createElement('style'); "
            f"s.textContent = {json.dumps(css)}; document.head.append(s); }})()"
        )
        self.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


@dataclass(frozen=True)
class Printed:
    """What a PDF Chromium printed says about its pages, read from its objects: the pages
    in order, the internal links on each, and the page and height each anchor landed on.
    Chromium writes page dictionaries, link annotations and named destinations (one per
    `id` the page links to) uncompressed, so no text needs extracting."""

    pages: list[int]  # page object numbers, in reading order
    height: float  # of a page, in points
    links: list[set[str]]  # per page: the anchors its links point to
    anchors: dict[str, tuple[int, float]]  # anchor: (page index, height on the page)

    @classmethod
    def read(cls, pdf: bytes) -> Printed:
        objects = {
            int(number): body
            for number, body in re.findall(
                rb"(\d+) 0 obj\s*(<<.*?)(?:\bstream\b|\bendobj\b)", pdf, re.S
            )
        }
        catalog = next(body for body in objects.values() if b"/Type /Catalog" in body)
        pages = _page_tree(objects, _ref(catalog, b"Pages"))
        assert len(re.findall(rb"/Type /Page\b", pdf)) == len(pages)  # not /Pages: \b
        index = {number: i for i, number in enumerate(pages)}
        links = [
            {
                name.decode()
                for annot in re.findall(rb"(\d+) 0 R", _array(objects[page], b"Annots"))
                for name in re.findall(rb"/Dest /([^\s/>\]]+)", objects[int(annot)])
            }
            for page in pages
        ]
        dests = objects[_ref(catalog, b"Dests")] if b"/Dests" in catalog else b""
        anchors = {
            name.decode(): (index[int(page)], float(top))
            for name, page, top in re.findall(
                rb"/([^\s/\[]+) \[(\d+) 0 R /XYZ [\d.]+ ([\d.]+)", dests
            )
        }
        box = re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", objects[pages[0]])
        assert box is not None
        return cls(pages, float(box.group(2)), links, anchors)


def _ref(body: bytes, key: bytes) -> int:
    found = re.search(rb"/" + key + rb" (\d+) 0 R", body)
    assert found is not None, key
    return int(found.group(1))


def _array(body: bytes, key: bytes) -> bytes:
    found = re.search(rb"/" + key + rb" \[([^\]]*)\]", body)
    return found.group(1) if found else b""


def _page_tree(objects: Mapping[int, bytes], node: int) -> list[int]:
    body = objects[node]
    if re.search(rb"/Type /Page\b(?!s)", body):
        return [node]
    kids = re.findall(rb"(\d+) 0 R", _array(body, b"Kids"))
    return [page for kid in kids for page in _page_tree(objects, int(kid))]


# --- the fixed report the screenshots are taken of ------------------------------------------

REFERENCES = Path(__file__).resolve().parent / "data" / "scorecard_references"
FIXTURE = REFERENCES / "fraud-detector.report.json"


def fixture_report() -> Report:
    """The stored JSON report of the fraud-detector sample, its commit, dates, paths and
    version pinned, read back into a Report: a page that changes with the layout, never
    with the clock, the machine or the rulebook."""
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    summary, kind = data["summary"], data["kind"]
    capped = {c["rule_id"]: c["cap"] for p in data["pillars"] for c in p["capped_by"]}
    return Report(
        tool_version=data["tool"]["version"],
        rulebook_version=data["rulebook"]["version"],
        target=TargetInfo(**data["target"]),
        scanned_at=data["scanned_at"],
        score=summary["score"],
        level=Level(**summary["level"]),
        level_capped_by=Pillar(summary["level_capped_by"]) if summary["level_capped_by"] else None,
        pillars=tuple(_pillar_score(p) for p in data["pillars"]),
        results=tuple(_rule_result(r, capped.get(r["rule_id"])) for r in data["results"]),
        warnings=tuple(ScanWarning(**w) for w in data["warnings"]),
        ml_test_score=_ml_test_score(data["ml_test_score"]),
        kind=KindVerdict(
            kind["id"], kind["title"], kind["declared"], kind["reason"], _evidence(kind["evidence"])
        )
        if kind
        else None,
        level_capped_by_rules=tuple(summary["level_capped_by_rules"]),
    )


def _location(data: dict[str, Any] | None) -> Location | None:
    return None if data is None else Location(**data)


def _evidence(data: dict[str, Any] | None) -> Evidence | None:
    return (
        None
        if data is None
        else Evidence(_location(data["location"]), data["detail"], data["snippet"])
    )


def _finding(rule_id: str, data: dict[str, Any]) -> Finding:
    kept = data["suppression"]
    suppression = (
        None
        if kept is None
        else Suppression(kept["reason"], kept["source"], _location(kept["location"]), kept["until"])
    )
    return Finding(
        rule_id,
        data["message"],
        _location(data["location"]),
        data["snippet"],
        data["fingerprint"],
        suppression,
        data["in_baseline"],
        data["in_change"],
    )


def _rule_result(data: dict[str, Any], cap: float | None) -> RuleResult:
    rule = Rule(
        id=data["rule_id"],
        title=data["title"],
        pillar=Pillar(data["pillar"]),
        severity=Severity(data["severity"]),
        weight=data["weight"],
        confidence=Confidence(data["confidence"]),
        applies_when=Applicability(),
        check=AnyOf(()),
        problem=data["problem"],
        why=data["why"],
        fix=data["fix"],
        references=tuple(Reference(**r) for r in data["references"]),
        tags=(),
        source="fixture",
        type=RuleType(data["type"]),
        caps=None if cap is None else Caps(pillar=cap),
    )
    hazard = data["hazard"] or {}
    return RuleResult(
        rule,
        Status(data["status"]),
        findings=tuple(_finding(rule.id, f) for f in data["findings"]),
        evidence=tuple(filter(None, map(_evidence, data["evidence"]))),
        reason=data["reason"],
        gain=data["gain"],
        applies_because=tuple(filter(None, map(_evidence, data["applies_because"]))),
        basis=Basis(data["basis"]),
        affected=hazard.get("affected_files", 0),
        examined=hazard.get("examined_files", 0),
        blocked_by=data["blocked_by"],
    )


def _pillar_score(data: dict[str, Any]) -> PillarScore:
    return PillarScore(
        Pillar(data["id"]),
        data["score"],
        data["earned"],
        data["possible"],
        {Status(k): v for k, v in data["counts"].items()},
        data["penalty"],
        tuple((c["rule_id"], c["cap"]) for c in data["capped_by"]),
    )


def _ml_test_score(data: dict[str, Any] | None) -> MLTestScore | None:
    if data is None:
        return None
    sections = tuple(
        (
            section["name"],
            section["points"],
            tuple(
                MLTestItem(t["id"], t["title"], t["points"], tuple(t["rules"]), t["note"])
                for t in section["tests"]
            ),
        )
        for section in data["sections"]
    )
    return MLTestScore(sections, data["score"], data["band"])


# --- screenshots as coarse grids of grey ---------------------------------------------------

BLOCK = 8  # pixels a side: a grid cell is the mean grey of one BLOCK x BLOCK square
#: A cell "differs" when its grey moves by more than this (of 255): a glyph drawn a
#: little differently moves a cell by a few levels, text or a chart appearing or going by
#: dozens.
CELL_THRESHOLD = 32
#: A page matches its reference while its cells differ by at most MEAN_TOLERANCE grey
#: levels on average, at most CHANGED_TOLERANCE of them differ, and its height is within
#: HEIGHT_TOLERANCE of the reference's (and 4 blocks). Re-rendering gives identical cells
#: here; the room is for antialiasing and hinting that vary between Chromium builds,
#: which move a cell by a few levels. Hiding the radar changes 4 % of the laptop's cells,
#: and labels shrunk to 8 px on a phone 0.5 %, so the share allowed is a fifth of a percent
#: (about 35 blocks of 8 x 8 px on a laptop screen).
MEAN_TOLERANCE = 1.0
CHANGED_TOLERANCE = 0.002
HEIGHT_TOLERANCE = 0.02
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Grid:
    """A screenshot reduced to the mean grey (0-255) of each BLOCK x BLOCK square, and the
    height of the whole page in blocks: small enough to check in, coarse enough that fonts
    rendered a little differently barely move it."""

    cells: list[list[int]]
    page_height: int  # the whole document's height, in blocks
    #: What the pixels depend on besides the page: the browser's major version and how
    #: wide the page's font sets a test string (which fonts the machine has).
    environment: str = ""

    def to_json(self, view: str) -> str:
        rows = ["".join(f"{value:02x}" for value in row) for row in self.cells]
        data = {
            "view": view,
            "block": BLOCK,
            "environment": self.environment,
            "page_height": self.page_height,
            "cells": rows,
        }
        return json.dumps(data, indent=0) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Grid:
        data = json.loads(text)
        assert data["block"] == BLOCK
        cells = [list(bytes.fromhex(row)) for row in data["cells"]]
        return cls(cells, data["page_height"], data.get("environment", ""))


def png_grey_rows(png: bytes) -> tuple[int, list[bytes]]:
    """The width, and the rows of RGB(A) bytes, of an 8-bit non-interlaced RGB or RGBA
    PNG (what Chromium writes), decoded with zlib and the five PNG row filters reversed."""
    if not png.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG")
    position, header, data = len(PNG_SIGNATURE), b"", []
    while position < len(png):
        length, kind = struct.unpack(">I4s", png[position : position + 8])
        body = png[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            data.append(body)
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    if depth != 8 or colour not in (2, 6) or interlace:
        raise ValueError(
            f"unsupported PNG: depth {depth}, colour type {colour}, interlace {interlace}"
        )
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(data))
    stride = width * channels
    rows, above = [], bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        above = _unfilter(raw[start], raw[start + 1 : start + 1 + stride], above, channels)
        rows.append(above)
    return width, rows


def _unfilter(kind: int, line: bytes, above: bytes, step: int) -> bytes:
    """One PNG row with its filter reversed (None, Sub, Up, Average, Paeth)."""
    if kind == 0:
        return line
    if kind == 2:
        return _add_bytes(line, above)
    out = bytearray(line)
    if kind == 1:  # Sub: a running sum per channel
        for channel in range(step):
            out[channel::step] = bytes(
                map((255).__and__, itertools.accumulate(line[channel::step]))
            )
    elif kind == 3:  # Average of left and above
        for i in range(len(out)):
            left = out[i - step] if i >= step else 0
            out[i] = (out[i] + ((left + above[i]) >> 1)) & 255
    elif (
        kind == 4
    ):  # Paeth: whichever of left, above, upper left is nearest left + above - upper left
        for i in range(len(out)):
            b = above[i]
            if i >= step:
                a, c = out[i - step], above[i - step]
            else:
                a = c = 0
            pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
            out[i] = (out[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    else:
        raise ValueError(f"unknown PNG filter {kind}")
    return bytes(out)


@functools.lru_cache(maxsize=8)
def _masks(size: int) -> tuple[int, int]:
    return int.from_bytes(b"\x7f" * size, "big"), int.from_bytes(b"\x80" * size, "big")


def _add_bytes(left: bytes, right: bytes) -> bytes:
    """Byte-wise (left + right) mod 256, done on two big integers: the low seven bits of
    each byte are added without carrying into the next byte, and the top bit by xor."""
    low, high = _masks(len(left))
    x, y = int.from_bytes(left, "big"), int.from_bytes(right, "big")
    return (((x & low) + (y & low)) ^ ((x ^ y) & high)).to_bytes(len(left), "big")


def grid_of(png: bytes, page_height: float) -> Grid:
    """The PNG's grid: each block's mean red, green and blue, mixed to grey (Rec. 601
    luma, which is linear, so the mean of the greys is the grey of the means)."""
    width, rows = png_grey_rows(png)
    channels = len(rows[0]) // width if rows else 3
    columns = math.ceil(width / BLOCK)
    cells = []
    for top in range(0, len(rows), BLOCK):
        band = rows[top : top + BLOCK]
        row = []
        for column in range(columns):
            start, end = column * BLOCK * channels, min(width, (column + 1) * BLOCK) * channels
            sums = [sum(sum(line[start + c : end : channels]) for line in band) for c in range(3)]
            count = len(band) * (end - start) // channels
            row.append(round((299 * sums[0] + 587 * sums[1] + 114 * sums[2]) / (1000 * count)))
        cells.append(row)
    return Grid(cells, math.ceil(page_height / BLOCK))


@dataclass(frozen=True)
class Difference:
    """How far a grid is from its reference: the mean difference of their cells (grey
    levels), the share of cells that differ, where, and the page heights (blocks)."""

    mean: float
    changed: float
    box: tuple[int, int, int, int] | None  # left, top, right, bottom of the changed cells, px
    heights: tuple[int, int]

    @property
    def height_ok(self) -> bool:
        actual, expected = self.heights
        return abs(actual - expected) <= max(4, HEIGHT_TOLERANCE * expected)

    @property
    def matches(self) -> bool:
        return self.mean <= MEAN_TOLERANCE and self.changed <= CHANGED_TOLERANCE and self.height_ok

    def __str__(self) -> str:
        return (
            f"mean difference {self.mean:.2f} grey levels (at most {MEAN_TOLERANCE}), "
            f"{self.changed:.2%} of cells changed (at most {CHANGED_TOLERANCE:.1%}) in the box "
            f"{self.box} px, page height {self.heights[0]} blocks for {self.heights[1]}"
        )


def compare(actual: Grid, reference: Grid) -> Difference:
    """The difference of two grids; a cell one has and the other has not counts as changed
    by the full 255."""
    rows = max(len(actual.cells), len(reference.cells))
    columns = max(len(r) for r in actual.cells + reference.cells)
    total = changed = 0
    left, top, right, bottom = columns, rows, -1, -1
    for y in range(rows):
        for x in range(columns):
            a, b = _cell(actual, x, y), _cell(reference, x, y)
            delta = 255 if a is None or b is None else abs(a - b)
            total += delta
            if delta > CELL_THRESHOLD:
                changed += 1
                left, top, right, bottom = min(left, x), min(top, y), max(right, x), max(bottom, y)
    count = rows * columns
    box = (
        None
        if right < 0
        else (left * BLOCK, top * BLOCK, (right + 1) * BLOCK, (bottom + 1) * BLOCK)
    )
    return Difference(
        total / count, changed / count, box, (actual.page_height, reference.page_height)
    )


def _cell(grid: Grid, x: int, y: int) -> int | None:
    return grid.cells[y][x] if y < len(grid.cells) and x < len(grid.cells[y]) else None


@pytest.fixture()
def browser(chromium: str, tmp_path: Path) -> Iterator[Browser]:
    instance = Browser(chromium, tmp_path / "profile")
    try:
        yield instance
    finally:
        instance.close()


#: What the test reads from the rendered page, after its script ran.
PROBE = """
(() => {
  const box = (el) => {
    if (!el) return null;
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return {top: r.top, left: r.left, bottom: r.bottom, right: r.right, width: r.width,
            height: r.height, shown: s.display !== 'none' && s.visibility !== 'hidden'
            && r.width > 0 && r.height > 0 && el.closest('[hidden]') === null};
  };
  const scores = (selector) => [...document.querySelectorAll(selector)].map((el) => (
    {pillar: el.dataset.pillar, score: el.dataset.score, text: el.textContent, box: box(el)}));
  return {
    title: document.title,
    pwned: window.pwned || null,
    target: document.getElementById('target-name').textContent,
    overall: {score: document.getElementById('overall-score').dataset.score,
              box: box(document.getElementById('overall-score'))},
    level: {id: document.getElementById('level').dataset.level, box: box(document.getElementById('level'))},
    radar: box(document.getElementById('radar')),
    radarVertices: document.querySelector('#radar polygon.shape').getAttribute('points').split(' ').length,
    radarScores: scores('#radar [data-pillar]'),
    chipScores: scores('.pillar-strip [data-pillar]'),
    actions: [...document.querySelectorAll('#top-actions li[data-rule]')].map((li) => (
      {rule: li.dataset.rule, gain: li.dataset.gain, box: box(li)})),
    groups: [...document.querySelectorAll('#top-actions .action-group')].map((li) => (
      {pillar: li.dataset.pillar, score: li.dataset.score, box: box(li.querySelector('.reach'))})),
    filters: box(document.getElementById('filters')),
    sections: [...document.querySelectorAll('section.pillar')].map((s) => (
      {pillar: s.dataset.pillar, shown: box(s).shown})),
    findingCards: document.querySelectorAll('article.rule').length,
    shownCards: [...document.querySelectorAll('article.rule')].filter((a) => box(a).shown).length,
    scripts: document.scripts.length,
    text: document.body.textContent,
    viewport: {width: innerWidth, height: innerHeight},
  };
})()
"""


@pytest.fixture()
def hostile_report(tmp_path: Path, rulebook: Rulebook) -> Report:
    root = write_tree(tmp_path / "loan-scoring <img src=x onerror=alert(1)>", SERVICE)
    return scan(ScanOptions(path=root), rulebook)


def _write_page(report: Report, folder: Path) -> Path:
    page = folder / "scorecard.html"
    page.write_text(html_renderer.render(report), encoding="utf-8")
    return page


def _assert_offline_and_clean(visit: Visit) -> None:
    foreign = [u for u in visit.requests if u != visit.url and not u.startswith("data:")]
    assert foreign == [], f"the page made network requests: {foreign}"
    assert visit.errors == [], f"console errors: {visit.errors}"
    assert visit.dialogs == [], f"a script from the scanned repository ran: {visit.dialogs}"


def test_scorecard_in_headless_chromium(
    browser: Browser, hostile_report: Report, tmp_path: Path
) -> None:
    page = _write_page(hostile_report, tmp_path)
    tab = Tab(browser, *LAPTOP)
    visit = tab.open(page)
    state = tab.evaluate(PROBE)
    shot = tab.screenshot(tmp_path / "scorecard.png")
    tab.screenshot(tmp_path / "scorecard-full.png", full_page=True)

    _assert_offline_and_clean(visit)
    assert visit.url in visit.requests  # the recorder works: it saw the page itself load
    assert shot.read_bytes().startswith(b"\x89PNG")

    # The hostile folder and file names are shown as text and never ran.
    assert any(HOSTILE_PATH in str(f.location) for f in hostile_report.findings)
    assert HOSTILE_PATH in state["text"]
    assert state["scripts"] == 1  # the page's own, and no other
    assert state["pwned"] is None
    assert state["title"].endswith("readiness scorecard")
    assert state["target"] == hostile_report.target.name

    # Above the fold on a laptop: the overall score, level, radar, the pillar scores and the
    # top actions under the pillar each would lift.
    height = state["viewport"]["height"]
    for name in ("overall", "level"):
        assert state[name]["box"]["shown"] and state[name]["box"]["bottom"] <= height, name
    assert state["radar"]["shown"] and state["radar"]["bottom"] <= height
    assert state["radar"]["width"] > 300
    assert state["radarVertices"] == 6
    assert len(state["radarScores"]) == 6
    for item in state["radarScores"] + state["chipScores"]:
        assert item["box"]["shown"] and item["box"]["bottom"] <= height, item
    assert 3 <= len(state["actions"]) <= 5
    assert all(a["box"]["shown"] and a["box"]["bottom"] <= height for a in state["actions"])
    assert state["groups"]
    assert all(g["box"]["shown"] and g["box"]["bottom"] <= height for g in state["groups"])

    # The numbers on the page are the JSON report's numbers.
    data = json_report.to_dict(hostile_report)
    assert float(state["overall"]["score"]) == data["summary"]["score"]
    assert state["level"]["id"] == data["summary"]["level"]["id"]
    by_pillar = {p["id"]: p["score"] for p in data["pillars"]}
    assert [s["pillar"] for s in state["radarScores"]] == list(by_pillar)
    for item in state["radarScores"] + state["chipScores"] + state["groups"]:
        expected = by_pillar[item["pillar"]]
        assert (float(item["score"]) if item["score"] else None) == expected, item
    gains = {r["rule_id"]: r["gain"] for r in data["results"]}
    assert all(float(a["gain"]) == gains[a["rule"]] for a in state["actions"])

    # The script revealed the filters, and every section is shown by default.
    assert state["filters"]["shown"]
    assert all(s["shown"] for s in state["sections"])
    assert state["shownCards"] == state["findingCards"] > 0


def test_filters_hide_by_pillar_and_severity(
    browser: Browser, hostile_report: Report, tmp_path: Path
) -> None:
    tab = Tab(browser, *LAPTOP)
    visit = tab.open(_write_page(hostile_report, tmp_path))
    choose = """
    (() => {
      const select = document.getElementById('filter-pillar');
      select.value = 'security';
      select.dispatchEvent(new Event('change', {bubbles: true}));
      for (const box of document.querySelectorAll('input[name=severity]')) {
        box.checked = box.value === 'critical';
      }
      document.getElementById('filters').dispatchEvent(new Event('change'));
      const shown = (el) => el.closest('[hidden]') === null;
      return {
        sections: [...document.querySelectorAll('section.pillar')].filter(shown)
          .map((s) => s.dataset.pillar),
        cards: [...document.querySelectorAll('article.rule')].filter(shown)
          .map((a) => a.dataset.severity),
        count: document.getElementById('filter-count').textContent,
      };
    })()
    """
    state = tab.evaluate(choose)
    tab.screenshot(tmp_path / "filtered.png", full_page=True)
    _assert_offline_and_clean(visit)
    assert state["sections"] == ["security"]
    assert state["cards"] and set(state["cards"]) == {"critical"}
    assert state["count"].startswith(f"{len(state['cards'])} of ")


def test_reads_fully_without_javascript_and_prints(
    browser: Browser, hostile_report: Report, tmp_path: Path
) -> None:
    page = _write_page(hostile_report, tmp_path)
    tab = Tab(browser, *LAPTOP, scripts=False)
    visit = tab.open(page)
    state = tab.evaluate(PROBE)  # the protocol's own evaluation still runs
    _assert_offline_and_clean(visit)
    assert state["filters"]["shown"] is False  # controls that cannot work stay out of the way
    assert all(s["shown"] for s in state["sections"])
    assert state["shownCards"] == state["findingCards"] > 0
    assert state["radar"]["shown"]

    tab.call("Emulation.setEmulatedMedia", {"media": "print"})
    tab.call(
        "Emulation.setDeviceMetricsOverride",
        {"width": 794, "height": 1123, "deviceScaleFactor": 1, "mobile": False},
    )  # A4 at 96 dpi
    printed = tab.evaluate(PROBE)
    tab.screenshot(tmp_path / "print.png", full_page=True)
    pdf = tab.print_pdf(tmp_path / "scorecard.pdf")
    assert printed["filters"]["shown"] is False
    assert printed["radar"]["shown"] and printed["radar"]["right"] <= 794
    assert (tmp_path / "scorecard.pdf").read_bytes().startswith(b"%PDF") and pdf.pages


def test_sample_projects_render_cleanly(
    browser: Browser, rulebook: Rulebook, tmp_path: Path
) -> None:
    roots = sorted(p for p in SAMPLES.iterdir() if p.is_dir()) if SAMPLES.is_dir() else []
    if not roots:
        pytest.skip("no sample projects in this checkout")
    for root in roots:
        report = scan(ScanOptions(path=root), rulebook)
        folder = tmp_path / root.name
        folder.mkdir()
        tab = Tab(browser, *LAPTOP)
        visit = tab.open(_write_page(report, folder))
        tab.screenshot(folder / "scorecard.png")
        _assert_offline_and_clean(visit)
        shown = tab.evaluate(PROBE)
        assert shown["radar"]["shown"] and len(shown["radarScores"]) == 6


#: The radar's labels as a phone shows them: the size each renders at (its font size
#: times the chart's scale), and whether it stays inside the chart; and what overflows.
PHONE_PROBE = """
(() => {
  const svg = document.getElementById('radar'), chart = svg.getBoundingClientRect();
  const labels = [...svg.querySelectorAll('.axis-name, .axis-score')].map((t) => {
    const r = t.getBoundingClientRect();
    return {text: t.textContent, cls: t.getAttribute('class'), height: r.height,
            px: t.getScreenCTM().a * parseFloat(getComputedStyle(t).fontSize),
            inside: r.left >= chart.left - 0.5 && r.right <= chart.right + 0.5
                    && r.top >= chart.top - 0.5 && r.bottom <= chart.bottom + 0.5};
  });
  const wide = [...document.querySelectorAll('body *')]
    .filter((e) => e.getBoundingClientRect().right > innerWidth + 0.5)
    .slice(0, 5).map((e) => e.tagName + '.' + e.className);
  return {labels, spokes: svg.querySelectorAll('.spoke').length, width: innerWidth,
          scrollWidth: document.documentElement.scrollWidth, overflowing: wide};
})()
"""


def test_on_a_phone_the_radar_reads_and_nothing_scrolls_sideways(
    browser: Browser, samples: dict[str, Report], hostile_report: Report, tmp_path: Path
) -> None:
    """At 390 px the radar's names and scores render at 12 px or more, inside the chart,
    for every sample and a report of hostile names, and the page never scrolls sideways."""
    for name, report in [*samples.items(), ("hostile", hostile_report)]:
        folder = tmp_path / name
        folder.mkdir()
        tab = Tab(browser, *PHONE, mobile=True)
        visit = tab.open(_write_page(report, folder))
        state = tab.evaluate(PHONE_PROBE)
        tab.screenshot(folder / "phone.png", full_page=True)
        _assert_offline_and_clean(visit)
        assert state["width"] == PHONE[0]
        assert state["scrollWidth"] <= state["width"], (name, state["overflowing"])
        assert state["spokes"] == 6
        assert len(state["labels"]) >= 12  # a name (one or two lines) and a score per axis
        for label in state["labels"]:
            assert label["px"] >= 12 and label["height"] >= 12, (name, label)
            assert label["inside"], (name, label)


#: Where the summary ends in print, and how each pillar section breaks before it.
PRINT_PROBE = """
(() => {
  const bottom = (selector) => document.querySelector(selector).getBoundingClientRect().bottom;
  return {
    summary: Object.fromEntries(['.masthead', '#overall-score', '#level', '#radar',
      '#top-actions', '.actions', '.pillar-strip'].map((s) => [s, bottom(s)])),
    breaks: [...document.querySelectorAll('section.pillar')].map(
      (s) => getComputedStyle(s).breakBefore),
  };
})()
"""


def test_printed_page_one_is_the_summary_and_each_pillar_starts_a_page(
    browser: Browser, tmp_path: Path
) -> None:
    report = fixture_report()
    tab = Tab(browser, PRINTED_WIDTH, PRINTED_HEIGHT)
    tab.open(_write_page(report, tmp_path))
    tab.call("Emulation.setEmulatedMedia", {"media": "print"})
    laid_out = tab.evaluate(PRINT_PROBE)
    # Laid out as on A4's narrower column, the summary ends within Letter's shorter page.
    for selector, bottom in laid_out["summary"].items():
        assert bottom <= PRINTED_HEIGHT, (selector, bottom)
    assert laid_out["breaks"] == ["page"] * len(Pillar)

    top_actions = {f"rule-{r.rule.id}" for r in score.top_actions(report.results)}
    strip = {f"pillar-{p.value}" for p in Pillar}
    for paper in (A4, LETTER):
        printed = tab.print_pdf(tmp_path / f"scorecard-{paper[0]}x{paper[1]}.pdf", paper)
        # Page 1 links to every top action and every pillar: the actions and the strip
        # are on it; the pillars follow, each from the top of a page of its own.
        assert top_actions | strip <= printed.links[0], paper
        starts = [printed.anchors[f"pillar-{p.value}"] for p in Pillar]
        pages = [index for index, _ in starts]
        assert pages[0] == 1 and pages == sorted(set(pages)), (paper, starts)
        assert all(top >= printed.height - 1 for _, top in starts), (paper, starts)


def test_printed_samples_stay_within_their_page_budget(
    browser: Browser, samples: dict[str, Report], tmp_path: Path
) -> None:
    """On A4 and on Letter, each sample prints in at most: the summary page, a page per
    pillar, a page per four cards of what to fix, and three for the rest (the ML Test
    Score or checklist table, scan notes, evidence running over a page). Before the print
    layout set details compactly and broke pages per pillar, the samples took 17 to 32
    pages, 7 to 10 over that budget; now 8 to 20."""
    over = {}
    for name, report in samples.items():
        markup = html_renderer.render(report)
        cards = markup.count('<article class="card rule')
        budget = 1 + len(Pillar) + math.ceil(cards / 4) + 3
        page = tmp_path / f"{name}.html"
        page.write_text(markup, encoding="utf-8")
        tab = Tab(browser, *LAPTOP)
        tab.open(page)
        for paper in (A4, LETTER):
            pages = len(tab.print_pdf(tmp_path / f"{name}-{paper[0]}.pdf", paper).pages)
            if pages > budget:
                over[f"{name} on {paper[0]} x {paper[1]} in"] = f"{pages} pages for {budget}"
    assert over == {}


# --- screenshots compared with their references ---------------------------------------------


@dataclass(frozen=True)
class View:
    """A way the scorecard is read: the viewport, the media, and how much of the page to
    capture (from its top)."""

    width: int
    height: int
    capture: int
    media: str = "screen"


VIEWS = {
    "laptop": View(*LAPTOP, capture=LAPTOP[1]),
    "phone": View(*PHONE, capture=2600),  # the summary, the pillar strip and the filters
    "print": View(PRINTED_WIDTH, PRINTED_HEIGHT, capture=PRINTED_HEIGHT, media="print"),
}


def _grid_of_view(
    browser: Browser, page: Path, view: str, folder: Path, css: str | None = None
) -> Grid:
    """The fixed page's grid as `view` shows it, `css` added; the screenshot is kept in
    `folder` to look at when the comparison fails."""
    shape = VIEWS[view]
    tab = Tab(browser, shape.width, shape.height, mobile=view == "phone")
    tab.call("Emulation.setEmulatedMedia", {"media": shape.media})
    visit = tab.open(page)
    _assert_offline_and_clean(visit)
    if css:
        tab.add_style(css)
    png = tab.capture(shape.width, shape.capture)
    (folder / f"{view}.png").write_bytes(png)
    grid = grid_of(png, tab.evaluate("document.documentElement.scrollHeight"))
    return dataclasses.replace(grid, environment=tab.evaluate(_ENVIRONMENT))


#: The browser's major version and the width the page's own font gives a test string.
_ENVIRONMENT = """(() => {
  const context = document.createElement("canvas").getContext("2d");
  context.font = getComputedStyle(document.body).font;
  const width = context.measureText("Readiness 0123456789 WMQ wmq").width.toFixed(2);
  const version = (navigator.userAgent.match(/Chrome\\/(\\d+)/) || ["", "?"])[1];
  return `chromium ${version}, test string ${width} px`;
})()"""


def _reference(view: str) -> Path:
    return REFERENCES / f"{view}.grid.json"


@pytest.mark.parametrize("view", list(VIEWS))
def test_scorecard_looks_like_its_reference(browser: Browser, tmp_path: Path, view: str) -> None:
    grid = _grid_of_view(browser, _write_page(fixture_report(), tmp_path), view, tmp_path)
    reference = _reference(view)
    if os.environ.get("READYCHECK_UPDATE_SCREENSHOTS") == "1":
        reference.write_text(grid.to_json(view), encoding="utf-8")
        return
    assert reference.is_file(), f"no {reference}: run with READYCHECK_UPDATE_SCREENSHOTS=1"
    (tmp_path / f"{view}.grid.json").write_text(grid.to_json(view), encoding="utf-8")
    expected = Grid.from_json(reference.read_text(encoding="utf-8"))
    if expected.environment != grid.environment:
        pytest.skip(
            f"the references were rendered by {expected.environment!r}, this machine renders "
            f"{grid.environment!r}: pixels are comparable only between the same browser and "
            "fonts (rerun with READYCHECK_UPDATE_SCREENSHOTS=1 here to compare on this machine)"
        )
    difference = compare(grid, expected)
    assert difference.matches, (
        f"the {view} view differs from its reference: {difference}. The screenshot is "
        f"{tmp_path / (view + '.png')}; if the change is deliberate, rerun with "
        "READYCHECK_UPDATE_SCREENSHOTS=1 and check in the new reference."
    )


LAYOUT_CHANGES = {
    "radar hidden": ("laptop", "#radar { visibility: hidden; }"),
    "top actions below the fold": (
        "laptop",
        ".hero { display: block; } .hero > * { margin-top: 16px; }",
    ),
    "radar labels at 8 px on a phone": (
        "phone",
        ".radar .axis-name, .radar .axis-score { font-size: 12px; }",
    ),
    "summary spread over two printed pages": ("print", ".hero { grid-template-columns: 1fr; }"),
    "a page 600 px longer": ("laptop", "footer { padding-bottom: 600px; }"),
}


@pytest.mark.parametrize("change", list(LAYOUT_CHANGES))
def test_a_layout_change_fails_the_comparison(
    browser: Browser, tmp_path: Path, change: str
) -> None:
    """The tolerances let a re-render pass, but not these regressions."""
    view, css = LAYOUT_CHANGES[change]
    reference = _reference(view)
    if not reference.is_file():
        pytest.skip(f"no {reference.name} yet")
    page = _write_page(fixture_report(), tmp_path)
    difference = compare(
        _grid_of_view(browser, page, view, tmp_path, css),
        Grid.from_json(reference.read_text(encoding="utf-8")),
    )
    assert not difference.matches, f"{change} went unnoticed: {difference}"


def test_the_fixture_report_reproduces_its_scores() -> None:
    """The stored report, read back, scores as it did when it was scanned: the rule weights,
    verdicts and hazard densities the top actions are recomputed from survived."""
    report = fixture_report()
    scores = [(p.pillar, p.score, p.penalty, p.caps) for p in report.pillars]
    assert [
        (p.pillar, p.score, p.penalty, p.caps) for p in score.pillar_scores(report.results)
    ] == scores
    assert score.overall_score(report.pillars) == report.score
    assert [r.gain for r in score.with_gains(list(report.results))] == [
        r.gain for r in report.results
    ]
    assert "/tmp" not in FIXTURE.read_text(encoding="utf-8")  # no machine paths


def _png(rows: Sequence[bytes], channels: int, filters: Sequence[int]) -> bytes:
    """An 8-bit PNG of `rows` (RGB or RGBA bytes), each row written with its filter from
    `filters` in turn, following the PNG specification's definitions."""
    step, width = channels, len(rows[0]) // channels
    encoded, above = b"", bytes(len(rows[0]))
    for y, row in enumerate(rows):
        kind = filters[y % len(filters)]
        out = bytearray()
        for i, value in enumerate(row):
            a = row[i - step] if i >= step else 0
            b = above[i]
            c = above[i - step] if i >= step else 0
            p = a + b - c
            nearest = min((abs(p - a), 0, a), (abs(p - b), 1, b), (abs(p - c), 2, c))[2]
            predicted = (0, a, b, (a + b) // 2, nearest)[kind]
            out.append((value - predicted) % 256)
        encoded += bytes([kind]) + bytes(out)
        above = row

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, len(rows), 8, 2 if channels == 3 else 6, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(encoded))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("channels", [3, 4])
def test_png_decoding_reverses_every_row_filter(channels: int) -> None:
    """The grids are only as good as the decoder: every filter, RGB and RGBA, round-trips,
    and a half black, half white picture becomes a grid of 0 and 255."""
    width, height = 19, 11
    rows = [
        bytes(
            (x * 37 + y * 11 + c * 101 + (x * y) % 7) % 256
            for x in range(width)
            for c in range(channels)
        )
        for y in range(height)
    ]
    decoded_width, decoded = png_grey_rows(_png(rows, channels, [0, 1, 2, 3, 4]))
    assert decoded_width == width and decoded == rows

    pixel = (b"\x00" * 3, b"\xff" * 3)
    alpha = b"\xff" if channels == 4 else b""
    halves = [b"".join(pixel[x >= 8] + alpha for x in range(16)) for _ in range(16)]
    grid = grid_of(_png(halves, channels, [4, 1, 3, 2, 0]), page_height=16)
    assert grid.cells == [[0, 255], [0, 255]] and grid.page_height == 2


def test_missing_chromium_skips_locally_but_fails_in_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("READYCHECK_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no browser on it
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        require_chromium()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        require_chromium()
