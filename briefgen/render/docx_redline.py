"""Tracked changes in the DOCX: runs of a redline (changes.redline) as w:ins and w:del, as Word writes them.

An inserted run is wrapped in `w:ins`, a deleted one in `w:del` with its `w:t` turned into
`w:delText` (ECMA-376 §17.13.5); both by the author "briefgen" on the later version's date. A
paragraph whose every run is inserted (or deleted) has its paragraph mark inserted (deleted) too,
so accepting or rejecting all changes leaves no empty paragraph behind.
"""

from __future__ import annotations

from briefgen.render.ooxml import el, qn

AUTHOR = "briefgen"
FIRST_ID = 50000  # above the comments' and bookmarks' ids: annotation ids are unique in a document


class Tracker:
    """Numbers the tracked changes of one document."""

    def __init__(self, date: str):
        self.date = f"{date}T00:00:00Z"
        self.count = 0

    def _attrs(self) -> dict[str, str]:
        self.count += 1
        return {"w:id": str(FIRST_ID + self.count), "w:author": AUTHOR, "w:date": self.date}

    def wrap(self, change: str, runs: list) -> list:
        """`runs` as one tracked insertion or deletion."""
        if change == "del":
            for run in runs:
                for t in run.iter(qn("w:t")):
                    t.tag = qn("w:delText")
                for ref in run.iter(qn("w:footnoteReference")):  # a removed item's notes are not carried
                    run.remove(ref)
        return [el("w:ins" if change == "ins" else "w:del", self._attrs(), children=runs)]

    def mark_paragraph(self, p) -> None:
        """Track the paragraph mark when every run of `p` is inside one kind of change."""
        kinds = {child.tag for child in p if child.tag in (qn("w:ins"), qn("w:del"), qn("w:r"))}
        if len(kinds) != 1 or qn("w:r") in kinds:
            return
        ppr = p.find(qn("w:pPr"))
        if ppr is None:
            ppr = el("w:pPr")
            p.insert(0, ppr)
        rpr = ppr.find(qn("w:rPr"))
        if rpr is None:
            rpr = el("w:rPr")
            ppr.append(rpr)  # w:rPr is the last child of w:pPr but for w:sectPr and w:pPrChange
        rpr.append(el("w:ins" if qn("w:ins") in kinds else "w:del", self._attrs()))
