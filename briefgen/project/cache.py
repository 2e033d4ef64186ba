"""On-disk cache of parsed sources: `.briefgen-cache/` in the project folder (git-ignored).

An entry is keyed by the SHA-256 of everything its value depends on: the file's bytes, the
options that change how it is read (encoding, boilerplate patterns), briefgen's version and
the source of the modules that decode, sanitise, clean and tokenise text. A changed article,
pattern or cleaning rule therefore never hits a stale entry. Entries are JSON (never pickle:
a shared project folder must not be able to run code) and are written atomically; an entry
that cannot be read or does not have the expected shape is ignored and rebuilt, never an error.
Set BRIEFGEN_NO_CACHE=1 to bypass the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from .. import __version__
from . import safefs

CACHE_DIR = ".briefgen-cache"
MAX_ENTRY_BYTES = 256 * 1024 * 1024  # a parsed 20 MB article fits; /dev/zero behind a symlink does not
FORMAT = 1  # bump when the layout of an entry changes
# The modules whose behaviour an entry records: any edit to them invalidates every entry.
_CODE = ("arabic.py", "read/cleaning.py", "read/hygiene.py", "read/sources.py", "project/cache.py")  # under briefgen/


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """briefgen's version, the entry format and the text-processing code, as one digest."""
    digest = hashlib.sha256(f"{__version__}\0{FORMAT}\0".encode())
    here = Path(__file__).parent.parent
    for name in _CODE:
        try:
            digest.update((here / name).read_bytes())
        except OSError:  # e.g. a zipped install: the version alone then identifies the code
            digest.update(name.encode())
    return digest.hexdigest()


def make_key(*parts: bytes | str) -> str:
    """A hex digest of the parts (length-prefixed, so ('ab','c') and ('a','bc') differ) and the code."""
    digest = hashlib.sha256(code_fingerprint().encode())
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


class Cache:
    """A folder of JSON entries, `<kind>/<key[:2]>/<key>.json`; every failure is a miss."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.hits = 0
        self.misses = 0

    @classmethod
    def for_project(cls, project: Path) -> Cache | None:
        """The project's cache, or None when BRIEFGEN_NO_CACHE is set."""
        if os.environ.get("BRIEFGEN_NO_CACHE", "").strip() not in ("", "0"):
            return None
        if cls.outside(project):
            return None  # a .briefgen-cache linking out of the project is never written to (a build reports it)
        return cls(project / CACHE_DIR)

    @staticmethod
    def outside(project: Path) -> str | None:
        """Where the project's cache folder leads, if a symlink takes it out of the project; else None."""
        folder = project / CACHE_DIR
        real, root = os.path.realpath(folder), os.path.realpath(project)
        return real if os.path.lexists(folder) and not Path(real).is_relative_to(root) else None

    def _path(self, kind: str, key: str) -> Path:
        return self.folder / kind / key[:2] / f"{key}.json"

    def get(self, kind: str, key: str, parse: Callable[[Any], Any | None] | None = None) -> Any | None:
        """The stored value (through parse, which returns None for a value of the wrong shape), or None
        if absent, unreadable, corrupt or for another key."""
        value = None
        try:
            entry = json.loads(self._read(self._path(kind, key)))
            if isinstance(entry, dict) and entry.get("key") == key and entry.get("format") == FORMAT:
                value = entry.get("data")
                value = parse(value) if parse is not None else value
        except (OSError, ValueError, RecursionError):
            value = None
        if value is None:
            self.misses += 1
        else:
            self.hits += 1
        return value

    def discard(self, kind: str, key: str) -> None:
        """Remove an entry (one found to disagree with its file); a missing entry is fine."""
        try:
            self._path(kind, key).unlink()
        except OSError:
            pass

    @staticmethod
    def _read(path: Path) -> bytes:
        """An entry's bytes: a regular file only, never blocking; anything else is a miss (OSError)."""
        from ..errors import InputError
        from .safefs import read_file

        try:
            return read_file(path, MAX_ENTRY_BYTES)
        except InputError:
            raise OSError(f"not a readable cache entry: {path}") from None

    def put(self, kind: str, key: str, data: Any) -> bool:
        """Store a JSON-serialisable value atomically; False (and nothing written) if that fails."""
        try:
            text = json.dumps({"format": FORMAT, "key": key, "data": data}, ensure_ascii=False,
                              separators=(",", ":"))
        except (TypeError, ValueError):
            return False
        path = self._path(kind, key)
        tmp = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not Path(os.path.realpath(path.parent)).is_relative_to(os.path.realpath(self.folder)):
                return False  # a symlink inside the cache leads out of it: write nothing there
            ignore = self.folder / ".gitignore"
            safefs.create_new(ignore, "*\n")  # never committed, whatever the project's .gitignore says
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                fh.write(text.encode("utf-8", "surrogatepass"))
            os.replace(tmp, path)
            tmp = None
            return True
        except (OSError, UnicodeError):
            return False
        finally:
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
