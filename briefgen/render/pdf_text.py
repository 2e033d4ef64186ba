"""PDF post-processing: the text of every right-to-left line reads right in every reader.

WeasyPrint writes a line's glyphs in visual order, left to right, in one text object. Readers
then disagree about the text: pdfminer has no bidi algorithm and reads each Arabic run backwards;
pypdf reverses runs, but only within one text object; poppler and PDFium end a word at a mark
that HarfBuzz moves off its base (a shadda, tanwin or damma of Amiri): «ص‬ّ‫الملخ», «أولا ً».

This pass rewrites each text object that holds right-to-left glyphs, without moving a glyph:

- the glyphs in logical (reading) order, each in a text object of its own, placed where WeasyPrint
  placed it (pdfminer reads characters in content order; pypdf reorders within a text object);
- the line in marked content whose inline /ActualText holds it in visual order, for poppler
  (poppler spreads the string over the glyphs' box, then reorders it as it reorders glyphs);
- inside it, each word (and each space) in marked content naming a property list of the page
  (/Properties) whose /ActualText holds the word with each right-to-left run reversed: PDFium
  reads the innermost ActualText, counts a mark as weak left-to-right and reorders runs only.

What the readers needed besides (marks at a word's left end hidden from PDFium, advances for
marks, punctuation after a final mark, a space between table cells, ToUnicode entries spelled as
the source spells them) is in docs/pdf-text.md, with the figures. The page looks the same (tests
compare page images in poppler and PDFium).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Dictionary, Name, Operator, String

from . import pdf_glyphs as pg

_OP = {name: Operator(name) for name in ("BDC", "BT", "EMC", "ET", "Q", "Td", "Tf", "Tj", "Tr", "Ts", "cm", "q")}
_SPACING_OPS = {"Tc", "Tw", "Tz", "TL", "Tr", "T*", "'", '"', "Td", "TD"}  # WeasyPrint writes none


@dataclass
class Stats:
    """What the pass did: lines rewritten, words given ActualText, text objects left as they were."""

    lines: int = 0
    words: int = 0
    corrected: int = 0
    corrected_glyphs: int = 0  # ToUnicode entries of mark glyphs set to what the source spells
    skipped_objects: int = 0
    parsed: dict = field(default_factory=dict, repr=False)  # page object number -> its operators as read


@dataclass
class _Geometry:
    """Where a rewritten line lies: its text matrix, its glyphs' extent along it, its last font."""

    matrix: list[float]
    left: float
    right: float
    font: tuple
    space: int | None  # the font's code for a space
    width: int  # bytes per code
    opens_with_space: bool
    ends_with_space: bool


def _apart(before: _Geometry, after: _Geometry) -> bool:
    """Whether `after`, the next right-to-left line drawn, continues `before`'s baseline to its left
    with a gap (table cells of one row): pdfminer, which reads characters in content order and
    adds a space only at a gap to the right, would run the two together."""
    a, b = before.matrix, after.matrix
    if a[:4] != b[:4] or abs(a[5] - b[5]) > 0.5 or before.ends_with_space or after.opens_with_space:
        return False
    gap = (a[4] + before.left * a[0]) - (b[4] + after.right * b[0])
    return gap > 0.2 * before.font[1] and before.space is not None


def _space_after(line: _Geometry) -> list:
    """An invisible space (render mode 3) left of a line's last glyph, inside its q/cm."""
    code = line.space.to_bytes(line.width, "big")
    return [([], _OP["BT"]), ([Name(line.font[0]), line.font[1]], _OP["Tf"]), ([3], _OP["Tr"]),
            ([round(line.left - 0.25 * line.font[1], 3), 0], _OP["Td"]), ([String(code)], _OP["Tj"]),
            ([0], _OP["Tr"]), ([], _OP["ET"])]


class _Font:
    """A font of the document, read once (its ToUnicode map and advances), and what the pass
    learns of it: advances readers need, codes it must leave alone, whether a glyph is hidden."""

    def __init__(self, font: pikepdf.Dictionary):
        self.font = font
        self.unicode = pg.to_unicode(font)
        self.width, self.advances, self.default = pg.widths(font)
        self.space = next((code for code, text in self.unicode.items() if text == " "), None)
        self.need: dict[bytes, float] = {}  # code -> the advance readers need (see pdf_glyphs.widen)
        self.kept: set = set()  # codes drawn by text objects left as they were (None: one not read)
        self.hidden = False  # a glyph of it has the property list pdf_glyphs.HIDDEN


