"""Quote verification: find a quote in a source on normalised, whole-word Arabic text."""

from __future__ import annotations

import bisect
import difflib
from dataclasses import dataclass

from .arabic import ELLIPSIS, Token, tokens
from .sources import Source, SourceParagraph


@dataclass
class Match:
    """Where a quote stands in a source: ¶ number and the source's own wording."""

    source_id: str
    para: int
    text: str


@dataclass
class Near:
    """The closest passage to a quote that was not found, with the words that differ marked."""

    para: int
    text: str
    diff: str
    score: float


def pieces(quote: str) -> list[list[str]]:
    """The normalised token runs of a quote; an ellipsis (… or ...) separates omitted parts."""
    return [toks for part in ELLIPSIS.split(quote) if (toks := [t.norm for t in tokens(part)])]


def _joined(para: SourceParagraph) -> tuple[str, list[int]]:
    cached = getattr(para, "_joined", None)
    if cached is None:
        starts, pos = [], 1
        for t in para.tokens:
            starts.append(pos)
            pos += len(t.norm) + 1
        cached = (" " + " ".join(t.norm for t in para.tokens) + " ", starts)
        para._joined = cached  # type: ignore[attr-defined]
    return cached


def _find_in(para: SourceParagraph, runs: list[list[str]]) -> tuple[int, int] | None:
    """Token span [first, last] of all runs, in order, on whole-word boundaries, or None."""
    text, starts = _joined(para)
    pos, first, last = 0, None, None
    for run in runs:
        needle = " " + " ".join(run) + " "
        at = text.find(needle, pos)
        if at < 0:
            return None
        index = bisect.bisect_left(starts, at + 1)
        first = index if first is None else first
        last = index + len(run) - 1
        pos = at + len(needle) - 1
    return (first, last) if first is not None else None


def find(quote: str, source: Source) -> Match | None:
    """The first paragraph of the source that holds the quote, or None."""
    runs = pieces(quote)
    if not runs:
        return None
    for para in source.paragraphs:
        span = _find_in(para, runs)
        if span:
            first, last = para.tokens[span[0]], para.tokens[span[1]]
            return Match(source.id, para.number, _own_words(para, first, last, len(runs) > 1, runs))
    return None


def _own_words(para: SourceParagraph, first: Token, last: Token, elided: bool, runs) -> str:
    """The source's own text of the match (pieces joined by … when the quote elides)."""
    if not elided:
        return para.text[first.start:last.end]
    out = []
    pos = 0
    for run in runs:
        sub = SourceParagraph(para.number, para.line, para.text, para.tokens[pos:])
        span = _find_in(sub, [run])
        if span is None:  # pragma: no cover - find() already matched every run
            break
        a, b = sub.tokens[span[0]], sub.tokens[span[1]]
        out.append(para.text[a.start:b.end])
        pos += span[1] + 1
    return " … ".join(out)


def closest(quote: str, source: Source) -> Near | None:
    """The passage of the source most like the quote, with differing words marked [-old-] {+new+}."""
    flat = ELLIPSIS.sub(" ", quote)
    q_toks = tokens(flat)
    q = [t.norm for t in q_toks]
    if not q:
        return None
    best: Near | None = None
    for para in source.paragraphs:
        norms = [t.norm for t in para.tokens]
        for start in range(0, max(1, len(norms) - len(q) + 1)):
            window = norms[start:start + len(q) + 2]
            blocks = difflib.SequenceMatcher(None, q, window, autojunk=False).get_matching_blocks()
            size = sum(b.size for b in blocks)
            if best is not None and size <= best.score * len(q):
                continue
            matched = [b for b in blocks if b.size]
            first = min((b.b for b in matched), default=0)
            end = max(max((b.b + b.size for b in matched), default=1), first + len(q) + 2)
            # quote words before the first match stand for as many source words before it
            lead = min(matched[0].a, start + first) if matched else 0
            own = para.tokens[start + first - lead:start + end]
            if not own:
                continue
            text = para.text[own[0].start:own[-1].end]
            diff = _diff([flat[t.start:t.end] for t in q_toks], [para.text[t.start:t.end] for t in own],
                         q, [t.norm for t in own])
            best = Near(para.number, text, diff, size / len(q))
    return best


def _diff(q_words: list[str], s_words: list[str], q: list[str], s: list[str]) -> str:
    """The source passage with the quote's differing words: [-source word-] {+quote word+}."""
    out = []
    ops = difflib.SequenceMatcher(None, q, s, autojunk=False).get_opcodes()
    while ops and ops[-1][0] == "insert":  # source words after the end of the quote are not a difference
        ops.pop()
    if ops and ops[-1][0] == "replace":  # a changed last word replaces as many source words, no more
        op, i1, i2, j1, j2 = ops[-1]
        ops[-1] = (op, i1, i2, j1, min(j2, j1 + (i2 - i1)))
    for op, i1, i2, j1, j2 in ops:
        if op == "equal":
            out.append(" ".join(s_words[j1:j2]))
            continue
        if j2 > j1:
            out.append("[-" + " ".join(s_words[j1:j2]) + "-]")
        if i2 > i1:
            out.append("{+" + " ".join(q_words[i1:i2]) + "+}")
    return " ".join(out)


@dataclass
class Hit:
    """One occurrence of a searched phrase: source, ¶, and its character span in that ¶."""

    source_id: str
    para: int
    text: str
    start: int
    end: int


def search(phrase: str, sources: list[Source]) -> list[Hit]:
    """Every whole-word occurrence of a phrase, with the same normalisation as quote checking."""
    runs = pieces(phrase)
    if len(runs) != 1:
        return []
    needle = " " + " ".join(runs[0]) + " "
    hits = []
    for source in sources:
        for para in source.paragraphs:
            text, starts = _joined(para)
            at = text.find(needle)
            while at >= 0:
                i = bisect.bisect_left(starts, at + 1)
                first, last = para.tokens[i], para.tokens[i + len(runs[0]) - 1]
                hits.append(Hit(source.id, para.number, para.text, first.start, last.end))
                at = text.find(needle, at + 1)
    return hits
