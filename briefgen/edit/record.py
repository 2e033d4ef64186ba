"""Build record stage: what a build wrote into the DOCX, item by item, for the review to compare against.

The record holds, per outline item: its path, its text as the DOCX shows it (footnote references
as [^N]), the generated text before it in its paragraph, its citations (footnote number, where
in the outline it comes from, quote) and its outline value and line. It is keyed by a build id
derived from its content (identical inputs, identical DOCX) and stored in
`.briefgen-cache/builds/<id>.json`. The DOCX carries the build id and the outline's version (its
git blob hash) as custom document properties, which Word and LibreOffice both keep.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from pathlib import Path

from .. import anchors, model
from ..errors import InputError
from ..project import safefs
from . import docx_read, spans

BUILD_PROP, VERSION_PROP, OUTLINE_PROP = "briefgen-build", "briefgen-outline-version", "briefgen-outline"
FOLDER = Path(".briefgen-cache") / "builds"
FORMAT = 1
_MARKER = re.compile(r"(\s*)(\[@([A-Za-z0-9_.\-]+)(?:\s*,\s*(?:¶|p\.?|para\.?)\s*(\d+))?\])")
_TOKEN = re.compile(f"{docx_read.NOTE}([^{docx_read.END}]*){docx_read.END}|"
                    f"{docx_read.MARK}([^{docx_read.END}]*){docx_read.END}")
_QUOTE = re.compile(r"(?:«([^«»]*)»|“([^“”]*)”)\s*\.?$")


def blob_hash(data: bytes) -> str:
    """The git blob hash of some bytes (`git hash-object`): names an outline version git can find."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def tokens(text: str, numbers: dict[str, int]) -> str:
    """Footnote tokens as [^N]: real references through numbers (footnote id -> N), repeated marks as shown."""
    def sub(m: re.Match) -> str:
        if m.group(1) is not None:
            n = numbers.get(m.group(1))
            return f"[^{n if n is not None else '?'}]"
        return f"[^{m.group(2)}]"
    return _TOKEN.sub(sub, text)


def quote_of(note: str) -> str | None:
    """The quoted source words at the end of a footnote, if any."""
    m = _QUOTE.search(note)
    return None if m is None else (m.group(1) if m.group(1) is not None else m.group(2))


def value_at(data, path: tuple):
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def text_key(path: tuple, value) -> str | None:
    """The key of an item's text in the outline: None when the item is itself a string."""
    if isinstance(value, dict):
        return "role" if path[0] == "actors" and len(path) == 2 else "text"
    return None


def _citations(value, key: str | None, inlines: model.Inlines | None) -> list[dict]:
    """The item's citations in the order the DOCX shows them: inline markers first, then cite: entries."""
    text = value.get(key, "") if key else value
    origins = [{"origin": "marker", "marker": m.group(2), "space": m.group(1)} for m in _MARKER.finditer(str(text))]
    cites = value.get("cite", []) if isinstance(value, dict) else []
    cites = [cites] if isinstance(cites, (dict, str)) else (cites or [])
    for i, c in enumerate(cites):
        origins.append({"origin": "cite", "index": i, "quote": c.get("quote") if isinstance(c, dict) else None})
    numbers = [x.citation.number for x in inlines or [] if isinstance(x, model.Cite)]
    return [dict(o, number=n) for o, n in zip(origins, numbers, strict=False)]


def make_record(docx: bytes, loaded, brief: model.Brief, outline_bytes: bytes) -> dict:
    """The record of a just-rendered DOCX (read back exactly as the review will read the edited one)."""
    doc = docx_read.read(docx)
    found, paras = spans.spans(doc)
    numbers = {fid: int(fid) for fid in doc.footnotes if fid.isdigit()}
    by_path = anchors.items(brief)
    data, located = loaded.located.data, loaded.located
    items = {}
    for path, span in found.items():
        tup = anchors.path_tuple(path)
        value = value_at(data, tup)
        key = text_key(tup, value)
        items[path] = {
            "text": tokens(docx_read.normalize(docx_read.view(span.pieces)), numbers),
            "prefix": docx_read.normalize(docx_read.view(span.prefix)),
            "key": key,
            "value": json.loads(json.dumps(value, ensure_ascii=False, default=str)),  # YAML dates as text
            "line": located.where(tup + ((key,) if key else ()))["line"],
            "cites": _citations(value, key, by_path.get(path)),
        }
    return {
        "format": FORMAT,
        "outline": loaded.path.name,
        "version": blob_hash(outline_bytes),
        "items": items,
        "footnotes": {str(n): text for n, (text, _) in sorted(doc.footnotes.items(), key=lambda kv: int(kv[0]))
                      if n.isdigit()},
        "generated": [{"text": p.text, "after": p.after} for p in paras],
    }


def build_id(record: dict) -> str:
    """A content digest: the same outline, sources and renderer give the same id (no time, no randomness)."""
    text = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def stamp(docx: bytes, loaded, brief: model.Brief) -> tuple[bytes, dict]:
    """The DOCX with its build id and outline version as custom properties, and the build record."""
    from ..render import docx_parts

    outline_bytes = loaded.path.read_bytes()
    record = make_record(docx, loaded, brief, outline_bytes)
    record["build"] = build_id(record)
    props = {BUILD_PROP: record["build"], VERSION_PROP: record["version"], OUTLINE_PROP: record["outline"]}
    return docx_parts.custom_properties(docx, props), record


