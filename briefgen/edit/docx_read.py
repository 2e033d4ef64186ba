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
from . import untrusted

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
    """A tracked change: insert, delete, move-from or move-to, with author and date."""

    kind: str
    author: str
    date: str
    text: str = ""


@dataclass
class Piece:
    """One thing in the body's reading order."""

    kind: str  # text, note, mark, start (bookmark), end (bookmark), comment, para (paragraph end)
    value: str = ""
    change: Change | None = None  # the tracked change this piece is inside
    style: str = ""  # for para: the paragraph style
    ident: str = ""  # for start: the bookmark's id (its end piece's value)


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
            doc.footnotes = _footnotes(_xml(parts["word/footnotes.xml"]))
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


def _change(element) -> Change:
    kind = {"ins": "insert", "del": "delete", "moveFrom": "move-from", "moveTo": "move-to"}[
        etree.QName(element).localname]
    return Change(kind, element.get(w("author"), ""), element.get(w("date"), ""))


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


def _run(run, change: Change | None, out: list[Piece]) -> None:
    note_style = _run_style(run) == "note"
    for child in run:
        tag = _local(child)
        if tag in ("t", "delText"):
            text = child.text or ""
            if note_style:
                for digits in _DIGITS.findall(text):  # a repeated mark; separators ("،") dropped
                    out.append(Piece("mark", digits, change))
            else:
                out.append(Piece("text", text, change))
        elif tag in ("tab", "br", "cr"):
            out.append(Piece("text", " ", change))
        elif tag == "noBreakHyphen":
            out.append(Piece("text", "-", change))
        elif tag == "footnoteReference":
            out.append(Piece("note", child.get(w("id"), ""), change))
        elif tag == "commentReference":
            out.append(Piece("comment", child.get(w("id"), ""), change))


def _walk(parent, change: Change | None, out: list[Piece]) -> None:
    for child in parent:
        tag = _local(child)
        if tag == "r":
            _run(child, change, out)
        elif tag in ("ins", "del", "moveFrom", "moveTo"):
            inner = _change(child)
            before = len(out)
            _walk(child, inner, out)
            inner.text = view([p for p in out[before:] if p.kind in ("text", "note", "mark")], inner.kind in
                              ("insert", "move-to"))
        elif tag == "bookmarkStart":
            out.append(Piece("start", child.get(w("name"), ""), change, ident=child.get(w("id"), "")))
        elif tag == "bookmarkEnd":
            out.append(Piece("end", child.get(w("id"), ""), change))
        elif tag == "commentRangeStart":
            out.append(Piece("comment", child.get(w("id"), ""), change))
        elif tag in ("hyperlink", "smartTag", "sdt", "sdtContent", "fldSimple", "customXml", "dir", "bdo"):
            _walk(child, change, out)


def _pieces(body) -> list[Piece]:
    """The body in reading order; each paragraph ends with a 'para' piece (its mark's change, if tracked)."""
    out: list[Piece] = []
    for element in body.iter(w("p"), w("bookmarkStart"), w("bookmarkEnd")):
        if etree.QName(element).localname != "p":
            if element.getparent() is not None and etree.QName(element.getparent()).localname in ("body", "tc", "tr",
                                                                                                    "tbl"):
                _walk(_wrap(element), None, out)  # a bookmark between paragraphs (LibreOffice writes some there)
            continue
        _walk(element, None, out)
        style = element.find(f"{w('pPr')}/{w('pStyle')}")
        mark = element.find(f"{w('pPr')}/{w('rPr')}")
        change = None
        if mark is not None:
            for tracked in mark:
                if etree.QName(tracked).localname in ("ins", "del"):
                    change = _change(tracked)
        out.append(Piece("para", "", change, style.get(w("val"), "") if style is not None else ""))
    return out


def _wrap(element):
    holder = etree.Element(w("p"))
    holder.append(etree.fromstring(etree.tostring(element)))
    return holder


def view(pieces: list[Piece], accepted: bool = True) -> str:
    """The text with every tracked change accepted (or rejected); notes as tokens, paragraphs as newlines."""
    drop = ("delete", "move-from") if accepted else ("insert", "move-to")
    out = []
    for p in pieces:
        if p.change is not None and p.change.kind in drop and p.kind != "para":
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


def _footnotes(root) -> dict[str, tuple[str, str]]:
    out = {}
    for note in root.iter(w("footnote")):
        if note.get(w("type")) in ("separator", "continuationSeparator", "continuationNotice"):
            continue
        pieces: list[Piece] = []
        for para in note.iter(w("p")):
            _walk(para, None, pieces)
            pieces.append(Piece("para"))
        keep = [p for p in pieces if p.kind in ("text", "para")]
        out[note.get(w("id"), "")] = (normalize(view(keep, True)), normalize(view(keep, False)))
    return out


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
        for para in paras:
            _walk(para, None, pieces)
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


@dataclass
class Span:
    """The pieces of one anchored item, and the generated text before it in its first paragraph."""

    path: str
    pieces: list[Piece]
    prefix: list[Piece]


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
        found[path] = Span(path, pieces[s + 1:stop], pieces[begin:s])
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
