"""PDF structure after WeasyPrint: header scopes, footnotes as notes linked to their calls, XMP.

WeasyPrint tags the brief (headings, lists, tables, Lang) but gives table header cells no /Scope,
writes each footnote as a /Span inside an untyped /NonStruct at the foot of its page, and its call
as an untyped /NonStruct in the text, and writes no XMP packet. This module types and links them.
It only adds keys and retypes elements; /Info and everything else WeasyPrint wrote are kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from . import pdf_glyphs

# A footnote number as the call or the note's marker shows it: "12", "١٢", "12. " (visual order: " .12").
_NUMBER = re.compile(r"^[\s.]*(\d+)[\s.]*$")
_CALL = re.compile(r"^\s*(\d+)\s*$")  # a call is the bare number (a list's "1." is not a call)


@dataclass
class Stats:
    header_cells: int = 0
    scoped: int = 0
    notes: int = 0
    linked: int = 0
    described: int = 0
    problems: list[str] = field(default_factory=list)


def kids(elem: pikepdf.Object) -> list:
    k = elem.get("/K") if isinstance(elem, pikepdf.Dictionary) else None
    if k is None:
        return []
    return list(k) if isinstance(k, pikepdf.Array) else [k]


def elements(elem: pikepdf.Object, parents: tuple = ()):
    """Every structure element under elem (depth first) with its chain of parents' types."""
    if not isinstance(elem, pikepdf.Dictionary) or "/S" not in elem:
        return
    yield elem, parents
    for kid in kids(elem):
        yield from elements(kid, (*parents, str(elem.S)))


def mcid_texts(pdf: pikepdf.Pdf, parsed: dict | None = None) -> dict[tuple[int, int], str]:
    """(page object number, MCID) -> the text of its glyphs in content order (`parsed`: pages'
    operators already read, by page object number)."""
    out: dict[tuple[int, int], str] = {}
    parsed = parsed or {}
    for page in pdf.pages:
        fonts = {str(n): pdf_glyphs.to_unicode(f) for n, f in page.Resources.get("/Font", {}).items()}
        stack: list[int | None] = []
        font = None
        ops = parsed.get(page.obj.objgen[0])
        for operands, op in ops if ops is not None else pikepdf.parse_content_stream(page):
            name = str(op)
            if name in ("BDC", "BMC"):
                props = operands[1] if name == "BDC" and len(operands) > 1 else None
                stack.append(int(props.MCID) if isinstance(props, pikepdf.Dictionary) and "/MCID" in props else None)
            elif name == "EMC" and stack:
                stack.pop()
            elif name == "Tf":
                font = str(operands[0])
            elif name == "TJ" and font in fonts:
                mcid = next((m for m in reversed(stack) if m is not None), None)
                if mcid is None:
                    continue
                key = (page.obj.objgen[0], mcid)
                for item in operands[0]:
                    if isinstance(item, pikepdf.String):
                        raw = bytes(item)
                        out[key] = out.get(key, "") + "".join(
                            fonts[font].get(int.from_bytes(raw[k:k + 2], "big"), "") for k in range(0, len(raw), 2))
    return out


def element_text(elem: pikepdf.Object, texts: dict, page: int | None = None) -> str:
    """The text of an element's marked content (visual order inside a run; enough for numbers)."""
    if "/Pg" in elem:
        page = elem.Pg.objgen[0]
    out = []
    for kid in kids(elem):
        if isinstance(kid, int):
            out.append(texts.get((page, kid), ""))
        elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            out.append(element_text(kid, texts, page))
    return "".join(out)


def _scope_headers(doc: pikepdf.Object, stats: Stats) -> None:
    for elem, parents in elements(doc):
        if str(elem.S) != "/TH":
            continue
        stats.header_cells += 1
        attrs = elem.get("/A")
        if not isinstance(attrs, pikepdf.Dictionary):
            attrs = elem.A = Dictionary(O=Name.Table)
        section = next((p for p in reversed(parents) if p in ("/THead", "/TBody", "/TFoot")), "/THead")
        attrs.Scope = Name.Column if section == "/THead" else Name.Row
        stats.scoped += 1


def _digits(text: str, pattern: re.Pattern = _NUMBER) -> str | None:
    text = text.translate({0x0660 + i: str(i) for i in range(10)} | {0x06F0 + i: str(i) for i in range(10)})
    m = pattern.match(text)
    return m.group(1) if m else None


