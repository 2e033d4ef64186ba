"""Review stage: the edited DOCX against its build record -> what changed, item by item.

Compares the edited document with what the build wrote (the record), never with a fresh
rendering, so conversion noise is not an edit. Per item: tracked changes (with author and
date) and untracked edits, comments with replies and resolved state, flags for edits that touch
a verified quote or a citation, and conflicts with the outline as it is now.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .. import anchors
from ..errors import InputError
from ..project import safefs
from ..read import yamlpos
from ..read.outline import MAX_OUTLINE_BYTES
from . import claims, docx_read, notes, untrusted
from . import record as roundtrip
from .docx_read import normalize
from .spans import Para
from .spans import spans as items_of

MAX_DOCX_BYTES = 100 * 1024 * 1024  # a brief with pictures and embedded fonts is a few MB

_TOKEN = re.compile(r"\[\^([^\]]*)\]")
_NOTE = re.compile(r"\s*\[\^([^\]]*)\]")


@dataclass
class ItemChange:
    """One outline item the editor changed."""

    path: str
    file: str
    line: int
    before: str  # as built (footnote references as [^N])
    after: str  # every tracked change accepted
    rejected: str  # every tracked change rejected (untracked edits only)
    tracked: list[dict] = field(default_factory=list)
    comments: list[dict] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    quotes: list[dict] = field(default_factory=list)  # {"number", "index", "before", "after", "rejected"}
    deleted_cites: list[int] = field(default_factory=list)
    added_notes: list[str] = field(default_factory=list)  # the text of each footnote the editor inserted
    uncited: str = ""  # text added after the last note mark: no note cites it
    claims_cut: list[dict] = field(default_factory=list)  # {"notes": [N], "cut": words} claims cut, notes kept
    parts: list[str] = field(default_factory=list)  # split: the paragraphs the item now spans
    joined: dict = field(default_factory=dict)  # {"with": path, "tracked": change or None}

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class Review:
    """Everything the review found; `changed` is what decides the exit code."""

    docx: str
    outline: str
    build: str
    items: list[ItemChange] = field(default_factory=list)
    added: list[dict] = field(default_factory=list)
    generated: list[dict] = field(default_factory=list)
    conflicts: list[dict] = field(default_factory=list)
    damage: str | None = None  # the notes were emptied or shifted wholesale: nothing is proposed
    matched: str = ""  # how the build was found when the DOCX lost its build id
    record: dict = field(default_factory=dict, repr=False)

    @property
    def changed(self) -> bool:
        return bool(self.items or self.added or self.generated or self.conflicts or self.damage)

    def to_json(self) -> dict:
        return {"docx": self.docx, "outline": self.outline, "build": self.build, "damage": self.damage,
                "matched": self.matched,
                "items": [i.to_json() for i in self.items], "added": self.added, "generated": self.generated,
                "conflicts": self.conflicts}


def _tracked(pieces: list[docx_read.Piece], numbers: dict[str, int]) -> list[dict]:
    """The tracked changes in the pieces, outer before inner, each once (formatting changes as type "format")."""
    seen: dict[int, docx_read.Change] = {}
    for p in pieces:
        for c in (*p.chain, p.fmt) if p.kind != "para" else (p.change, p.fmt):
            if c is not None and id(c) not in seen and (c.text.strip() or p.kind == "para"):
                seen[id(c)] = c
    out: list[dict] = []
    for c in seen.values():
        text = roundtrip.tokens(normalize(c.text), numbers) or (
            "¶ (paragraph formatting)" if c.kind == "format" else "¶ (a paragraph mark)")
        entry = {"type": c.kind, "author": c.author, "date": c.date, "text": text}
        if c.name:
            entry["move"] = c.name
        if out and c.kind == "format" and out[-1]["type"] == "format" and out[-1]["author"] == c.author \
                and out[-1]["date"] == c.date and not text.startswith("¶"):
            out[-1]["text"] = normalize(out[-1]["text"] + " " + text)  # one change over several runs
            continue
        out.append(entry)
    return out


def _numbers(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _comments(doc: docx_read.Document, pieces: list[docx_read.Piece]) -> list[dict]:
    """The editors' comments anchored in the item (briefgen's own quote comments left out), with replies."""
    ids = list(dict.fromkeys(p.value for p in pieces if p.kind == "comment"))
    by_para = {c.para_id: c for c in doc.comments.values() if c.para_id}
    out = []
    for cid in ids:
        c = doc.comments.get(cid)
        if c is None or c.author == "briefgen" or (c.parent and c.parent in by_para
                                                    and by_para[c.parent].author != "briefgen"):
            continue  # unknown, briefgen's own, or a reply (listed under its parent)
        replies = [{"author": r.author, "text": r.text, "date": r.date} for r in doc.comments.values()
                   if c.para_id and r.parent == c.para_id]
        out.append({"author": c.author, "date": c.date, "text": c.text, "resolved": c.resolved,
                    "replies": replies})
    return out


def compare(doc: docx_read.Document, record: dict, outline: Path, docx_name: str) -> Review:
    """The review of an edited document against the record of the build it came from."""
    review = Review(docx_name, str(outline), record.get("build", ""), record=record)
    spans, paras = items_of(doc)
    matching = notes.match(doc, record, spans)
    if matching.damage:
        review.damage = matching.damage
        return review
    numbers = matching.numbers
    added_notes = set(matching.added)
    current = _current(outline)
    notes_by_number = {n: fid for fid, n in numbers.items()}
    for path, item in record["items"].items():
        span = spans.get(path)
        tup = anchors.path_tuple(path)
        now = roundtrip.value_at(current.data, tup) if current else None
        at = tup + ((item["key"],) if item["key"] and isinstance(now, dict) else ())
        line = current.where(at)["line"] if current and now is not None else item["line"]  # where the text is
        change = ItemChange(path, str(outline), line, item["text"], "", "")
        if span is None:
            change.after = change.rejected = ""
            change.flags.append("anchor-lost")
        else:
            pieces = span.pieces
            extra_a = extra_r = ""
            pre_a = normalize(docx_read.view(span.prefix))
            if not item["prefix"] and pre_a:
                extra_a, extra_r = pre_a, normalize(docx_read.view(span.prefix, False))
            change.after = roundtrip.tokens(normalize(extra_a + " " + docx_read.view(pieces)), numbers)
            change.rejected = roundtrip.tokens(normalize(extra_r + " " + docx_read.view(pieces, False)), numbers)
            change.tracked = _tracked([*span.prefix, *pieces], numbers)
            change.comments = _comments(doc, [*span.prefix, *pieces])
            change.added_notes = [doc.footnotes.get(p.value, ("", ""))[0] for p in pieces
                                  if p.kind == "note" and p.value in added_notes]
            if docx_read.view(pieces).strip().count("\n") > 0:
                change.flags.append("split")
                change.parts = claims.split_parts(roundtrip.tokens(docx_read.view(pieces), numbers))
            claims.joined(change, span, spans)
            if not _NOTE.sub("", change.after).strip():
                change.flags.append("deleted")
        if change.tracked and change.after != change.rejected:
            change.flags.append("tracked")
        if any(t["type"] == "format" for t in change.tracked):
            change.flags.append("formatting")  # reported, never a text edit
        if change.rejected != item["text"]:
            change.flags.append("untracked")
        before_n, after_n = _numbers(item["text"]), _numbers(change.after)
        for cite in item["cites"]:
            n = str(cite["number"])
            if n in before_n and n not in after_n:
                change.deleted_cites.append(cite["number"])
            fid = notes_by_number.get(cite["number"])
            if fid is not None and cite.get("quote") is not None:
                accepted, rejected = doc.footnotes.get(fid, ("", ""))
                built_quote = roundtrip.quote_of(record["footnotes"].get(n, ""))
                new, old = roundtrip.quote_of(accepted), roundtrip.quote_of(rejected)
                if built_quote is not None and (new != built_quote or old != built_quote):
                    change.quotes.append({"number": cite["number"], "index": cite.get("index"),
                                          "before": built_quote, "after": new or "", "rejected": old or ""})
                    change.tracked.extend({"type": c.kind, "author": c.author, "date": c.date,
                                           "text": normalize(c.text), "note": cite["number"]}
                                          for c in doc.note_changes.get(fid, []))
        if change.deleted_cites:
            change.flags.append("citation-deleted")
        if [x for x in after_n if x in before_n] != [x for x in before_n if x in after_n]:
            change.flags.append("citation-moved")
        elif any(c["type"].startswith("move") and "[^" in roundtrip.tokens(c["text"], numbers)
                 for c in change.tracked):
            change.flags.append("citation-moved")
        if any(x not in before_n for x in after_n):
            change.flags.append("citation-added")
        if change.quotes:
            change.flags.append("quote-edited")
            if any(t.get("note") for t in change.tracked) and "tracked" not in change.flags:
                change.flags.append("tracked")
        change.uncited = claims.uncited_tail(item["text"], change.after) or ""
        if change.uncited:
            change.flags.append("uncited-claim")
        change.claims_cut = [{"notes": [int(m[2:-1]) for m in kept if m[2:-1].isdigit()], "cut": cut}
                             for kept, cut in claims.removed_claims(item["text"], change.after)]
        if change.claims_cut:
            change.flags.append("claim-removed")
        edited = change.after != item["text"] or change.rejected != item["text"] or change.quotes or \
            "split" in change.flags or change.comments or change.joined or "formatting" in change.flags
        if not edited:
            continue
        text_done = change.after == item["text"] or \
            _outline_text(now, item["key"]) == outline_text(change.after, item["cites"])
        quotes_done = all(roundtrip.value_at(now, ("cite", q["index"], "quote")) == q["after"] for q in change.quotes)
        if _plain(now) != item["value"] and text_done and quotes_done and not change.comments:
            continue  # the outline already has these edits (applied before)
        if _plain(now) != item["value"] and (change.after != item["text"] or change.quotes):
            review.conflicts.append({"path": path, "file": str(outline), "line": line,
                                     "built": _outline_text(item["value"], item["key"]),
                                     "outline_now": _outline_text(now, item["key"]),
                                     "docx": change.after})
            change.flags.append("conflict")
        review.items.append(change)
    claims.pair_moves(review.items)
    _generated(review, record, paras, doc, numbers)
    _loose_comments(review, doc, spans)
    return review


def _loose_comments(review: Review, doc: docx_read.Document, spans: dict) -> None:
    """Comments on no item (on a heading, a label, the bibliography): listed with the generated parts."""
    attached = {p.value for span in spans.values() for p in (*span.prefix, *span.pieces) if p.kind == "comment"}
    last = None
    seen = set()
    for p in doc.pieces:
        if p.kind == "start" and (path := anchors.path_of(p.value)):
            last = path
        if p.kind != "comment" or p.value in attached or p.value in seen:
            continue
        seen.add(p.value)
        for c in _comments(doc, [p]):
            review.generated.append({"part": "comment", "after_item": last, **c})


def outline_text(after: str, cites: list[dict]) -> str:
    """The DOCX text of an item back in outline form: inline markers restored, cite: notes dropped."""
    by_number = {str(c["number"]): c for c in cites}

    def sub(m: re.Match) -> str:
        cite = by_number.get(m.group(1))
        if cite is not None and cite["origin"] == "marker":
            return (cite.get("space") or "") + cite["marker"]
        return ""  # a cite: entry (listed after the text) or a note the editor added
    return _NOTE.sub(sub, after).strip()


def _plain(value):
    """An outline value as the record stores it (YAML dates as text)."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def _outline_text(value, key: str | None) -> str | None:
    if isinstance(value, dict):
        return value.get(key or "text")
    return value if value is None else str(value)


