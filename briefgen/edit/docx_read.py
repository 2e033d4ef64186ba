"""Review stage, reading: an edited DOCX -> its anchored items, tracked changes, comments and notes.

Reads the OOXML directly (lxml), the way Word and LibreOffice write it: text in w:t/w:delText,
tracked changes as w:ins/w:del/w:moveFrom/w:moveTo, footnote references, briefgen's hidden
bookmarks (see briefgen.anchors), comments with their replies and resolved state
(commentsExtended.xml) and the custom document properties.
Footnote references become tokens in the text: "\ue000<id>\ue001" for a real reference,
"\ue002<digits>\ue001" for a repeated mark (a plain run in the footnote-reference style).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from .. import anchors
from ..errors import InputError
from . import untrusted, wordml

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
CP = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
NOTE, MARK, END = "\ue000", "\ue002", "\ue001"
_INVISIBLE = re.compile("[\u200e\u200f\u061c\u200b\ufeff]")
_SPACE = re.compile(r"\s+")
_DIGITS = re.compile(r"[0-9\u0660-\u0669\u06f0-\u06f9]+")


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def normalize(text: str) -> str:
    """Text as compared: no direction marks, whitespace collapsed (conversion noise is not an edit)."""
    return _SPACE.sub(" ", _INVISIBLE.sub("", text)).strip()


@dataclass
class Change:
    """A tracked change: insert, delete, move-from, move-to or format, with author and date."""

    kind: str
    author: str
    date: str
    text: str = ""
    name: str = ""  # a move's name: its move-from and move-to share it


@dataclass
class Piece:
    """One thing in the body's reading order."""

    kind: str  # text, note, mark, start (bookmark), end (bookmark), comment, para (paragraph end)
    value: str = ""
    change: Change | None = None  # the tracked change this piece is inside
    style: str = ""  # for para: the paragraph style
    ident: str = ""  # for start: the bookmark's id (its end piece's value)
    chain: tuple = ()  # every tracked change it is inside, outermost first (a deletion inside an insertion)
    fmt: Change | None = None  # a tracked formatting change (w:rPrChange, w:pPrChange): not a text edit

    def __post_init__(self) -> None:
        if not self.chain and self.change is not None:
            self.chain = (self.change,)


@dataclass
class Comment:
    id: str
    author: str
    date: str
    text: str
    para_id: str = ""
    parent: str = ""  # para_id of the comment it replies to
    resolved: bool = False


@dataclass
class Document:
    """What a DOCX holds, as the review needs it."""

    pieces: list[Piece]
    properties: dict[str, str] = field(default_factory=dict)
    footnotes: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (accepted, rejected) text
    note_changes: dict[str, list[Change]] = field(default_factory=dict)  # id -> tracked changes inside the note
    comments: dict[str, Comment] = field(default_factory=dict)
    bookmarks: list[str] = field(default_factory=list)  # every bookmark name, in order


PARTS = ("word/document.xml", "word/footnotes.xml", "word/comments.xml", "word/commentsExtended.xml",
         "docProps/custom.xml")  # the only members read
# Documents come from outside: no entity expansion (no file or network reads through the XML), no huge trees.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)


def _xml(data: bytes):
    return etree.fromstring(data, _PARSER)


def read(data: bytes, name: str = "DOCX") -> Document:
    """Parse a .docx; a file that is not one is an InputError saying what was found."""
    parts = untrusted.docx_parts(data, name, PARTS)  # inflated under a cap, whatever the zip headers say
    if "word/document.xml" not in parts:
        raise InputError(f"{name} is a zip file but not a Word document: it has no word/document.xml",
                         code="not-docx", file=name, hint="give the .docx the editor sent back")
    try:
        body = _xml(parts["word/document.xml"]).find(w("body"))
        if body is None:
            raise InputError(f"{name} has no document body (word/document.xml without w:body)", code="not-docx",
                             file=name, hint="open and save it again in Word or LibreOffice")
        doc = Document(_pieces(body))
        if "docProps/custom.xml" in parts:
            doc.properties = _properties(_xml(parts["docProps/custom.xml"]))
        if "word/footnotes.xml" in parts:
            doc.footnotes, doc.note_changes = _footnotes(_xml(parts["word/footnotes.xml"]))
        if "word/comments.xml" in parts:
            extended = (_xml(parts["word/commentsExtended.xml"])
                        if "word/commentsExtended.xml" in parts else None)
            doc.comments = _comments(_xml(parts["word/comments.xml"]), extended)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{name} has broken XML: {exc}", code="not-docx", file=name,
                         hint="open and save it again in Word or LibreOffice") from None
    doc.bookmarks = [p.value for p in doc.pieces if p.kind == "start"]
    return doc


