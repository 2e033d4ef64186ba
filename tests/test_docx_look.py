"""The DOCX carries the PDF's look in Word terms: key-judgment cards, the timeline rule, the shaded
risk matrix with its legend, all from named styles a reference document can restyle."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile

import pytest
from lxml import etree

from briefgen import model
from briefgen.render.docx_styles import ACCENT, CARD, RATING_FILL
from briefgen.run import pipeline

from .conftest import SAMPLE_OUTLINE
from .test_tradecraft import kj, outline

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NS = {"w": W[1:-1]}


def _xml(path_or_blob, name: str):
    source = io.BytesIO(path_or_blob) if isinstance(path_or_blob, bytes) else path_or_blob
    with zipfile.ZipFile(source) as z:
        return etree.fromstring(z.read(name))


def _styles(path) -> dict:
    return {s.get(f"{W}styleId"): s for s in _xml(path, "word/styles.xml").iter(f"{W}style")}


def _paragraph_styles(path) -> list[str]:
    body = _xml(path, "word/document.xml").find("w:body", NS)
    return [p.find("w:pPr/w:pStyle", NS).get(f"{W}val") for p in body.iter(f"{W}p")
            if p.find("w:pPr/w:pStyle", NS) is not None]


def _run_style(run) -> str | None:
    style = run.find("w:rPr/w:rStyle", NS)
    return style.get(f"{W}val") if style is not None else None


def _blocks(brief, kind):
    return [b for s in brief.sections for b in s.blocks if isinstance(b, kind)]


def test_key_judgments_are_cards_from_named_styles(sample_build):
    docx = sample_build.outputs["docx"]
    styles = _styles(docx)
    for style_id in ("KeyJudgment", "KeyJudgmentMeta"):
        ppr = styles[style_id].find("w:pPr", NS)
        assert ppr.find("w:shd", NS).get(f"{W}fill") == CARD
        bar = ppr.find("w:pBdr/w:right", NS)  # the start edge of a right-to-left paragraph
        assert (bar.get(f"{W}sz"), bar.get(f"{W}color")) == ("24", ACCENT)
        assert ppr.find("w:pBdr/w:left", NS) is None
    # Different border sets: Word must not group two cards into one box (§17.3.1.24).
    assert styles["KeyJudgment"].find("w:pPr/w:pBdr/w:top", NS) is not None
    assert styles["KeyJudgmentMeta"].find("w:pPr/w:pBdr/w:top", NS) is None
    (block,) = _blocks(sample_build.brief, model.KeyJudgments)
    used = [s for s in _paragraph_styles(docx) if s.startswith("KeyJudgment")]
    assert used == ["KeyJudgment", "KeyJudgmentMeta"] * len(block.judgments)
    body = _xml(docx, "word/document.xml").find("w:body", NS)
    cards = [p for p in body.iter(f"{W}p") if p.find("w:pPr/w:pStyle", NS).get(f"{W}val").startswith("KeyJudgment")]
    # the look comes from the styles alone: no direct borders or shading on the paragraphs
    assert all(p.find("w:pPr/w:pBdr", NS) is None and p.find("w:pPr/w:shd", NS) is None for p in cards)
    values = [r.find("w:t", NS).text for p in cards for r in p.iter(f"{W}r") if _run_style(r) == "KeyJudgmentValue"]
    for j in block.judgments:
        assert j.likelihood in values and j.confidence in values


def test_timeline_is_one_paragraph_per_event_along_a_shared_rule(sample_build):
    docx = sample_build.outputs["docx"]
    (block,) = _blocks(sample_build.brief, model.Timeline)
    assert _paragraph_styles(docx).count("TimelineEvent") == len(block.events)
    style = _styles(docx)["TimelineEvent"]
    assert style.find("w:pPr/w:pBdr/w:right", NS) is not None
    body = _xml(docx, "word/document.xml").find("w:body", NS)
    dates = [r.find("w:t", NS).text for r in body.iter(f"{W}r") if _run_style(r) == "TimelineDate"]
    assert "".join(dates).replace("\u200f", "") == "".join(ev.date for ev in block.events).replace("\u200f", "")


def test_risk_matrix_numbers_and_legend_are_styled_by_band(sample_build):
    docx = sample_build.outputs["docx"]
    (matrix,) = _blocks(sample_build.brief, model.RiskMatrix)
    body = _xml(docx, "word/document.xml").find("w:body", NS)
    styled = [(_run_style(r), "".join(r.itertext())) for r in body.iter(f"{W}r") if _run_style(r)]
    numbers = sorted(int(t) for s, t in styled if s == "RiskNumber")
    placed = sorted(r.number for r in matrix.risks if r.likelihood_rank and r.impact_rank)
    assert numbers == placed and numbers
    legend = [t.strip() for s, t in styled if s.startswith("RiskBand") and t.strip() in matrix.rating_labels]
    assert legend[-4:] == matrix.rating_labels
    styles = _styles(docx)
    for rank, fill in RATING_FILL.items():
        assert styles[f"RiskBand{rank}"].find("w:rPr/w:shd", NS).get(f"{W}fill") == fill


def test_an_english_brief_puts_the_bar_on_the_left(project, tmp_path):
    path = project(outline(kj()) + "lang: en\n")
    built = pipeline.build(path, ["docx"], pipeline.Options(out_dir=tmp_path / "out", embed_fonts=False))
    styles = _styles(built.outputs["docx"])
    assert styles["KeyJudgment"].find("w:pPr/w:pBdr/w:left", NS).get(f"{W}color") == ACCENT
    assert styles["KeyJudgment"].find("w:pPr/w:pBdr/w:right", NS) is None


def test_a_reference_document_restyles_the_cards(tmp_path):
    import docx
    from docx.enum.style import WD_STYLE_TYPE

    document = docx.Document()
    style = document.styles.add_style("Key Judgment", WD_STYLE_TYPE.PARAGRAPH)
    ppr = style.element.get_or_add_pPr()
    shd = etree.SubElement(ppr, f"{W}shd")
    shd.set(f"{W}val", "clear")
    shd.set(f"{W}fill", "FFEEDD")
    ref = tmp_path / "house.docx"
    document.save(ref)
    built = pipeline.build(SAMPLE_OUTLINE, ["docx"], pipeline.Options(out_dir=tmp_path / "out", reference_docx=ref,
                                                                      embed_fonts=False))
    styles = _styles(built.outputs["docx"])
    card = styles["KeyJudgment"]
    assert card.find("w:name", NS).get(f"{W}val") == "Key Judgment"
    assert card.find("w:pPr/w:shd", NS).get(f"{W}fill") == "FFEEDD"  # theirs wins
    assert "KeyJudgment" in _paragraph_styles(built.outputs["docx"])


@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftoppm")), reason="LibreOffice or poppler missing")
def test_libreoffice_draws_the_cards_and_the_bands(sample_build, tmp_path):
    import pdfplumber

    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--convert-to",
                    "pdf", "--outdir", str(tmp_path), str(sample_build.outputs["docx"])],
                   check=True, capture_output=True, timeout=300)

    def rgb(hex_colour):
        return tuple(round(int(hex_colour[i:i + 2], 16) / 255, 2) for i in (0, 2, 4))

    fills = set()
    with pdfplumber.open(tmp_path / "outline.pdf") as pdf:
        for page in pdf.pages:
            for rect in page.rects:
                colour = rect.get("non_stroking_color")
                if isinstance(colour, (list, tuple)) and len(colour) == 3:
                    fills.add(tuple(round(c, 2) for c in colour))
    assert rgb(CARD) in fills  # the cards' ground
    assert {rgb(f) for f in RATING_FILL.values()} <= fills  # the matrix bands (and the legend)
