"""Review stage, footnotes: each note of an edited DOCX matched to its build's citation by text and anchor.

A note is matched by what it says and where it stands, never by its position in the document
(office suites renumber footnote ids; an editor inserts and deletes notes): first a note with the
same text in the same item, then the same text elsewhere (the nearest), then an edited note in the
same item standing where a built one stood. What is left over is a note the editor added or one
they deleted. A document whose notes were emptied or shifted wholesale (an office suite's import
fault, not an editor) is recognised, with the cause where the document shows it.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from . import docx_read
from .docx_read import normalize

_TOKEN = re.compile(r"\[\^([^\]]*)\]")
MIN_DAMAGED = 3  # notes; fewer than this is an editor's doing, not a tool's


@dataclass
class Matching:
    """Edited footnote id -> build number; notes the editor added; wholesale damage, if any."""

    numbers: dict[str, int] = field(default_factory=dict)
    added: list[str] = field(default_factory=list)  # footnote ids in reading order
    damage: str | None = None


def built_anchors(record: dict) -> dict[int, tuple[str, int]]:
    """Build number -> (item path, its index among the item's notes), from the record's item texts."""
    out: dict[int, tuple[str, int]] = {}
    for path, item in record["items"].items():
        for k, n in enumerate(_TOKEN.findall(item["text"])):
            if n.isdigit() and int(n) not in out:
                out[int(n)] = (path, k)
    return out


def edited_anchors(doc: docx_read.Document, spans: dict) -> dict[str, tuple[str | None, int]]:
    """Footnote id -> (the item path it stands in, or None, its index among that item's notes)."""
    out: dict[str, tuple[str | None, int]] = {}
    for path, span in spans.items():
        k = 0
        for p in span.pieces:
            if p.kind == "note" and p.value not in out:
                out[p.value] = (path, k)
                k += 1
    for p in doc.pieces:
        if p.kind == "note" and p.value not in out:
            out[p.value] = (None, 0)
    return out


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def match(doc: docx_read.Document, record: dict, spans: dict) -> Matching:
    """Pair the edited document's notes with the build's (see the module docstring)."""
    order = list(dict.fromkeys(p.value for p in doc.pieces if p.kind == "note"))
    where = edited_anchors(doc, spans)
    built = {int(n): normalize(t) for n, t in record["footnotes"].items()}
    anchor = built_anchors(record)
    rank = {n: i for i, n in enumerate(sorted(built))}
    text = {fid: normalize(doc.footnotes.get(fid, ("", ""))[1]) for fid in order}  # before tracked edits
    shown = {fid: normalize(doc.footnotes.get(fid, ("", ""))[0]) for fid in order}
    result = Matching()
    free = set(built)

    def take(fid: str, n: int) -> None:
        result.numbers[fid] = n
        free.discard(n)

    for fid in order:  # 1. same text, same item, same place; then same text, same item
        path, k = where[fid]
        same = [n for n in sorted(free) if built[n] == text[fid] and anchor.get(n, (None,))[0] == path]
        if same:
            take(fid, min(same, key=lambda n: abs(anchor[n][1] - k)))
    for pos, fid in enumerate(order):  # 2. same text anywhere: the nearest in reading order
        if fid in result.numbers:
            continue
        same = [n for n in free if built[n] == text[fid]]
        if same:
            take(fid, min(same, key=lambda n: abs(rank[n] - pos)))
    for fid in order:  # 3. an edited note where a built one stood (same item, same index), or like it
        if fid in result.numbers:
            continue
        path, k = where[fid]
        here = [n for n in free if path is not None and anchor.get(n, (None,))[0] == path]
        if not here:
            continue
        best = max(here, key=lambda n: (anchor[n][1] == k, _ratio(built[n], text[fid])))
        if anchor[best][1] == k or _ratio(built[best], text[fid]) >= 0.6:
            take(fid, best)
    result.added = [fid for fid in order if fid not in result.numbers]
    result.damage = _damage(doc, order, text, shown, built, where, anchor)
    return result


def _damage(doc, order, text, shown, built, where, anchor) -> str | None:
    """One line naming wholesale damage to the notes (emptied, or shifted onto other references), else None."""
    full = [n for n, t in built.items() if t]
    if len(full) < MIN_DAMAGED:
        return None
    empty = [fid for fid in order if not shown[fid] and not text[fid]]
    threshold = max(MIN_DAMAGED, len(full) // 2)
    if len(empty) >= threshold:
        return (f"{len(empty)} of the DOCX's {len(order)} footnotes are empty (the build wrote text in "
                f"{len(full)}): an office suite lost them on import{_cause(doc, 'loses every note')}; review the "
                "DOCX the editor saved before that, or rebuild and send it again")
    own: dict[str | None, set[str]] = {}
    for n, (path, _) in anchor.items():
        own.setdefault(path, set()).add(built[n])
    everywhere = set(built.values())
    shifted = [fid for fid in order if where[fid][0] is not None and text[fid] not in own.get(where[fid][0], set())
               and text[fid] in everywhere]  # another item's note text (not an edited one) stands here
    if len(shifted) >= max(MIN_DAMAGED, len(full) // 3):
        return (f"{len(shifted)} of the DOCX's {len(order)} footnotes hold the text of a note that belongs to "
                f"another item: the notes were shifted wholesale{_cause(doc, 'gives the notes wrong texts')}, "
                "not edited one by one")
    return None


def _cause(doc: docx_read.Document, effect: str) -> str:
    """What the document shows of a known cause: a comment mark between its first two footnote references."""
    seen = 0
    for p in doc.pieces:
        if p.kind == "note":
            seen += 1
            if seen == 2:
                return ""
        elif p.kind == "comment" and p.style == "mark" and seen == 1:
            return (" (a comment mark stands between its first two footnote references, where LibreOffice 7.4 "
                    f"{effect} on import)")
    return ""
