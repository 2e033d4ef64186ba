"""PDF post-processing: every Arabic word with a combining mark copies and searches whole.

WeasyPrint writes the glyphs of a right-to-left run in visual order, as every producer does, and
readers rebuild the logical text from the glyphs' positions. A mark that HarfBuzz moves off its
base (a shadda, tanwin or damma of Amiri) is drawn with its own offset or text rise, and readers
end the word there: poppler gives «ص‬ّ‫الملخ», PDFium «أولا ً». This pass wraps each such word,
without moving a glyph, in marked content whose /ActualText says what the word is:

- an inline property list, read by poppler, holding the word in visual order (poppler puts the
  string in place of the glyphs, then reorders it as it reorders glyphs);
- inside it a named property list (the page's /Properties), read by PDFium and ignored by poppler,
  holding the word with each right-to-left run reversed in place (PDFium counts a combining mark
  as a weak left-to-right character and does not reorder around it).

The glyphs, their order and positions are untouched, so the page looks the same and readers that
ignore /ActualText (pypdf, pdfminer) read exactly what they read before. See docs/pdf-text.md.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name, Operator, String

# Operators WeasyPrint writes inside a text object before or between its glyphs.
_STATE_OPS = {"Tm", "Tf", "Ts", "rg", "RG", "g", "G", "k", "K", "gs", "cs", "CS", "sc", "SC", "scn", "SCN"}


@dataclass
class Stats:
    """What the pass did: words wrapped, and words it had to leave as WeasyPrint wrote them."""

    wrapped: int = 0
    left: int = 0
    skipped_objects: int = 0
    corrected: int = 0
    notes: list[str] = field(default_factory=list)
    parsed: dict = field(default_factory=dict, repr=False)  # page object number -> its operators as read


@dataclass
class _Glyph:
    code: bytes
    text: str
    rise: float


def is_mark(text: str) -> bool:
    return bool(text) and all(unicodedata.category(c) == "Mn" for c in text)


def is_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)


def _strong_ltr(text: str) -> bool:
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


def logical_text(glyphs: list[_Glyph]) -> str:
    """The word in reading order from its glyphs in visual order (inverse of UAX #9 rule L2, two levels)."""
    rev = glyphs[::-1]
    out: list[_Glyph] = []
    i = 0
    while i < len(rev):
        if _strong_ltr(rev[i].text):
            j, last = i, i
            while j < len(rev) and not is_rtl(rev[j].text):
                last = j if _strong_ltr(rev[j].text) else last
                j += 1
            out.extend(rev[i:last + 1][::-1])
            i = last + 1
        else:
            out.append(rev[i])
            i += 1
    return "".join(g.text for g in out)


def poppler_text(glyphs: list[_Glyph]) -> str:
    """The word as poppler expects ActualText: the glyphs' texts in visual order, with an RLM
    before a mark that would open it (the mark of the word's last letter, see _lead_rlm)."""
    return _lead_rlm("".join(g.text[::-1] if is_rtl(g.text) or is_mark(g.text) else g.text for g in glyphs))


def _lead_rlm(visual: str) -> str:
    """An RLM before the first mark when no right-to-left letter comes before it (pdftotext -raw
    starts a reversed run only at such a letter, and an RLM is one)."""
    for i, ch in enumerate(visual):
        if is_rtl(ch):
            return visual
        if is_mark(ch):
            return visual[:i] + "\u200f" + visual[i:]
    return visual


def pdfium_text(logical: str) -> str:
    """The word as PDFium expects ActualText: each right-to-left run reversed in place, the marks,
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


class _Page:
    """The rewriting of one page's content stream."""

    def __init__(self, pdf: pikepdf.Pdf, page: pikepdf.Page, stats: Stats, counter: list[int],
                 source: dict[str, set[str]]):
        self.pdf, self.page, self.stats, self.counter, self.source = pdf, page, stats, counter, source
        fonts = page.Resources.get("/Font", {})
        self.fonts = {str(name): (to_unicode(font), _code_width(font)) for name, font in fonts.items()}
        self.properties: dict[str, pikepdf.Object] = {}

    def rewrite(self) -> bool:
        ops = pikepdf.parse_content_stream(self.page)
        self.stats.parsed[self.page.obj.objgen[0]] = ops
        out: list = []
        changed = False
        i = 0
        while i < len(ops):
            if str(ops[i][1]) != "BT":
                out.append(ops[i])
                i += 1
                continue
            j = i + 1
            while j < len(ops) and str(ops[j][1]) != "ET":
                j += 1
            body = self._text_object(ops[i + 1:j])
            if body is None:
                out.extend(ops[i:j + 1])
            else:
                out.extend([ops[i], *body, ops[j]])
                changed = True
            i = j + 1
        if changed:
            self.page.Contents = self.pdf.make_stream(pikepdf.unparse_content_stream(out))
            props = self.page.Resources.get("/Properties") or Dictionary()
            for name, obj in self.properties.items():
                props[name] = obj
            self.page.Resources.Properties = props
        return changed

    def _text_object(self, ops: list) -> list | None:
        """The operators of one BT..ET with its marked words wrapped, or None to leave it as it is."""
        pieces: list = []  # ("op", operands, operator) | ("glyph", _Glyph) | ("kern", number)
        font, rise = None, 0.0
        for operands, op in ops:
            name = str(op)
            if name == "TJ" and font is not None:
                unicode, width = self.fonts[font]
                for item in operands[0]:
                    if isinstance(item, pikepdf.String):
                        raw = bytes(item)
                        for k in range(0, len(raw), width):
                            code = raw[k:k + width]
                            pieces.append(("glyph", _Glyph(code, unicode.get(int.from_bytes(code, "big"), ""), rise)))
                    else:
                        pieces.append(("kern", item))
            elif name in _STATE_OPS:
                if name == "Tf":
                    font = str(operands[0])
                    if font not in self.fonts:
                        return None
                elif name == "Ts":
                    rise = float(operands[0])
                pieces.append(("op", operands, op))
            else:
                self.stats.skipped_objects += 1
                return None
        spans = self._words(pieces)
        return self._emit(pieces, spans) if spans else None

    def _words(self, pieces: list) -> list[list[tuple[int, int, str, str]]]:
        """Each word that needs ActualText, as parts (first piece, last piece, poppler text, PDFium text)."""
        spans = []
        glyph_at = [i for i, p in enumerate(pieces) if p[0] == "glyph"]
        word: list[int] = []
        for i in [*glyph_at, None]:
            if i is not None and not pieces[i][1].text.isspace() and pieces[i][1].text:
                word.append(i)
                continue
            if word:
                span = self._word_span(pieces, word)
                if span:
                    spans.append(span)
            word = []
        return spans

    def _word_span(self, pieces: list, word: list[int]):
        glyphs = [pieces[i][1] for i in word]
        text = "".join(g.text for g in glyphs)
        if not is_rtl(text) or not any(is_mark(g.text) or g.rise for g in glyphs):
            return None  # readers already give this word whole
        self.stats.wrapped += 1
        logical = logical_text(glyphs)
        popp, pdfium = poppler_text(glyphs), pdfium_text(logical)
        found = self.source.get(skeleton(logical), set())
        if self.source and unicodedata.normalize("NFC", logical) not in found and len(found) == 1 \
                and not any(_strong_ltr(c) for c in logical):
            (logical,) = found  # a right-to-left word the source spells one way only: its true marks
            popp, pdfium = _lead_rlm(logical[::-1]), pdfium_text(logical)
            self.stats.corrected += 1
        lead = next((n for n, g in enumerate(glyphs) if not g.rise), None)
        if lead is None:
            self.stats.left += 1
            self.stats.notes.append(text)
            return None
        if lead == 0:
            return [(word[0], word[-1], popp, pdfium)]
        # poppler takes a span's baseline from its first glyph: the raised marks before the first
        # glyph on the baseline go in a span of their own whose empty ActualText hides them from
        # poppler; PDFium reads both parts through the same named property list.
        return [(word[0], word[lead] - 1, "", pdfium), (word[lead], word[-1], popp, pdfium)]

    def _emit(self, pieces: list, spans: list) -> list:
        starts, ends = {}, {}
        for parts in spans:
            name = f"/BgAT{self.counter[0]}"  # the parts of a word share PDFium's text
            self.counter[0] += 1
            self.properties[name] = self.pdf.make_indirect(Dictionary(ActualText=String(parts[0][3])))
            for first, last, popp, _ in parts:
                starts[first] = (popp, name)
                ends[last] = True
        out: list = []
        array: list = []

        def flush():
            if array:
                out.append(([Array(array.copy())], Operator("TJ")))
                array.clear()

        for i, piece in enumerate(pieces):
            if i in starts:
                flush()
                popp, name = starts[i]
                out.append(([Name.Span, Dictionary(ActualText=String(popp))], Operator("BDC")))
                out.append(([Name.Span, Name(name)], Operator("BDC")))
            if piece[0] == "op":
                flush()
                out.append((piece[1], piece[2]))
            elif piece[0] == "glyph":
                array.append(String(piece[1].code))
            else:
                array.append(piece[1])
            if i in ends:
                flush()
                out.append(([], Operator("EMC")))
                out.append(([], Operator("EMC")))
        flush()
        return out


def _code_width(font: pikepdf.Dictionary) -> int:
    """Bytes per character code: 2 for WeasyPrint's Identity-H fonts, 1 for simple fonts."""
    return 2 if str(font.get("/Subtype")) == "/Type0" else 1


def skeleton(word: str) -> str:
    """A word without its marks and tatweel: what WeasyPrint's ToUnicode map always gets right."""
    return "".join(c for c in word if unicodedata.category(c) != "Mn" and c != "\u0640")


def source_index(texts: list[str]) -> dict[str, set[str]]:
    """Words of the text the PDF was typeset from (space-separated, NFC), by skeleton."""
    index: dict[str, set[str]] = {}
    for text in texts:
        for token in text.split():
            token = unicodedata.normalize("NFC", token)
            index.setdefault(skeleton(token), set()).add(token)
    return index


def add_actual_text(pdf: pikepdf.Pdf, source: dict[str, set[str]] | None = None) -> Stats:
    """Wrap every marked Arabic word of every page; returns what was done. `source` (source_index
    of the HTML's text) corrects a word whose marks WeasyPrint's ToUnicode map got wrong (it maps a
    glyph to the text of the first cluster it drew, so a mark ligature can come out twice)."""
    stats, counter = Stats(), [0]
    for page in pdf.pages:
        _Page(pdf, page, stats, counter, source or {}).rewrite()
    return stats
