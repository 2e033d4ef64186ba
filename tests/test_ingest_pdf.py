"""PDF articles: text in logical order from PDFs made by WeasyPrint and LibreOffice, checked word for word."""

from __future__ import annotations

import html
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from briefgen.arabic import normalize
from briefgen.errors import Diagnostics, InputError
from briefgen.read.ingest.pdf import _looks_reversed, extract_pdf
from briefgen.read.ingest.pdflayout import _logical
from briefgen.read.sources import read_sources
from briefgen.run import pipeline

from .ingest_pages import article_lines

HAFRYAT = article_lines("hafryat")
MONITOR = article_lines("monitor")


def weasy_pdf(paragraphs: list[str], *, title: str | None = None, author: str | None = None,
              created: str | None = None, header: str | None = "حفريات", size: str = "A5",
              amiri: bool = False, columns: int = 1) -> bytes:
    from weasyprint import HTML

    meta = "".join(f'<meta name="{k}" content="{html.escape(v)}">' for k, v in
                   (("author", author), ("dcterms.created", created)) if v)
    from briefgen.render.fonts import FAMILY, font_face_css

    head_css = f'@top-center{{content:"{header}"}}' if header else ""
    title_tag = f"<title>{html.escape(title)}</title>" if title else ""
    font = f'{font_face_css()}body{{font-family:"{FAMILY}",serif}}' if amiri else ""  # default: DejaVu Sans
    if columns > 1:
        font += f"body{{column-count:{columns};column-gap:1.2cm;text-align:justify}}"
    doc = (f'<html lang="ar" dir="rtl"><head><meta charset="utf-8">{title_tag}{meta}<style>{font}'
           f'@page{{size:{size};margin:2cm;{head_css}@bottom-center{{content:counter(page)}}}}</style></head><body>'
           + "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs) + "</body></html>")
    return HTML(string=doc).write_pdf()


def words(text: str) -> list[str]:
    return text.split()


@pytest.fixture(scope="module")
def monitor_pdf() -> bytes:
    return weasy_pdf(MONITOR, title=MONITOR[0])


def test_weasyprint_pdf_word_for_word(monitor_pdf):
    got = extract_pdf(monitor_pdf, "monitor.pdf")
    assert words(got.text) == words("\n".join(MONITOR))
    assert [" ".join(p.split()) for p in got.text.split("\n\n")] == MONITOR  # paragraphs joined over page breaks
    assert len(got.pages) >= 3  # A5: the article runs over several pages
    rules = {rule.split(" ")[0] for _, rule in got.dropped}
    assert rules == {"running-header", "page-number"}  # "حفريات" on top of each page, the number at its foot
    assert got.meta == {"title": MONITOR[0]}  # no author, no date stated


def test_two_column_pdf_read_column_by_column():
    """A think-tank layout: A4 in two justified columns, read right column first, a paragraph going on from one
    column to the next joined."""
    raw = weasy_pdf(HAFRYAT, size="A4", columns=2, header=None)
    got = extract_pdf(raw, "columns.pdf")
    assert words(got.text) == words("\n".join(HAFRYAT))
    paragraphs = [" ".join(p.split()) for p in got.text.split("\n\n")]
    assert paragraphs == [" ".join(p.split()) for p in HAFRYAT]


def test_weasyprint_amiri_pdf_fidelity():
    """Amiri draws some letters as two glyphs, and WeasyPrint maps both to the letter in the PDF's text layer
    (pdftotext shows «للكن» for «لكن» too): those words come out with a doubled letter; nothing else differs."""
    import difflib

    got = words(extract_pdf(weasy_pdf(MONITOR, amiri=True), "amiri.pdf").text)
    want = words("\n".join(MONITOR))
    assert len(got) == len(want)
    differ = [(a, b) for a, b in zip(want, got, strict=True) if a != b]
    assert len(differ) <= 6  # 4 of 726 words measured
    for a, b in differ:
        assert difflib.SequenceMatcher(None, a, b).ratio() > 0.8 and len(b) == len(a) + 1


def test_weasyprint_amiri_mark_that_repeats_its_letter_is_read_once():
    """WeasyPrint with Amiri maps the damma of «أُعلن» to «أُ», a glyph of no width drawn over the «أ» (pdftotext
    reads «ُأأعلن»): the letter is read once, with its mark."""
    para = [p for p in article_lines("phases") if "أُعلن" in p]
    assert para
    assert words(extract_pdf(weasy_pdf(para, header=None, amiri=True), "a.pdf").text) == words(" ".join(para))


def test_pdf_metadata_each_field_present_and_absent():
    body = HAFRYAT[3:12]  # from the date line "31/01/2024" on
    full = extract_pdf(weasy_pdf(body, title=HAFRYAT[0], author="حفريات", created="2024-01-31"), "a.pdf").meta
    assert full == {"title": HAFRYAT[0], "author": "حفريات", "date": "2024-01-31"}
    bare = extract_pdf(weasy_pdf(body, header=None), "b.pdf").meta
    assert bare == {}
    unstated = extract_pdf(weasy_pdf(HAFRYAT[4:12], created="2024-01-31"), "c.pdf").meta
    assert "date" not in unstated  # a creation date the article does not state is not its publication date


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) is not installed")
def test_libreoffice_pdf_word_for_word(tmp_path):
    source = tmp_path / "hafryat.html"
    source.write_text('<html lang="ar" dir="rtl"><head><meta charset="utf-8"></head><body>'
                      + "".join(f'<p dir="rtl">{html.escape(p)}</p>' for p in HAFRYAT) + "</body></html>",
                      encoding="utf-8")
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
                    "pdf:writer_pdf_Export", "--outdir", str(tmp_path), str(source)], check=True,
                   capture_output=True, timeout=180)
    got = extract_pdf((tmp_path / "hafryat.pdf").read_bytes(), "hafryat.pdf")
    assert words(got.text) == words("\n".join(HAFRYAT))  # vowel marks, (2500), 31/01/2024 and all
    assert len(got.pages) >= 2


