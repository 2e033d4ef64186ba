"""PDF glyphs and their text (render stage, PDF helpers): reading order, the ActualText strings
each reader needs, and the font entries (advances, ToUnicode) render/pdf_text.py adjusts.

Shared by pdf_text (which rewrites lines), pdf_tags and pdf_inspect (which read them).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import pikepdf


@dataclass
class Glyph:
    code: bytes
    text: str
    rise: float = 0.0
    font: tuple = ()  # (resource name, size)
    x: float = 0.0  # advance from the text object's first Tm, in text space


def is_mark(text: str) -> bool:
    return bool(text) and all(unicodedata.category(c) == "Mn" for c in text)


def is_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)


def has_latin(text: str) -> bool:
    """Whether the text holds a strong left-to-right character (a Latin letter, not a digit)."""
    return any(unicodedata.bidirectional(c) == "L" for c in text)


def strong_ltr(text: str) -> bool:
    return any(unicodedata.bidirectional(c) in ("L", "EN", "AN") for c in text) and not is_rtl(text)


def to_unicode(font: pikepdf.Dictionary) -> dict[int, str]:
    """A font's /ToUnicode as code -> text (bfchar and bfrange entries)."""
    if "/ToUnicode" not in font:
        return {}
    cmap = font.ToUnicode.read_bytes().decode("latin-1")
    out: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, uni in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>", block):
            out[int(code, 16)] = bytes.fromhex(uni).decode("utf-16-be", "replace")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for first, last, uni in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            for i, code in enumerate(range(int(first, 16), int(last, 16) + 1)):
                out[code] = chr(int(uni, 16) + i)
    return out


def runs(items: list, same) -> list[list[tuple[int, object]]]:
    """Maximal runs of (index, item) over which `same(item)` keeps one value."""
    out: list = []
    for n, item in enumerate(items):
        if out and same(item) == same(out[-1][-1][1]):
            out[-1].append((n, item))
        else:
            out.append([(n, item)])
    return out


def widths(font: pikepdf.Dictionary) -> tuple[int, dict[int, float], float]:
    """Bytes per code (2 for WeasyPrint's Identity-H fonts), each code's advance in 1/1000 em, the default."""
    if str(font.get("/Subtype")) == "/Type0":
        desc = font.DescendantFonts[0]
        table, items, i = {}, list(desc.get("/W", [])), 0
        while i < len(items):
            first = int(items[i])
            if isinstance(items[i + 1], pikepdf.Array):
                table.update({first + k: float(v) for k, v in enumerate(items[i + 1])})
                i += 2
            else:
                table.update({c: float(items[i + 2]) for c in range(first, int(items[i + 1]) + 1)})
                i += 3
        return 2, table, float(desc.get("/DW", 1000))
    first = int(font.get("/FirstChar", 0))
    return 1, {first + k: float(v) for k, v in enumerate(font.get("/Widths", []))}, 0.0


# PDFium skips a text object whose ActualText has no printable character and at least one that
# the object's font maps a code to (CPDF_TextPage::PreMarkedContent); U+FFFD is such a character
# once the font's ToUnicode maps an unused code to it (_map_hidden).
HIDDEN = "\ufffd"


def fix_to_unicode(pdf: pikepdf.Pdf, font: pikepdf.Dictionary, fixes: dict[bytes, str], hidden: bool) -> None:
    """Rewrite a two-byte font's ToUnicode bfchar entries for `fixes` (code -> text) and, if
    `hidden`, map the unused code FFFF to U+FFFD (see HIDDEN)."""
    if "/ToUnicode" not in font or str(font.get("/Subtype")) != "/Type0":
        return
    cmap = font.ToUnicode.read_bytes()
    for code, text in fixes.items():
        entry = re.compile(rb"<" + code.hex().encode() + rb">\s*<[0-9a-fA-F]*>", re.I)
        cmap = entry.sub(b"<" + code.hex().upper().encode() + b"> <" + text.encode("utf-16-be").hex().upper().encode()
                         + b">", cmap, count=1)
    if hidden and 0xFFFF not in to_unicode(font) and b"endcmap" in cmap:
        cmap = cmap.replace(b"endcmap", b"1 beginbfchar\n<FFFF> <FFFD>\nendbfchar\nendcmap", 1)
    font.ToUnicode = pdf.make_stream(cmap)


