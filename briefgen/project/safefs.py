"""Safe reading of a project's files: only regular files, size-capped before reading, never blocking.

A project folder may come from someone else. Every file briefgen reads from it (the outline,
sources.yaml, the articles, theme templates, CSS and what CSS links to, cache entries) goes
through read_file(): FIFOs, devices, sockets, folders and symlink loops are refused with a
message naming the path, and nothing is read past the cap. The file is opened with O_NONBLOCK
and checked with fstat on the open descriptor, so neither a FIFO nor a swap between the check
and the read can make a build hang.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from ..errors import InputError

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a device"),
          (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))


def shorten(text: str, limit: int = 120) -> str:
    """A value fit for a message: at most `limit` characters, with its length when cut."""
    text = str(text)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


def kind(mode: int) -> str | None:
    """'a folder', 'a named pipe (FIFO)', … for anything that is not a regular file; None for one."""
    return next((name for test, name in _KINDS if test(mode)), None if stat.S_ISREG(mode) else "not a regular file")


def read_file(path: Path, limit: int, what: str = "file", code: str = "unreadable-file", hint: str | None = None,
              **where) -> bytes:
    """The bytes of a regular file of at most `limit` bytes, else an InputError naming the path."""
    shown = shorten(str(path), 300)
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    where = where or {"file": shown}
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise _open_error(exc, shown, what, code, hint, where) from None
    try:
        info = os.fstat(fd)
        other = kind(info.st_mode)
        if other:
            raise InputError(f"{what} {shown} is {other}, not a regular file", code=code,
                             hint=hint or "replace it with an ordinary file", **where)
        if info.st_size > limit:
            raise InputError(f"{what} {shown} is {info.st_size:,} bytes, above the {limit:,}-byte limit",
                             code=code, hint=hint, **where)
        chunks, left = [], limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > limit:  # the file grew while being read
            raise InputError(f"{what} {shown} is above the {limit:,}-byte limit", code=code, hint=hint, **where)
        return data
    except OSError as exc:
        raise _open_error(exc, shown, what, code, hint, where) from None
    finally:
        os.close(fd)


def _open_error(exc: OSError, shown: str, what: str, code: str, hint: str | None, where: dict) -> InputError:
    reasons = {errno.ENOENT: "not found", errno.ELOOP: "a symlink loop (too many levels of links)",
               errno.EISDIR: "a folder, not a file", errno.ENXIO: "a socket or a device without a reader",
               errno.EACCES: "not readable (permission denied)", errno.ENOTDIR: "not found (a parent is not a folder)"}
    reason = reasons.get(exc.errno, exc.strerror or "unreadable")
    return InputError(f"{what} {shown}: {reason}", code=code, hint=hint, **where)


def check_folder(path: Path, what: str = "folder", code: str = "unreadable-folder", hint: str | None = None,
                 **where) -> None:
    """A folder that can be listed, else an InputError naming the path (symlink loops included)."""
    shown = shorten(str(path), 300)
    where = where or {"file": shown}
    try:
        info = os.stat(path)
    except OSError as exc:
        raise _open_error(exc, shown, what, code, hint, where) from None
    if not stat.S_ISDIR(info.st_mode):
        raise InputError(f"{what} {shown} is {kind(info.st_mode) or 'a file'}, not a folder", code=code, hint=hint,
                         **where)


def inside(path: Path, roots: list[Path]) -> bool:
    """Whether path, with every symlink resolved, lies in one of the (resolved) roots."""
    try:
        real = Path(os.path.realpath(path))
    except (OSError, RuntimeError):
        return False
    return any(real.is_relative_to(Path(os.path.realpath(r))) for r in roots)


def create_new(path: Path, text: str) -> None:
    """Create a small file that does not exist yet; never through a symlink (a dangling one included)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    except FileExistsError:
        return  # there already (or a link planted there): left alone
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