class Glyph:
    """What pdfminer gives for one glyph: its text, box and origin."""

    def __init__(self, text: str, x0: float, width: float = 5.0):
        self._text, self.x0, self.x1 = text, x0, x0 + width
        self.size = self.height = 10.0
        self.matrix = (1, 0, 0, 1, x0, 100.0)

    def get_text(self) -> str:
        return self._text


def visual(*texts: str) -> list[Glyph]:
    """Glyphs laid out left to right, with a gap where the text has ' '."""
    out, x = [], 0.0
    for t in texts:
        if t == " ":
            x += 3.0
            continue
        out.append(Glyph(t, x))
        x += 5.0
    return out


def test_presentation_forms_folded_and_visual_order_undone():
    # «كتاب لا عام 2011» as a PDF with presentation forms stores it, left to right on the page
    row = visual("2", "0", "1", "1", " ", "\ufee2", "\ufe8e", "\ufecb", " ", "\ufefb", " ",
                 "\ufe8f", "\ufe8e", "\ufe98", "\ufedb")
    assert _logical(row) == "كتاب لا عام 2011"


def presentation_forms(text: str) -> str:
    """Text as old Arabic software wrote it: each letter replaced by its contextual presentation form."""
    import unicodedata

    forms: dict[str, dict[str, str]] = {}
    for cp in range(0xFE70, 0xFF00):
        d = unicodedata.decomposition(chr(cp)).split()
        if len(d) == 2 and d[0] in ("<isolated>", "<initial>", "<medial>", "<final>"):
            forms.setdefault(chr(int(d[1], 16)), {})[d[0][1:-1]] = chr(cp)

    def dual(c: str | None) -> bool:  # joins on both sides
        return c is not None and c in forms and "initial" in forms[c]

    letters = [c for c in text]
    out = []
    for i, c in enumerate(letters):
        if c not in forms:
            out.append(c)
            continue
        before = next((x for x in reversed(letters[:i]) if not unicodedata.combining(x)), None)
        after = next((x for x in letters[i + 1:] if not unicodedata.combining(x)), None)
        joins_before, joins_after = dual(before), dual(c) and after in forms
        form = ("medial" if joins_before and joins_after else "final" if joins_before
                else "initial" if joins_after else "isolated")
        out.append(forms[c].get(form) or forms[c]["isolated"])
    return "".join(out)


