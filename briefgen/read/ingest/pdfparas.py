"""Ingest stage, PDF paragraphs: a PDF's lines (running heads already removed) -> paragraphs with roles.

A line's role comes from its size against the body text's: larger on the first page before any
body text is the headline (then the standfirst), larger later a subheading, smaller a caption,
and smaller lines closing a page that open with a number are footnotes (their number removed).
Lines join into a paragraph while they follow at the line pitch; a paragraph ends after a short
line (the last line of a justified paragraph), at a wider gap, or where the role changes, and goes
on over a page or column break when its last line was full or its sentence unfinished. Footnotes
and captions met inside a paragraph that goes on wait until it ends. A block repeating words of a
longer paragraph is a pull-quote.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from .pdflayout import Line

FINAL = re.compile(r"[.!?؟…:؛][\"'»”)\]]*$")
_MARKER = re.compile(r"^\(?([0-9\u0660-\u0669]{1,3})[.)\-–]?\s+(?=\S)")
FLOATING = ("footnote", "caption", "pull-quote")
_ARABIC = re.compile("[\u0621-\u064a]")


@dataclass
class Para:
    role: str  # body, headline, standfirst, subheading, caption, footnote, pull-quote
    parts: list[list[Line]] = field(default_factory=list)  # the lines of each page the paragraph is on
    open: bool = True  # may go on after a page or column break

    @property
    def lines(self) -> list[Line]:
        return [ln for part in self.parts for ln in part]

    @property
    def pages(self) -> list[int]:
        return [part[0].page for part in self.parts]


def body_size(pages: list[list[Line]]) -> float:
    sizes = [ln.size for lines in pages for ln in lines for _ in range(max(1, len(ln.text) // 10))]
    return statistics.median(sizes) if sizes else 10.0


def _role(line: Line, body: float, seen_body: bool, first_page: bool, after_headline: bool) -> str:
    ratio = line.size / body if body else 1.0
    if ratio >= 1.25:
        return "headline" if first_page and not seen_body else "subheading"
    if ratio >= 1.04:
        return "standfirst" if first_page and not seen_body and after_headline else "subheading"
    if ratio <= 0.88:
        return "caption"
    return "body"


def paragraphs(pages: list[list[Line]]) -> list[Para]:
    """Every page's lines as paragraphs with roles, in reading order."""
    body = body_size(pages)
    pitches = [a.baseline - b.baseline for lines in pages for a, b in zip(lines, lines[1:], strict=False)
               if 0 < a.baseline - b.baseline and abs(a.size - body) < 0.1 * body and abs(b.size - body) < 0.1 * body]
    pitch = statistics.median(pitches) if pitches else 1.4 * body
    widths = [ln.x1 - ln.x0 for lines in pages for ln in lines if abs(ln.size - body) < 0.1 * body]
    full = sorted(widths)[int(0.9 * (len(widths) - 1))] if widths else 1.0
    out: list[Para] = []
    pending: list[Para] = []  # footnotes and captions met while a paragraph goes on
    seen_body = False
    headline = False
    for number, lines in enumerate(pages):
        roles = []
        for ln in lines:
            roles.append(_role(ln, body, seen_body, number == 0, headline))
            headline = headline or roles[-1] == "headline"
            seen_body = seen_body or roles[-1] == "body"
        for i in range(len(lines)):  # the small lines closing the page: footnotes if they open with a number
            if roles[i] == "caption" and all(r == "caption" for r in roles[i:]) and _MARKER.match(lines[i].text):
                roles[i:] = ["footnote"] * (len(lines) - i)
                break
        current: Para | None = None
        for line, role in zip(lines, roles, strict=True):
            prev = current.parts[-1][-1] if current is not None else None
            step = prev.baseline - line.baseline if prev is not None else None
            same = current is not None and current.role == role and step is not None and 0 < step <= 1.2 * pitch * (
                line.size / body) and not _ends(prev, full) and not (role == "footnote" and _MARKER.match(line.text)) \
                and not _indented(line, prev, body)
            if same:
                current.parts[-1].append(line)
                continue
            if current is not None:
                current.open = current.role == "body" and not _ends(current.lines[-1], full)
            last_body = next((p for p in reversed(out) if p.role == "body"), None)
            if role == "body" and (step is None or step <= 0) and last_body is not None and last_body.open and \
                    all(p.role in FLOATING for p in out[out.index(last_body) + 1:]):
                # a new page or column: the paragraph left open goes on; what floated in between waits
                for p in out[out.index(last_body) + 1:]:
                    out.remove(p)
                    pending.append(p)
                if last_body.parts[-1][-1].page == line.page:
                    last_body.parts[-1].append(line)
                else:
                    last_body.parts.append([line])
                current = last_body
                continue
            current = Para(role, [[line]])
            if role in FLOATING and out and out[-1].role == "body" and out[-1].open:
                pending.append(current)
                continue
            if role not in FLOATING:
                out.extend(pending)
                pending = []
            out.append(current)
        if current is not None:
            current.open = current.role == "body" and not _ends(current.lines[-1], full)
    out.extend(pending)
    for p in out:
        if p.role == "footnote":
            first = p.parts[0][0]
            first.text = _MARKER.sub("", first.text, count=1)
    _short_headings(out, full)
    _pull_quotes(out)
    return out


def _pull_quotes(paras: list[Para]) -> None:
    """A block whose words stand in a longer body paragraph repeats them: a pull-quote."""
    from ...arabic import normalize

    norms = [" " + normalize(" ".join(text_of(p))) + " " for p in paras]
    for i, p in enumerate(paras):
        if p.role in ("footnote", "headline", "caption") or len(norms[i].split()) < 5:
            continue
        if any(j != i and q.role == "body" and len(norms[j]) > len(norms[i]) and norms[i] in norms[j]
               for j, q in enumerate(paras)):
            p.role = "pull-quote"


def _ends(line: Line, full: float) -> bool:
    """Whether a paragraph ends at this line: a short line (a justified paragraph's last) with a full stop,
    or a line shorter than half the column."""
    width = line.x1 - line.x0
    return width < 0.5 * full or (width < 0.92 * full and bool(FINAL.search(line.text.strip())))


def _indented(line: Line, prev: Line, body: float) -> bool:
    """A first-line indent: the line starts a good space in from where the full line above started (on the
    right for Arabic, on the left for Latin text)."""
    if _ARABIC.match(line.text.lstrip()) and _ARABIC.search(prev.text):
        return prev.x1 - line.x1 > 0.9 * body
    if re.match("[A-Za-z]", line.text.lstrip()) and not _ARABIC.search(prev.text + line.text):
        return line.x0 - prev.x0 > 0.9 * body
    return False


def _short_headings(paras: list[Para], full: float) -> None:
    """A one-line body paragraph of a few words with no full stop, followed by body text, is a subheading."""
    for i, p in enumerate(paras[:-1]):
        lines = p.lines
        if p.role == "body" and len(lines) == 1 and len(lines[0].text.split()) <= 8 and \
                not FINAL.search(lines[0].text.strip()) and paras[i + 1].role == "body":
            p.role = "subheading"


def text_of(para: Para) -> list[str]:
    """The paragraph's text, one string per page part (words hyphenated at a line end joined)."""
    out = []
    for part in para.parts:
        text = ""
        for line in part:
            piece = line.text.strip()
            if text.endswith("-") and re.match(r"[a-z]", piece):
                text = text[:-1] + piece
            else:
                text = f"{text}{'' if text.endswith(('(', '[', '«')) else ' '}{piece}" if text else piece
        out.append(text)
    return out
