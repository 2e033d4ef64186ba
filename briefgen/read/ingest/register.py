"""Ingest stage, registering: an extracted page/URL/PDF -> files to write and its sources.yaml entry.

The original is kept unchanged in sources/originals/, the extracted text beside it as sources/<id>.txt.
Adding an original that is already registered (same URL, or same id and an original kept) is a
no-op when its bytes are unchanged and a new version (<id>-v2, …) when they changed; the earlier
entry is never touched, and the values an analyst corrected in it carry over to the new version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ...errors import InputError
from . import extract_original
from .extracted import Extracted

ORIGINALS = "originals"
META_KEYS = ("title", "publisher", "author", "date", "lang", "url")
GRADES = ("reliability", "credibility")


@dataclass
class Planned:
    """One original to register: what to write and the entry to append (or why nothing is written)."""

    id: str
    extracted: Extracted
    entry: dict = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)  # path relative to the sources folder -> bytes
    status: str = "added"  # added | new-version | unchanged
    previous: str | None = None  # the id of the version this one follows, or that is unchanged
    carried: list[str] = field(default_factory=list)  # corrected values taken over from the previous version


def sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def default_id(name: str) -> tuple[str, bool]:
    """An id from a file name or a URL's last path segment (Latin letters, digits, '_', '.', '-'), and whether
    it names this article (False: made up from the site, as for an Arabic slug)."""
    if "://" in name:
        parts = urlsplit(name)
        segments = [s for s in parts.path.split("/") if s]
        name = unquote(segments[-1]) if segments else ""
        name = re.sub(r"\.(html?|php|aspx?|pdf)$", "", name, flags=re.I)
        host = re.sub(r"^www\.", "", parts.hostname or "source").split(".")[0]
    else:
        name, host = Path(name).stem, "article"
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9_.\-]+", "-", ascii_name).strip("-.")[:40].strip("-.")
    if re.search(r"[A-Za-z]", slug):
        return slug, True
    return (f"{host}-{slug}" if slug else host), False  # an Arabic or numeric slug: named after the site


def plan(extracted: Extracted, origin: str, folder: Path, entries: list, taken: set[str], *,
         source_id: str | None, overrides: dict, undated: bool = False) -> Planned:
    """Decide id, version and entry for one extracted original.

    The same original (same bytes) already registered: nothing to do. The same article changed (same URL;
    for a file, the same id): a new version. Otherwise a new source; a made-up id is numbered if taken."""
    raw_hash = sha256(extracted.raw)
    same = next((e for e in entries if isinstance(e, dict) and str(e.get("sha256") or "") == raw_hash), None)
    if same is not None:
        return Planned(str(same.get("id")), extracted, dict(same), status="unchanged", previous=str(same.get("id")))
    addresses = {a for a in (origin if "://" in origin else None, extracted.fetched_from,
                             extracted.meta.get("url")) if a}
    base, natural = (source_id, True) if source_id else default_id(origin)
    by_id = natural and "://" not in origin  # a file's own name identifies it; a URL's slug may not
    previous = _previous(entries, base if by_id else None, addresses)
    if previous is not None:
        versions = [e for e in entries if _same_family(e, previous)]
        root = re.sub(r"-v\d+$", "", str(previous.get("id")))
        number = 2
        while f"{root}-v{number}" in taken:
            number += 1
        new_id = f"{root}-v{number}"
        latest = versions[-1]
    else:
        new_id, latest = base, None
        if base in taken and natural:
            raise InputError(f"a source with the id '{base}' is already registered in {folder}",
                             code="duplicate-source-id", file=origin,
                             hint="choose another with --id; nothing was added")
        number = 2
        while new_id in taken:
            new_id, number = f"{base}-{number}", number + 1
    meta = dict(extracted.meta)
    if extracted.fetched_from and "url" not in meta:
        meta["url"] = extracted.fetched_from
    carried: list[str] = []
    if latest is not None:
        carried = _carry_corrections(latest, folder, meta)
    meta.update({k: v for k, v in overrides.items() if v is not None})
    if undated:
        meta["date"] = None  # --date none: the analyst says the article gives no date
    entry: dict = {"id": new_id, "file": f"{new_id}.txt"}
    for key in META_KEYS:
        if key in meta:
            value = meta[key]
            entry[key] = dt.date.fromisoformat(value) if key == "date" and isinstance(value, str) and _iso(value) \
                else value
    if extracted.accessed:
        entry["accessed"] = dt.date.fromisoformat(extracted.accessed)
    if latest is not None:
        for key in GRADES:
            if latest.get(key) is not None:
                entry[key] = latest.get(key)
    original = f"{ORIGINALS}/{new_id}{extracted.suffix}"
    entry["original"] = original
    entry["sha256"] = raw_hash
    if extracted.pages:
        from ruamel.yaml.comments import CommentedSeq

        entry["pages"] = CommentedSeq(extracted.pages)
        entry["pages"].fa.set_flow_style()
    if extracted.roles:
        from ruamel.yaml.comments import CommentedMap

        entry["roles"] = CommentedMap(sorted(extracted.roles.items()))
        entry["roles"].fa.set_flow_style()
    taken.add(new_id)
    files = {f"{new_id}.txt": extracted.text.encode("utf-8"), original: extracted.raw}
    for rel in files:
        if (folder / rel).exists():
            raise InputError(f"{folder / rel} already exists", code="file-exists", file=origin,
                             hint="give another id with --id; nothing was added")
    return Planned(new_id, extracted, entry, files, "new-version" if latest is not None else "added",
                   str(latest.get("id")) if latest is not None else None, carried)


def _iso(value: str) -> bool:
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value))


def _previous(entries: list, base: str | None, addresses: set[str]):
    """The latest registered version of this article: same URL, or (base given) same id, with an original."""
    found = None
    for e in entries:
        if not isinstance(e, dict) or not e.get("original"):
            continue
        root = re.sub(r"-v\d+$", "", str(e.get("id") or ""))
        if (addresses and str(e.get("url") or "") in addresses) or (base is not None and root == base):
            found = e
    return found


def _same_family(entry, previous) -> bool:
    if not isinstance(entry, dict) or not entry.get("original"):
        return False
    root = re.sub(r"-v\d+$", "", str(previous.get("id")))
    return re.sub(r"-v\d+$", "", str(entry.get("id") or "")) == root


def _carry_corrections(latest, folder: Path, meta: dict) -> list[str]:
    """Values the analyst wrote over what the previous original states stay in force in the new version."""
    path = folder / str(latest.get("original"))
    try:
        before = extract_original(path.read_bytes(), path.suffix, str(path)).meta if path.is_file() else {}
    except InputError:
        before = {}
    carried = []
    for key in META_KEYS:
        if key not in latest:
            continue
        written = latest.get(key)
        written_text = written.isoformat() if hasattr(written, "isoformat") else written
        if written_text != before.get(key):  # corrected (or set to null) by the analyst
            carried.append(key)
            meta[key] = written_text  # None: the analyst recorded that there is none
    return carried
