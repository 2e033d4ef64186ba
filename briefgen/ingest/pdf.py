"""Ingest stage, PDF articles: a PDF -> logical-order paragraphs, pages noted, running heads dropped.

pdfminer.six gives each glyph with its position and Unicode text. Lines are rebuilt from the
positions (visual order, left to right), so the result does not depend on the order in which a
producer wrote the glyphs; right-to-left lines are then put back in logical order (digit and
Latin runs kept left to right, mirrored brackets swapped), and Arabic presentation forms are
folded to letters (NFKC). A result that still reads as reversed Arabic is refused.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import statistics
import unicodedata
from dataclasses import dataclass

from ..errors import InputError
from . import Extracted

_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_LTR = re.compile(r"[A-Za-z0-9\u0660-\u0669\u06f0-\u06f9\u00c0-\u024f]")
_LTR_GLUE = set(" .,:/%-+'’")  # between two left-to-right characters, part of their run
_FINAL = re.compile(r"[.!?؟…:؛][\"'»”)\]]*$")
_PAGE_NUMBER = re.compile(r"^[\-–—\s]*(?:(?:صفحة|page|p\.)\s*)?[0-9\u0660-\u0669]+"
                          r"(?:\s*(?:/|من|of)\s*[0-9\u0660-\u0669]+)?[\-–—\s]*$", re.IGNORECASE)


@dataclass
class _Line:
    page: int
    baseline: float
    size: float
    text: str


def extract_pdf(raw: bytes, name: str) -> Extracted:
    """The article in a PDF: paragraphs (one line per page part), the .txt line of each page, PDF metadata."""
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        pages, info = _read(raw)
    except (PDFSyntaxError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{name}: not a readable PDF ({exc})".splitlines()[0], code="pdf-unreadable", file=name,
                         hint="open it in a PDF viewer; if it opens, print it to a new PDF and add that") from None
    if not any(pages):
        raise InputError(f"{name}: the PDF has no text layer (a scan?)", code="pdf-no-text", file=name,
                         hint="run OCR on it first (e.g. ocrmypdf -l ara), or copy the text into a .txt file")
    dropped: list[tuple[str, str]] = []
    pages = _drop_running(pages, dropped)
    text, starts = _write(pages)
    if "date" in info and not _in_text(info["date"], text):
        del info["date"]  # the PDF's creation date, not stated in the article: often the day it was printed
    if _looks_reversed(text):
        raise InputError(f"{name}: the PDF's Arabic text comes out reversed (words start with final letters)",
                         code="pdf-reversed", file=name,
                         hint="this PDF stores its text in an order briefgen cannot undo; copy the text from a "
                              "viewer into a .txt file and add that instead")
    return Extracted(text=text, meta=info, kind="pdf", suffix=".pdf", pages=starts, dropped=dropped)


def _read(raw: bytes) -> tuple[list[list[_Line]], dict[str, str]]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser

    doc = PDFDocument(PDFParser(io.BytesIO(raw)))
    info = _info(doc.info[0] if doc.info else {})
    pages = []
    for number, layout in enumerate(extract_pages(io.BytesIO(raw), laparams=LAParams()), 1):
        pages.append(_page_lines(layout, number))
    return pages, info


def _chars(obj):
    from pdfminer.layout import LTChar

    if isinstance(obj, LTChar):
        yield obj
        return
    try:
        children = iter(obj)
    except TypeError:
        return
    for child in children:
        yield from _chars(child)


def _page_lines(layout, number: int) -> list[_Line]:
    """Glyphs grouped into lines by position, each line in logical order."""
    chars = [c for c in _chars(layout) if c.get_text() and not c.get_text().isspace()]
    order = {id(c): i for i, c in enumerate(chars)}
    rows: list[list] = []
    marks = [c for c in chars if unicodedata.combining(c.get_text()[0])]
    for c in chars:  # by baseline (glyph origin): fonts of one line differ in their boxes, not their baseline
        if unicodedata.combining(c.get_text()[0]):
            continue
        size = max(c.size, 1.0)
        for row in rows:
            if abs(row[0].matrix[5] - c.matrix[5]) < 0.3 * size:
                row.append(c)
                break
        else:
            rows.append([c])
    for m in marks:  # a vowel mark is raised or lowered: it joins the nearest line
        if rows:
            min(rows, key=lambda r: abs(r[0].matrix[5] - m.matrix[5])).append(m)
    segments = [seg for row in rows for seg in _split(row)]
    lines = []
    for seg in _reading_order(segments):
        seg.sort(key=lambda c: order[id(c)])
        text = _logical(seg)
        if text.strip():
            lines.append(_Line(number, seg[0].matrix[5], statistics.median(c.size for c in seg), text))
    return lines


def _split(row: list) -> list[list]:
    """A row cut where the horizontal gap is too wide for a space: the lines of side-by-side columns."""
    bases = sorted((c for c in row if not unicodedata.combining(c.get_text()[0])), key=lambda c: c.x0)
    if not bases:
        return []
    parts = [[bases[0]]]
    for c in bases[1:]:
        if c.x0 - max(p.x1 for p in parts[-1]) > 1.5 * max(c.size, 1.0):
            parts.append([c])
        else:
            parts[-1].append(c)
    for m in (c for c in row if unicodedata.combining(c.get_text()[0])):
        centre = (m.x0 + m.x1) / 2
        min(parts, key=lambda p: 0 if p[0].x0 - 1 <= centre <= p[-1].x1 + 1 else
            min(abs(p[0].x0 - centre), abs(p[-1].x1 - centre))).append(m)
    return parts


def _reading_order(segments: list[list]) -> list[list]:
    """Top to bottom; on a page in columns, column by column (right to left for Arabic), with lines that span
    the columns (a title, a page number) read where they stand."""
    def span(seg):
        return min(c.x0 for c in seg), max(c.x1 for c in seg)

    def top_down(segs):
        return sorted(segs, key=lambda g: (-g[0].matrix[5], span(g)[0]))

    gutters = _gutters([span(g) for g in segments], statistics.median(c.size for g in segments for c in g)
                       if segments else 10.0)
    if not gutters:
        return top_down(segments)
    rtl = sum(len(_ARABIC.findall("".join(c.get_text() for c in g))) for g in segments) > \
        sum(len(re.findall("[A-Za-z]", "".join(c.get_text() for c in g))) for g in segments)
    bounds = [float("-inf"), *[(a + b) / 2 for a, b in gutters], float("inf")]

    def column(seg) -> int | None:
        x0, x1 = span(seg)
        if any(x0 < (a + b) / 2 < x1 or a <= (x0 + x1) / 2 <= b for a, b in gutters):
            return None  # spans the columns
        return next(i for i in range(len(bounds) - 1) if bounds[i] <= (x0 + x1) / 2 < bounds[i + 1])

    out: list[list] = []
    band: list[list] = []
    for seg in top_down(segments) + [None]:
        where = column(seg) if seg is not None else None
        if where is None:  # a spanning line closes the band of columns above it
            for i in sorted({column(g) for g in band}, reverse=rtl):
                out.extend(g for g in band if column(g) == i)
            band = []
            if seg is not None:
                out.append(seg)
        else:
            band.append(seg)
    return out


def _gutters(spans: list[tuple[float, float]], size: float) -> list[tuple[float, float]]:
    """Vertical bands crossed by (almost) no line, with (many) lines on both sides: the gaps between columns."""
    if len(spans) < 6:
        return []
    left, right = min(a for a, _ in spans), max(b for _, b in spans)
    step = max(size / 4, 0.5)
    xs = [left + i * step for i in range(int((right - left) / step) + 1)]
    allowed = max(1, len(spans) // 20)  # a title or a page number may cross
    free = [sum(1 for a, b in spans if a < x < b) <= allowed for x in xs]
    gutters, start = [], None
    for x, ok in zip(xs + [right], free + [False], strict=True):
        if ok and start is None:
            start = x
        elif not ok and start is not None:
            if x - start >= size and sum(1 for _, b in spans if b <= start) >= 3 and \
                    sum(1 for a, _ in spans if a >= x) >= 3:
                gutters.append((start, x))
            start = None
    return gutters


def _logical(row) -> str:
    """One line's glyphs (any order) -> its text in logical order."""
    clusters: list[list] = []  # [text, x0, x1, marks]
    pending = ""
    for c in row:  # stream order: a shaper writes a vowel mark beside its letter (before it in visual runs)
        ch = c.get_text()
        if unicodedata.combining(ch[0]):
            pending += ch
        else:
            clusters.append([ch, c.x0, c.x1, pending])
            pending = ""
    if not clusters:
        return ""
    if pending:
        clusters[-1][3] += pending
    clusters.sort(key=lambda k: k[1])
    bases = [c for c in row if not unicodedata.combining(c.get_text()[0])]
    size = statistics.median(b.height for b in bases)
    visual: list[str] = []  # clusters left to right, " " where there is a gap
    prev_end = None
    for text, x0, x1, mk in clusters:
        if prev_end is not None and x0 - prev_end > 0.15 * size:
            visual.append(" ")
        if len(text) > 1 and mk and mk != "\u064b":  # a ligature (lam-alef): vowel marks go on its first letter
            text, mk = text[:1] + mk + text[1:], ""
        visual.append(unicodedata.normalize("NFKC", text + mk))
        prev_end = max(x1, prev_end or x1)
    if not any(_ARABIC.search(v) for v in visual) and any(re.search("[A-Za-z]", v) for v in visual):
        return "".join(visual)  # a left-to-right line (lines of digits and punctuation alone are taken as Arabic)
    logical = visual[::-1]
    out: list[str] = []
    i = 0
    while i < len(logical):
        if _LTR.search(logical[i]):  # a left-to-right run: digits, Latin (with the glue between them)
            j = i
            while j + 1 < len(logical) and (_LTR.search(logical[j + 1]) or (
                    logical[j + 1] in _LTR_GLUE and j + 2 < len(logical) and _LTR.search(logical[j + 2]))):
                j += 1
            out.extend(logical[i:j + 1][::-1])
            i = j + 1
        else:
            out.append(logical[i])
            i += 1
    text = re.sub(r" +", " ", "".join(out)).strip()
    text = re.sub(r"([(\[«]) (?=\S)", r"\1", re.sub(r"(?<=\S) ([)\]»])", r"\1", text))
    # a full stop or comma after a number at the end of a right-to-left line: the shaper put it after the digits
    return re.sub(r"(^|\s)([.,،:])([0-9\u0660-\u0669][0-9\u0660-\u0669.,/:]*)(?=\s|$)", r"\1\3\2", text)


