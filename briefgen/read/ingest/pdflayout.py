"""Ingest stage, PDF layout: positioned glyphs -> lines of text in reading and logical order.

pdfminer.six gives each glyph with its position and Unicode text. Lines are rebuilt from the
baselines (visual order, left to right), so the result does not depend on the order in which a
producer wrote the glyphs; a page in columns is read column by column (right to left for Arabic);
right-to-left lines are put back in logical order (digit and Latin runs kept left to right, vowel
marks on their letters) and Arabic presentation forms folded to letters (NFKC).
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from dataclasses import dataclass, field

_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_LTR = re.compile(r"[A-Za-z0-9\u0660-\u0669\u06f0-\u06f9\u00c0-\u024f]")
_LTR_GLUE = set(" .,:/%-+'’")  # between two left-to-right characters, part of their run


@dataclass
class Line:
    page: int
    baseline: float
    size: float
    text: str
    x0: float = 0.0
    x1: float = 0.0


@dataclass
class PageGlyphs:
    """What reading one page's glyphs left out: kashida (justification), unreadable glyphs, footnote calls."""

    kashida: int = 0
    lost: int = 0  # glyphs with no Unicode text (unmapped, "(cid:N)", control characters)
    calls: list[str] = field(default_factory=list)  # footnote calls removed from the text


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffd\ufffe\uffff]")
_LETTER = re.compile("[\u0621-\u064a\u066e-\u06d3\u06d5\ufb50-\ufdff\ufe70-\ufefc]")
# What producers map a kashida (or a mark) glyph to; never written glued between two Arabic letters
# (unlike / : - . and quotation marks, which are: «أكتوبر/تشرين»).
_MISMAPPED = re.compile("^[0-9#$%&*+,<=>@\\^_`{|}~\u00c0-\u024f]$")
_REAL = set("\"'()[]{}«»")  # quotation marks and brackets do touch letters (بـ"الخونة")
_FOREIGN = re.compile("^[\u00c0-\u024f]$")
_CALL = re.compile("^[0-9\u0660-\u0669\u00b9\u00b2\u00b3\u2070-\u2079*†‡]+$")


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


def _unreadable(text: str) -> bool:
    return text.startswith("(cid:") or bool(_CONTROL.search(text))


def _glyphs(layout, info: PageGlyphs) -> list:
    """The page's glyphs that carry text (unreadable ones marked, decided later with their neighbours: a
    kashida or a lost glyph), footnote calls (small digits raised beside the line they stand in) removed."""
    chars = [c for c in _chars(layout) if c.get_text() and not c.get_text().isspace()]
    for c in chars:
        if _unreadable(c.get_text()):
            text = _CONTROL.sub("", c.get_text()) if not c.get_text().startswith("(cid:") else ""
            c._text = text if text.strip() else "\ufffc"
            c.unreadable = not text.strip()
    if not chars:
        return chars
    _marks_alone(chars)
    body = statistics.median(c.size for c in chars)
    normal = [c for c in chars if c.size >= 0.9 * body]
    calls = [c for c in chars if c.size < 0.8 * body and not getattr(c, "unreadable", False)
             and _CALL.match(c.get_text()) and any(0.1 * body < c.matrix[5] - n.matrix[5] < 0.8 * body
                                                  and n.x0 - 3 * body < c.x0 < n.x1 + 3 * body for n in normal)]
    prev = None
    for c in sorted(calls, key=lambda c: (-c.matrix[5], c.x0)):  # a call of two digits is one call
        if prev is not None and abs(prev.matrix[5] - c.matrix[5]) < 0.1 * body and c.x0 - prev.x1 < 0.3 * body:
            info.calls[-1] += c.get_text()
        else:
            info.calls.append(c.get_text())
        prev = c
    dropped = {id(c) for c in calls}
    return [c for c in chars if id(c) not in dropped]


def _marks_alone(chars: list) -> None:
    """A vowel mark's glyph of no width whose text repeats the letter it stands on (WeasyPrint with Amiri maps
    the damma of «أُ» to «أُ», drawn over the «أ» glyph): only its marks are kept, so the letter is not doubled."""
    for c in chars:
        text = c.get_text()
        base = text.rstrip("".join(ch for ch in text if unicodedata.combining(ch)))
        if not base or base == text or not all(unicodedata.combining(ch) for ch in text[len(base):]) \
                or c.x1 - c.x0 > 0.05 * max(c.size, 1.0):
            continue
        size = max(c.size, 1.0)
        if any(d is not c and d.get_text() == base and abs(d.matrix[5] - c.matrix[5]) < 0.3 * size
               and d.x0 - 0.05 * size <= c.x0 <= d.x1 + 0.05 * size for d in chars):
            c._text = text[len(base):]


