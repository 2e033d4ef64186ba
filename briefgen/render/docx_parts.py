"""DOCX package stage: settings, section with header and footer, contents field, comments part, properties."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from docx.opc.constants import RELATIONSHIP_TYPE as RT

from briefgen import model
from briefgen.render import ooxml
from briefgen.render.docx_styles import BIDI_LANG
from briefgen.render.ooxml import el, props, put

COMMENTS_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"
COMMENT_AUTHOR, COMMENT_INITIALS = "briefgen", "BG"
TOC_INSTR = 'TOC \\o "1-2" \\h \\z \\u'
TOC_PLACEHOLDER = {
    "ar": "انقر بزر الفأرة الأيمن واختر \"تحديث الحقل\" لإنشاء جدول المحتويات",
    "en": "Right-click and choose Update Field to build the table of contents",
}


def fixed_date(meta: model.Meta) -> datetime:
    """The fixed date of the document (properties, comments): meta.date if ISO, else 2000-01-01."""
    try:
        value = datetime.fromisoformat((meta.date or "").strip())
    except ValueError:
        return datetime(2000, 1, 1)
    return value.replace(tzinfo=None)


def settings(document) -> None:
    """Footnote separators, Arabic theme language, fields updated on open (the contents)."""
    root = document.settings.element
    put(root, el("w:updateFields", {"w:val": "true"}))
    put(root, el("w:footnotePr", children=[el("w:footnote", {"w:id": "-1"}), el("w:footnote", {"w:id": "0"})]))
    put(root, el("w:themeFontLang", {"w:val": "en-US", "w:bidi": BIDI_LANG}))
    for old in root.findall(ooxml.qn("w:savePreviewPicture")):
        root.remove(old)


def contents(d) -> list:
    """The contents heading and a TOC field over Heading 1–2, holding a placeholder until Word fills it."""
    placeholder = d.labels.get("toc_placeholder") or TOC_PLACEHOLDER[d.lang]
    rpr = [el("w:rStyle", {"w:val": "PlaceholderText"}), el("w:rtl") if d.rtl else None]
    runs = ooxml.field_runs(TOC_INSTR, ooxml.clean_text(placeholder), rpr)
    runs[0].find(ooxml.qn("w:fldChar")).set(ooxml.qn("w:dirty"), "true")
    return [d.text_para("TOCHeading", d.label("contents")), d.para("TOC1", runs)]


def section(document, d) -> None:
    """A4 page, 2 cm margins, RTL section; header (title, classification), footer (page, classification)."""
    sec = document.sections[0]
    sect_pr = sec._sectPr
    put(sect_pr, el("w:pgSz", {"w:w": "11906", "w:h": "16838"}))
    put(sect_pr, el("w:pgMar", {"w:top": "1134", "w:right": "1134", "w:bottom": "1134", "w:left": "1134",
                                "w:header": "567", "w:footer": "567", "w:gutter": "0"}))
    if d.rtl:
        put(sect_pr, el("w:bidi"))
    meta = d.brief.meta
    sec.header.is_linked_to_previous = False
    sec.footer.is_linked_to_previous = False
    header, footer = sec.header.part.element, sec.footer.part.element
    for story in (header, footer):
        for child in list(story):
            story.remove(child)
    header.append(d.text_para("Header", meta.title))
    page_rpr = [el("w:rtl")] if d.rtl else []
    footer.append(d.para("Footer", [*d.runs(f"{d.label('page')} "), *ooxml.field_runs("PAGE", "1", page_rpr)]))
    if meta.classification:
        header.append(d.text_para("Classification", meta.classification))
        footer.append(d.text_para("Classification", meta.classification))


def comment_text(d, citation: model.Citation) -> str:
    """The comment on a quoted citation: the source's own words, then its short reference."""
    short = replace(citation, quote=None, first=False)  # keeps where a pull-quote stands
    quote = f"«{citation.quote}»" if d.rtl else f"“{citation.quote}”"
    return f"{quote} — {model.note_text(short, d.labels)}"


def comments_part(document, d, commented: list[model.Citation]) -> None:
    """/word/comments.xml: one comment per quoted citation, in anchor order, with a fixed date."""
    if not commented:
        return
    part = ooxml.new_xml_part(document.part.package, "/word/comments.xml", COMMENTS_CT, "w:comments")
    stamp = fixed_date(d.brief.meta).strftime("%Y-%m-%dT%H:%M:%SZ")
    for comment_id, citation in enumerate(commented):
        mark = el("w:r", children=[
            props("w:rPr", [el("w:rStyle", {"w:val": "CommentReference"}), el("w:rtl") if d.rtl else None]),
            el("w:annotationRef")])
        para = d.para("CommentText", [mark, *d.runs(comment_text(d, citation))])
        part.element.append(el("w:comment", {"w:id": str(comment_id), "w:author": COMMENT_AUTHOR,
                                              "w:date": stamp, "w:initials": COMMENT_INITIALS}, [para]))
    document.part.relate_to(part, RT.COMMENTS)