def save(project: Path, record: dict) -> Path | None:
    """Write the record under the project's cache folder; None (and nothing written) if that fails."""
    from ..errors import RenderError
    from ..project.outputs import write_atomic

    folder = project / FOLDER
    target = folder / f"{record['build']}.json"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not safefs.inside(folder, [project / ".briefgen-cache"]):
            return None  # a link planted in the cache leads out of it: write (and prune) nothing there
        ignore = project / ".briefgen-cache" / ".gitignore"
        safefs.create_new(ignore, "*\n")  # never through a link planted in the cache
        write_atomic(target, json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        _prune(folder, keep=KEEP)
    except (OSError, RenderError):
        return None
    return target


MAX_RECORD_BYTES = 64 * 1024 * 1024
KEEP = 200  # records kept (the newest); an older DOCX is reviewed by rebuilding its record from git


def _prune(folder: Path, keep: int) -> None:
    records = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in records[keep:]:
        old.unlink(missing_ok=True)


def load(project: Path, build: str) -> dict | None:
    """The stored record of a build, or None when it is not (or not readable) here."""
    if not re.fullmatch(r"[0-9a-f]{8,64}", build or ""):
        return None
    try:
        record = json.loads(safefs.read_file(project / FOLDER / f"{build}.json", MAX_RECORD_BYTES))
    except (InputError, ValueError):  # absent, a FIFO or device, too large, or corrupt: no record
        return None
    return record if isinstance(record, dict) and record.get("format") == FORMAT else None


def match(doc, project: Path) -> tuple[dict, str] | None:
    """The stored record a DOCX without its build id (document properties dropped on save) was built as,
    recognised by its anchors and text: the record whose items and footnotes it shares most, if it
    shares at least half its item texts; with a line saying how it was matched."""
    found, _ = spans.spans(doc)
    texts = {path: docx_read.normalize(_TOKEN.sub("", docx_read.view(span.pieces))) for path, span in found.items()}
    notes = {docx_read.normalize(t) for t, _ in doc.footnotes.values()}
    best, score = None, (0, 0)
    folder = project / FOLDER
    candidates = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)[:KEEP] \
        if folder.is_dir() else []
    for path in candidates:
        record = load(project, path.stem)
        if record is None:
            continue
        same = sum(1 for p, item in record["items"].items()
                   if texts.get(p) == docx_read.normalize(re.sub(r"\[\^[^\]]*\]", "", item["text"])))
        shared = sum(1 for t in record["footnotes"].values() if docx_read.normalize(t) in notes)
        if (same, shared) > score and same * 2 >= len(record["items"]):
            best, score = record, (same, shared)
    if best is None:
        return None
    return best, (f"its build id is gone (the document properties were dropped on save); matched to build "
                  f"{best['build']} by its anchors and text ({score[0]} of {len(best['items'])} items as built, "
                  f"{score[1]} of {len(best['footnotes'])} footnotes)")


def outline_at(outline: Path, version: str) -> bytes | None:
    """The outline's bytes at a version: the file itself if it is at it, else git's copy of that blob."""
    try:
        data = outline.read_bytes()
    except OSError:
        return None
    if blob_hash(data) == version:
        return data
    if not re.fullmatch(r"[0-9a-f]{40}", version or ""):
        return None
    try:
        got = subprocess.run(["git", "cat-file", "blob", version], cwd=outline.parent, capture_output=True,
                             timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return got.stdout if got.returncode == 0 and blob_hash(got.stdout) == version else None


def rebuild(outline: Path, version: str, allow_outside: bool = False) -> dict | None:
    """The record rebuilt from the outline at `version` (the DOCX came back to another machine), or None."""
    from ..evidence.check import check

    data = outline_at(outline, version)
    if data is None:
        return None
    scratch = outline if outline.read_bytes() == data else outline.with_name(f".{outline.stem}.{version[:12]}.yaml")
    try:
        if scratch != outline:
            scratch.write_bytes(data)  # beside the outline, so its relative sources: folder still resolves
        checked = check(scratch, allow_outside)
        if not checked.ok:
            return None
        from ..render import docx as docx_render

        assert checked.brief is not None and checked.loaded is not None
        checked.brief.meta.name = outline.stem
        checked.loaded.path = outline
        rendered = docx_render.render(checked.brief)
        record = make_record(rendered, checked.loaded, checked.brief, data)
        record["build"] = build_id(record)
        return record
    finally:
        if scratch != outline:
            scratch.unlink(missing_ok=True)


def not_found(build: str, outline: Path, version: str) -> InputError:
    return InputError(
        f"cannot review: the record of build {build} is not in {outline.parent / FOLDER}, and {outline.name} "
        f"is not at the version the DOCX was built from ({version[:12]}), nor is that version in git",
        code="no-build-record", file=str(outline),
        hint="review on the machine that built the DOCX, or check out the outline version it names "
             f"(git log --find-object={version[:12]} -- {outline.name})")
