"""What every self-contained page readycheck writes shares: its <head>, whose content
security policy lets nothing be fetched and only the page's own script (by its hash)
run, and the way it shows a timestamp. The scorecard, the portfolio and the trend page
differ only in title, stylesheet and script."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib

from readycheck.renderers.markup import Html, el, raw


def head(title: str, tool_version: str, style: str, script: str | None = None) -> Html:
    """The page's <head>; `script` is the page's one inline script, or None for none."""
    if script is None:
        allowed = "'none'"
    else:
        allowed = f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"
    # No fetch of any kind is allowed, and only our own script (by hash) may run.
    policy = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        f"script-src {allowed}; base-uri 'none'; form-action 'none'"
    )
    return el(
        "head",
        el("meta", charset="utf-8"),
        el("meta", http_equiv="Content-Security-Policy", content=policy),
        el("meta", name="viewport", content="width=device-width, initial-scale=1"),
        el("meta", name="referrer", content="no-referrer"),
        el("meta", name="generator", content=f"readycheck {tool_version}"),
        el("link", rel="icon", href="data:,"),
        el("title", title),
        el("style", raw(style)),
    )


def when(value: str | None, with_time: bool = True) -> str | None:
    """An ISO timestamp as `2026-11-25 07:36 UTC` (or just the date); as is if
    unparseable (a report written elsewhere may carry any text)."""
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC" if with_time else "%Y-%m-%d")
