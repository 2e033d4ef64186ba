"""Untrusted DOCX input: the zip read under a cap, and every value from it normalised before it reaches the outline.

A DOCX that comes back from outside can be anything. Its zip members are inflated here, chunk
by chunk, counting the bytes that actually come out (the sizes in the zip headers are never
trusted), so a small file that inflates to gigabytes is refused after the cap, with memory
bounded. Duplicate member names, encrypted members and OLE files (a password-protected Word
document, or an old .doc) get their own message. Every string the review takes from the document
(comment text, authors, dates, edited values, quotes) is made one line with no control
characters, bidi controls balanced, and comments are cut at a limit with a marker. Build
records and document properties are checked for shape before anything uses them.
"""

from __future__ import annotations

import io
import re
import struct
import unicodedata
import zipfile
import zlib

from ..errors import InputError

MAX_INFLATED = 10 * 1024 * 1024  # bytes of XML read from one DOCX (a 12-page brief has 0.2 MB); bounds memory
MAX_COMMENT = 2000  # characters of one comment (or reply) written into the outline
MAX_NAME = 200  # characters of an author, a date or a document property
OLE = bytes.fromhex("D0CF11E0A1B11AE1")
_CHUNK = 1 << 16

_OPEN_EMBED = "\u202a\u202b\u202d\u202e"  # LRE RLE LRO RLO, closed by PDF (U+202C)
_OPEN_ISOLATE = "\u2066\u2067\u2068"  # LRI RLI FSI, closed by PDI (U+2069)
_BREAKS = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_SPACE = re.compile(r"\s+")


def balance_bidi(text: str) -> str:
    """Bidi embeddings, overrides and isolates closed where they were left open; stray closers dropped."""
    out, stack = [], []
    for ch in text:
        if ch in _OPEN_EMBED or ch in _OPEN_ISOLATE:
            stack.append(ch)
            out.append(ch)
        elif ch == "\u202c":  # PDF closes the last embedding, if it is not inside an open isolate
            if stack and stack[-1] in _OPEN_EMBED:
                stack.pop()
                out.append(ch)
        elif ch == "\u2069":  # PDI closes the last isolate and every embedding opened inside it
            if any(c in _OPEN_ISOLATE for c in stack):
                while stack[-1] not in _OPEN_ISOLATE:
                    stack.pop()
                    out.append("\u202c")
                stack.pop()
                out.append(ch)
        else:
            out.append(ch)
    for opened in reversed(stack):
        out.append("\u2069" if opened in _OPEN_ISOLATE else "\u202c")
    return "".join(out)


def clean(text, limit: int | None = None) -> str:
    """One line: line and paragraph separators as spaces, control characters dropped, whitespace collapsed,
    bidi controls balanced, at most `limit` characters (then cut with a marker)."""
    text = _BREAKS.sub(" ", str(text if text is not None else ""))
    text = "".join(ch for ch in text if ch in "\t" or unicodedata.category(ch) not in ("Cc", "Cs", "Co"))
    text = _SPACE.sub(" ", text).strip()
    if limit is not None and len(text) > limit:
        text = f"{text[:limit].rstrip()} … [cut by briefgen: {len(text):,} characters in the DOCX]"
    return balance_bidi(text)


def _comment(c: dict) -> dict:
    c["author"] = clean(c.get("author", ""), MAX_NAME)
    c["date"] = clean(c.get("date", ""), MAX_NAME)
    c["text"] = clean(c.get("text", ""), MAX_COMMENT)
    for r in c.get("replies", []):
        _comment(r)
    return c


def clean_review(review):
    """Every value a review took from the DOCX, made safe to write into the outline (in place)."""
    for item in review.items:
        item.after, item.rejected = clean(item.after), clean(item.rejected)
        for t in item.tracked:
            t["author"], t["date"], t["text"] = clean(t["author"], MAX_NAME), clean(t["date"], MAX_NAME), \
                clean(t["text"], MAX_COMMENT)
        for c in item.comments:
            _comment(c)
        for q in item.quotes:
            q["after"], q["rejected"] = clean(q["after"]), clean(q["rejected"])
    for a in review.added:
        a["text"] = clean(a["text"], MAX_COMMENT)
    for g in review.generated:
        if g.get("part") == "comment":
            _comment(g)
        else:
            g["after"] = clean(g.get("after", ""), MAX_COMMENT)
    for c in review.conflicts:
        c["docx"] = clean(c["docx"])
    return review