def _drop_running(pages: list[list[_Line]], dropped: list[tuple[str, str]]) -> list[list[_Line]]:
    """Drop running headers and footers (the same first/last line on several pages) and page numbers."""
    def key(line: _Line) -> str:
        return re.sub(r"[0-9\u0660-\u0669]+", "#", " ".join(line.text.split()))

    firsts = [key(p[0]) for p in pages if p]
    lasts = [key(p[-1]) for p in pages if p]
    need = max(2, len(pages) // 2)
    out = []
    for lines in pages:
        kept = list(lines)
        for index, seen in ((0, firsts), (-1, lasts)):
            for _ in range(2):  # a header line and a page number line
                if not kept:
                    break
                line = kept[index]
                if _PAGE_NUMBER.match(line.text):
                    dropped.append((line.text, f"page-number (page {line.page})"))
                elif len(pages) > 1 and seen.count(key(line)) >= need:
                    dropped.append((line.text, f"running-{'header' if index == 0 else 'footer'} (page {line.page})"))
                else:
                    break
                kept.pop(index)
        out.append(kept)
    return out


def _write(pages: list[list[_Line]]) -> tuple[str, list[int]]:
    """Paragraphs one per line, blank lines between; a paragraph going on to the next page continues on the
    next line. Returns the text and the (1-based) line where each page starts."""
    pitches = [a.baseline - b.baseline for lines in pages for a, b in zip(lines, lines[1:], strict=False)
               if 0 < a.baseline - b.baseline]
    pitch = statistics.median(pitches) if pitches else 14.0
    out: list[str] = []
    starts: list[int] = []
    for lines in pages:
        parts: list[list[_Line]] = []
        for line in lines:
            step = parts[-1][-1].baseline - line.baseline if parts else None
            if step is not None and (0 < step <= 1.3 * pitch or step <= 0 and not _FINAL.search(parts[-1][-1].text)):
                # the next line, or the top of the next column continuing an unfinished sentence
                parts[-1].append(line)
            else:
                parts.append([line])
        first = True
        for part in parts:
            text = _join(part)
            continues = first and out and out[-1] and not _FINAL.search(out[-1])
            if continues and out[-1].endswith(("(", "[", "«")):  # a bracket left open at the foot of the page
                starts.append(len(out))
                out[-1] += text
                first = False
                continue
            if not continues and out:
                out.append("")
            if first:
                starts.append(len(out) + 1)
                first = False
            out.append(text)
        if first:  # an empty page starts where the next one does
            starts.append(len(out) + 2)
    return "\n".join(out) + "\n", starts


def _join(lines: list[_Line]) -> str:
    text = ""
    for line in lines:
        part = line.text.strip()
        if text.endswith("-") and re.match(r"[a-z]", part):
            text = text[:-1] + part
        else:
            text = f"{text}{'' if text.endswith(('(', '[', '«')) else ' '}{part}" if text else part
    return text


def _in_text(date: str, text: str) -> bool:
    day = dt.date.fromisoformat(date)
    return any(f in text for f in (date, f"{day.day:02d}/{day.month:02d}/{day.year}",
                                   f"{day.day}/{day.month}/{day.year}", f"{day.year}/{day.month:02d}/{day.day:02d}"))


def _looks_reversed(text: str) -> bool:
    """Reversed Arabic: words open with letters that only end words (ة ى), or end with 'لا' more than open with 'ال'."""
    words = re.findall("[\u0621-\u064a]+", text)
    if len(words) < 20:
        return False
    backwards = sum(1 for w in words if w[0] in "ةى" or (len(w) > 3 and w.endswith("لا")))
    forwards = sum(1 for w in words if w[-1] in "ةى" or (len(w) > 3 and w.startswith("ال")))
    return backwards > forwards


def _info(info: dict) -> dict[str, str]:
    """Title, author and date from the PDF's document information, when stated."""
    meta: dict[str, str] = {}
    for key, field in (("title", "Title"), ("author", "Author")):
        value = _string(info.get(field))
        if value:
            meta[key] = value
    created = _string(info.get("CreationDate"))
    if created and (m := re.match(r"(?:D:)?(\d{4})(\d{2})(\d{2})", created)):
        try:
            meta["date"] = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
        except ValueError:
            pass
    return meta


def _string(value) -> str | None:
    from pdfminer.pdftypes import resolve1

    value = resolve1(value)
    if isinstance(value, bytes):
        if value.startswith((b"\xfe\xff", b"\xff\xfe")):
            text = value.decode("utf-16")
        else:
            try:
                text = value.decode("utf-8")
            except UnicodeDecodeError:
                text = value.decode("latin-1")
    elif isinstance(value, str):
        text = value
    else:
        return None
    text = unicodedata.normalize("NFKC", text).strip()
    return text or None
