"""Files the per-file analysis already parsed in this process, for repository-wide
detectors that need their structure again.

Which image a repository ships, or what its CI runs, is decided across files: a
compose service or a CI step names the Dockerfile stage that ships, a CI step names the
script that deploys. Repository-wide detectors see only the file list, so they would
parse those files a second time. The file detectors that read them anyway (CI
definitions, compose files, Dockerfiles) `share` their parse here, by path and
content, and the repository view (`detectors.delivery`) takes it from here. In worker
processes, or when the per-file results came from the cache, nothing was parsed in this
process, and the view parses each file once itself.
"""

from __future__ import annotations

from collections import OrderedDict

from readycheck.workspace import SourceFile

#: Parsed files by (path, hash of content), the most recent last. Bounded, so that a
#: process that scans many repositories (a test suite, a server) does not keep them all.
SHARED: OrderedDict[tuple[str, int], SourceFile] = OrderedDict()
MAX_SHARED = 2000


def share(source: SourceFile) -> None:
    """Keep a parsed file for the repository-wide detectors of this scan."""
    if source.text is None:
        return
    key = (source.path, hash(source.text))
    SHARED[key] = source
    SHARED.move_to_end(key)
    while len(SHARED) > MAX_SHARED:
        SHARED.popitem(last=False)


def shared(source: SourceFile) -> SourceFile:
    """The same file as parsed by the per-file analysis in this process, if it was."""
    if source.text is None:
        return source
    return SHARED.get((source.path, hash(source.text)), source)