# -- the zip ---------------------------------------------------------------------------------------

def docx_parts(data: bytes, name: str, wanted: tuple[str, ...], limit: int = MAX_INFLATED) -> dict[str, bytes]:
    """The wanted members of a DOCX, inflated under a cap on the bytes that come out; else an InputError."""
    hint = "give the .docx the editor sent back (Word: Save As › Word Document)"
    if data.startswith(OLE):
        raise InputError(f"{name} is an OLE compound file, not a .docx: a password-protected (encrypted) Word "
                         "document, or one in the old .doc format", code="docx-encrypted", file=name,
                         hint="open it in Word, remove the password (File › Info › Protect Document) and save it "
                              "as a Word Document (.docx)")
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error):
        found = "an empty file" if not data else f"a file starting with {data[:8]!r}"
        raise InputError(f"{name} is not a Word document (.docx): found {found}", code="not-docx", file=name,
                         hint=hint) from None
    seen: dict[str, str] = {}
    for info in infos:
        key = info.filename.lower()
        if key in seen:
            raise InputError(f"{name} holds two zip members named {info.filename[:120]!r}; Word would read one, "
                             "briefgen cannot tell which", code="docx-duplicate-member", file=name,
                             hint="open it in Word or LibreOffice and save it again, or use the DOCX briefgen built")
        seen[key] = info.filename
    parts, total = {}, 0
    for info in infos:
        if info.filename not in wanted:
            continue
        if info.flag_bits & 0x1:
            raise InputError(f"{name} is encrypted ({info.filename} is password-protected)", code="docx-encrypted",
                             file=name, hint="save it again in Word without a password")
        parts[info.filename] = _inflate(data, info, limit - total, name)
        total += len(parts[info.filename])
    return parts


def _too_large(name: str) -> InputError:
    return InputError(f"{name} inflates to more than {MAX_INFLATED // 2**20} MB of XML, far more than a brief",
                      code="docx-too-large", file=name, hint="is it really the brief? a Word document this size "
                                                             "is not")


def _inflate(data: bytes, info: zipfile.ZipInfo, room: int, name: str) -> bytes:
    """One member's bytes, read from its local header on, never more than `room` bytes whatever it claims."""
    damaged = InputError(f"{name} is damaged: the zip member {info.filename[:120]} cannot be read", code="not-docx",
                         file=name, hint="open it in Word or LibreOffice and save it again")
    at = info.header_offset
    if data[at:at + 4] != b"PK\x03\x04" or len(data) < at + 30:
        raise damaged
    n, m = struct.unpack_from("<HH", data, at + 26)
    start = at + 30 + n + m
    if info.compress_type == zipfile.ZIP_STORED:
        out = data[start:start + info.compress_size]
        if len(out) > room:
            raise _too_large(name)
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        inflater, chunks, size, pos = zlib.decompressobj(-zlib.MAX_WBITS), [], 0, start
        try:
            while not inflater.eof:
                piece = inflater.unconsumed_tail or data[pos:pos + _CHUNK]
                if not inflater.unconsumed_tail:
                    pos += len(piece)
                if not piece:
                    raise damaged  # the stream stops before its end
                chunk = inflater.decompress(piece, room + 1 - size)
                size += len(chunk)
                if size > room:
                    raise _too_large(name)
                chunks.append(chunk)
        except zlib.error:
            raise damaged from None
        out = b"".join(chunks)
    else:
        raise InputError(f"{name} uses a zip compression Word does not write ({info.compress_type})",
                         code="not-docx", file=name, hint="open it in Word or LibreOffice and save it again")
    if zlib.crc32(out) != info.CRC:
        raise damaged
    return out


# -- bookmarks, records, properties ---------------------------------------------------------------