def anchor_comments(para, first_refs: dict, commented: list[model.Citation]) -> None:
    """Comment each quoted citation noted in para: a range over the whole paragraph, its mark at the end.

    Every range of a paragraph opens at its start and closes after its last run (after its note
    marks), followed by the comment's mark (a w:commentReference run). LibreOffice's export writes
    a comment's mark right after its range end wherever we put it, and its importer loses every
    footnote's text when a comment mark lies between the document's first and second footnote
    references (docs/roundtrip.md); a range ending at its paragraph's end keeps the marks behind
    the paragraph's notes; keep_first_notes_clear then makes the comments of the paragraph holding
    the document's first note points at its start. first_refs maps footnote ids referenced for the first time to their
    citations; each new comment is appended to commented (its index is its comment id).
    """
    start = 1 if len(para) and ooxml.local(para[0]) == "pPr" else 0
    notes = [r for r in para.iterchildren(ooxml.qn("w:r")) if r.find(ooxml.qn("w:footnoteReference")) is not None]
    for run in notes:
        citation = first_refs.get(int(run.find(ooxml.qn("w:footnoteReference")).get(ooxml.qn("w:id"))))
        if citation is None or not citation.quote:
            continue
        comment_id = str(len(commented))
        commented.append(citation)
        para.insert(start, el("w:commentRangeStart", {"w:id": comment_id}))
        start += 1
        rtl = run.find(f"{ooxml.qn('w:rPr')}/{ooxml.qn('w:rtl')}") is not None
        para.append(el("w:commentRangeEnd", {"w:id": comment_id}))
        para.append(el("w:r", children=[
            props("w:rPr", [el("w:rStyle", {"w:val": "CommentReference"}), el("w:rtl") if rtl else None]),
            el("w:commentReference", {"w:id": comment_id})]))


def keep_first_notes_clear(body) -> None:
    """No comment mark between the document's first two footnote references, whatever the editor does there.

    LibreOffice 7.4's importer preloads every footnote at the first reference and hands the texts
    out in turn; a comment mark read between the first and the second reference leaves them
    shuffled on the first import and empty after its own save (docs/roundtrip.md). The paragraph
    holding the first reference has its comments as points at its start (range start, end and mark
    before any text), so neither its notes as built nor a note the editor inserts or deletes there
    can put a mark after the first reference; every other paragraph's marks follow its own notes.
    """
    first = next((r for r in body.iter(ooxml.qn("w:r")) if r.find(ooxml.qn("w:footnoteReference")) is not None), None)
    if first is None:
        return
    para = first.getparent()
    starts = para.findall(ooxml.qn("w:commentRangeStart"))
    ends = para.findall(ooxml.qn("w:commentRangeEnd"))
    marks = [r for r in para.findall(ooxml.qn("w:r")) if r.find(ooxml.qn("w:commentReference")) is not None]
    if not starts:
        return
    anchor = starts[-1]
    for end, mark in zip(ends, marks, strict=True):
        anchor.addnext(end)
        end.addnext(mark)
        anchor = mark


def core_properties(document, brief: model.Brief) -> None:
    """Title, subject, author, language, keywords (the section titles) and fixed dates."""
    core = document.core_properties
    meta = brief.meta
    stamp = fixed_date(meta)
    core.title = ooxml.clean_text(meta.title)
    core.subject = ooxml.clean_text(meta.subtitle or "")
    core.author = ooxml.clean_text(meta.author or meta.organization or "")
    core.last_modified_by = core.author
    core.category = ooxml.clean_text(meta.classification or "")
    if meta.version is not None:  # an issued version (briefgen issue): cp:version
        core.version = str(meta.version)
    core.comments = ""
    core.keywords = ooxml.clean_text(", ".join(s.title for s in brief.sections))
    core.language = BIDI_LANG if meta.lang != "en" else "en-US"
    core.created = stamp
    core.modified = stamp
    core.last_printed = stamp
    core.revision = 1


CUSTOM_CT = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
_CUSTOM_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"


def custom_properties(blob: bytes, values: dict[str, str]) -> bytes:
    """The package with docProps/custom.xml holding string properties (both office suites keep them)."""
    import io
    import zipfile
    from xml.sax.saxutils import quoteattr

    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(blob)) as src:
        members = {info.filename: src.read(info.filename) for info in src.infolist()}
    props = "".join(
        f'<property fmtid="{_CUSTOM_FMTID}" pid="{pid}" name={quoteattr(name)}><vt:lpwstr>'
        f"{ooxml.clean_text(value).replace('&', '&amp;').replace('<', '&lt;')}</vt:lpwstr></property>"
        for pid, (name, value) in enumerate(sorted(values.items()), 2))
    members["docProps/custom.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">' + props + "</Properties>"
    ).encode("utf-8")
    types = etree.fromstring(members["[Content_Types].xml"])
    ct_ns = types.nsmap[None]
    if not any(o.get("PartName") == "/docProps/custom.xml" for o in types):
        etree.SubElement(types, f"{{{ct_ns}}}Override", PartName="/docProps/custom.xml", ContentType=CUSTOM_CT)
    members["[Content_Types].xml"] = etree.tostring(types, xml_declaration=True, encoding="UTF-8", standalone=True)
    rels = etree.fromstring(members["_rels/.rels"])
    rel_ns = rels.nsmap[None]
    if not any(r.get("Type") == CUSTOM_REL for r in rels):
        ids = {r.get("Id") for r in rels}
        rid = next(f"rId{n}" for n in range(1, 1000) if f"rId{n}" not in ids)
        etree.SubElement(rels, f"{{{rel_ns}}}Relationship", Id=rid, Type=CUSTOM_REL, Target="docProps/custom.xml")
    members["_rels/.rels"] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8", standalone=True)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:  # deterministic_zip compresses it once
        for name, data in members.items():
            dst.writestr(name, data)
    return ooxml.deterministic_zip(out.getvalue())
