"""Review stage, edits around citations: what an edit did to the claims the footnotes support.

An item's text is read as claims, each followed by the note marks that cite it ("… text [^1][^2]").
Flagged here: text added after the item's last note mark (a claim no note cites), a claim whose
words were cut while its notes stay (the notes may no longer support what is left), a paragraph
split in two (where), and two items joined into one paragraph (with which, tracked or not).
"""

from __future__ import annotations

import difflib
import re

_TOKEN = re.compile(r"\[\^[^\]]*\]")
_LETTER = re.compile(r"[^\W\d_]")
MIN_CUT_WORDS = 4  # a clause, not a word swapped
MIN_CUT_SHARE = 0.3


def segments(text: str) -> list[tuple[str, list[str]]]:
    """The text as (claim, its note marks) pairs, in order; a tail without notes has an empty list."""
    out: list[tuple[str, list[str]]] = []
    pos = 0
    for group in re.finditer(r"(?:\s*\[\^[^\]]*\])+", text):
        out.append((text[pos:group.start()].strip(), _TOKEN.findall(group.group())))
        pos = group.end()
    tail = text[pos:].strip()
    if tail:
        out.append((tail, []))
    return out


def uncited_tail(before: str, after: str) -> str | None:
    """Words added after the item's last note mark (None when the tail did not grow)."""
    if not _TOKEN.search(before):
        return None
    old = segments(before)
    new = segments(after)
    old_tail = old[-1][0] if old and not old[-1][1] else ""
    new_tail = new[-1][0] if new and not new[-1][1] else ""
    if not _LETTER.search(new_tail) or len(new_tail.split()) <= len(old_tail.split()):
        return None
    return new_tail


def removed_claims(before: str, after: str) -> list[tuple[list[str], str]]:
    """(note marks still there, words cut) for each cited claim that lost a clause while its notes stay."""
    old_marks = set(_TOKEN.findall(before))
    after = _TOKEN.sub(lambda m: m.group() if m.group() in old_marks else "", after)  # notes the editor added
    new_marks = set(_TOKEN.findall(after))
    new_by_marks = {tuple(m for m in marks if m in new_marks): claim for claim, marks in segments(after) if marks}
    out = []
    for claim, marks in segments(before):
        kept = [m for m in marks if m in new_marks]
        if not marks or not kept or not claim:
            continue
        now = new_by_marks.get(tuple(kept))
        if now is None:
            now = next((c for c, m in segments(after) if set(kept) & set(m)), "")
        old_words, new_words = claim.split(), now.split()
        cut: list[str] = []
        for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, old_words, new_words, autojunk=False).get_opcodes():
            if op == "delete" or (op == "replace" and a2 - a1 > b2 - b1):
                cut.extend(old_words[a1:a2])
        lost = len(old_words) - len(new_words)
        if cut and lost > 0 and (lost >= MIN_CUT_WORDS or lost / max(len(old_words), 1) >= MIN_CUT_SHARE):
            out.append((kept, " ".join(cut)))
    return out


def split_parts(view: str) -> list[str]:
    """The paragraphs an item's text now spans (more than one: the editor split it)."""
    return [" ".join(p.split()) for p in view.split("\n") if p.strip()]


def opening(text: str, words: int = 6) -> str:
    head = " ".join(_TOKEN.sub("", text).split()[:words])
    return head + ("…" if len(_TOKEN.sub("", text).split()) > words else "")


def pair_moves(items: list) -> None:
    """Each tracked move-from names the item its text went to, each move-to the item it came from
    (paired by the move's name, or by the same text)."""
    ends: dict[str, list[tuple[str, dict]]] = {"move-from": [], "move-to": []}
    for it in items:
        for t in it.tracked:
            if t["type"] in ends:
                ends[t["type"]].append((it.path, t))
    for path, t in ends["move-from"]:
        for other, u in ends["move-to"]:
            if (t.get("move") and t.get("move") == u.get("move")) or (not t.get("move") and t["text"] == u["text"]):
                t["to"], u["from"] = other, path


def joined(change, span, spans: dict) -> None:
    """Flag an item joined with the next one: in one paragraph, or its paragraph mark deleted (tracked)."""
    paths = list(spans)
    following = paths[paths.index(change.path) + 1] if change.path in paths[:-1] else None
    end = span.end
    if end is not None and end.kind == "start" and following:
        change.joined = {"with": following, "tracked": None}
    elif end is not None and end.kind == "para" and end.change is not None and end.change.kind == "delete" \
            and following:
        change.joined = {"with": following, "tracked": {"author": end.change.author, "date": end.change.date}}
    if change.joined:
        change.flags.append("joined")
