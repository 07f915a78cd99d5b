"""The HTML scorecard in a real browser: headless Chromium opens the page from a file.

Chromium is driven over the DevTools protocol on `--remote-debugging-pipe`
(fd 3 carries commands in, fd 4 responses and events out, each message JSON
ended by a NUL byte), with nothing but the standard library. The test records
every network request the page makes, every console error and uncaught
exception, checks what is visible above the fold, and saves screenshots (screen
and print) under the test's temporary folder.

Without Chromium the tests are skipped on a developer's machine, but fail when
the environment variable CI is set: in CI the browser check must run.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from readycheck.model import Report
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
    HOSTILE_PATH: ("import pickle\nx = pickle.loads(b'')  # <script>window.pwned=2</script>\n"),
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

    def __init__(self, browser: Browser, width: int, height: int, scripts: bool = True) -> None:
        self.browser = browser
        target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session: str = browser.call(
            "Target.attachToTarget", {"targetId": target, "flatten": True}
        )["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
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

    def print_pdf(self, path: Path) -> Path:
        reply = self.call("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True})
        path.write_bytes(base64.b64decode(reply["data"]))
        return path


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
    actions: [...document.querySelectorAll('#top-actions li')].map((li) => (
      {rule: li.dataset.rule, gain: li.dataset.gain, box: box(li)})),
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

    # Above the fold on a laptop: the overall score, level, radar and the pillar scores.
    height = state["viewport"]["height"]
    for name in ("overall", "level"):
        assert state[name]["box"]["shown"] and state[name]["box"]["bottom"] <= height, name
    assert state["radar"]["shown"] and state["radar"]["bottom"] <= height
    assert state["radar"]["width"] > 300
    assert state["radarVertices"] == 5
    assert len(state["radarScores"]) == 5
    for item in state["radarScores"] + state["chipScores"]:
        assert item["box"]["shown"] and item["box"]["bottom"] <= height, item
    assert 3 <= len(state["actions"]) <= 5
    assert all(a["box"]["shown"] and a["box"]["bottom"] <= height for a in state["actions"])

    # The numbers on the page are the JSON report's numbers.
    data = json_report.to_dict(hostile_report)
    assert float(state["overall"]["score"]) == data["summary"]["score"]
    assert state["level"]["id"] == data["summary"]["level"]["id"]
    by_pillar = {p["id"]: p["score"] for p in data["pillars"]}
    five = [p for p in by_pillar if p != "hygiene"]
    assert [s["pillar"] for s in state["radarScores"]] == five
    for item in state["radarScores"] + state["chipScores"]:
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
    assert pdf.read_bytes().startswith(b"%PDF")


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
        assert shown["radar"]["shown"] and len(shown["radarScores"]) == 5


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
