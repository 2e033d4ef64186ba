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
from dataclasses import dataclass

_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_LTR = re.compile(r"[A-Za-z0-9\u0660-\u0669\u06f0-\u06f9\u00c0-\u024f]")
_LTR_GLUE = set(" .,:/%-+'’")  # between two left-to-right characters, part of their run


@dataclass
class Line:
    page: int
    baseline: float
    size: float
    text: str


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


def page_lines(layout, number: int) -> list[Line]:
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
            lines.append(Line(number, seg[0].matrix[5], statistics.median(c.size for c in seg), text))
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
