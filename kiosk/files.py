"""Files named on the command line or in a profile, checked before any work is done: an input must be a
readable file (or a folder whose every subfolder can be listed), an output must go to an existing folder.

A command that would read a card, serve the virtual card or run a benchmark first, and only then find it
cannot write its result, wastes a person's tap; a folder that cannot be listed must not pass for an empty
one (``trust list`` printing ``[]``). Every check raises :class:`~kiosk.errors.UsageError` with one sentence
naming the path (never its content).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from kiosk.errors import UsageError


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _stat(path: Path, what: str) -> os.stat_result | None:
    """The path's status, None when it does not exist; any other failure (permission, name too long, a
    file where a folder should be) is a UsageError."""
    try:
        return path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise UsageError(f"{what} {path}: cannot be reached ({_reason(exc)})") from exc
    except ValueError as exc:  # an embedded NUL
        raise UsageError(f"{what}: not a usable path") from exc


class FileRefused(Exception):
    """Why a file cannot be taken as input ("not a file", "larger than 256 KB"); the caller raises its own
    typed error naming the file and this reason."""


class FileMissing(FileRefused):
    """There is no such file."""


def _size(limit: int) -> str:
    return f"{limit // 2**20} MB" if limit >= 2**20 else f"{limit // 1024} KB"


def read_at_most(path: Path, max_bytes: int) -> bytes:
    """The bytes of ``path``, a regular file of at most ``max_bytes``: read once, never more than one byte
    past the limit, so a huge or endless file (a FIFO, ``/dev/zero``) costs nothing."""
    try:
        if not path.exists():
            raise FileMissing("no such file")
        if not path.is_file():
            raise FileRefused("not a file")
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise FileRefused(f"cannot be read ({_reason(exc)})") from exc
    if len(data) > max_bytes:
        raise FileRefused(f"larger than {_size(max_bytes)}")
    return data


def readable_file(path: str | os.PathLike[str], what: str, *, max_bytes: int | None = None,
                  allow_empty: bool = False) -> Path:
    """``path`` as a regular file that can be opened for reading, not empty, at most ``max_bytes``."""
    path = Path(path)
    status = _stat(path, what)
    if status is None:
        raise UsageError(f"{what} {path}: no such file")
    if stat.S_ISDIR(status.st_mode):
        raise UsageError(f"{what} {path}: is a folder, not a file")
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise UsageError(f"{what} {path}: cannot be read ({_reason(exc)})") from exc
    if status.st_size == 0 and not allow_empty:
        raise UsageError(f"{what} {path}: the file is empty")
    if max_bytes is not None and status.st_size > max_bytes:
        raise UsageError(f"{what} {path}: larger than {max_bytes:,} bytes")
    return path


def readable_tree(path: str | os.PathLike[str], what: str) -> Path:
    """``path`` as a folder whose subfolders can all be listed (``Path.rglob`` skips those it cannot)."""
    path = Path(path)

    def refuse(exc: OSError) -> None:
        raise UsageError(f"{what} {exc.filename or path}: the folder cannot be read ({_reason(exc)})") from exc

    try:
        os.listdir(path)
        for _ in os.walk(path, onerror=refuse):
            pass
    except OSError as exc:
        refuse(exc)
    return path


def readable_input(path: str | os.PathLike[str], what: str) -> Path:
    """A file (as :func:`readable_file`) or a folder (as :func:`readable_tree`)."""
    status = _stat(Path(path), what)
    if status is not None and stat.S_ISDIR(status.st_mode):
        return readable_tree(path, what)
    return readable_file(path, what)


def _writable_folder(folder: Path, path: Path, what: str) -> None:
    status = _stat(folder, what)
    if status is None or not stat.S_ISDIR(status.st_mode):
        raise UsageError(f"{what} {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"{what} {path}: cannot be written in {folder} (permission denied)")


def writable_file(path: str | os.PathLike[str], what: str) -> Path:
    """``path`` as a file that can be created or replaced: its folder exists and it is not itself a folder."""
    path = Path(path)
    _writable_folder(path.parent, path, what)
    status = _stat(path, what)
    if status is not None and stat.S_ISDIR(status.st_mode):
        raise UsageError(f"{what} {path}: is a folder; give a file name")
    if status is not None and not os.access(path, os.W_OK):
        raise UsageError(f"{what} {path}: cannot be written (permission denied)")
    return path


def writable_folder(path: str | os.PathLike[str], what: str) -> Path:
    """``path`` as a folder that exists or can be made in an existing folder, and can be written."""
    path = Path(path)
    status = _stat(path, what)
    if status is not None and not stat.S_ISDIR(status.st_mode):
        raise UsageError(f"{what} {path}: is a file, not a folder")
    _writable_folder(path if status is not None else path.parent, path, what)
    return path