def bookmark_problems(pieces, path_of) -> list[str]:
    """briefgen's anchors that overlap, cross, are never closed or share a name or id (one line each)."""
    ends = {p.value: i for i, p in enumerate(pieces) if p.kind == "end"}
    problems, names, ids, open_at = [], set(), {}, {}
    current = None  # the anchor whose range we are in
    for i, p in enumerate(pieces):
        if p.kind == "start":
            path = path_of(p.value)
            if p.ident in ids and (path or path_of(ids[p.ident])):  # an anchor's id taken twice
                problems.append(f"bookmarks {clean(ids[p.ident], 80)} and {clean(p.value, 80)} share the id "
                                f"{clean(p.ident, 20)}")
            ids[p.ident] = p.value
            if not path:
                continue
            if path in names:
                problems.append(f"two bookmarks mark {path}")
            names.add(path)
            if ends.get(p.ident, -1) < i:
                problems.append(f"the bookmark of {path} is never closed" if p.ident not in ends else
                                f"the bookmark of {path} ends before it starts")
                continue
            if current is not None:
                problems.append(f"the bookmarks of {current} and {path} overlap (they cross)")
            open_at[p.ident] = path
            current = path
        elif p.kind == "end" and p.value in open_at:
            path = open_at.pop(p.value)
            current = next(reversed(open_at.values())) if open_at else None
    return list(dict.fromkeys(problems))


def check_bookmarks(doc, path_of, name: str) -> None:
    problems = bookmark_problems(doc.pieces, path_of)
    if problems:
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise InputError(f"{name}: briefgen's hidden bookmarks were changed, so the text of the items cannot be told "
                         f"apart: {'; '.join(problems[:3])}{more}; nothing was compared",
                         code="docx-bookmarks", file=name,
                         hint="undo the bookmark changes (Word: Insert › Bookmark, show hidden bookmarks) or "
                              "copy the edits into the DOCX briefgen built")


def properties(props: dict) -> dict:
    """briefgen's document properties kept only when they have the shape briefgen writes."""
    out = {}
    build = props.get("briefgen-build", "")
    if isinstance(build, str) and re.fullmatch(r"[0-9a-f]{8,64}", build):
        out["briefgen-build"] = build
    version = props.get("briefgen-outline-version", "")
    if isinstance(version, str) and re.fullmatch(r"[0-9a-f]{40}", version):
        out["briefgen-outline-version"] = version
    outline = props.get("briefgen-outline", "")
    if isinstance(outline, str) and re.fullmatch(r"[^/\\\x00-\x1f]{1,200}\.ya?ml", outline) and \
            len(outline.encode("utf-8", "replace")) < 250:
        out["briefgen-outline"] = outline
    return out


def _is(value, kind) -> bool:
    return isinstance(value, kind) and not (kind is int and isinstance(value, bool))


def valid_record(record) -> bool:
    """Whether a build record (from the project's cache: it may come from anyone) has the shape briefgen writes."""
    try:
        if not (isinstance(record, dict) and _is(record.get("build"), str) and _is(record.get("version"), str)
                and _is(record.get("outline"), str) and isinstance(record.get("items"), dict)
                and isinstance(record.get("footnotes"), dict) and isinstance(record.get("generated"), list)):
            return False
        if not all(_is(k, str) and _is(v, str) and k.isdigit() for k, v in record["footnotes"].items()):
            return False
        if not all(isinstance(g, dict) and _is(g.get("text"), str) and (g.get("after") is None or
                   _is(g.get("after"), str)) for g in record["generated"]):
            return False
        for path, item in record["items"].items():
            if not (_is(path, str) and isinstance(item, dict) and _is(item.get("text"), str)
                    and _is(item.get("prefix"), str) and (item.get("key") is None or _is(item.get("key"), str))
                    and _is(item.get("line"), int) and isinstance(item.get("cites"), list) and "value" in item):
                return False
            for c in item["cites"]:
                if not (isinstance(c, dict) and _is(c.get("number"), int) and c.get("origin") in ("marker", "cite")):
                    return False
                if c["origin"] == "cite" and not (_is(c.get("index"), int) and c["index"] >= 0):
                    return False
                if c["origin"] == "marker" and not (_is(c.get("marker"), str) and _is(c.get("space", ""), str)):
                    return False
                if c.get("quote") is not None and not _is(c["quote"], str):
                    return False
    except (AttributeError, TypeError):
        return False
    return True
