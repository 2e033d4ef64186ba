"""DOCX styles, contents field, settings and document properties, checked in the XML."""

from __future__ import annotations

import io

import docx
import pytest

from briefgen.labels import labels_for
from briefgen.render import docx as docx_render
from briefgen.render import docx_parts, ooxml
from tests.test_docx_render import NS, _w, make_brief, part, plain


@pytest.fixture(scope="module")
def ar_bytes() -> bytes:
    return docx_render.render(make_brief("ar"))


@pytest.fixture(scope="module")
def en_bytes() -> bytes:
    return docx_render.render(make_brief("en"))


def styles_by_id(blob: bytes) -> dict:
    return {s.get(_w("styleId")): s for s in part(blob, "word/styles.xml").findall("w:style", NS)}


def test_every_named_style_of_the_issue_exists_and_is_rtl(ar_bytes):
    styles = styles_by_id(ar_bytes)
    names = {sid: s.find("w:name", NS).get(_w("val")) for sid, s in styles.items()}
    for sid, name in (("Heading3", "heading 3"), ("Quote", "Quote"), ("Caption", "caption"),
                      ("TOCHeading", "TOC Heading"), ("TOC1", "toc 1"), ("TOC2", "toc 2"),
                      ("CommentText", "annotation text"), ("CommentReference", "annotation reference")):
        assert names[sid] == name
    for sid in ("Heading3", "Quote", "Caption", "TOCHeading", "TOC1", "CommentText"):
        style = styles[sid]
        assert style.find("w:pPr/w:bidi", NS) is not None, sid
        assert style.find("w:rPr/w:rtl", NS) is not None, sid
        assert style.find("w:rPr/w:lang", NS).get(_w("bidi")) == "ar-IQ"
        assert ooxml.order_errors(style) == []
    assert styles["Heading3"].find("w:pPr/w:outlineLvl", NS).get(_w("val")) == "2"
    for sid in ("Quote", "Caption", "PlaceholderText"):  # italic carries its complex-script twin
        rpr = styles[sid].find("w:rPr", NS)
        assert rpr.find("w:i", NS) is not None and rpr.find("w:iCs", NS) is not None, sid


def test_english_styles_are_ltr(en_bytes):
    styles = styles_by_id(en_bytes)
    assert styles["Quote"].find("w:pPr/w:bidi", NS) is None
    assert styles["Heading3"].find("w:rPr/w:rtl", NS) is None


def test_contents_heading_is_not_listed_by_the_toc(ar_bytes):
    styles = styles_by_id(ar_bytes)
    heading = styles["TOCHeading"]
    assert heading.find("w:basedOn", NS).get(_w("val")) == "Normal"
    assert heading.find("w:pPr/w:outlineLvl", NS).get(_w("val")) == "9"  # body text level
    tab = styles["TOC1"].find("w:pPr/w:tabs/w:tab", NS)
    assert (tab.get(_w("val")), tab.get(_w("leader"))) == ("right", "dot")


def _body(blob: bytes) -> list:
    return list(part(blob, "word/document.xml").find("w:body", NS))


def _style(p) -> str | None:
    style = p.find("w:pPr/w:pStyle", NS)
    return style.get(_w("val")) if style is not None else None


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_toc_field_after_the_title_block(lang, ar_bytes, en_bytes):
    blob = ar_bytes if lang == "ar" else en_bytes
    body = _body(blob)
    styles = [_style(p) for p in body]
    first_heading = styles.index("Heading1")
    assert styles[:first_heading] == ["Title", "Subtitle", "BriefMeta", "BriefMeta", "BriefMeta",
                                      "TOCHeading", "TOC1"]
    assert plain("".join(body[5].itertext())) == labels_for(lang)["contents"]
    field = body[6]
    kinds = [c.get(_w("fldCharType")) for c in field.iter(_w("fldChar"))]
    assert kinds == ["begin", "separate", "end"]
    assert "".join(t.text for t in field.iter(_w("instrText"))).strip() == 'TOC \\o "1-2" \\h \\z \\u'
    result = "".join(t.text for t in field.iter(_w("t")))
    assert result == docx_parts.TOC_PLACEHOLDER[lang]
    if lang == "ar":
        assert result == "انقر بزر الفأرة الأيمن واختر \"تحديث الحقل\" لإنشاء جدول المحتويات"
        assert field.find("w:pPr/w:bidi", NS) is not None
        assert all(r.find("w:rPr/w:rtl", NS) is not None for r in field.findall("w:r", NS))
    else:
        assert result == "Right-click and choose Update Field to build the table of contents"
    # The placeholder sits between "separate" and "end": it is the field's result, replaced on update.
    runs = field.findall("w:r", NS)
    assert runs[3].find("w:t", NS) is not None and runs[4].find("w:fldChar", NS).get(_w("fldCharType")) == "end"


def test_no_sections_no_contents():
    brief = make_brief("ar")
    brief.sections = []
    styles = [_style(p) for p in _body(docx_render.render(brief))]
    assert "TOCHeading" not in styles and "TOC1" not in styles


def test_settings_update_fields_on_open_in_schema_order(ar_bytes):
    settings = part(ar_bytes, "word/settings.xml")
    update = settings.find("w:updateFields", NS)
    assert update is not None and update.get(_w("val")) == "true"
    assert ooxml.order_errors(settings) == []
    names = [ooxml.local(c) for c in settings]
    assert names.index("updateFields") < names.index("footnotePr") < names.index("compat")
    assert names.index("themeFontLang") > names.index("compat")


def test_paragraph_and_run_properties_in_schema_order(ar_bytes):
    doc = part(ar_bytes, "word/document.xml")
    for tag in ("pPr", "rPr", "sectPr", "tblPr", "tcPr"):
        elements = list(doc.iter(_w(tag)))
        assert elements, tag
        assert all(ooxml.order_errors(e) == [] for e in elements), tag
    for name in ("word/comments.xml", "word/styles.xml"):
        assert ooxml.order_errors(part(ar_bytes, name)) == []


def test_body_paragraphs_use_styles_not_direct_formatting(ar_bytes):
    direct = {"jc", "spacing", "ind", "rFonts", "sz", "szCs", "b", "bCs", "i", "iCs", "color"}
    for p in part(ar_bytes, "word/document.xml").iter(_w("p")):
        assert _style(p), "paragraph without a style"
        for props in (p.find("w:pPr", NS), *p.findall("w:r/w:rPr", NS)):
            if props is not None:
                assert not direct & {ooxml.local(c) for c in props}


def test_document_properties(ar_bytes, en_bytes):
    props = docx.Document(io.BytesIO(ar_bytes)).core_properties
    brief = make_brief("ar")
    assert props.title == brief.meta.title
    assert props.subject == "ورقة تقدير موقف"
    assert props.author == "فريق التحليل"
    assert props.language == "ar-IQ"
    assert props.keywords == ", ".join(s.title for s in brief.sections)
    assert props.created == props.modified and (props.created.year, props.created.month) == (2024, 3)
    core = part(en_bytes, "docProps/core.xml")
    language = core.find("{http://purl.org/dc/elements/1.1/}language")
    assert language.text == "en-US"


def test_python_docx_reads_styles_and_contents(ar_bytes):
    document = docx.Document(io.BytesIO(ar_bytes))
    styles = [p.style.name for p in document.paragraphs]
    assert "TOC Heading" in styles and "toc 1" in styles
    assert document.styles["Heading 3"].type is not None
