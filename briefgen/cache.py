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

from . import __version__

CACHE_DIR = ".briefgen-cache"
FORMAT = 1  # bump when the layout of an entry changes
# The modules whose behaviour an entry records: any edit to them invalidates every entry.
_CODE = ("arabic.py", "cleaning.py", "hygiene.py", "sources.py", "cache.py")


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """briefgen's version, the entry format and the text-processing code, as one digest."""
    digest = hashlib.sha256(f"{__version__}\0{FORMAT}\0".encode())
    here = Path(__file__).parent
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
        folder = project / CACHE_DIR
        if not folder.resolve().is_relative_to(project.resolve()):
            return None  # a link out of the project: never written through (a build reports it)
        return cls(folder)

    def _path(self, kind: str, key: str) -> Path:
        return self.folder / kind / key[:2] / f"{key}.json"

    def get(self, kind: str, key: str, parse: Callable[[Any], Any | None] | None = None) -> Any | None:
        """The stored value (through parse, which returns None for a value of the wrong shape), or None
        if absent, unreadable, corrupt or for another key."""
        value = None
        try:
            entry = json.loads(self._path(kind, key).read_bytes())
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
            ignore = self.folder / ".gitignore"
            if not ignore.exists():  # the cache is never committed, whatever the project's .gitignore says
                ignore.write_text("*\n", encoding="utf-8")
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