def test_pdf_in_presentation_forms_folded_word_for_word():
    """The text layer holds presentation forms (FB50–FEFF) in visual order: pdfminer's own text shows final
    forms opening words; folded and put in order, the article comes back word for word."""
    from pdfminer.high_level import extract_text

    raw = weasy_pdf([presentation_forms(p) for p in MONITOR])
    plain = extract_text(io.BytesIO(raw))
    assert "\ufe8e" in plain and "لم يتم اتخاذ" not in plain  # as stored: forms, reversed
    assert words(extract_pdf(raw, "forms.pdf").text) == words("\n".join(MONITOR))


def test_reversed_arabic_is_detected():
    text = "\n".join(HAFRYAT)
    assert not _looks_reversed(text)
    assert _looks_reversed("\n".join(line[::-1] for line in HAFRYAT))


def test_a_pdf_without_text_is_refused():
    from weasyprint import HTML

    with pytest.raises(InputError, match="no text layer"):
        extract_pdf(HTML(string="<html><body></body></html>").write_pdf(), "scan.pdf")
    with pytest.raises(InputError, match="not a readable PDF"):
        extract_pdf(b"%PDF-1.4\nnot really", "broken.pdf")


def test_a_locked_pdf_is_refused_with_a_hint(monitor_pdf):

    import pypdf

    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(monitor_pdf)))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    locked = io.BytesIO()
    writer.write(locked)
    with pytest.raises(InputError, match="locked with a password") as info:
        extract_pdf(locked.getvalue(), "locked.pdf")
    assert "print it to a new PDF" in info.value.diagnostics[0].hint


def test_added_pdf_quotes_verify_and_notes_pin_the_page(cli, tmp_path, monkeypatch, monitor_pdf):
    cli("init", tmp_path / "p")
    monkeypatch.chdir(tmp_path / "p")
    pdf = tmp_path / "monitor.pdf"
    pdf.write_bytes(monitor_pdf)
    result = cli("sources", "add", pdf, "--publisher", "المونيتور", "--date", "none")
    assert result.exit_code == 0, result.output
    quote = "لم يتم اتخاذ أي قرار بسحب القوات الأمريكية من العراق"
    Path("outline.yaml").write_text('title: "موجز"\nlang: ar\nsources: sources/\nsummary:\n'
                                    '  - text: "لا قرار بالانسحاب."\n'
                                    f'    cite: [{{source: monitor, quote: "{quote}"}}]\n', encoding="utf-8")
    checked = pipeline.check(Path("outline.yaml"))
    assert checked.ok, [d.format() for d in checked.diagnostics.errors]
    c = checked.brief.citations[0]
    assert c.quote == quote and c.page is not None
    from briefgen.model import note_text

    assert note_text(c, checked.brief.labels).endswith(f"ص {c.page}، ¶{c.para}.")
    # the page is right: the PDF's own text layer has the quote on that page (pypdf, read independently)
    import pypdf

    pages = pypdf.PdfReader(io.BytesIO(monitor_pdf)).pages
    first = int(re.split("–", c.page)[0])
    on_page = " ".join(normalize(w) for w in (pages[first - 1].extract_text() or "").split())
    assert " ".join(normalize(w) for w in quote.split()[:4]) in on_page
    library = read_sources(Path("sources"), Diagnostics())
    assert library.sources["monitor"].original.read_bytes() == monitor_pdf
