"""DOCX renderer: document model -> Word document (python-docx + raw OOXML)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT

from briefgen import anchors, arabic, model
from briefgen.render import docx_fonts, docx_parts, docx_redline, docx_reference, docx_styles, docx_tradecraft, ooxml
from briefgen.render.docx_styles import TEXT_WIDTH
from briefgen.render.ooxml import el, props

_ARABIC = "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff"
_LATIN_RUN = re.compile(f"(?:[0-9][0-9,.:/-]* ?)?[A-Za-z\u00c0-\u024f][^{_ARABIC}«»]*")
_ARABIC_RUN = re.compile(f"[{_ARABIC}][^A-Za-z\u00c0-\u024f“”]*")
_LATIN_END = re.compile(r"[A-Za-z0-9\u00c0-\u024f/]")
_ARABIC_END = re.compile(f"[{_ARABIC}]")


RLM, LRM = "\u200f", "\u200e"
_ES_NUMBER = re.compile(r"(?<![\d\u200f+-])(?=\d+(?:[-+]\d+)+)")
_ARABIC_LETTER = "\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufefc"
_STRONG = {True: re.compile(f"[{_ARABIC_LETTER}]"), False: re.compile("[A-Za-z\u00c0-\u024f]")}


def script_runs(text: str, rtl: bool) -> list[tuple[str, bool]]:
    """Split text into (segment, is_rtl) runs, with the direction marks the bidi algorithm needs.

    In an RTL document, Latin-script stretches ("Lloyd Austin", a URL) become LTR runs and all
    else RTL runs (Word's w:rtl forces neutrals such as the space inside a Latin name to RTL,
    which would swap the words). In an LTR document, Arabic stretches become RTL runs.
    Separators with no letter of the document's direction between two foreign stretches get
    an RLM/LRM on both sides so the stretches keep the document's order (renderers that ignore
    w:rtl, like LibreOffice, apply the plain Unicode bidi algorithm); in RTL text an RLM also
    goes before numbers joined by '-' or '+' (ISO dates), which otherwise display reversed
    after Arabic letters (the digits become Arabic numbers and the hyphen a neutral), and an
    LRM before a Latin stretch that opens with a number.
    """
    pattern, end = (_LATIN_RUN, _LATIN_END) if rtl else (_ARABIC_RUN, _ARABIC_END)
    runs: list[tuple[str, bool]] = []
    pos = 0
    for m in pattern.finditer(text):
        seg = m.group()
        cut = max(i for i, ch in enumerate(seg) if end.match(ch)) + 1
        if seg[:cut].count("(") > seg[:cut].count(")") and seg[cut:].startswith(")"):
            cut += 1  # keep a bracketed aside's closing bracket with it
        start, stop = m.start(), m.start() + cut
        if start < pos:
            continue
        if start > pos:
            runs.append((text[pos:start], rtl))
        runs.append((text[start:stop], not rtl))
        pos = stop
    if pos < len(text):
        runs.append((text[pos:], rtl))
    mark = RLM if rtl else LRM
    out = []
    for seg, seg_rtl in runs:
        if seg and seg_rtl == rtl:
            if rtl:
                seg = _ES_NUMBER.sub(RLM, seg)
            if len(runs) > 1 and not _STRONG[rtl].search(seg):
                seg = mark + seg + mark
        elif rtl and seg[:1].isdigit():
            seg = LRM + seg  # "2,500 troops": the number joins the Latin words that follow it
        if seg:
            out.append((seg, seg_rtl))
    return out


BOOKMARK_IDS = 10000  # bookmark ids start above any comment id


class _Doc:
    """Rendering state: the brief, its direction and the footnotes already referenced."""

    def __init__(self, brief: model.Brief, footnotes_root, comments: bool = True):
        self.brief = brief
        self.labels = brief.labels
        self.lang = "en" if brief.meta.lang == "en" else "ar"
        self.rtl = self.lang == "ar"
        self.footnotes_root = footnotes_root
        self.referenced: dict[int, model.Citation] = {}
        self.next_num_id = 3  # 1: bullets, 2: bullets in table cells; ordered lists from 3
        self.commented: list[model.Citation] | None = [] if comments else None  # index = comment id
        self.anchors = anchors.inline_paths(brief)  # id(inlines) -> outline path, marked by a bookmark
        self.bookmarks = 0
        self.tracker = docx_redline.Tracker(brief.meta.redline_date) if brief.meta.redline_date else None

    def label(self, key: str) -> str:
        return self.labels.get(key, key)

    # -- runs and paragraphs -------------------------------------------------------------
    def runs(self, text: str, style: str | None = None) -> list:
        out = []
        for seg, rtl in script_runs(ooxml.clean_text(text), self.rtl):
            rpr = [el("w:rStyle", {"w:val": style}) if style else None]
            if rtl:
                rpr.append(el("w:rtl"))
            elif self.rtl:
                rpr.append(el("w:rtl", {"w:val": "0"}))
            out.append(ooxml.text_run(seg, rpr))
        return out

    def anchored(self, path: str, runs: list) -> list:
        """Runs wrapped in the hidden bookmark naming their outline item (see briefgen.anchors)."""
        if not path:
            return runs
        self.bookmarks += 1
        ident = str(BOOKMARK_IDS + self.bookmarks)  # annotation ids are unique across comments and bookmarks
        return [el("w:bookmarkStart", {"w:id": ident, "w:name": anchors.bookmark_name(path)}), *runs,
                el("w:bookmarkEnd", {"w:id": ident})]

    def inline_runs(self, inlines: model.Inlines, style: str | None = None) -> list:
        path = self.anchors.pop(id(inlines), "")  # popped: an item is anchored once
        return self.anchored(path, self._inline_runs(inlines, style))

    def _inline_runs(self, inlines: model.Inlines, style: str | None = None) -> list:
        out = []
        previous = None
        for inline in inlines:
            if isinstance(inline, model.Cite):
                if isinstance(previous, model.Cite):  # "3،4" rather than "34" for adjacent marks
                    sep = self.labels.get("comma", ", ").strip()
                    out.append(ooxml.text_run(sep, [el("w:rStyle", {"w:val": "FootnoteReference"}),
                                                    el("w:rtl") if self.rtl else None]))
                run = self.cite_run(inline.citation)
                out.extend(self.tracker.wrap(inline.change, [run]) if inline.change and self.tracker else [run])
            else:
                runs = self.runs(inline.text, style)
                out.extend(self.tracker.wrap(inline.change, runs) if inline.change and self.tracker else runs)
            previous = inline
        return out

    def cite_run(self, citation: model.Citation):
        rpr = [el("w:rStyle", {"w:val": "FootnoteReference"}), el("w:rtl") if self.rtl else None]
        if citation.number in self.referenced:
            # Word allows one reference per footnote: repeat the number as a plain mark.
            return ooxml.text_run(str(citation.number), rpr)
        self.referenced[citation.number] = citation
        run = el("w:r", children=[props("w:rPr", rpr)])
        run.append(el("w:footnoteReference", {"w:id": str(citation.number)}))
        return run

    def para(self, style: str, runs: list, num_id: int | None = None):
        ppr = [el("w:pStyle", {"w:val": style})]
        if num_id is not None:
            ppr.append(el("w:numPr", children=[el("w:ilvl", {"w:val": "0"}), el("w:numId", {"w:val": str(num_id)})]))
        if self.rtl:
            ppr.append(el("w:bidi"))
        p = el("w:p", children=[props("w:pPr", ppr), *runs])
        if self.tracker is not None:
            self.tracker.mark_paragraph(p)
        if self.commented is not None:
            docx_parts.anchor_comments(p, self.referenced, self.commented)
        return p

    def text_para(self, style: str, text: str):
        return self.para(style, self.runs(text))

    # -- blocks ----------------------------------------------------------------------------
    def block(self, block: model.Block) -> list:
        if isinstance(block, model.Paragraph):
            return [self.para("Normal", self.inline_runs(block.inlines))]
        if isinstance(block, model.ItemList):
            return self.item_list(block.items, block.ordered, "ListParagraph")
        if isinstance(block, model.ActorTable):
            return [self.actor_table(block)] if block.actors else []
        if isinstance(block, model.PositionGrid):
            return [self.position_grid(block)] if block.positions else []
        if isinstance(block, model.RiskList):
            return [self.risk_table(block)] if block.risks else []
        analytic = docx_tradecraft.block(self, block)
        if analytic is not None:
            return analytic
        raise TypeError(f"unknown block {type(block).__name__}")

    def item_list(self, items: list[model.Inlines], ordered: bool, style: str, in_table: bool = False) -> list:
        if ordered:
            num_id = self.next_num_id
            self.next_num_id += 1
        else:
            num_id = 2 if in_table else 1
        return [self.para(style, self.inline_runs(item), num_id) for item in items]

    def table(self, widths: list[int], header: list[list], rows: list[list[list]]):
        tbl_pr = props("w:tblPr", [
            el("w:tblStyle", {"w:val": "BriefTable"}),
            el("w:bidiVisual") if self.rtl else None,
            el("w:tblW", {"w:w": str(sum(widths)), "w:type": "dxa"}),
            el("w:tblLayout", {"w:type": "fixed"}),
            el("w:tblLook", {"w:val": "04A0", "w:firstRow": "1", "w:lastRow": "0", "w:firstColumn": "0",
                             "w:lastColumn": "0", "w:noHBand": "0", "w:noVBand": "1"}),
        ])
        grid = el("w:tblGrid", children=[el("w:gridCol", {"w:w": str(w)}) for w in widths])
        tbl = el("w:tbl", children=[tbl_pr, grid])
        for index, cells in enumerate([header, *rows]):
            tr = el("w:tr")
            if index == 0:
                tr.append(el("w:trPr", children=[el("w:cantSplit"), el("w:tblHeader")]))
            for width, paras in zip(widths, cells, strict=True):
                tc_pr = props("w:tcPr", [el("w:tcW", {"w:w": str(width), "w:type": "dxa"})])
                tr.append(el("w:tc", children=[tc_pr, *(paras or [self.para("TableText", [])])]))
            tbl.append(tr)
        return tbl

    def heading_cells(self, *texts: str) -> list[list]:
        return [[self.text_para("TableHeading", t)] for t in texts]

    def actor_table(self, block: model.ActorTable):
        rows = [
            [[self.para("TableText", self.anchored(a.path and f"{a.path}.name", self.runs(a.name, "Strong")))],
             [self.para("TableText", self.inline_runs(a.role))],
             [self.para("TableText", self.anchored(a.stance and a.path and f"{a.path}.stance",
                                                   self.runs(a.stance or "")))]]
            for a in block.actors
        ]
        header = self.heading_cells(self.label("actor"), self.label("role"), self.label("stance"))
        return self.table([2400, TEXT_WIDTH - 4800, 2400], header, rows)

    def position_grid(self, block: model.PositionGrid):
        widths = [TEXT_WIDTH // len(block.positions)] * len(block.positions)
        header = []
        for pos in block.positions:
            actor_path = pos.stance_path.replace(".stance", ".actor")
            cell = [self.para("TableHeading", self.anchored(actor_path, self.runs(pos.actor)))]
            if pos.stance:
                cell.append(self.para("PositionStance", self.anchored(pos.stance_path, self.runs(pos.stance))))
            header.append(cell)
        rows = [[self.item_list([point], False, "TableText", in_table=True) if point else []
                 for point in row] for row in block.rows()]
        tbl = self.table(widths, header, rows)
        tbl.find(f"{ooxml.qn('w:tblPr')}/{ooxml.qn('w:tblStyle')}").set(ooxml.qn("w:val"), "PositionsTable")
        return tbl

    def risk_table(self, block: model.RiskList):
        rows = [
            [[self.para("TableText", [*self.runs(f"{r.number}. " if r.number else "", "Strong"),
                                      *self.anchored(r.path and f"{r.path}.title", self.runs(r.title, "Strong"))])],
             [self.para("TableText", self.inline_runs(r.body)), *docx_tradecraft.risk_extras(self, r)],
             [self.text_para("TableText", r.likelihood or "")],
             [self.text_para("TableText", r.impact or "")]]
            for r in block.risks
        ]
        header = self.heading_cells(self.label("risk"), self.label("description"),
                                    self.label("likelihood"), self.label("impact"))
        return self.table([2200, TEXT_WIDTH - 5000, 1400, 1400], header, rows)

    # -- footnotes ---------------------------------------------------------------------------
    def footnote(self, citation: model.Citation):
        text = model.note_text(citation, self.labels)
        if citation.quote:
            text += f" «{citation.quote}»" if self.rtl else f" “{citation.quote}”"
        mark = el("w:r", children=[
            props("w:rPr", [el("w:rStyle", {"w:val": "FootnoteReference"}), el("w:rtl") if self.rtl else None]),
            el("w:footnoteRef"),
        ])
        space = ooxml.text_run(" ", [el("w:rtl")] if self.rtl else [])
        para = self.para("FootnoteText", [mark, space, *self.runs(text)])
        self.footnotes_root.append(el("w:footnote", {"w:id": str(citation.number)}, [para]))


def _drop_rels(rels, reltypes: set[str]) -> None:
    for rid in [rid for rid, rel in rels.items() if rel.reltype in reltypes]:
        rels.pop(rid)


def render(brief: model.Brief, comments: bool = True, reference_docx: Path | None = None,
           embed_fonts: bool = True) -> bytes:
    """The .docx file of a brief, byte-identical for identical inputs.

    comments: each citation with a verified quote becomes a Word comment on the paragraph citing it.
    reference_docx: a Word file whose styles, page setup, header and footer the brief takes on.
    embed_fonts: the faces the styles name travel inside the file, subset (docx_fonts).
    """
    reference = docx_reference.load(reference_docx)  # fails (InputError) before any work
    document = docx.Document()
    part = document.part
    _drop_rels(part.package.rels, {RT.THUMBNAIL})
    _drop_rels(part.rels, {RT.CUSTOM_XML, "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"})
    footnotes = ooxml.add_footnotes_part(part)
    d = _Doc(brief, footnotes.element, comments)
    meta = brief.meta

    styles = docx_styles.styles_root(d.rtl, docx_reference.text_width(reference))
    ooxml.replace_part_element(part._styles_part, docx_reference.merge_styles(styles, reference, d.rtl)
                               if reference else ooxml.serialize(styles))
    docx_parts.settings(document)

    body = document.element.body
    sect_pr = body.sectPr
    out: list = [d.para("Title", d.anchored("title", d.runs(meta.title)))]  # both flow back (briefgen.anchors)
    if meta.subtitle:
        out.append(d.para("Subtitle", d.anchored("subtitle", d.runs(meta.subtitle))))
    if meta.version_line:
        out.append(d.text_para("BriefMeta", meta.version_line))
    for line in (meta.organization, meta.author and f"{d.label('prepared_by')}: {meta.author}", meta.date):
        if line:
            out.append(d.text_para("BriefMeta", line))
    if brief.sections:
        out.extend(docx_parts.contents(d))
    for section in brief.sections:
        out.append(d.text_para("Heading1", f"{section.number}. {section.title}"))
        for block in section.blocks:
            out.extend(d.block(block))
    if brief.bibliography:
        out.append(d.text_para("Heading1", d.label("sources")))
        if brief.source_summary:
            out.append(d.text_para("Normal", arabic.isolate_ltr(brief.source_summary)))  # #27: bidi
        out.extend(d.text_para("Bibliography", model.bibliography_text(s, d.labels)) for s in brief.bibliography)
    for element in out:
        sect_pr.addprevious(element)
    if d.commented:
        docx_parts.keep_first_notes_clear(body)
    # One note per citation number: every listed citation, and any cited one the list lacks.
    notes = {c.number: c for c in reversed([*brief.citations, *d.referenced.values()])}
    for number in sorted(notes):
        d.footnote(notes[number])
    ooxml.replace_part_element(part.numbering_part, docx_styles.numbering_xml(d.rtl, d.next_num_id - 3))
    if d.commented:
        docx_parts.comments_part(document, d, d.commented)

    docx_parts.section(document, d)
    docx_reference.apply(document, reference, d)
    if embed_fonts:
        docx_fonts.embed(document)
    docx_parts.core_properties(document, brief)
    buf = io.BytesIO()
    document.save(buf)
    return ooxml.deterministic_zip(buf.getvalue())
