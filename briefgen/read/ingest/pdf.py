"""Ingest stage, PDF articles: a PDF -> logical-order paragraphs, pages noted, running heads dropped.

Lines come from pdflayout.py; here running headers, footers and page numbers are dropped,
lines are joined into paragraphs (also over a page or column break), the .txt line where each
page starts is noted, and the document information gives title, author and date. A result that
still reads as reversed Arabic is refused.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import statistics
import unicodedata

from ...errors import InputError
from .extracted import Extracted
from .pdflayout import Line, page_lines

_FINAL = re.compile(r"[.!?؟…:؛][\"'»”)\]]*$")
_PAGE_NUMBER = re.compile(r"^[\-–—\s]*(?:(?:صفحة|page|p\.)\s*)?[0-9\u0660-\u0669]+"
                          r"(?:\s*(?:/|من|of)\s*[0-9\u0660-\u0669]+)?[\-–—\s]*$", re.IGNORECASE)


def extract_pdf(raw: bytes, name: str) -> Extracted:
    """The article in a PDF: paragraphs (one line per page part), the .txt line of each page, PDF metadata."""
    layouts, info = _parse(raw, name)
    pages = [page_lines(layout, number) for number, layout in enumerate(layouts, 1)]
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


def _parse(raw: bytes, name: str) -> tuple[list, dict[str, str]]:
    """pdfminer's layout of every page and the document information; a damaged or locked PDF is an input error."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFParser

    try:
        doc = PDFDocument(PDFParser(io.BytesIO(raw)))
        info = _info(doc.info[0] if doc.info else {})
        return list(extract_pages(io.BytesIO(raw), laparams=LAParams())), info
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise InputError(f"{name}: the PDF is locked with a password ({type(exc).__name__})", code="pdf-locked",
                         file=name, hint="open it with its password and print it to a new PDF, then add that"
                         ) from None
    except Exception as exc:  # pdfminer raises many kinds of errors on a damaged file  # noqa: BLE001
        raise InputError(f"{name}: not a readable PDF ({type(exc).__name__}: {exc})".splitlines()[0],
                         code="pdf-unreadable", file=name,
                         hint="open it in a PDF viewer; if it opens, print it to a new PDF and add that") from None


def _drop_running(pages: list[list[Line]], dropped: list[tuple[str, str]]) -> list[list[Line]]:
    """Drop running headers and footers (the same first/last line on several pages) and page numbers."""
    def key(line: Line) -> str:
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


def _write(pages: list[list[Line]]) -> tuple[str, list[int]]:
    """Paragraphs one per line, blank lines between; a paragraph going on to the next page continues on the
    next line. Returns the text and the (1-based) line where each page starts."""
    pitches = [a.baseline - b.baseline for lines in pages for a, b in zip(lines, lines[1:], strict=False)
               if 0 < a.baseline - b.baseline]
    pitch = statistics.median(pitches) if pitches else 14.0
    out: list[str] = []
    starts: list[int] = []
    for lines in pages:
        parts: list[list[Line]] = []
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


def _join(lines: list[Line]) -> str:
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