def before_punctuation(pieces: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """A right-to-left run ending in marks, followed by punctuation («تارةً،»), as PDFium needs it:
    one piece, the marks after the punctuation (measured: any other order moves the tanwin)."""
    out = list(pieces)
    for k in range(len(out) - 1, 0, -1):
        (size, text), (psize, punct) = out[k], out[k - 1]
        core = text.rstrip("".join(c for c in text if is_mark(c)))
        if core != text and is_rtl(core) and psize == 1 and punct and unicodedata.category(punct[0]) == "Po":
            out[k - 1:k + 1] = [(psize + size, core + punct + text[len(core):])]
    return out


def widen(font: pikepdf.Dictionary, need: dict[bytes, float], kept: set) -> None:
    """Give marks and raised glyphs the advances readers need to keep them on their line.

    PDFium groups a line's text objects while each one's baseline is within half the wider of its
    first glyph and the line's rightmost glyph (CPDF_TextPage::ProcessTextObject): a raised mark,
    whose advance is 0, starts a new group and the line's halves swap. pdfminer keeps two
    characters on a line while their gap is under twice the wider one: two marks of one letter,
    both 0 wide, a fraction of a point apart, split the word across lines. Once every glyph has a
    text object of its own, advances move nothing on the page; a glyph some untouched text object
    draws (a code in `kept`, or None: an object this pass could not read) keeps its advance."""
    if not need or None in kept or str(font.get("/Subtype")) != "/Type0":
        return
    _, table, _ = widths(font)
    changes = {int.from_bytes(code, "big"): w for code, w in need.items() if code not in kept}
    changes = {code: round(w) for code, w in changes.items() if table.get(code, 0) < w}
    if not changes:
        return
    table.update(changes)
    w: list = []
    for code, width in sorted(table.items()):
        if w and w[-2] + len(w[-1]) == code:
            w[-1].append(width)
        else:
            w += [code, pikepdf.Array([width])]
    font.DescendantFonts[0].W = pikepdf.Array(w)


def logical_order(texts: list[str]) -> list[int]:
    """The indices of a right-to-left line's glyphs (their texts in visual order) in reading order:
    the inverse of UAX #9 rule L2 for two levels (left-to-right runs inside a right-to-left line)."""
    rev = list(range(len(texts)))[::-1]
    out: list[int] = []
    i = 0
    while i < len(rev):
        if strong_ltr(texts[rev[i]]):
            j, last = i, i
            while j < len(rev) and not is_rtl(texts[rev[j]]):
                last = j if strong_ltr(texts[rev[j]]) else last
                j += 1
            out.extend(rev[i:last + 1][::-1])
            i = last + 1
        else:
            out.append(rev[i])
            i += 1
    return out


def logical_text(glyphs: list[Glyph]) -> str:
    """A right-to-left word or line in reading order from its glyphs in visual order."""
    texts = [g.text for g in glyphs]
    return "".join(texts[i] for i in logical_order(texts))


def poppler_text(glyphs: list[Glyph]) -> str:
    """A word as poppler expects ActualText: the glyphs' texts in visual order, with an RLM
    before a mark that would open it (the mark of the word's last letter, see lead_rlm)."""
    return lead_rlm("".join(g.text[::-1] if is_rtl(g.text) or is_mark(g.text) else g.text for g in glyphs))


def lead_rlm(visual: str) -> str:
    """An RLM before the first mark when no right-to-left letter comes before it (pdftotext -raw
    starts a reversed run only at such a letter, and an RLM is one)."""
    for i, ch in enumerate(visual):
        if is_rtl(ch):
            return visual
        if is_mark(ch):
            return visual[:i] + "\u200f" + visual[i:]
    return visual


def pdfium_text(logical: str) -> str:
    """A word as PDFium expects ActualText: each right-to-left run reversed in place, the marks,
    digits and punctuation between runs left where they are (PDFium reorders only the runs)."""
    out, run = [], []
    for ch in logical + "\0":
        if unicodedata.bidirectional(ch) in ("R", "AL"):
            run.append(ch)
            continue
        out.extend(reversed(run))
        run = []
        out.append(ch)
    return "".join(out[:-1])


def skeleton(word: str) -> str:
    """A word without its marks and tatweel: what WeasyPrint's ToUnicode map always gets right."""
    return "".join(c for c in word if unicodedata.category(c) != "Mn" and c != "\u0640")


def source_index(texts: list[str]) -> dict[str, set[str]]:
    """Words of the text the PDF was typeset from (runs of letters and marks, NFC), by skeleton."""
    index: dict[str, set[str]] = {}
    for text in texts:
        for token in re.split(r"[^\w\u064b-\u065f\u0670\u0640]+|[\d_]+", unicodedata.normalize("NFC", text)):
            if token:
                index.setdefault(skeleton(token), set()).add(token)
    return index
