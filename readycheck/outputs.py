"""Writing what readycheck produces (reports, baselines, the starter config, the rule
docs) to the files the user names, without letting the scanned repository choose.

An output path can meet the scanned repository: the GitHub Action writes
`readycheck.sarif` in the workspace, where a pull request may have committed
`readycheck.sarif -> ~/.bashrc`. So:

- Every file is written to a temporary file in its destination's folder, then moved
  into place with os.replace. That replaces a symlink (or any other file) at the
  destination rather than following it, and a failed write leaves the previous file
  whole.
- A destination inside the scanned folder that is one of the files the scan reads (code,
  notebooks, configs, ...) is refused, unless readycheck wrote it (an earlier report or
  baseline, written again). A new file inside the scanned folder is fine.
- A destination that leaves the scanned folder through a symlinked folder inside it is
  refused.
- Devices and pipes named outside the scanned folder (/dev/null, a FIFO) and the
  system's links to this process's own streams (/dev/stdout, /dev/fd/N from a shell's
  `>(...)`, /proc/self/fd/N) are written in place, appending as a shell's `>>` would:
  they are streams to write to, not files to replace (and replacing /dev/stdout would
  break it for every process).

Every failure is an OutputError whose message names the path and the reason, for the
command line to print as one line.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path, PurePosixPath

_SNIFF = 4096
#: Paths of the system's own streams, which are symlinks: /dev/stdout, /dev/fd/3, /proc/self/fd/1.
_SYSTEM_STREAMS = ("/dev/", "/proc/")


class OutputError(Exception):
    """An output that cannot, or must not, be written. The message names the path."""


def check_destination(path: Path, scanned: Path, what: str) -> None:
    """Refuse to write `what` to `path` when that would overwrite a file a scan of `scanned`
    reads, or leave `scanned` through a symlinked folder inside it. Call it before the scan,
    so a wrong name costs nothing."""
    if _system_stream(path):
        return
    absolute = Path(os.path.abspath(path))
    root = Path(os.path.abspath(scanned))
    try:
        real_root = root.resolve()
        destination = absolute.parent.resolve() / absolute.name
    except (OSError, RuntimeError):
        return  # the write itself says what is wrong with the path
    if not destination.is_relative_to(real_root):
        if absolute.is_relative_to(root):
            raise OutputError(
                f"refusing to write {what} to {path}: a symlinked folder in the scanned folder "
                "leads outside it"
            )
        return
    if destination == real_root or not _read_by_scan(destination, real_root):
        return
    raise OutputError(
        f"refusing to write {what} over {path}: it is one of the files the scan reads; "
        "choose another name"
    )


def _read_by_scan(destination: Path, root: Path) -> bool:
    """Whether `destination` (inside `root`) exists and is a file a scan of `root` reads, and
    not an earlier report or baseline of readycheck's own."""
    from readycheck.discover import READ_KINDS, classify_kind, own_output

    relative = destination.relative_to(root).as_posix()
    if classify_kind(relative) not in READ_KINDS and PurePosixPath(relative).name != ".gitignore":
        return False
    try:
        info = os.lstat(destination)
        if stat.S_ISLNK(info.st_mode):
            # The scan reads a symlinked file only when it points inside the folder.
            target = destination.resolve(strict=True)
            if not target.is_relative_to(root):
                return False
            info = os.stat(target)
        if not stat.S_ISREG(info.st_mode):
            return False
    except (OSError, RuntimeError):
        return False  # a new file, or one the scan cannot read either
    # an earlier report or baseline of readycheck's own may be written again
    return own_output(destination, relative) is None


def write_text(path: Path, text: str, what: str, scanned: Path | None = None) -> None:
    """Write `text` to `path` as UTF-8: through a temporary file and os.replace, or in
    place for a device or pipe named outside `scanned`. Raises OutputError."""
    data = text.encode("utf-8", errors="backslashreplace")
    try:
        if _stream(path) and (scanned is None or not _inside(path, scanned)):
            # A reader that closed its end (`-o >(head)`) has what it wanted, as with `| head`.
            with contextlib.suppress(BrokenPipeError), open(path, "ab") as handle:
                handle.write(data)
        elif _special(path):
            raise OutputError(f"cannot write {what} to {path}: not a regular file")
        else:
            _replace(path, data)
    except OSError as error:
        reason = error.strerror or str(error)
        raise OutputError(f"cannot write {what} to {path}: {reason}") from None


def _replace(path: Path, data: bytes) -> None:
    folder = path.parent
    mode = _mode(path)
    descriptor, temporary = tempfile.mkstemp(
        dir=folder, prefix=f".{path.name[:80]}.", suffix=".tmp"
    )
    try:
        with open(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _mode(path: Path) -> int:
    """The permissions of the file being replaced, else what a new file gets (0o666 less
    the umask), rather than the temporary file's 0o600."""
    with contextlib.suppress(OSError):
        info = os.lstat(path)
        if stat.S_ISREG(info.st_mode):
            return stat.S_IMODE(info.st_mode)
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def _system_stream(path: Path) -> bool:
    return os.path.abspath(path).startswith(_SYSTEM_STREAMS)


def _stream(path: Path) -> bool:
    """A character device or a pipe (/dev/null, /dev/full, a FIFO), or one of the system's
    links to a stream of this process (/dev/stdout, /dev/fd/3), whatever it leads to: a
    pipe, a terminal, or the file a shell redirected it to. No other symlink is followed."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return False
    if stat.S_ISLNK(mode):
        return _system_stream(path)
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


def _special(path: Path) -> bool:
    """A block device, a socket, or a character device inside the scanned folder: nothing a
    report may replace. (A FIFO there is replaced: opening it could wait forever.)"""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return False
    return not (
        stat.S_ISREG(mode) or stat.S_ISLNK(mode) or stat.S_ISDIR(mode) or stat.S_ISFIFO(mode)
    )


def _inside(path: Path, scanned: Path) -> bool:
    """Whether `path` is in the scanned folder, by its name or by where its folder really is."""
    absolute = Path(os.path.abspath(path))
    if absolute.is_relative_to(Path(os.path.abspath(scanned))):
        return True
    try:
        return absolute.parent.resolve().is_relative_to(scanned.resolve())
    except (OSError, RuntimeError):
        return False
