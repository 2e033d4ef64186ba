"""Replacing a file the analyst owns (the outline, when `review --apply` writes into it).

The analyst's file is theirs: a read-only outline is refused (exit 3, with a hint), the file keeps
its mode (a 0600 outline stays 0600), and a save the analyst made in an editor after briefgen read
the file wins: the bytes on disk are compared with the bytes briefgen read just before the atomic
replace, and if they differ nothing is written and the user is told to run again.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import InputError, RenderError
from .outputs import _unlink, _write_temp
from .safefs import read_file


def replace(target: Path, data: bytes, read: bytes, limit: int) -> None:
    """Write data over target atomically, unless target is read-only, data is above limit, or target no
    longer holds `read` (the bytes the new content was made from)."""
    if len(data) > limit:
        raise InputError(f"the edits would make {target} {len(data):,} bytes, above the {limit:,}-byte limit "
                         "of an outline; nothing was written", code="outline-too-large", file=str(target),
                         hint="bring the long edits in by hand, or shorten them in the DOCX first")
    try:
        info = os.stat(target)
    except OSError as exc:
        raise RenderError(f"cannot write {target}: {exc.strerror}", code="outline-write", file=str(target)) from None
    if not info.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(target, os.W_OK):
        raise RenderError(f"{target} is read-only; nothing was written", code="outline-read-only", file=str(target),
                          hint=f"make it writable (chmod u+w {target.name}) and run again, if the edits should go in")
    tmp = None
    try:
        tmp = _write_temp(target, data)
        os.chmod(tmp, stat.S_IMODE(info.st_mode))  # the analyst's mode, not the umask's
        if _current(target) != read:  # saved in an editor while the review ran: that save wins
            raise RenderError(f"{target} changed while the edits were being applied (saved in an editor?); "
                              "your version was kept and nothing was written", code="outline-changed",
                              file=str(target), hint="run `briefgen review … --apply` again: it starts from "
                                                     "the outline as it is now")
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        raise RenderError(f"cannot write {target}: {exc.strerror}", code="outline-write", file=str(target),
                          hint="check that the folder is writable and the disk has room") from None
    finally:
        if tmp is not None:
            _unlink(tmp)


def _current(target: Path) -> bytes | None:
    try:
        return read_file(target, 1 << 30, "outline")
    except InputError:
        return None