def _generated(review: Review, record: dict, paras: list[Para], doc, numbers: dict) -> None:
    """Paragraphs outside the items: added ones (with the item they follow) and edited generated text."""
    built = record["generated"]
    matcher = difflib.SequenceMatcher(None, [g["text"] for g in built], [p.text for p in paras], autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            continue
        olds, news = built[a1:a2], paras[b1:b2]
        if op == "insert":
            review.added.extend({"after": p.after, "text": p.text} for p in news)
            continue
        for k in range(max(len(olds), len(news))):
            old = olds[k]["text"] if k < len(olds) else None
            new = news[k].text if k < len(news) else None
            if old is None:
                review.added.append({"after": news[k].after, "text": new})
            else:
                review.generated.append({"part": "text", "after_item": olds[k]["after"], "before": old,
                                         "after": new or ""})
    for fid, n in numbers.items():
        text = doc.footnotes.get(fid, ("", ""))[0]
        built_text = record["footnotes"].get(str(n), "")
        if _reference(text) != _reference(built_text):
            tracked = [{"type": c.kind, "author": c.author, "date": c.date, "text": normalize(c.text)}
                       for c in doc.note_changes.get(fid, [])]
            review.generated.append({"part": f"footnote {n}", "before": built_text, "after": text,
                                     **({"tracked": tracked} if tracked else {})})


def _reference(note: str) -> str:
    """A footnote without its quote: the generated reference (publisher, title, date, ¶)."""
    for mark in ("«", "“"):
        if mark in note:
            return note[:note.rfind(mark)].strip()
    return note.strip()


def _current(outline: Path) -> yamlpos.Located | None:
    try:
        return yamlpos.load(safefs.read_file(outline, MAX_OUTLINE_BYTES, "outline").decode("utf-8-sig"), str(outline))
    except (UnicodeError, InputError):
        return None


def review(docx_path: Path, outline: Path | None = None, allow_outside: bool = False) -> Review:
    """Read an edited DOCX, find its build's record (or rebuild it) and compare."""
    data = safefs.read_file(docx_path, MAX_DOCX_BYTES, "edited DOCX", code="docx-missing",
                            hint="give the path of the .docx the editor sent back")
    doc = docx_read.read(data, str(docx_path))
    doc.properties = untrusted.properties(doc.properties)  # only values of the shape briefgen writes
    build = doc.properties.get(roundtrip.BUILD_PROP, "")
    paths = docx_read.anchored(doc)
    untrusted.check_bookmarks(doc, anchors.path_of, str(docx_path))
    matched = None
    if not build and paths:
        folder = outline.parent if outline is not None else _find_outline(docx_path, "outline.yaml").parent
        matched = roundtrip.match(doc, folder)
        if matched is not None and untrusted.valid_record(matched[0]):
            outline = outline or folder / untrusted.properties({roundtrip.OUTLINE_PROP: str(
                matched[0].get("outline", ""))}).get(roundtrip.OUTLINE_PROP, "outline.yaml")
            rv = untrusted.clean_review(compare(doc, matched[0], outline, str(docx_path)))
            rv.matched = matched[1]
            return rv
    if not build or not paths:
        found = (f"{len(doc.bookmarks)} bookmarks, none of them briefgen's anchors" if not paths
                 else f"{len(paths)} briefgen anchors but no build id in its document properties")
        what = "was not written by briefgen" if not build and not paths else "has lost what briefgen marked it with"
        raise InputError(f"{docx_path} {what}: found {found}", code="not-briefgen-docx", file=str(docx_path),
                         hint="review a DOCX made by `briefgen build` (its anchors are hidden bookmarks "
                              "named _bg_…; do not remove them in Word's Insert › Bookmark)")
    if outline is None:
        outline = _find_outline(docx_path, doc.properties.get(roundtrip.OUTLINE_PROP, "outline.yaml"))
    version = doc.properties.get(roundtrip.VERSION_PROP, "")
    record = roundtrip.load(outline.parent, build)
    if record is not None and not untrusted.valid_record(record):
        record = None  # a damaged record in the cache: rebuilt from the outline, as if absent
    if record is None:
        record = roundtrip.rebuild(outline, version, allow_outside)
        if record is None:
            raise roundtrip.not_found(build, outline, version)
    return untrusted.clean_review(compare(doc, record, outline, str(docx_path)))


def _find_outline(docx_path: Path, name: str) -> Path:
    name = Path(name).name or "outline.yaml"
    for folder in (docx_path.resolve().parent.parent, docx_path.resolve().parent, Path.cwd()):
        if (folder / name).is_file():
            return folder / name
    raise InputError(f"cannot find the outline {name} the DOCX was built from", code="outline-missing",
                     file=str(docx_path), hint="pass it: briefgen review EDITED.docx --outline outline.yaml")


from .report import format_text, word_diff  # noqa: E402,F401 - the review's text form lives there
