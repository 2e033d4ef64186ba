"""What changed between two versions of a brief, item by item (a ground-floor reading of two models).

Items are the brief's anchored points (summary, background, judgments, positions, risks, …; see
anchors.py). Within each section the two lists are aligned with difflib on their text, so an
inserted point does not make every later point "changed": equal items are compared for their
grades and quotes, similar ones (ratio ≥ 0.5) are reported as edited, the rest as added or removed.
A changed quote, a moved likelihood or confidence, and a source's new grade are their own changes,
never buried in a text diff.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import asdict, dataclass

from . import anchors, model

SIMILAR = 0.5  # SequenceMatcher ratio above which two items are one item edited


@dataclass
class Change:
    """One difference: kind, the section it is in, the item's path (in the newer version), before and after."""

    kind: str  # added, removed, edited, likelihood, confidence, rating, quote-added, quote-removed, grade,
    #            source-added, source-withdrawn, title
    section: str  # the outline section key (summary, key_judgments, …), or "sources" / "meta"
    path: str
    before: str | None = None
    after: str | None = None

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class _Item:
    path: str
    text: str
    quotes: tuple[tuple[str, str], ...]  # (source id, quote) of each quoted citation
    attrs: dict[str, str | None]  # likelihood / confidence (judgments), rating (risks)


def plain(inlines: model.Inlines) -> str:
    """An item's text without its footnote calls."""
    return " ".join("".join(i.text for i in inlines if isinstance(i, model.Text)).split())


def _attrs(brief: model.Brief) -> dict[str, dict[str, str | None]]:
    found: dict[str, dict[str, str | None]] = {}
    for section in brief.sections:
        for block in section.blocks:
            if isinstance(block, model.KeyJudgments):
                for j in block.judgments:
                    found[j.path] = {"likelihood": j.likelihood, "confidence": j.confidence}
            elif isinstance(block, model.RiskList):
                for r in block.risks:
                    found[r.path] = {"likelihood": r.likelihood, "rating": r.rating}
    return found


def _items(brief: model.Brief) -> dict[str, list[_Item]]:
    """Each section's items in reading order."""
    attrs = _attrs(brief)
    sections: dict[str, list[_Item]] = {}
    for path, inlines in anchors.items(brief).items():
        quotes = tuple((i.citation.source.id, i.citation.quote) for i in inlines
                       if isinstance(i, model.Cite) and i.citation.quote)
        key = path.split("[", 1)[0]
        sections.setdefault(key, []).append(_Item(path, plain(inlines), quotes, attrs.get(path, {})))
    return sections


def _compare_item(section: str, old: _Item, new: _Item, out: list[Change]) -> None:
    if old.text != new.text:
        out.append(Change("edited", section, new.path, old.text, new.text))
    for name in sorted(set(old.attrs) | set(new.attrs)):
        if old.attrs.get(name) != new.attrs.get(name):
            out.append(Change(name, section, new.path, old.attrs.get(name), new.attrs.get(name)))
    before, after = list(old.quotes), list(new.quotes)
    for quote in before:
        if quote in after:
            after.remove(quote)
        else:
            out.append(Change("quote-removed", section, new.path, f"{quote[0]}: {quote[1]}", None))
    out.extend(Change("quote-added", section, new.path, None, f"{q[0]}: {q[1]}") for q in after)


@dataclass
class Pair:
    """One step of a section's alignment: an item kept (equal or edited), added (old None) or removed (new None)."""

    old: _Item | None
    new: _Item | None


def _pair(old: list[_Item], new: list[_Item]) -> list[Pair]:
    """A replaced run of items: pair the similar ones in order, the rest are removed or added."""
    out: list[Pair] = []
    j = 0
    for o in old:
        match = next((k for k in range(j, len(new))
                      if difflib.SequenceMatcher(None, o.text, new[k].text, autojunk=False).ratio() >= SIMILAR), None)
        if match is None:
            out.append(Pair(o, None))
            continue
        out.extend(Pair(None, n) for n in new[j:match])
        out.append(Pair(o, new[match]))
        j = match + 1
    out.extend(Pair(None, n) for n in new[j:])
    return out