def _properties(root) -> dict[str, str]:
    out = {}
    for prop in root.iter(f"{{{CP}}}property"):
        value = next((c.text or "" for c in prop if c.tag.startswith(f"{{{VT}}}")), "")
        out[prop.get("name", "")] = value
    return out


def _change(element, name: str = "") -> Change:
    kind = {"ins": "insert", "del": "delete", "moveFrom": "move-from", "moveTo": "move-to",
            "rPrChange": "format", "pPrChange": "format"}[etree.QName(element).localname]
    return Change(kind, element.get(w("author"), ""), element.get(w("date"), ""), name=name)


_RPR, _RSTYLE, _VERT = w("rPr"), w("rStyle"), w("vertAlign")


def _run_style(run) -> str:
    rpr = run.find(_RPR)
    if rpr is None:
        return ""
    style, sup = rpr.find(_RSTYLE), rpr.find(_VERT)
    name = (style.get(w("val"), "") if style is not None else "").lower()
    if "footnote" in name or "endnote" in name or (sup is not None and sup.get(w("val")) == "superscript"):
        return "note"
    return ""


_W = f"{{{W}}}"


def _local(element) -> str:
    """The local name of a w: element ('' for comments, processing instructions and other namespaces)."""
    tag = element.tag
    return tag[len(_W):] if isinstance(tag, str) and tag.startswith(_W) else ""


_CHARS = {"tab": " ", "br": " ", "cr": " ", "noBreakHyphen": "\u2011", "softHyphen": "\u00ad"}


def _run(run, chain: tuple, out: list[Piece], story: wordml.Story) -> None:
    note_style = _run_style(run) == "note"
    change = chain[-1] if chain else None
    rpr = run.find(_RPR)
    fmt = rpr.find(w("rPrChange")) if rpr is not None else None
    fmt = _change(fmt) if fmt is not None else None
    start = len(out)
    for child in run:
        tag = _local(child)
        if tag == "fldChar":
            story.fld_char(child.get(w("fldCharType"), ""))
        elif story.in_code and tag != "footnoteReference":
            continue  # a field's code (and any field nested in it) is not text; its result is
        elif tag in ("t", "delText"):
            text = wordml.symbol_text(child.text or "", rpr)
            if note_style:
                for digits in _DIGITS.findall(text):  # a repeated mark; separators ("،") dropped
                    out.append(Piece("mark", digits, change, chain=chain))
            else:
                out.append(Piece("text", text, change, chain=chain))
        elif tag in _CHARS:
            out.append(Piece("text", _CHARS[tag], change, chain=chain))
        elif tag == "sym":
            out.append(Piece("text", wordml.symbol(child.get(w("font"), ""), child.get(w("char"), "")), change,
                             chain=chain))
        elif tag == "footnoteReference":
            out.append(Piece("note", child.get(w("id"), ""), change, chain=chain))
        elif tag == "commentReference":
            out.append(Piece("comment", child.get(w("id"), ""), change, style="mark", chain=chain))
    if fmt is not None:
        for piece in out[start:]:
            piece.fmt = fmt
        fmt.text = view([p for p in out[start:] if p.kind == "text"])


_CHANGES = ("ins", "del", "moveFrom", "moveTo")
_THROUGH = ("hyperlink", "smartTag", "sdt", "sdtContent", "fldSimple", "customXml", "dir", "bdo")


def _walk(parent, chain: tuple, out: list[Piece], story: wordml.Story | None = None) -> None:
    story = story if story is not None else wordml.Story()
    change = chain[-1] if chain else None
    for child in parent:
        tag = _local(child)
        if tag == "r":
            _run(child, chain, out, story)
        elif tag in _CHANGES:
            inner = _change(child, story.move_name if tag in ("moveFrom", "moveTo") else "")
            before = len(out)
            _walk(child, (*chain, inner), out, story)
            drop = ("delete", "move-from") if inner.kind in ("insert", "move-to") else ("insert", "move-to")
            inner.text = view([p for p in out[before:] if p.kind in ("text", "note", "mark")
                               and not any(c.kind in drop for c in p.chain[len(chain) + 1:])], inner.kind in
                              ("insert", "move-to"), within=len(chain) + 1)
        elif tag in ("moveFromRangeStart", "moveToRangeStart"):
            story.move_start(child.get(w("id"), ""), child.get(w("name"), ""))
        elif tag in ("moveFromRangeEnd", "moveToRangeEnd"):
            story.move_end(child.get(w("id"), ""))
        elif tag == "bookmarkStart":
            out.append(Piece("start", child.get(w("name"), ""), change, ident=child.get(w("id"), ""), chain=chain))
        elif tag == "bookmarkEnd":
            out.append(Piece("end", child.get(w("id"), ""), change, chain=chain))
        elif tag == "commentRangeStart":
            out.append(Piece("comment", child.get(w("id"), ""), change, chain=chain))
        elif tag in _THROUGH:
            _walk(child, chain, out, story)


