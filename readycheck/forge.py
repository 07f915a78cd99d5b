"""Where a repository lives: its remote as a clean web address, and links into it.

The remote comes from the scanned repository's own git config, so it is untrusted
text and may carry credentials (`https://user:token@host/...`). `web_remote` keeps
only scheme, host and path, so no report, portfolio or link ever holds a password.
Links are made only for forges whose URL layout is known; elsewhere there is none
rather than a guessed, broken one.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from readycheck.model import Location

#: Azure DevOps over SSH: `git@ssh.dev.azure.com:v3/org/project/repo`.
_AZURE_SSH = re.compile(
    r"^(?:[\w.-]+@)?ssh\.dev\.azure\.com:v3/(?P<path>[\w.~-]+/[\w.~%-]+/[\w.~-]+)$"
)
#: `git@github.com:owner/repo.git` and `ssh://git@host[:port]/owner/repo.git`.
_SCP_LIKE = re.compile(r"^(?:[\w.-]+@)?(?P<host>[\w.-]+):(?P<path>(?!/)[\w./~-]+)$")
_SAFE_PATH = re.compile(r"^[\w.~/-]+$")


def web_remote(url: str | None) -> str | None:
    """The repository's web address (`https://host/owner/repo`), without credentials,
    port or `.git`; None for a local path or anything not recognisably a forge URL."""
    if not url:
        return None
    url = url.strip()
    azure = _AZURE_SSH.match(url)
    if azure:
        org, project, repo = azure["path"].split("/")
        return f"https://dev.azure.com/{org}/{project}/_git/{repo}"
    scp = _SCP_LIKE.match(url)
    if scp and "://" not in url:
        host, path = scp["host"], scp["path"]
    else:
        try:
            parts = urlsplit(url)
            host = parts.hostname or ""
        except ValueError:
            return None
        if parts.scheme not in ("https", "http", "ssh", "git") or not host:
            return None
        path = parts.path
    path = path.strip("/").removesuffix(".git").strip("/")
    if not path or not _SAFE_PATH.match(path.replace("%20", "-")) or ".." in path.split("/"):
        return None
    if not re.fullmatch(r"[A-Za-z0-9.-]+", host):
        return None
    return f"https://{host.lower()}/{path}"


def _layout(remote: str) -> str | None:
    host = urlsplit(remote).hostname or ""
    if host == "github.com" or host.startswith("github."):
        return "github"
    if host == "gitlab.com" or host.startswith("gitlab."):
        return "gitlab"
    if host == "bitbucket.org":
        return "bitbucket"
    if host == "dev.azure.com" and "/_git/" in remote:
        return "azure"
    return None


def file_url(
    remote: str | None, commit: str | None, path: str, line: int | None = None
) -> str | None:
    """A link to `path` (at `line`) as it was at `commit` on the repository's forge."""
    if not remote or not commit or not re.fullmatch(r"[0-9a-f]{7,64}", commit):
        return None
    layout = _layout(remote)
    if layout is None:
        return None
    quoted = quote(path)
    if layout == "azure":
        url = f"{remote}?path=/{quoted}&version=GC{commit}"
        return (
            f"{url}&line={line}&lineEnd={line}&lineStartColumn=1&lineEndColumn=1" if line else url
        )
    if layout == "github":
        url = f"{remote}/blob/{commit}/{quoted}"
        return f"{url}#L{line}" if line else url
    if layout == "gitlab":
        url = f"{remote}/-/blob/{commit}/{quoted}"
        return f"{url}#L{line}" if line else url
    url = f"{remote}/src/{commit}/{quoted}"
    return f"{url}#lines-{line}" if line else url


def commit_url(remote: str | None, commit: str | None) -> str | None:
    """A link to one commit on the repository's forge."""
    if not remote or not commit or not re.fullmatch(r"[0-9a-f]{7,64}", commit):
        return None
    layout = _layout(remote)
    if layout == "github":
        return f"{remote}/commit/{commit}"
    if layout == "gitlab":
        return f"{remote}/-/commit/{commit}"
    if layout == "bitbucket":
        return f"{remote}/commits/{commit}"
    if layout == "azure":
        return f"{remote}/commit/{commit}"
    return None


def source_url(
    remote: str | None, commit: str | None, repository_path: str | None, location: Location | None
) -> str | None:
    """A link to a finding's or an evidence's place in the scanned repository: report
    paths are relative to the scanned folder, the forge's to the repository's root. In a
    notebook, the line of the raw file, which is what a forge shows."""
    if location is None or repository_path is None:
        return None
    path = f"{repository_path}/{location.path}" if repository_path else location.path
    line = location.file_line if location.cell is not None else location.line
    return file_url(remote, commit, path, line)
