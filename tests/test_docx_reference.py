"""DOCX --reference-docx: the user's styles, page setup, header and logo carry over; RTL still holds."""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import zipfile
import zlib

import docx
import pytest
from docx.shared import Inches, Pt

from briefgen.errors import InputError
from briefgen.render import docx as docx_render
from briefgen.render import ooxml
from tests.test_docx_render import NS, _w, make_brief, part

R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def tiny_png() -> bytes:
    """A valid 4 × 2 red PNG (the 'logo')."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * 4 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """A house-style document: 14 pt Normal, US Letter with 1-inch margins, a header with text and a logo."""
    folder = tmp_path_factory.mktemp("reference")
    (folder / "logo.png").write_bytes(tiny_png())
    document = docx.Document()
    document.styles["Normal"].font.size = Pt(14)
    section = document.sections[0]
    section.page_width, section.page_height = Inches(8.5), Inches(11)
    section.left_margin = section.right_margin = Inches(1)
    header = section.header.paragraphs[0]
    header.text = "ACME ANALYSIS UNIT "
    header.add_run().add_picture(str(folder / "logo.png"), width=Inches(0.5))
    path = folder / "house.docx"
    document.save(path)
    return path


@pytest.fixture(scope="module")
def blob(reference) -> bytes:
    return docx_render.render(make_brief("ar"), reference_docx=reference)


def styles_by_id(blob: bytes) -> dict:
    return {s.get(_w("styleId")): s for s in part(blob, "word/styles.xml").findall("w:style", NS)}


def test_user_styles_win_and_stay_rtl(blob):
    styles = styles_by_id(blob)
    normal = styles["Normal"]
    assert normal.find("w:rPr/w:sz", NS).get(_w("val")) == "28"  # the user's 14 pt
    assert normal.find("w:rPr/w:szCs", NS).get(_w("val")) == "28"  # mirrored for Arabic script
    assert normal.find("w:pPr/w:bidi", NS) is not None and normal.find("w:rPr/w:rtl", NS) is not None
    assert normal.find("w:rPr/w:lang", NS).get(_w("bidi")) == "ar-IQ"
    heading = styles["Heading1"]  # the user's definition (python-docx's default is 14 pt, theme colour)
    assert heading.find("w:rPr/w:sz", NS).get(_w("val")) == "28"
    assert heading.find("w:pPr/w:bidi", NS) is not None
    for ours in ("FootnoteReference", "FootnoteText", "BriefTable", "TableText", "TOCHeading", "CommentText"):
        assert ours in styles, ours  # briefgen's styles added where the user's file lacks them
    assert styles["TableText"].find("w:pPr/w:bidi", NS) is not None
    all_styles = part(blob, "word/styles.xml").findall("w:style", NS)
    assert len(styles) == len(all_styles)  # no duplicate ids
    defaults = [s for s in all_styles if s.get(_w("type")) == "paragraph" and s.get(_w("default")) == "1"]
    assert len(defaults) == 1
    fonts = part(blob, "word/styles.xml").find("w:docDefaults/w:rPrDefault/w:rPr/w:rFonts", NS)
    assert fonts.get(_w("cs")) == "Amiri"
    assert ooxml.order_errors(part(blob, "word/styles.xml")) == []


def test_page_setup_from_the_reference_and_tables_fit(blob):
    doc = part(blob, "word/document.xml")
    sect = doc.find("w:body/w:sectPr", NS)
    size, margins = sect.find("w:pgSz", NS), sect.find("w:pgMar", NS)
    assert (size.get(_w("w")), size.get(_w("h"))) == ("12240", "15840")
    assert (margins.get(_w("left")), margins.get(_w("right"))) == ("1440", "1440")
    assert sect.find("w:bidi", NS) is not None and ooxml.order_errors(sect) == []
    width = 12240 - 2 * 1440
    for tbl in doc.iter(_w("tbl")):
        assert int(tbl.find("w:tblPr/w:tblW", NS).get(_w("w"))) <= width
        assert sum(int(c.get(_w("w"))) for c in tbl.findall("w:tblGrid/w:gridCol", NS)) <= width
        assert tbl.find("w:tblPr/w:bidiVisual", NS) is not None
    assert all(p.find("w:pPr/w:bidi", NS) is not None for p in doc.find("w:body", NS).iter(_w("p")))


def test_header_and_logo_from_the_reference(blob):
    header = part(blob, "word/header1.xml")
    text = "".join(header.itertext())
    assert "ACME ANALYSIS UNIT" in text and "للاستخدام الداخلي" in text  # the classification stays
    blip = next(header.iter("{http://schemas.openxmlformats.org/drawingml/2006/main}blip"))
    rid = blip.get(f"{R}embed")
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        rels = part(blob, "word/_rels/header1.xml.rels")
        target = next(r.get("Target") for r in rels if r.get("Id") == rid)
        assert z.read(f"word/{target}") == tiny_png()
        assert 'Extension="png"' in z.read("[Content_Types].xml").decode() or "image/png" in \
            z.read("[Content_Types].xml").decode()
    footer = "".join(part(blob, "word/footer1.xml").itertext())  # the reference has none: briefgen's
    assert "PAGE" in footer


def test_python_docx_reopens_with_the_user_font_size(blob):
    document = docx.Document(io.BytesIO(blob))
    assert document.styles["Normal"].font.size == Pt(14)
    assert document.sections[0].page_width == Inches(8.5)
    assert "ACME ANALYSIS UNIT" in document.sections[0].header.paragraphs[0].text


def test_rebuild_with_reference_is_byte_identical(reference, blob):
    assert docx_render.render(make_brief("ar"), reference_docx=reference) == blob


def test_localised_style_ids_are_matched_by_name(tmp_path):
    document = docx.Document()
    document.styles["Heading 1"].element.set(_w("styleId"), "berschrift1")
    document.styles["Heading 1"].font.size = Pt(20)
    path = tmp_path / "de.docx"
    document.save(path)
    styles = styles_by_id(docx_render.render(make_brief("ar"), reference_docx=path))
    assert "berschrift1" not in styles
    assert styles["Heading1"].find("w:rPr/w:sz", NS).get(_w("val")) == "40"


def test_missing_reference_is_an_input_error(tmp_path):
    with pytest.raises(InputError) as exc:
        docx_render.render(make_brief("ar"), reference_docx=tmp_path / "nope.docx")
    (diag,) = exc.value.diagnostics
    assert "not found" in diag.message and "nope.docx" in diag.message and diag.hint


@pytest.mark.parametrize("content", [b"plain text, not a zip", b"PK\x03\x04broken"])
def test_invalid_reference_is_an_input_error(tmp_path, content):
    bad = tmp_path / "bad.docx"
    bad.write_bytes(content)
    with pytest.raises(InputError) as exc:
        docx_render.render(make_brief("ar"), reference_docx=bad)
    assert "not a Word document" in exc.value.message and exc.value.diagnostics[0].hint


def test_cli_reports_a_bad_reference_without_traceback(cli, tmp_path):
    from tests.conftest import SAMPLE_OUTLINE

    bad = tmp_path / "bad.docx"
    bad.write_text("not a docx", encoding="utf-8")
    result = cli("build", SAMPLE_OUTLINE, "-f", "docx", "-o", tmp_path / "out", "--reference-docx", bad)
    assert result.exit_code == 1
    assert "not a Word document" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out" / "outline.docx").exists()


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) not installed")
@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler (pdftotext) not installed")
def test_libreoffice_lays_out_on_letter_with_the_house_header(blob, tmp_path):
    src = tmp_path / "brief.docx"
    src.write_bytes(blob)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(src)],
                   check=True, capture_output=True, timeout=180)
    info = subprocess.run(["pdfinfo", str(tmp_path / "brief.pdf")], capture_output=True, text=True).stdout
    assert "612 x 792" in info  # US Letter, in points
    text = subprocess.run(["pdftotext", "-l", "1", str(tmp_path / "brief.pdf"), "-"], capture_output=True,
                          text=True).stdout
    assert "ACME ANALYSIS UNIT" in text