def _drop_kashida(seg: list, info: PageGlyphs) -> list:
    """Glyphs that join two Arabic letters of one word without Unicode text of their own (a justifying kashida
    that the producer mapped to a digit, '<', '%' or nothing) are left out; other unreadable glyphs are lost."""
    bases = sorted((c for c in seg if not unicodedata.combining(c.get_text()[0] if c.get_text() else "a")),
                   key=lambda c: c.x0)
    size = statistics.median(max(c.size, 1.0) for c in bases) if bases else 10.0
    odd = {i for i, c in enumerate(bases) if getattr(c, "unreadable", False) or _MISMAPPED.match(c.get_text())}
    drop, stretch = set(), set()  # left out; left out and bridged (no space where it stood)

    def neighbour(i: int, step: int) -> tuple[str, bool]:
        """The nearest glyph's text beyond a run of such glyphs, and whether the run touches it."""
        j = i + step
        while 0 <= j < len(bases) and j in odd:
            j += step
        if not 0 <= j < len(bases):
            return "", False
        run = sorted([bases[k] for k in range(min(i, j - step), max(i, j - step) + 1)] + [bases[j]],
                     key=lambda c: c.x0)
        return bases[j].get_text(), all(b.x0 - a.x1 < 0.15 * size for a, b in zip(run, run[1:], strict=False))

    for i in sorted(odd):
        (left, lt), (right, rt) = neighbour(i, -1), neighbour(i, 1)
        text = bases[i].get_text()
        letters = "\u0640" not in left + right and bool(_LETTER.search(left) and _LETTER.search(right))
        after_tatweel = (lt and left == "\u0640") or (rt and right == "\u0640")
        joins = (lt and rt and letters) or (text not in _REAL and after_tatweel)
        if _FOREIGN.match(text):  # a Latin letter inside an Arabic word: a mark's glyph mapped wrong
            joins = joins or (lt and bool(_LETTER.search(left))) or (rt and bool(_LETTER.search(right)))
        if joins and getattr(bases[i], "unreadable", False) and bases[i].x1 - bases[i].x0 > 0.35 * size:
            joins = False  # as wide as a letter: a letter whose text is lost, not a kashida
        if (joins or getattr(bases[i], "unreadable", False)) and lt:
            stretch.add(id(bases[i]))  # the glyph on its left reaches over it: no space where it stood
        if joins:
            drop.add(id(bases[i]))
            if _FOREIGN.match(text):
                info.lost += 1  # a vowel mark's glyph mapped to a Latin letter: the mark is lost
            else:
                info.kashida += 1
        elif getattr(bases[i], "unreadable", False):
            drop.add(id(bases[i]))
            info.lost += 1
    last = None
    for c in bases:  # the letter a kashida stretched reaches over it: no gap (no space) where it stood
        if id(c) in stretch and last is not None:
            last.x1 = max(last.x1, c.x1)
        elif id(c) not in drop:
            last = c
    return [c for c in seg if id(c) not in drop]


def page_lines(layout, number: int, info: PageGlyphs | None = None) -> list[Line]:
    """Glyphs grouped into lines by position, each line in logical order."""
    info = info if info is not None else PageGlyphs()
    chars = _glyphs(layout, info)
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
    for m in marks:  # a vowel mark is raised or lowered: it joins the nearest line of the letters under it
        near = [r for r in rows if any(c.x0 - c.size <= m.x0 <= c.x1 + c.size for c in r)] or rows
        if near:
            min(near, key=lambda r: abs(r[0].matrix[5] - m.matrix[5])).append(m)
    segments = [s for s in (_drop_kashida(seg, info) for row in rows for seg in _split(row)) if s]
    lines = []
    for seg in _reading_order(segments):
        seg.sort(key=lambda c: order[id(c)])
        text = _logical(seg)
        if text.strip():
            lines.append(Line(number, seg[0].matrix[5], statistics.median(c.size for c in seg), text,
                              min(c.x0 for c in seg), max(c.x1 for c in seg)))
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
    spans = [(a, b) for a, b in spans if b - a < 0.6 * (right - left)]  # a title across the columns: not counted
    if len(spans) < 6:
        return []
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
