"""Tests of the DOCX renderer: footnotes, RTL markup, tables, styles, determinism, LibreOffice."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from dataclasses import replace

import pytest
from lxml import etree

from briefgen import model
from briefgen.labels import labels_for
from briefgen.render import docx as docx_render
from briefgen.render import ooxml

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


def make_brief(lang: str = "ar", classification: str | None = "للاستخدام الداخلي") -> model.Brief:
    """A brief with every block kind, several citations (two with quotes), mixed-script text."""
    reuters = model.SourceRef("reuters-1", "Pentagon to keep troops in Iraq", publisher="Reuters",
                              date="2024-03-05", url="https://example.com/a?x=1&y=2")
    jazeera = model.SourceRef("jazeera-1", "الحكومة العراقية تبحث جدول الانسحاب", publisher="الجزيرة",
                              author="أحمد علي", date="2024-03-06")
    undated = model.SourceRef("shafaq-1", "نواب يطالبون بإنهاء مهمة التحالف", publisher="شفق نيوز")
    c = [
        model.Citation(1, reuters, para=3, quote="2,500 troops will remain"),
        model.Citation(2, jazeera, para=1),
        model.Citation(3, undated, quote="إنهاء المهمة خلال عام"),
        model.Citation(4, jazeera, para=4),
        model.Citation(5, reuters, para=5),
        model.Citation(6, undated, para=2),
    ]
    cite = [model.Cite(x) for x in c]
    T = model.Text
    if lang == "ar":
        texts = {
            "p1": "قال لويد أوستن (Lloyd Austin) إن 2500 جندي سيبقون في العراق حتى 2024-09-30",
            "p2": "وتبحث الحكومة جدولاً زمنياً للانسحاب، وفق مصادر رسمية\x07.",
            "i1": "تمديد المهمة الاستشارية", "i2": "انسحاب تدريجي على مراحل",
            "o1": "الأولوية الأولى", "o2": "الأولوية الثانية",
        }
    else:
        texts = {
            "p1": "Lloyd Austin said 2,500 troops would stay in Iraq until 2024-09-30, per وزارة الدفاع",
            "p2": "The government is discussing a withdrawal timetable\x07.",
            "i1": "Extend the advisory mission", "i2": "Phased withdrawal",
            "o1": "First priority", "o2": "Second priority",
        }
    sections = [
        model.Section("summary", 1, labels_for(lang)["summary"], [
            model.Paragraph([T(texts["p1"]), cite[0], T("، "), T(texts["p2"]), cite[1]]),
            model.ItemList(False, [[T(texts["i1"])], [T(texts["i2"]), cite[2]]]),
            model.ItemList(True, [[T(texts["o1"])], [T(texts["o2"])]]),
        ]),
        model.Section("actors", 2, labels_for(lang)["actors"], [
            model.ActorTable([
                model.Actor("Lloyd Austin", [T("وزير الدفاع الأمريكي"), cite[3]], "يؤيد البقاء"),
                model.Actor("محمد شياع السوداني", [T("رئيس الوزراء")], None),
            ]),
        ]),
        model.Section("positions", 3, labels_for(lang)["positions"], [
            model.PositionGrid([
                model.Position("واشنطن", "البقاء", [[T("الحفاظ على قاعدة عين الأسد"), cite[4]]]),
                model.Position("بغداد", None, [[T("جدول زمني واضح")], [T("شراكة أمنية ثنائية")]]),
            ]),
        ]),
        model.Section("risks", 4, labels_for(lang)["risks"], [
            model.RiskList([model.Risk("تصعيد الفصائل", [T("هجمات على القواعد"), cite[5]], "مرتفع", "كبير")]),
        ]),
    ]
    meta = model.Meta(name="brief", title="الوجود العسكري الأمريكي في العراق", lang=lang,
                      subtitle="ورقة تقدير موقف", date="2024-03-10", author="فريق التحليل",
                      organization="مركز الدراسات", classification=classification)
    return model.Brief(meta, sections, c, [jazeera, reuters, undated], labels_for(lang))


@pytest.fixture(scope="module")
def ar_bytes() -> bytes:
    return docx_render.render(make_brief("ar"))


@pytest.fixture(scope="module")
def en_bytes() -> bytes:
    return docx_render.render(make_brief("en"))


def part(blob: bytes, name: str):
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        return etree.fromstring(z.read(name))


def plain(text: str) -> str:
    """Text without the invisible direction marks the renderer adds."""
    return text.replace("\u200f", "").replace("\u200e", "")


def body_paragraphs(blob: bytes):
    return part(blob, "word/document.xml").findall(".//w:body//w:p", NS)


# -- footnotes --------------------------------------------------------------------------------
def test_footnotes_part_holds_one_note_per_citation(ar_bytes):
    notes = part(ar_bytes, "word/footnotes.xml").findall("w:footnote", NS)
    ids = [n.get(_w("id")) for n in notes]
    assert ids == ["-1", "0", "1", "2", "3", "4", "5", "6"]
    assert [n.get(_w("type")) for n in notes[:2]] == ["separator", "continuationSeparator"]
    for note in notes[2:]:
        (p,) = note.findall("w:p", NS)
        assert p.find("w:pPr/w:pStyle", NS).get(_w("val")) == "FootnoteText"
        assert p.find("w:pPr/w:bidi", NS) is not None
        first = p.find("w:r", NS)
        assert first.find("w:rPr/w:rStyle", NS).get(_w("val")) == "FootnoteReference"
        assert first.find("w:footnoteRef", NS) is not None


def test_each_cite_maps_to_one_footnote_reference(ar_bytes):
    refs = part(ar_bytes, "word/document.xml").findall(".//w:footnoteReference", NS)
    assert [r.get(_w("id")) for r in refs] == ["1", "2", "3", "4", "5", "6"]
    for ref in refs:
        rpr = ref.getparent().find("w:rPr", NS)
        assert rpr.find("w:rStyle", NS).get(_w("val")) == "FootnoteReference"
        assert rpr.find("w:rtl", NS) is not None


def test_footnote_text_and_quotes(ar_bytes, en_bytes):
    brief = make_brief("ar")
    notes = part(ar_bytes, "word/footnotes.xml").findall("w:footnote", NS)[2:]
    texts = [plain("".join(n.itertext())).strip() for n in notes]
    assert texts[1] == model.note_text(brief.citations[1], brief.labels)
    assert texts[2] == model.note_text(brief.citations[2], brief.labels) + " «إنهاء المهمة خلال عام»"
    assert texts[0].endswith("«2,500 troops will remain»")
    en_first = plain("".join(part(en_bytes, "word/footnotes.xml").findall("w:footnote", NS)[2].itertext()))
    assert en_first.strip().endswith("“2,500 troops will remain”")


def test_footnotes_wired_into_package(ar_bytes):
    with zipfile.ZipFile(io.BytesIO(ar_bytes)) as z:
        types = z.read("[Content_Types].xml").decode()
        rels = z.read("word/_rels/document.xml.rels").decode()
    assert 'PartName="/word/footnotes.xml"' in types
    assert "wordprocessingml.footnotes+xml" in types
    assert re.search(r'relationships/footnotes" Target="footnotes.xml"', rels)
    settings = part(ar_bytes, "word/settings.xml")
    fpr = settings.find("w:footnotePr", NS)
    assert [f.get(_w("id")) for f in fpr.findall("w:footnote", NS)] == ["-1", "0"]
    assert not ooxml.order_errors(settings)


def test_repeated_citation_gets_a_plain_mark():
    brief = make_brief("ar")
    para = brief.sections[0].blocks[0]
    para.inlines.append(model.Cite(brief.citations[0]))
    doc = part(docx_render.render(brief), "word/document.xml")
    ids = [r.get(_w("id")) for r in doc.findall(".//w:footnoteReference", NS)]
    assert len(ids) == len(set(ids)) == 6


def test_edge_cases_render():
    brief = make_brief("ar")
    stray = model.Citation(9, brief.bibliography[0], para=7)
    brief.sections = [model.Section("background", 1, "الخلفية", [
        model.Paragraph([]), model.ItemList(True, []), model.ActorTable([]), model.PositionGrid([]),
        model.RiskList([]), model.Paragraph([model.Text("نص"), model.Cite(stray)]),
    ])]
    brief.citations = brief.citations + [brief.citations[0]]  # a duplicate entry
    blob = docx_render.render(brief)
    notes = part(blob, "word/footnotes.xml").findall("w:footnote", NS)
    assert [n.get(_w("id")) for n in notes] == ["-1", "0", "1", "2", "3", "4", "5", "6", "9"]
    assert part(blob, "word/document.xml").findall(".//w:tbl", NS) == []


# -- direction ----------------------------------------------------------------------------------
def test_every_arabic_body_paragraph_is_bidi(ar_bytes):
    paras = body_paragraphs(ar_bytes)
    assert len(paras) > 20
    assert all(p.find("w:pPr/w:bidi", NS) is not None for p in paras)


def test_no_english_paragraph_is_bidi(en_bytes):
    doc = part(en_bytes, "word/document.xml")
    assert doc.findall(".//w:bidi", NS) == []
    assert doc.findall(".//w:bidiVisual", NS) == []
    assert "<w:bidi/>" not in etree.tostring(part(en_bytes, "word/styles.xml")).decode()


def test_latin_name_is_its_own_ltr_run(ar_bytes):
    runs = part(ar_bytes, "word/document.xml").findall(".//w:body//w:r", NS)
    by_text = {"".join(r.itertext()): r for r in runs}
    austin = by_text["Lloyd Austin)"] if "Lloyd Austin)" in by_text else by_text["Lloyd Austin"]
    assert austin.find("w:rPr/w:rtl", NS).get(_w("val")) == "0"
    arabic = next(r for t, r in by_text.items() if t.startswith("قال"))
    assert arabic.find("w:rPr/w:rtl", NS) is not None and arabic.find("w:rPr/w:rtl", NS).get(_w("val")) is None


def test_script_runs_split():
    rlm, lrm = "\u200f", "\u200e"
    assert docx_render.script_runs("قال Lloyd Austin إن", True) == [
        ("قال ", True), ("Lloyd Austin", False), (" إن", True)]
    assert docx_render.script_runs("see https://x.org/a.", True) == [
        ("see https://x.org/a", False), (f"{rlm}.{rlm}", True)]
    assert docx_render.script_runs("per وزارة الدفاع, 2024", False) == [
        ("per ", False), ("وزارة الدفاع", True), (f"{lrm}, 2024{lrm}", False)]
    assert docx_render.script_runs("2500 جندي", True) == [("2500 جندي", True)]
    assert docx_render.script_runs("Lloyd Austin (US) قال", True) == [("Lloyd Austin (US)", False), (" قال", True)]


def test_direction_marks_keep_reading_order():
    rlm = "\u200f"
    # Latin parts separated by Arabic punctuation keep right-to-left order of the parts.
    assert docx_render.script_runs("Reuters، «Pentagon»", True) == [
        ("Reuters", False), (f"{rlm}، «{rlm}", True), ("Pentagon", False), (f"{rlm}»{rlm}", True)]
    # An ISO date after Arabic letters is not reversed: an RLM makes its digits European numbers.
    assert docx_render.script_runs("حتى 2024-09-30 و", True) == [(f"حتى {rlm}2024-09-30 و", True)]
    assert docx_render.script_runs("Austin said", False) == [("Austin said", False)]


def test_section_is_rtl_a4_with_header_and_footer(ar_bytes):
    sect = part(ar_bytes, "word/document.xml").find(".//w:body/w:sectPr", NS)
    assert sect.find("w:bidi", NS) is not None
    size = sect.find("w:pgSz", NS)
    assert (size.get(_w("w")), size.get(_w("h"))) == ("11906", "16838")
    margins = sect.find("w:pgMar", NS)
    assert {margins.get(_w(s)) for s in ("top", "right", "bottom", "left")} == {"1134"}
    assert not ooxml.order_errors(sect)
    with zipfile.ZipFile(io.BytesIO(ar_bytes)) as z:
        headers = [z.read(n).decode() for n in z.namelist() if n.startswith("word/header")]
        footers = [z.read(n).decode() for n in z.namelist() if n.startswith("word/footer")]
    assert len(headers) == len(footers) == 1
    assert "الوجود العسكري الأمريكي في العراق" in headers[0] and "للاستخدام الداخلي" in headers[0]
    assert " PAGE " in footers[0] and "للاستخدام الداخلي" in footers[0]


def test_no_classification_no_classification_paragraph():
    blob = docx_render.render(make_brief("ar", classification=None))
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        assert "Classification" not in z.read("word/header1.xml").decode()


# -- tables -------------------------------------------------------------------------------------
def test_tables_are_rtl_with_repeating_headers(ar_bytes):
    tables = part(ar_bytes, "word/document.xml").findall(".//w:tbl", NS)
    assert len(tables) == 3
    labels = labels_for("ar")
    for tbl in tables:
        assert tbl.find("w:tblPr/w:bidiVisual", NS) is not None
        assert tbl.find("w:tblPr/w:tblStyle", NS).get(_w("val")) in ("BriefTable", "PositionsTable")
        assert tbl.find("w:tr/w:trPr/w:tblHeader", NS) is not None
        widths = [int(c.get(_w("w"))) for c in tbl.findall("w:tblGrid/w:gridCol", NS)]
        assert sum(widths) <= 11906 - 2 * 1134
        for row in tbl.findall("w:tr", NS):
            assert len(row.findall("w:tc", NS)) == len(widths)
    header = ["".join(tc.itertext()) for tc in tables[0].find("w:tr", NS).findall("w:tc", NS)]
    assert header == [labels["actor"], labels["role"], labels["stance"]]
    grid_header = ["".join(tc.itertext()) for tc in tables[1].find("w:tr", NS).findall("w:tc", NS)]
    assert grid_header == ["واشنطنالبقاء", "بغداد"]
    risk_header = ["".join(tc.itertext()) for tc in tables[2].find("w:tr", NS).findall("w:tc", NS)]
    assert risk_header[2:] == [labels["likelihood"], labels["impact"]]


# -- styles and schema order -------------------------------------------------------------------
def test_styles_are_rtl_with_amiri(ar_bytes):
    styles = part(ar_bytes, "word/styles.xml")
    by_id = {s.get(_w("styleId")): s for s in styles.findall("w:style", NS)}
    for needed in ("Normal", "Title", "Subtitle", "Heading1", "Heading2", "FootnoteText",
                   "FootnoteReference", "ListParagraph", "BriefTable"):
        assert needed in by_id, needed
    assert by_id["FootnoteReference"].find("w:rPr/w:vertAlign", NS).get(_w("val")) == "superscript"
    normal = by_id["Normal"]
    fonts = normal.find("w:rPr/w:rFonts", NS)
    assert fonts.get(_w("cs")) == "Amiri" and fonts.get(_w("ascii")) == "Amiri"
    assert normal.find("w:rPr/w:szCs", NS) is not None
    for style in styles.findall("w:style", NS):
        if style.get(_w("type")) in ("paragraph", "character") and style.get(_w("styleId")) != "DefaultParagraphFont":
            assert style.find("w:rPr/w:rtl", NS) is not None, style.get(_w("styleId"))
            assert style.find("w:rPr/w:lang", NS).get(_w("bidi")) == "ar-IQ"
        if style.get(_w("type")) == "paragraph":
            assert style.find("w:pPr/w:bidi", NS) is not None
        rpr = style.find("w:rPr", NS)
        if rpr is not None and rpr.find("w:b", NS) is not None:
            assert rpr.find("w:bCs", NS) is not None
        if rpr is not None and rpr.find("w:sz", NS) is not None:
            assert rpr.find("w:szCs", NS) is not None
    assert len(by_id) == len(styles.findall("w:style", NS))  # no duplicate style ids


@pytest.mark.parametrize("name", ["word/document.xml", "word/styles.xml", "word/footnotes.xml",
                                  "word/numbering.xml", "word/settings.xml", "word/header1.xml",
                                  "word/footer1.xml"])
def test_children_in_schema_order(ar_bytes, en_bytes, name):
    assert ooxml.order_errors(part(ar_bytes, name)) == []
    assert ooxml.order_errors(part(en_bytes, name)) == []


def test_order_checker_catches_misorder():
    bad = etree.fromstring(f'<w:pPr xmlns:w="{W}"><w:jc w:val="both"/><w:bidi/></w:pPr>')
    assert ooxml.order_errors(bad)
    ppr = ooxml.props("w:pPr", [ooxml.el("w:jc", {"w:val": "both"}), ooxml.el("w:bidi"),
                                ooxml.el("w:pStyle", {"w:val": "Normal"})])
    assert [ooxml.local(c) for c in ppr] == ["pStyle", "bidi", "jc"]


def test_lists_use_numbering(ar_bytes):
    doc = part(ar_bytes, "word/document.xml")
    list_paras = [p for p in doc.iter(_w("p")) if p.find("w:pPr/w:pStyle", NS).get(_w("val")) == "ListParagraph"]
    num_ids = [p.find("w:pPr/w:numPr/w:numId", NS).get(_w("val")) for p in list_paras]
    assert num_ids == ["1", "1", "3", "3"]
    numbering = part(ar_bytes, "word/numbering.xml")
    defined = {n.get(_w("numId")) for n in numbering.findall("w:num", NS)}
    assert {"1", "2", "3"} <= defined


# -- text, escaping, package ---------------------------------------------------------------------
def test_control_characters_are_stripped_and_markup_escaped():
    brief = make_brief("ar")
    brief.sections[0].blocks[0].inlines.append(model.Text(" <b>&amp; \x0b\x1f</b>"))
    blob = docx_render.render(brief)
    doc = part(blob, "word/document.xml")  # parses: no forbidden characters
    text = plain("".join(doc.itertext()))
    assert "<b>&amp; </b>" in text and "\x07" not in text and "\x0b" not in text


def test_python_docx_reopens(ar_bytes):
    import docx

    document = docx.Document(io.BytesIO(ar_bytes))
    assert document.core_properties.title == "الوجود العسكري الأمريكي في العراق"
    assert document.core_properties.language == "ar-IQ"
    assert document.core_properties.created.year == 2024
    assert document.paragraphs[0].style.name == "Title"
    assert any(p.style.name == "Heading 1" for p in document.paragraphs)


def test_docx2python_text_in_logical_order(ar_bytes):
    from docx2python import docx2python

    with docx2python(io.BytesIO(ar_bytes)) as result:
        text = plain(result.text)
    assert "قال لويد أوستن (Lloyd Austin) إن 2500 جندي سيبقون في العراق حتى 2024-09-30" in text
    order = [text.index(s) for s in ("الوجود العسكري", "1. الملخّص", "2. الفاعلون", "المصادر")]
    assert order == sorted(order)
    # a first note carries the URL when the source has one, isolated left to right (#17)
    url = "\u2066https://example.com/a?x=1&y=2\u2069"
    assert f"Reuters، «Pentagon to keep troops in Iraq»، 05/03/2024، {url}، ¶3." in text


def test_two_renders_are_byte_identical():
    assert docx_render.render(make_brief("ar")) == docx_render.render(make_brief("ar"))
    assert docx_render.render(make_brief("en")) == docx_render.render(make_brief("en"))


def test_fixed_dates(ar_bytes):
    core = part(ar_bytes, "docProps/core.xml")
    stamps = [e.text for e in core if e.tag.endswith(("created", "modified"))]
    assert stamps == ["2024-03-10T00:00:00Z", "2024-03-10T00:00:00Z"]
    undated = make_brief("ar")
    undated = model.Brief(replace(undated.meta, date="March 2024"), undated.sections, undated.citations,
                          undated.bibliography, undated.labels)
    core = part(docx_render.render(undated), "docProps/core.xml")
    assert {e.text for e in core if e.tag.endswith(("created", "modified"))} == {"2000-01-01T00:00:00Z"}
    with zipfile.ZipFile(io.BytesIO(ar_bytes)) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert z.namelist()[0] == "[Content_Types].xml"


def test_no_duplicate_ids(ar_bytes):
    with zipfile.ZipFile(io.BytesIO(ar_bytes)) as z:
        for name in z.namelist():
            if name.endswith(".rels"):
                ids = re.findall(r'Id="([^"]+)"', z.read(name).decode())
                assert len(ids) == len(set(ids)), name
    nums = part(ar_bytes, "word/numbering.xml").findall("w:num", NS)
    assert len({n.get(_w("numId")) for n in nums}) == len(nums)


# -- LibreOffice ---------------------------------------------------------------------------------
@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) not installed")
@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler (pdftotext) not installed")
def test_libreoffice_converts_with_footnotes(ar_bytes, tmp_path):
    src = tmp_path / "brief.docx"
    src.write_bytes(ar_bytes)
    profile = tmp_path / "profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(src)], check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "brief.pdf"
    assert pdf.exists()
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    for needle in ("Pentagon to keep troops in Iraq", "2,500 troops will remain", "Lloyd Austin", "Reuters"):
        assert needle in text
    # The notes are at page feet, not inline: "2,500 troops will remain" appears only in the notes.
    assert text.count("2,500 troops will remain") == 1
