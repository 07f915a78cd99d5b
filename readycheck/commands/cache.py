"""`readycheck cache clean`: delete the cache of per-file analyses that scans keep
(by default in ~/.cache/readycheck), so the next scan analyses every file again.
"""

from __future__ import annotations

import typer

from readycheck.commands._options import CacheDirOption
from readycheck.commands._output import fail, standard_output

cache_app = typer.Typer(help="The cache of per-file analyses.", no_args_is_help=True)


@cache_app.command("clean")
def cache_clean(cache_dir: CacheDirOption = None) -> None:
    """Delete the cache of per-file analyses; the next scan analyses every file again."""
    from readycheck import cache

    directory = cache_dir or cache.default_dir()
    try:
        removed = cache.clear(directory)
    except cache.CacheInUse as busy:
        fail(f"the cache {busy} is in use by a running scan; clean it when the scan ends")
    with standard_output("the summary"):
        typer.echo(f"removed {removed} cache file{'s' if removed != 1 else ''} from {directory}")
