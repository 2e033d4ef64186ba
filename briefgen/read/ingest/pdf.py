"""Ingest stage, PDF articles: a PDF -> logical-order paragraphs, pages noted, running heads dropped.

Lines come from pdflayout.py; here running headers, footers and page numbers are dropped, the
lines become paragraphs with roles (pdfparas.py: headline, caption, footnote…, also over a page
or column break), the .txt line where each page starts and the role of each paragraph are noted,
glyphs left out are counted per page, and the document information gives title, author and date.
A result that still reads as reversed Arabic is refused.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata

from ...errors import InputError
from .extracted import Extracted
from .pdflayout import Line, PageGlyphs, page_lines
from .pdfparas import Para, paragraphs, text_of

_PAGE_NUMBER = re.compile(r"^[\-–—\s]*(?:(?:صفحة|الصفحة|ص|page|p\.)\s*)?[0-9\u0660-\u0669]+"
                          r"(?:\s*(?:/|من|of)\s*[0-9\u0660-\u0669]+)?[\-–—\s]*$", re.IGNORECASE)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffc-\uffff]")
EDGE = 3  # lines at the top and at the foot of a page where running heads stand


def extract_pdf(raw: bytes, name: str) -> Extracted:
    """The article in a PDF: paragraphs (one line per page part), the .txt line of each page, PDF metadata."""
    layouts, info = _parse(raw, name)
    found = [PageGlyphs() for _ in layouts]
    pages = [page_lines(layout, number, found[number - 1]) for number, layout in enumerate(layouts, 1)]
    if not any(pages):
        raise InputError(f"{name}: the PDF has no text layer (a scan?)", code="pdf-no-text", file=name,
                         hint="run OCR on it first (e.g. ocrmypdf -l ara), or copy the text into a .txt file")
    dropped: list[tuple[str, str]] = []
    pages = _drop_running(pages, dropped)
    paras = paragraphs(pages)
    text, starts, roles = _write(paras)
    text, control = _CONTROL.subn("", text)  # some producers map glyphs to U+0000: never written into a source
    for number, glyphs in enumerate(found, 1):
        if glyphs.lost:
            dropped.append((f"{glyphs.lost} glyph(s) without readable text, left out", f"lost-glyphs (page {number})"))
        if glyphs.kashida:
            dropped.append((f"{glyphs.kashida} kashida glyph(s) stretching words, left out",
                            f"kashida (page {number})"))
        for call in glyphs.calls:
            dropped.append((call, f"footnote-call (page {number})"))
    if control:
        dropped.append((f"{control} control character(s)", "control-characters"))
    if "date" in info and not _in_text(info["date"], text):
        del info["date"]  # the PDF's creation date, not stated in the article: often the day it was printed
    if _looks_reversed(text):
        raise InputError(f"{name}: the PDF's Arabic text comes out reversed (words start with final letters)",
                         code="pdf-reversed", file=name,
                         hint="this PDF stores its text in an order briefgen cannot undo; copy the text from a "
                              "viewer into a .txt file and add that instead")
    return Extracted(text=text, meta=info, kind="pdf", suffix=".pdf", pages=starts, dropped=dropped, roles=roles)


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
    """Drop running headers and footers: among a page's first and last lines, page numbers («صفحة ٢ من ٥»,
    «- 2 -») and lines that stand (numbers aside) at the top or foot of most pages."""
    def key(line: Line) -> str:  # a headline repeated as the running head is set larger: not the same line
        return f"{round(line.size)}:" + re.sub(r"[0-9\u0660-\u0669]+", "#", " ".join(line.text.split()))

    def edges(lines: list[Line]) -> list[tuple[int, str]]:
        return [(i, "header") for i in range(min(EDGE, len(lines)))] + \
            [(i, "footer") for i in range(max(EDGE, len(lines) - EDGE), len(lines))]

    seen: dict[str, int] = {}
    for lines in pages:
        for k in {key(lines[i]) for i, _ in edges(lines)}:
            seen[k] = seen.get(k, 0) + 1
    need = max(2, (len(pages) + 1) // 2)
    out = []
    for lines in pages:
        drop = {}
        for i, where in edges(lines):
            line = lines[i]
            if _PAGE_NUMBER.match(line.text):
                drop[i] = f"page-number (page {line.page})"
            elif len(pages) > 1 and seen.get(key(line), 0) >= need:
                drop[i] = f"running-{where} (page {line.page})"
        for i in sorted(drop):
            dropped.append((lines[i].text, drop[i]))
        out.append([ln for i, ln in enumerate(lines) if i not in drop])
    return out


def _write(paras: list[Para]) -> tuple[str, list[int], dict[int, str]]:
    """Paragraphs separated by blank lines; the part of a paragraph on the next page goes on the next line.
    Returns the text, the (1-based) line where each page starts, and the role of each paragraph that is not
    body text, by its first line."""
    out: list[str] = []
    starts: dict[int, int] = {}
    roles: dict[int, str] = {}
    for para in paras:
        if out:
            out.append("")
        if para.role != "body":
            roles[len(out) + 1] = para.role
        for k, (page, text) in enumerate(zip(para.pages, text_of(para), strict=True)):
            starts.setdefault(page, len(out) + (0 if k and out[-1].endswith(("(", "[", "«")) else 1))
            if k and out[-1].endswith(("(", "[", "«")):  # a bracket left open at the foot of the page
                out[-1] += text
            else:
                out.append(text)
    last = max(starts) if starts else 0
    line_of = []
    for page in range(1, last + 1):
        line_of.append(starts.get(page, line_of[-1] if line_of else 1))
    return "\n".join(out) + "\n", line_of, roles


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