def align(old: model.Brief, new: model.Brief) -> dict[str, list[Pair]]:
    """Each section's items of both versions in one order: the newer brief's, removed items where they stood."""
    old_items, new_items = _items(old), _items(new)
    aligned: dict[str, list[Pair]] = {}
    for section in dict.fromkeys([*new_items, *old_items]):
        a, b = old_items.get(section, []), new_items.get(section, [])
        pairs: list[Pair] = []
        matcher = difflib.SequenceMatcher(None, [i.text for i in a], [i.text for i in b], autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                pairs.extend(Pair(o, n) for o, n in zip(a[i1:i2], b[j1:j2], strict=True))
            else:
                pairs.extend(_pair(a[i1:i2], b[j1:j2]))
        aligned[section] = pairs
    return aligned


def compare(old: model.Brief, new: model.Brief) -> list[Change]:
    """Every change from `old` to `new`, in the newer brief's reading order (removed items where they stood)."""
    out: list[Change] = []
    for key in ("title", "subtitle"):
        before, after = getattr(old.meta, key), getattr(new.meta, key)
        if before != after:
            out.append(Change("title" if key == "title" else "edited", "meta", key, before, after))
    for section, pairs in align(old, new).items():
        for pair in pairs:
            if pair.new is None:
                assert pair.old is not None
                out.append(Change("removed", section, pair.old.path, pair.old.text, None))
            elif pair.old is None:
                out.append(Change("added", section, pair.new.path, None, pair.new.text))
            else:
                _compare_item(section, pair.old, pair.new, out)
    old_sources = {s.id: s for s in old.bibliography}
    new_sources = {s.id: s for s in new.bibliography}
    for sid, source in new_sources.items():
        if sid not in old_sources:
            out.append(Change("source-added", "sources", sid, None, source.title))
        elif old_sources[sid].grade != source.grade:
            out.append(Change("grade", "sources", sid, old_sources[sid].grade, source.grade))
    out.extend(Change("source-withdrawn", "sources", sid, s.title, None)
               for sid, s in old_sources.items() if sid not in new_sources)
    return out


def marked(ops, old: list[str], new: list[str]) -> str:
    """Words with their differences marked «[-old-] {+new+}» (readable right to left in a terminal),
    from difflib opcodes over `old` and `new` (the words shown; the opcodes may come from a
    normalised copy of them, index for index)."""
    out = []
    for op, a1, a2, b1, b2 in ops:
        if op == "equal":
            out.append(" ".join(old[a1:a2]))
            continue
        if a2 > a1:
            out.append("[-" + " ".join(old[a1:a2]) + "-]")
        if b2 > b1:
            out.append("{+" + " ".join(new[b1:b2]) + "+}")
    return " ".join(w for w in out if w)


def _tokens(text: str) -> list[str]:
    """Words with the spaces after them: joined back they give the text exactly."""
    return re.findall(r"\s*\S+\s*|\s+", text)


def _redline_inlines(old_text: str, inlines: model.Inlines) -> model.Inlines:
    """The newer item's inlines with the words that changed since `old_text` as tracked insertions and deletions.

    Footnote references stay where they are in the newer text; the older text's words that are gone
    are placed, deleted, where they stood.
    """
    new_tokens: list[str] = []
    cites_after: dict[int, list[model.Cite]] = {}  # token count before a reference -> the references there
    for inline in inlines:
        if isinstance(inline, model.Cite):
            cites_after.setdefault(len(new_tokens), []).append(inline)
        else:
            new_tokens.extend(_tokens(inline.text))
    old_tokens = _tokens(old_text)
    matcher = difflib.SequenceMatcher(None, [t.strip() for t in old_tokens], [t.strip() for t in new_tokens],
                                      autojunk=False)
    out: model.Inlines = []

    def emit(text: str, change: str | None) -> None:
        if out and isinstance(out[-1], model.Text) and out[-1].change == change:
            out[-1].text += text
        elif text:
            out.append(model.Text(text, change))

    def new_words(start: int, end: int, change: str | None) -> None:
        for k in range(start, end):
            out.extend(cites_after.pop(k, []))
            emit(new_tokens[k], change)

    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op in ("delete", "replace"):
            out.extend(cites_after.pop(j1, []))
            emit("".join(old_tokens[i1:i2]), "del")
        new_words(j1, j2, None if op == "equal" else "ins")
    for rest in cites_after.values():
        out.extend(rest)
    return out


def _containers(brief: model.Brief) -> dict[int, tuple[list, int]]:
    """id() of each anchored item's inlines -> (the list holding the item's block or entry, its index)."""
    found: dict[int, tuple[list, int]] = {}
    for section in brief.sections:
        for b, block in enumerate(section.blocks):
            if isinstance(block, model.Paragraph):
                found[id(block.inlines)] = (section.blocks, b)
            elif isinstance(block, model.ItemList):
                for i, item in enumerate(block.items):
                    found[id(item)] = (block.items, i)
            elif isinstance(block, model.KeyJudgments):
                for i, j in enumerate(block.judgments):
                    found[id(j.inlines)] = (block.judgments, i)
    return found


def _removed_entry(holder: list, index: int, text: str):
    """A deleted item shaped like its neighbour: a paragraph, a list item or a judgment."""
    like = holder[index] if index < len(holder) else holder[-1]
    inlines: model.Inlines = [model.Text(text, "del")]
    if isinstance(like, model.Paragraph):
        return model.Paragraph(inlines)
    if isinstance(like, model.Judgment):
        return model.Judgment(inlines)
    return inlines


def redline(old: model.Brief, new: model.Brief, date: str) -> tuple[model.Brief, int]:
    """A copy of the newer brief whose item texts carry the changes since `old` as tracked changes.

    Removed items come back, deleted, where they stood, in paragraphs, lists and key judgments (in
    tables they are left to the "what changed" annex). The evidence annex, which repeats every claim
    untracked, is left out. Returns the copy and how many items it marks.
    """
    import copy

    marked = copy.deepcopy(new)
    marked.meta.redline_date = date
    marked.sections = [s for s in marked.sections if s.key != "annex"]  # the evidence annex repeats the claims
    inlines_of = anchors.items(marked)
    holders = _containers(marked)
    count = 0
    for pairs in align(old, new).values():
        pending: list[_Item] = []
        for pair in pairs:
            if pair.new is None:
                assert pair.old is not None
                pending.append(pair.old)
                continue
            inlines = inlines_of[pair.new.path]
            if pending and id(inlines) in holders:
                holder, index = holders[id(inlines)]
                for offset, gone in enumerate(pending):
                    holder.insert(index + offset, _removed_entry(holder, index, gone.text))
                count += len(pending)
                holders = _containers(marked)
            pending = []
            if pair.old is None:
                inlines[:] = [model.Text(i.text, "ins") if isinstance(i, model.Text) else model.Cite(i.citation, "ins")
                              for i in inlines]
                count += 1
            elif pair.old.text != pair.new.text:
                inlines[:] = _redline_inlines(pair.old.text, inlines)
                count += 1
        if pending and (last := next((inlines_of[p.new.path] for p in reversed(pairs) if p.new), None)) is not None \
                and id(last) in holders:
            holder, index = holders[id(last)]
            for offset, gone in enumerate(pending):
                holder.insert(index + 1 + offset, _removed_entry(holder, index, gone.text))
            count += len(pending)
    return marked, count