def _pieces(body) -> list[Piece]:
    """The body in reading order; each paragraph ends with a 'para' piece (its mark's change, if tracked)."""
    out: list[Piece] = []
    story = wordml.Story()
    marks = (w("bookmarkStart"), w("bookmarkEnd"), w("moveFromRangeStart"), w("moveFromRangeEnd"),
             w("moveToRangeStart"), w("moveToRangeEnd"))
    for element in body.iter(w("p"), *marks):
        if etree.QName(element).localname != "p":
            if element.getparent() is not None and etree.QName(element.getparent()).localname in ("body", "tc", "tr",
                                                                                                    "tbl"):
                _walk(_wrap(element), (), out, story)  # between paragraphs (LibreOffice writes bookmarks there)
            continue
        _walk(element, (), out, story)
        style = element.find(f"{w('pPr')}/{w('pStyle')}")
        mark = element.find(f"{w('pPr')}/{w('rPr')}")
        change = None
        if mark is not None:
            for tracked in mark:
                if etree.QName(tracked).localname in ("ins", "del"):
                    change = _change(tracked)
        para = Piece("para", "", change, style.get(w("val"), "") if style is not None else "")
        formatted = element.find(f"{w('pPr')}/{w('pPrChange')}")
        if formatted is not None:
            para.fmt = _change(formatted)
        out.append(para)
    return out


def _wrap(element):
    holder = etree.Element(w("p"))
    holder.append(etree.fromstring(etree.tostring(element)))
    return holder


def view(pieces: list[Piece], accepted: bool = True, within: int = 0) -> str:
    """The text with every tracked change accepted (or rejected); notes as tokens, paragraphs as newlines.

    within: the changes a piece is inside beyond this depth decide (the text of one change: its own pieces)."""
    drop = ("delete", "move-from") if accepted else ("insert", "move-to")
    out = []
    for p in pieces:
        if p.kind != "para" and any(c.kind in drop for c in p.chain[within:]):
            continue
        if p.kind == "text":
            out.append(p.value)
        elif p.kind == "note":
            out.append(f"{NOTE}{p.value}{END}")
        elif p.kind == "mark":
            out.append(f"{MARK}{p.value}{END}")
        elif p.kind == "para":
            joined = p.change is not None and p.change.kind in drop  # the paragraph mark itself was tracked
            out.append(" " if joined else "\n")
    return "".join(out)


def _footnotes(root) -> tuple[dict[str, tuple[str, str]], dict[str, list[Change]]]:
    out, changes = {}, {}
    for note in root.iter(w("footnote")):
        if note.get(w("type")) in ("separator", "continuationSeparator", "continuationNotice"):
            continue
        pieces: list[Piece] = []
        story = wordml.Story()
        for para in note.iter(w("p")):
            _walk(para, (), pieces, story)
            pieces.append(Piece("para"))
        keep = [p for p in pieces if p.kind in ("text", "para")]
        out[note.get(w("id"), "")] = (normalize(view(keep, True)), normalize(view(keep, False)))
        tracked = list({id(c): c for p in keep for c in (*p.chain, p.fmt) if c is not None and c.text.strip()}.values())
        if tracked:
            changes[note.get(w("id"), "")] = tracked
    return out, changes


def _comments(root, extended) -> dict[str, Comment]:
    state: dict[str, tuple[str, bool]] = {}
    if extended is not None:
        for ex in extended.iter(f"{{{W15}}}commentEx"):
            state[ex.get(f"{{{W15}}}paraId", "")] = (ex.get(f"{{{W15}}}paraIdParent", ""),
                                                      ex.get(f"{{{W15}}}done", "0") in ("1", "true"))
    out = {}
    for c in root.iter(w("comment")):
        paras = c.findall(w("p"))
        pieces: list[Piece] = []
        story = wordml.Story()
        for para in paras:
            _walk(para, (), pieces, story)
            pieces.append(Piece("para"))
        para_id = paras[-1].get(f"{{{W14}}}paraId", "") if paras else ""
        parent, done = state.get(para_id, ("", False))
        text = normalize(view([p for p in pieces if p.kind in ("text", "para")]))
        out[c.get(w("id"), "")] = Comment(c.get(w("id"), ""), c.get(w("author"), ""), c.get(w("date"), ""),
                                          text, para_id, parent, done)
    return out


def anchored(doc: Document) -> list[str]:
    """The item paths named by the document's bookmarks."""
    return [p for p in (anchors.path_of(n) for n in doc.bookmarks) if p]

