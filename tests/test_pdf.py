"""The sample brief as a real PDF (WeasyPrint): text, footnotes, embedded font, reproducibility."""

import re
import subprocess

import pytest
from pypdf import PdfReader

from briefgen.arabic import words

from .conftest import require

BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
CALL_COLOUR = (0x1F / 255, 0x4E / 255, 0x7A / 255)  # --call in templates/brief.css


def pdf_text(path) -> str:
    """Text of every page (pypdf keeps Arabic words with marks whole, unlike pdftotext)."""
    return BIDI_MARKS.sub("", "\n".join(page.extract_text() for page in PdfReader(path).pages))


def pdftotext(path) -> str:
    """Text as poppler extracts it (keeps numbers apart from the Arabic words around them)."""
    require("pdftotext")
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True)
    return BIDI_MARKS.sub("", out.stdout)


def squeeze(text: str) -> str:
    """Words only, no spaces: pdftotext may split a word at a mark or mirror brackets."""
    return "".join(words(text))


def test_pdf_contains_the_title_and_every_verified_quote(sample_build):
    text = pdf_text(sample_build.outputs["pdf"])
    # Both extractors glue a number to the Arabic word after it ("1000شخص"): split digit runs.
    present = {w for t in (text, pdftotext(sample_build.outputs["pdf"])) for w in words(re.sub(r"(\d+)", r" \1 ", t))}
    brief = sample_build.brief
    assert squeeze(brief.meta.title) in squeeze(text)
    quotes = [c.quote for c in brief.citations if c.quote]
    assert len(quotes) >= 8
    # Each extractor garbles some mixed Arabic/number runs, so each quote is checked word by word
    # against the words either of them recovers.
    missing = {q: [w for w in words(q) if w not in present] for q in quotes}
    assert {q: m for q, m in missing.items() if m} == {}


def _footnote_calls(path) -> list[int]:
    import pdfplumber

    calls = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            digits = [c for c in page.chars if c["text"].isdigit()
                      and tuple(round(v, 3) for v in (c.get("non_stroking_color") or ())) ==
                      tuple(round(v, 3) for v in CALL_COLOUR)]
            digits.sort(key=lambda c: (round(c["top"]), c["x0"]))
            run, last = "", None
            for c in digits:  # digits of one call are adjacent on the same line
                if last and (abs(c["top"] - last["top"]) > 1 or c["x0"] - last["x1"] > 1):
                    calls.append(int(run))
                    run = ""
                run += c["text"]
                last = c
            if run:
                calls.append(int(run))
    return calls


def test_one_footnote_call_per_citation(sample_build):
    calls = _footnote_calls(sample_build.outputs["pdf"])
    n = len(sample_build.brief.citations)
    assert sorted(calls) == list(range(1, n + 1))


def test_footnotes_are_numbered_in_reading_order_in_the_html(sample_build):
    html = sample_build.outputs["html"].read_text(encoding="utf-8")
    numbers = [int(n) for n in re.findall(r'class="fn" id="fn(\d+)"', html)]
    assert numbers == list(range(1, len(sample_build.brief.citations) + 1))


def test_amiri_is_the_embedded_font(sample_build):
    reader = PdfReader(sample_build.outputs["pdf"])
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            fonts.add(str(font["/BaseFont"]))
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor  # embedded
    assert fonts and all("Amiri" in f for f in fonts)
    assert all(re.match(r"/[A-Z]{6}\+", f) for f in fonts)  # subset


def test_pdf_is_a4_with_page_numbers(sample_build):
    reader = PdfReader(sample_build.outputs["pdf"])
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)
    text = pdf_text(sample_build.outputs["pdf"])
    n = len(reader.pages)
    assert re.search(rf"(^|\n)\s*1\s*/\s*{n}\s*(\n|$)", text) or re.search(rf"(^|\n)\s*{n}\s*/\s*1\s*(\n|$)", text)
    assert re.search(rf"(^|\n)\s*{n}\s*/\s*{n}\s*(\n|$)", text)


def test_bibliography_lists_every_cited_source(sample_build):
    text = squeeze(pdf_text(sample_build.outputs["pdf"]))
    for source in sample_build.brief.bibliography:
        assert squeeze(source.title) in text


@pytest.mark.parametrize("fmt", ["pdf", "html"])
def test_rebuild_is_byte_identical(sample_build, tmp_path, fmt):
    from briefgen.run import pipeline

    from .conftest import SAMPLE_OUTLINE

    again = pipeline.build(SAMPLE_OUTLINE, [fmt], pipeline.Options(out_dir=tmp_path))
    assert again.outputs[fmt].read_bytes() == sample_build.outputs[fmt].read_bytes()


def test_copy_paste_fidelity(sample_build, capsys):
    """pdftotext recovers the brief's own words (figure printed; goal 99.5%, floor guards regressions)."""
    import importlib.util

    from .conftest import ROOT

    require("pdftotext")
    spec = importlib.util.spec_from_file_location("fidelity", ROOT / "bench" / "fidelity.py")
    fidelity = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fidelity)
    html = sample_build.outputs["html"].read_text(encoding="utf-8")
    value, misses = fidelity.share(html, sample_build.outputs["pdf"].read_bytes())
    with capsys.disabled():
        print(f"\ncopy-paste fidelity of the sample PDF: {value:.2%} (goal 99.5%); lost: {' '.join(misses[:8])}")
    assert value >= 0.985
