"""Merge stage: several reviewers' copies of one brief -> one review, merged item by item, three-way.

Each copy is reviewed on its own against the record of the build it came from (review.py), so a
copy of an older build is compared with that build, and its edits meet the outline as it is now
(an item changed since is a conflict there). Then, per item, each edit is split into its parts, the
item's text and each citation's quote: parts changed by one reviewer, or changed the same way by
several, merge; one part changed two different ways is a conflict. A conflict is never applied
without a choice: `take` names the reviewer whose side wins, otherwise both versions are kept for
the analyst as a comment above the item. Comments from every copy are kept, with their authors.
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass, field

from .review import ItemChange, Review, outline_text


@dataclass
class Copy:
    """One reviewer's copy: who (from its tracked changes and comments, else its file name) and its review."""

    name: str
    review: Review


@dataclass
class Conflict:
    """One part of an item changed differently by several reviewers: each side's text, by reviewer."""

    path: str
    part: str  # "text" or "quote N"
    sides: dict[str, str]
    taken: str | None = None  # the reviewer whose side was applied (--take)

    def to_json(self) -> dict:
        return {"path": self.path, "part": self.part, "sides": self.sides, "taken": self.taken}


@dataclass
class Merged:
    """The merged review (what --apply writes) and what could not be merged."""

    review: Review
    copies: list[Copy]
    conflicts: list[Conflict] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"reviewers": [{"name": c.name, "docx": c.review.docx, "build": c.review.build,
                               "items": len(c.review.items)} for c in self.copies],
                "merged": self.review.to_json(), "conflicts": [c.to_json() for c in self.conflicts]}


def reviewer_name(review: Review, fallback: str) -> str:
    """The author of most tracked changes and comments in the copy, else `fallback` (its file name)."""
    authors = Counter(t["author"] for i in review.items for t in i.tracked if t.get("author"))
    authors.update(c["author"] for i in review.items for c in i.comments if c.get("author"))
    return authors.most_common(1)[0][0] if authors else fallback


def _unique(copies: list[Copy]) -> list[Copy]:
    """Two copies by one reviewer are told apart by their file names."""
    seen = Counter(c.name for c in copies)
    return [Copy(f"{c.name} ({c.review.docx})", c.review) if seen[c.name] > 1 else c for c in copies]


def _parts(change: ItemChange, record_item: dict) -> dict[str, str]:
    """The parts an edit changed, each with its new value in outline terms (numbers of other builds removed)."""
    parts = {}
    if change.after != record_item["text"]:
        parts["text"] = outline_text(change.after, record_item["cites"])
    for q in change.quotes:
        if q["after"] != q["before"]:
            parts[f"quote {q['index'] + 1}"] = q["after"]
    for number in change.deleted_cites:
        cite = next((c for c in record_item["cites"] if c["number"] == number), None)
        if cite is not None:
            parts[f"quote {cite.get('index', 0) + 1}"] = "(footnote deleted)"
    return parts


def _combine(path: str, edits: list[tuple[Copy, ItemChange]], take: str | None,
             conflicts: list[Conflict], merged_record: dict) -> ItemChange:
    """One item's edits from several copies as one change; conflicting parts resolved by `take` or left."""
    by_part: dict[str, dict[str, str]] = {}
    for c, change in edits:
        for part, value in _parts(change, c.review.record["items"][path]).items():
            by_part.setdefault(part, {})[c.name] = value
    merged = copy.deepcopy(edits[0][1])
    merged.quotes, merged.deleted_cites = [], []
    merged.after = merged.rejected = edits[0][0].review.record["items"][path]["text"]
    comments: list[dict] = []
    for _, change in edits:
        comments += [x for x in change.comments if x not in comments]
    merged.comments = comments
    merged.tracked = [t for _, change in edits for t in change.tracked]
    for part, sides in by_part.items():
        winner = None
        if len(set(sides.values())) == 1:
            winner = next(iter(sides))
        elif take in sides:
            winner = take
            conflicts.append(Conflict(path, part, sides, taken=take))
        else:
            conflicts.append(Conflict(path, part, sides))
            shown = " | ".join(f"{name}: «{' '.join(value.split())}»" for name, value in sides.items())
            merged.comments.append({"author": "briefgen", "date": None, "resolved": False, "replies": [],
                                    "text": f"conflict in the {part}, not applied: {shown}"})
            if "conflict" not in merged.flags:
                merged.flags.append("conflict")
            continue
        owner, change = next((cp, ch) for cp, ch in edits if cp.name == winner)
        if part == "text":
            if owner is not edits[0][0]:  # the text is the owner's, numbered by the owner's build
                merged_record[path] = owner.review.record["items"][path]
            merged.after, merged.rejected = change.after, change.rejected
            merged.uncited, merged.claims_cut, merged.parts = change.uncited, change.claims_cut, change.parts
            merged.added_notes = change.added_notes
            continue
        cites = owner.review.record["items"][path]["cites"]
        base = edits[0][0].review.record["items"][path]["cites"]  # the numbering the merged change uses
        renumber = {c["number"]: b["number"] for c in cites for b in base
                    if c.get("index") == b.get("index") and c.get("origin") == b.get("origin")}
        merged.quotes += [{**q, "number": renumber.get(q["number"], q["number"])} for q in change.quotes
                          if f"quote {q['index'] + 1}" == part]
        merged.deleted_cites += [renumber.get(n, n) for n in change.deleted_cites
                                 if any(x["number"] == n and f"quote {x.get('index', 0) + 1}" == part for x in cites)]
    return merged


def merge(copies: list[Copy], take: str | None = None) -> Merged:
    """The copies' reviews merged per item; the first copy's review carries the result."""
    copies = _unique(copies)
    base = copies[0].review
    merged = Review(", ".join(c.review.docx for c in copies), base.outline, ",".join(dict.fromkeys(
        c.review.build for c in copies)), record={"items": {}})
    result = Merged(merged, copies)
    damaged = [c for c in copies if c.review.damage]
    if damaged:  # one copy whose notes an office suite emptied: nothing from any copy is proposed
        merged.damage = "; ".join(f"{c.name}: {c.review.damage}" for c in damaged)
        return result
    paths: dict[str, list[tuple[Copy, ItemChange]]] = {}
    for c in copies:
        for change in c.review.items:
            paths.setdefault(change.path, []).append((c, change))
        merged.conflicts += [x for x in c.review.conflicts if x not in merged.conflicts]  # with the outline now
        merged.added += c.review.added
        merged.generated += c.review.generated
    for path, edits in paths.items():
        merged.record["items"][path] = edits[0][0].review.record["items"][path]
        merged.items.append(edits[0][1] if len(edits) == 1 else
                            _combine(path, edits, take, result.conflicts, merged.record["items"]))
    return result


def format_conflicts(result: Merged) -> str:
    """The merge's conflicts side by side, with what was done about each."""
    lines = []
    for c in result.conflicts:
        lines.append(f"conflict in {c.path}, {c.part}:")
        lines += [f"  {name}: «{' '.join(value.split())}»" for name, value in c.sides.items()]
        lines.append(f"  taken: {c.taken}'s side" if c.taken else
                     "  not applied: --take NAME chooses a side; --apply writes both above the item as a comment")
    return "\n".join(lines)