def _link_notes(pdf: pikepdf.Pdf, doc: pikepdf.Object, stats: Stats, texts: dict) -> None:
    """Footnote bodies (spans in the page-foot areas) become /Note with an /ID, their calls /Reference."""
    notes = [span for area in kids(doc) if isinstance(area, pikepdf.Dictionary) and str(area.get("/S")) == "/NonStruct"
             for span in kids(area) if isinstance(span, pikepdf.Dictionary) and str(span.get("/S")) == "/Span"]
    calls = [elem for elem, parents in elements(doc)
             if str(elem.S) == "/NonStruct" and "/Part" in parents and len(kids(elem)) == 1
             and _digits(element_text(elem, texts), _CALL) is not None]
    numbered = []
    for note in notes:
        marker = kids(note)[0] if kids(note) else None
        number = _digits(element_text(marker, texts)) if isinstance(marker, pikepdf.Dictionary) else None
        if number is not None:
            numbered.append((number, note, marker))
    by_number: dict[str | None, pikepdf.Object] = {}
    for call in calls:
        number = _digits(element_text(call, texts), _CALL)
        if number in by_number:
            stats.problems.append(f"footnote call {number} appears twice")
        by_number[number] = call
    for number, note, marker in numbered:
        note.S = Name.Note
        note.ID = String(f"fn{number}")
        marker.S = Name.Lbl
        stats.notes += 1
        call = by_number.get(number)
        if call is None:
            stats.problems.append(f"footnote {number} has no call")
            continue
        call.S = Name.Reference
        call.Ref = Array([note])
        note.Ref = Array([call])
        stats.linked += 1
    ids = pdf.Root.StructTreeRoot.get("/IDTree")
    if stats.notes and ids is None:
        names = Array()
        for number, note, _ in sorted(numbered, key=lambda n: f"fn{n[0]}"):
            names.extend([String(f"fn{number}"), note])
        pdf.Root.StructTreeRoot.IDTree = pdf.make_indirect(Dictionary(Names=names))


def _describe_figures(doc: pikepdf.Object, captions: list[str], stats: Stats) -> None:
    """A <figure> arrives as an untyped /NonStruct holding its /Caption: it becomes a /Div, and the
    table it shows (the risk matrix) gets its caption as /Summary, so the cells stay navigable."""
    figures = [e for e, _ in elements(doc) if any(isinstance(k, pikepdf.Dictionary) and str(k.get("/S")) == "/Caption"
                                                  for k in kids(e))]
    for figure, caption in zip(figures, captions, strict=False):
        table = next((e for e, _ in elements(figure) if str(e.S) == "/Table"), None)
        if str(figure.S) == "/NonStruct":
            figure.S = Name.Div
        if table is not None:
            attrs = table.get("/A")
            if not isinstance(attrs, pikepdf.Dictionary):
                attrs = table.A = Dictionary(O=Name.Table)
            attrs.Summary = String(caption)
            stats.described += 1


def improve(pdf: pikepdf.Pdf, parsed: dict | None = None, captions: list[str] = ()) -> Stats:
    """Scopes, linked notes, described figures (`captions`: the HTML's figcaptions in order);
    `parsed` as for mcid_texts."""
    stats = Stats()
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        stats.problems.append("the PDF is not tagged")
        return stats
    texts = mcid_texts(pdf, parsed)
    for doc in kids(root):
        _scope_headers(doc, stats)
        _link_notes(pdf, doc, stats, texts)
        _describe_figures(doc, list(captions), stats)
    return stats


def write_xmp(pdf: pikepdf.Pdf) -> None:
    """An XMP packet from /Info and /Lang: title, language, creator tool, producer (no PDF/UA claim)."""
    info = pdf.docinfo
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        if "/Title" in info:
            meta["dc:title"] = str(info.Title)
        if "/Lang" in pdf.Root:
            meta["dc:language"] = [str(pdf.Root.Lang)]
        if "/Author" in info:
            meta["dc:creator"] = [str(info.Author)]
        if "/Subject" in info:
            meta["dc:description"] = str(info.Subject)
        if "/Creator" in info:
            meta["xmp:CreatorTool"] = str(info.Creator)
        if "/Producer" in info:
            meta["pdf:Producer"] = str(info.Producer)
        if "/Keywords" in info:
            meta["pdf:Keywords"] = str(info.Keywords)
