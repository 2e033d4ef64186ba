"""Review stage, items: an edited document's pieces cut into its anchored items and the paragraphs between."""

from __future__ import annotations

from dataclasses import dataclass

from .. import anchors
from .docx_read import Document, Piece, normalize, view


@dataclass
class Span:
    """The pieces of one anchored item, and the generated text before it in its first paragraph."""

    path: str
    pieces: list[Piece]
    prefix: list[Piece]
    end: Piece | None = None  # what ends it: its paragraph's end ("para", tracked if joined) or the next item


@dataclass
class Para:
    """A paragraph outside every item (a heading, a label, the bibliography, or one the editor added)."""

    text: str
    style: str
    after: str | None  # the path of the item it follows


def spans(doc: Document) -> tuple[dict[str, Span], list[Para]]:
    """Each anchored item's pieces (from its bookmark to the end of the paragraph holding the bookmark's
    end, or to the next item's bookmark), and every paragraph outside the items."""
    pieces = doc.pieces
    starts = [(i, anchors.path_of(p.value)) for i, p in enumerate(pieces) if p.kind == "start"]
    starts = [(i, path) for i, path in starts if path]
    covered = [False] * len(pieces)
    found: dict[str, Span] = {}
    for n, (s, path) in enumerate(starts):
        if path in found:
            continue
        ident = pieces[s].ident
        e = next((j for j in range(s + 1, len(pieces)) if pieces[j].kind == "end" and pieces[j].value == ident), s)
        stop = next((j for j in range(e, len(pieces)) if pieces[j].kind == "para"), len(pieces))
        following = starts[n + 1][0] if n + 1 < len(starts) else len(pieces)
        stop = min(stop, following) if following > s else stop
        begin = s
        while begin > 0 and pieces[begin - 1].kind != "para" and not covered[begin - 1] and not (
                pieces[begin - 1].kind == "start" and anchors.path_of(pieces[begin - 1].value)):
            begin -= 1
        for j in range(begin, stop):
            covered[j] = True
        found[path] = Span(path, pieces[s + 1:stop], pieces[begin:s], pieces[stop] if stop < len(pieces) else None)
    paras: list[Para] = []
    last: str | None = None
    begin = 0
    for i, p in enumerate(pieces):
        if p.kind == "start" and covered[i] and (path := anchors.path_of(p.value)):
            last = path
        if p.kind != "para":
            continue
        if not any(covered[begin:i]) and not p.style.lower().startswith(("toc", "contents")):
            text = normalize(view(pieces[begin:i]))
            if text:
                paras.append(Para(text, p.style, last))
        begin = i + 1
    return found, paras