@dataclass
class _Document:
    """What the pages of one PDF share while they are rewritten."""

    stats: Stats
    source: dict[str, set[str]]
    rtl: bool  # the document's direction: the base direction of its lines
    fonts: dict = field(default_factory=dict)  # font object -> _Font
    names: dict = field(default_factory=dict)  # (PDFium's text, variant) -> its property list's name
    votes: dict = field(default_factory=dict)  # (font object, code) -> texts its ToUnicode entry should have


class _Page:
    """The rewriting of one page's content stream."""

    def __init__(self, pdf: pikepdf.Pdf, page: pikepdf.Page, doc: _Document):
        self.pdf, self.page, self.doc = pdf, page, doc
        self.stats, self.source, self.names, self.votes = doc.stats, doc.source, doc.names, doc.votes
        self.left_piece: tuple[str, int] | None = None  # the last line's leftmost piece: (text, variant)
        self.fonts: dict[str, _Font] = {}
        for name, font in page.Resources.get("/Font", {}).items():
            if font.objgen not in doc.fonts:
                doc.fonts[font.objgen] = _Font(font)
            self.fonts[str(name)] = doc.fonts[font.objgen]

    def rewrite(self) -> bool:
        ops = pikepdf.parse_content_stream(self.page)
        self.stats.parsed[self.page.obj.objgen[0]] = ops
        if any(str(op) in _SPACING_OPS for _, op in ops):
            self.stats.skipped_objects += sum(str(op) == "BT" for _, op in ops)
            return False
        out: list = []
        changed, previous = False, None
        i = 0
        while i < len(ops):
            if str(ops[i][1]) != "BT":
                out.append(ops[i])
                i += 1
                continue
            j = i + 1
            while j < len(ops) and str(ops[j][1]) != "ET":
                j += 1
            self.geometry = None
            body = self._text_object(ops[i + 1:j])
            if body is None:
                out.extend(ops[i:j + 1])
                if any(str(op) in ("TJ", "Tj") for _, op in ops[i + 1:j]):
                    previous = None  # text drawn between two lines: no space to add (a Latin name)
            else:
                if previous and self.geometry and _apart(previous[1], self.geometry):
                    out[previous[0]:previous[0]] = _space_after(previous[1])
                out.extend(body)
                changed = True
                previous = (len(out) - 2, self.geometry)  # before the body's closing Q
            i = j + 1
        if changed:
            self.page.Contents = self.pdf.make_stream(pikepdf.unparse_content_stream(out))
        return changed

    def _read(self, ops: list) -> tuple[list[float], list[pg.Glyph], tuple] | None:
        """The first text matrix and the glyphs of one BT..ET, or None if it holds what this pass does not rewrite."""
        matrix, glyphs, font, rise, x = None, [], None, 0.0, 0.0
        for operands, op in ops:
            name = str(op)
            if name == "Tm":
                tm = [float(v) for v in operands]
                if matrix is None:
                    matrix = tm
                elif tm[:4] != matrix[:4] or tm[5] != matrix[5] or not matrix[0] or matrix[1]:
                    return None
                else:
                    x = (tm[4] - matrix[4]) / matrix[0]
            elif name == "Tf":
                font = (str(operands[0]), float(operands[1]))
                if font[0] not in self.fonts:
                    return None
            elif name == "Ts":
                rise = float(operands[0])
            elif name in ("TJ", "Tj") and font is not None and matrix is not None:
                f = self.fonts[font[0]]
                for item in operands[0] if name == "TJ" else [operands[0]]:
                    if not isinstance(item, pikepdf.String):
                        x -= float(item) / 1000 * font[1]
                        continue
                    raw = bytes(item)
                    for k in range(0, len(raw), f.width):
                        code = int.from_bytes(raw[k:k + f.width], "big")
                        glyphs.append(pg.Glyph(raw[k:k + f.width], f.unicode.get(code, ""), rise, font, x))
                        x += f.advances.get(code, f.default) / 1000 * font[1]
            else:
                return None
        return (matrix, glyphs, font) if glyphs else None

    def _text_object(self, ops: list) -> list | None:
        """One BT..ET rewritten (see the module's docstring), or None to leave it as it is."""
        if not any(str(op) in ("TJ", "Tj") for _, op in ops):
            return None  # nothing drawn
        read = self._read(ops)
        if read is None:
            self.stats.skipped_objects += 1
            for operands, op in ops:  # its glyphs keep their advances
                if str(op) == "Tf" and str(operands[0]) in self.fonts:
                    self.fonts[str(operands[0])].kept.add(None)
            return None
        matrix, glyphs, last_font = read
        latin_line = not self.doc.rtl and any(pg.has_latin(g.text) for g in glyphs)
        if latin_line or not any(pg.is_rtl(g.text) for g in glyphs):
            # left to right, or a left-to-right line of an English brief quoting Arabic: left as
            # WeasyPrint wrote it (this pass reorders lines whose base direction is right to left);
            # its glyphs keep their advances
            for g in glyphs:
                self.fonts[g.font[0]].kept.add(g.code)
            return None
        for g in glyphs:  # see pdf_glyphs.widen
            need = self.fonts[g.font[0]].need
            if g.rise:
                need[g.code] = max(need.get(g.code, 0), 2000 * abs(g.rise) / g.font[1] + 100)
            if pg.is_mark(g.text):
                need[g.code] = max(need.get(g.code, 0), 250)
        self.stats.lines += 1
        order = pg.logical_order([g.text for g in glyphs])
        line_text, piece_at, pdfium_of = [], {}, {}
        for word in pg.runs(glyphs, lambda g: not g.text.isspace()):
            if not word[0][1].text.isspace():
                popp, pieces = self._word_texts([g for _, g in word])
                line_text.append(popp)
                for k, (size, text) in enumerate(pieces):
                    start = sum(p[0] for p in pieces[:k])
                    key = word[start][0]
                    pdfium_of[key] = text
                    piece_at.update({n: key for n, _ in word[start:start + size]})
            else:
                line_text.extend(g.text for _, g in word)
        # PDFium reads a piece's ActualText at its leftmost glyph and takes that glyph's box for the
        # line's: a mark there (the tanwin of a final alef) would end the line or turn the word
        # around. Such marks get a property list of their own that PDFium reads as nothing (pdf_glyphs.HIDDEN).
        hidden, members = set(), {}
        for n in order:
            if n in piece_at:
                members.setdefault(piece_at[n], []).append(n)
        for group in members.values():
            for n in sorted(group, key=lambda n: glyphs[n].x):
                if not (glyphs[n].rise or pg.is_mark(glyphs[n].text)):
                    break
                hidden.add(n)
                self.fonts[glyphs[n].font[0]].hidden = True
        # q/cm outside the line's span: poppler places the span's text with the state at its EMC.
        out = [([], _OP["q"]), ([*matrix], _OP["cm"]),
               ([Name.Span, Dictionary(ActualText=String("".join(line_text)))], _OP["BDC"])]
        # One property list per text serves every piece that says it, but PDFium reads two
        # neighbouring pieces with the same list as one («...» would lose two dots, two cells of
        # a row saying «مرتفع» one of them): a piece whose right neighbour says the same takes the
        # other of two lists. The previous line drawn is the right neighbour of this one's first.
        key_of = [("hidden", n) if n in hidden else piece_at.get(n, ("space", n)) for n in range(len(glyphs))]
        names, last = {}, self.left_piece
        for n in reversed(range(len(glyphs))):
            key = key_of[n]
            if key in names:
                continue
            text = pg.HIDDEN if n in hidden else pdfium_of.get(key, glyphs[n].text)
            variant = 1 - last[1] if last and last[0] == text else 0
            names[key] = self._name(text, variant)
            last = (text, variant)
        self.left_piece = last
        font, rise, open_word = None, 0.0, None
        for n in order:
            g, key = glyphs[n], key_of[n]
            if key != open_word:
                if open_word is not None:
                    out.append(([], _OP["EMC"]))
                out.append(([Name.Span, names[key]], _OP["BDC"]))
                open_word = key
            out.append(([], _OP["BT"]))
            if g.font != font:
                font = g.font
                out.append(([Name(font[0]), font[1]], _OP["Tf"]))
            if g.rise != rise:
                rise = g.rise
                out.append(([rise], _OP["Ts"]))
            if g.x:
                out.append(([round(g.x, 3), 0], _OP["Td"]))
            out.append(([String(g.code)], _OP["Tj"]))
            out.append(([], _OP["ET"]))
        self.geometry = _Geometry(matrix, min(g.x for g in glyphs), max(g.x for g in glyphs), last_font,
                                  self.fonts[last_font[0]].space, self.fonts[last_font[0]].width,
                                  glyphs[order[0]].text.isspace(), glyphs[order[-1]].text.isspace())
        out += [([], _OP["EMC"]), ([], _OP["EMC"]), ([], _OP["Q"]),
                ([Name(last_font[0]), last_font[1]], _OP["Tf"])]  # the text state the object left
        return out

    def _word_texts(self, glyphs: list[pg.Glyph]) -> tuple[str, list[tuple[int, str]]]:
        """A word's ActualText for poppler (visual order), and its pieces for PDFium as (number of
        glyphs, text) in visual order: each right-to-left run reversed, each other glyph as it is
        (PDFium, given a run and the punctuation after it in one string, does not reorder them)."""
        self.stats.words += 1
        popp, pieces = [], []
        for run in pg.runs(glyphs, lambda g: pg.is_rtl(g.text) or pg.is_mark(g.text) or not g.text):
            part = [g for _, g in run]
            if not (pg.is_rtl(part[0].text) or pg.is_mark(part[0].text) or not part[0].text):
                popp.append("".join(g.text for g in part))
                pieces += [(1, g.text) for g in part]
                continue
            logical = pg.logical_text(part)
            found = self.source.get(pg.skeleton(logical), set())
            if self.source and unicodedata.normalize("NFC", logical) not in found and len(found) == 1:
                (logical,) = found  # a right-to-left run the source spells one way only: its true marks
                popp.append(logical[::-1])
                self.stats.corrected += 1
                self._vote(part, logical)
            else:
                popp.append(pg.poppler_text(part))
                self._vote(part, None)
            pieces.append((len(part), pg.pdfium_text(logical)))
        return pg.lead_rlm("".join(popp)), pg.before_punctuation(pieces)

    def _vote(self, part: list[pg.Glyph], target: str | None) -> None:
        """Which text a mark glyph's ToUnicode entry should have, from a run the source spells
        `target` (None: the run reads right as it is, so its glyphs' entries are right)."""
        for k, g in enumerate(part):
            if not (pg.is_mark(g.text) and len(g.text) > 1):
                continue
            key = (self.fonts[g.font[0]].font.objgen, g.code)
            votes = self.votes.setdefault(key, set())
            if target is None:
                votes.add(None)
                continue
            for j in range(len(g.text)):
                fixed = [*part[:k], pg.Glyph(g.code, g.text[:j] + g.text[j + 1:]), *part[k + 1:]]
                if unicodedata.normalize("NFC", pg.logical_text(fixed)) == target:
                    votes.add(g.text[:j] + g.text[j + 1:])
                    break
            else:
                votes.add(None)

    def _name(self, text: str, variant: int) -> Name:
        if (text, variant) not in self.names:
            self.names[(text, variant)] = Name(f"/BgAT{len(self.names)}")
        return self.names[(text, variant)]


