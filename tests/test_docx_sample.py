"""The sample brief as a real DOCX: footnotes, direction, reopened by python-docx, opened by LibreOffice."""

import re
import shutil
import subprocess
import zipfile

import pytest
from lxml import etree

from briefgen.arabic import words
from briefgen.model import note_text

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NS = {"w": W[1:-1]}


def part(path, name):
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read(name))


def test_one_footnote_per_citation_plus_the_two_separators(sample_build):
    notes = part(sample_build.outputs["docx"], "word/footnotes.xml").findall("w:footnote", NS)
    kinds = [n.get(f"{W}type") for n in notes]
    assert kinds[:2] == ["separator", "continuationSeparator"]
    assert len(notes) == len(sample_build.brief.citations) + 2
    body = part(sample_build.outputs["docx"], "word/document.xml")
    refs = [int(r.get(f"{W}id")) for r in body.iter(f"{W}footnoteReference")]
    assert refs == list(range(1, len(sample_build.brief.citations) + 1))  # reading order


def test_every_body_paragraph_is_right_to_left(sample_build):
    body = part(sample_build.outputs["docx"], "word/document.xml").find("w:body", NS)
    paragraphs = list(body.iter(f"{W}p"))
    assert paragraphs
    assert all(p.find("w:pPr/w:bidi", NS) is not None for p in paragraphs)
    assert body.find("w:sectPr/w:bidi", NS) is not None
    assert all(t.find("w:tblPr/w:bidiVisual", NS) is not None for t in body.iter(f"{W}tbl"))


def test_python_docx_reopens_it(sample_build):
    import docx

    document = docx.Document(str(sample_build.outputs["docx"]))
    text = "\n".join(p.text for p in document.paragraphs)
    assert sample_build.brief.meta.title in text
    assert document.core_properties.title == sample_build.brief.meta.title


def _office(sample_build, tmp_path_factory, fmt: str):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")
    out = tmp_path_factory.mktemp(f"office-{fmt}")
    subprocess.run([soffice, f"-env:UserInstallation=file://{out / 'profile'}", "--headless", "--convert-to", fmt,
                    "--outdir", str(out), str(sample_build.outputs["docx"])],
                   check=True, capture_output=True, timeout=300)
    return out / f"outline.{fmt}"


@pytest.fixture(scope="module")
def office_pdf(sample_build, tmp_path_factory):
    """The sample DOCX as LibreOffice lays it out."""
    return _office(sample_build, tmp_path_factory, "pdf")


@pytest.fixture(scope="module")
def office_html(sample_build, tmp_path_factory):
    """The sample DOCX as LibreOffice reads it, exported as HTML (footnotes included, logical order)."""
    return _office(sample_build, tmp_path_factory, "html")


def test_libreoffice_reads_every_footnote(sample_build, office_html):
    import html

    page = office_html.read_text(encoding="utf-8", errors="replace")
    notes = re.findall(r'<div id="sdfootnote(\d+)">(.*?)</div>', page, flags=re.S)
    assert [int(n) for n, _ in notes] == list(range(1, len(sample_build.brief.citations) + 1))
    for (number, body), citation in zip(notes, sample_build.brief.citations, strict=True):
        text = " ".join(words(html.unescape(re.sub(r"<[^>]+>", "", body))))
        expected = " ".join(words(note_text(citation, sample_build.brief.labels) + " " + (citation.quote or "")))
        assert expected in text, number


def test_libreoffice_aligns_arabic_paragraphs_to_the_right_margin(office_pdf):
    import pdfplumber

    with pdfplumber.open(office_pdf) as pdf:
        checked = 0
        for page in pdf.pages[:2]:  # title block, contents, summary, key judgments: no tables yet
            margin = 2 / 2.54 * 72  # 2 cm
            text_width = page.width - 2 * margin
            for ln in page.extract_text_lines():
                if not re.search("[\u0600-\u06ff]{3}", ln["text"]) or ln["top"] < margin:
                    continue  # not Arabic, or the running header
                width, centre = ln["x1"] - ln["x0"], (ln["x0"] + ln["x1"]) / 2
                if width > 0.6 * text_width or abs(centre - page.width / 2) < 0.05 * page.width:
                    continue  # full (justified) lines and centred titles say nothing about alignment
                if "•" in (ln["text"][:1], ln["text"][-1:]):
                    continue  # a list item hangs from its indent (its bullet is the line's right end)
                # a short line, i.e. the end of a paragraph or a heading: it must hang from the right margin
                # (or from a key-judgment card's inset: 12 pt, its accent bar standing at the margin)
                ends = [page.width - margin - inset for inset in (0, 12)]
                assert min(abs(ln["x1"] - end) for end in ends) < 8, (round(ln["x1"]), ln["text"][:30])
                checked += 1
        assert checked >= 10


def test_rebuild_is_byte_identical(sample_build, tmp_path):
    from briefgen.run import pipeline

    from .conftest import SAMPLE_OUTLINE

    again = pipeline.build(SAMPLE_OUTLINE, ["docx"], pipeline.Options(out_dir=tmp_path))
    assert again.outputs["docx"].read_bytes() == sample_build.outputs["docx"].read_bytes()