def add_actual_text(pdf: pikepdf.Pdf, source: dict[str, set[str]] | None = None, rtl: bool = True) -> Stats:
    """Rewrite every line holding right-to-left glyphs; returns what was done. `rtl`: the
    document's direction; in a left-to-right document (an English brief quoting Arabic) only
    lines without Latin letters are rewritten, as right-to-left lines. `source`
    (pdf_glyphs.source_index of the HTML's text) corrects a word whose marks WeasyPrint's ToUnicode map got
    wrong (it maps a glyph to the text of the first cluster it drew, so a mark ligature can come
    out twice); the correction reaches the readers that read ActualText."""
    doc = _Document(Stats(), source or {}, rtl)
    changed = [page for page in pdf.pages if _Page(pdf, page, doc).rewrite()]
    for f in doc.fonts.values():
        pg.widen(f.font, f.need, f.kept)
        fixes = {code: texts.pop() for (objgen, code), texts in doc.votes.items()
                 if objgen == f.font.objgen and len(texts) == 1 and None not in texts}
        if f.hidden or fixes:
            pg.fix_to_unicode(pdf, f.font, fixes, f.hidden)
            doc.stats.corrected_glyphs += len(fixes)
    table = pdf.make_indirect(Dictionary({str(name): Dictionary(ActualText=String(text))
                                          for (text, _), name in doc.names.items()}))
    for page in changed:  # pages may share their /Resources (WeasyPrint's do): one table serves them all
        own = page.Resources.get("/Properties")
        if own is None or (own.is_indirect and own.objgen == table.objgen):
            page.Resources.Properties = table
        else:
            for key, value in table.items():
                own[key] = value
    return doc.stats
