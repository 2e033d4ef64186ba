"""PDF typesetting: cover, metadata, bookmarks, running header/footer, digits, bidi order, LTR briefs."""


import pdfplumber
import pytest
from pypdf import PdfReader

from briefgen.run import pipeline

COVER = """\
title: "اختبار الغلاف"
subtitle: "عنوان فرعي"
organization: "مركز الدراسات"
author: "فريق التحليل"
date: 2024-01-31
hijri: true
classification: "للاستخدام الداخلي"
summary:
  - text: "قالت قيادة ISIS إن 45% من المقاتلين غادروا في 31/01/2024 بحسب (Wall Street Journal) ولويد أوستن."
    cite: [hafryat]
  - text: "وفي 2023-10-07 بلغت النسبة 50-60% وفق تقرير HMC."
    cite: [hafryat]
background:
  - text: "نص ثان."
    cite: [{source: monitor, quote: "بدأت الهجمات في 17 أكتوبر/تشرين الأول"}]
"""


@pytest.fixture(scope="module")
def cover_pdf(tmp_path_factory):
    import shutil

    from .conftest import SAMPLE_SOURCES

    root = tmp_path_factory.mktemp("cover")
    shutil.copytree(SAMPLE_SOURCES, root / "sources")
    (root / "cover.yaml").write_text(COVER, encoding="utf-8")
    (root / "indic.yaml").write_text(COVER + "digits: arabic-indic\n", encoding="utf-8")
    (root / "english.yaml").write_text(COVER.replace('title: "اختبار الغلاف"', 'title: "Cover test"') + "lang: en\n",
                                       encoding="utf-8")
    out = {}
    for name in ("cover", "indic", "english"):
        out[name] = pipeline.build(root / f"{name}.yaml", ["pdf"], pipeline.Options(out_dir=root / "out"))
    return out


def lines(path, page_no=0):
    """Each text line of a page as (top, text in visual left-to-right order, chars)."""
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[page_no]
        rows: dict[int, list] = {}
        for c in page.chars:
            rows.setdefault(round(c["top"]), []).append(c)
        return [(top, "".join(c["text"] for c in sorted(cs, key=lambda c: c["x0"])), cs)
                for top, cs in sorted(rows.items())], page.width, page.height


def test_metadata_title_author_subject_language_and_date(cover_pdf):
    reader = PdfReader(cover_pdf["cover"].outputs["pdf"])
    meta = reader.metadata
    assert meta["/Title"] == "اختبار الغلاف" and meta["/Author"] == "فريق التحليل"
    assert meta["/Subject"] == "عنوان فرعي"
    assert meta["/CreationDate"].startswith("D:20240131")
    assert reader.trailer["/Root"]["/Lang"] == "ar"
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]  # tagged PDF


def test_bookmarks_for_every_section(sample_build):
    reader = PdfReader(sample_build.outputs["pdf"])

    def flat(items):
        for item in items:
            yield from flat(item) if isinstance(item, list) else [item.title]

    titles = list(flat(reader.outline))
    for section in sample_build.brief.sections:
        assert f"{section.number}. {section.title}" in titles
    assert sample_build.brief.labels["sources"] in titles


def test_cover_shows_organization_author_gregorian_and_hijri_dates(cover_pdf):
    text = "\n".join(p.extract_text() for p in PdfReader(cover_pdf["cover"].outputs["pdf"]).pages)
    for expected in ("مركز الدراسات", "فريق التحليل", "يناير", "2024", "رجب", "1445"):
        assert expected in text


def test_classification_in_header_and_footer_of_every_page(cover_pdf):
    reader = PdfReader(cover_pdf["cover"].outputs["pdf"])
    counts = [page.extract_text().count("للاستخدام الداخلي") for page in reader.pages]
    assert counts[0] == 3  # title block, header, footer
    assert all(n >= 2 for n in counts[1:])


def test_arabic_indic_digits_for_pages_sections_and_notes(cover_pdf):
    text = PdfReader(cover_pdf["indic"].outputs["pdf"]).pages[0].extract_text()
    assert "١ / ١" in text or "١/١" in text.replace(" ", "")
    assert "١." in text and "٢." in text
    assert "31/01/2024" in text.replace(" ", "") or "2024/01/31" in text.replace(" ", "")  # the text's own digits stay


def test_mixed_runs_read_in_the_order_an_arabic_reader_expects(cover_pdf):
    rows, width, _ = lines(cover_pdf["cover"].outputs["pdf"])
    line = next(text for _, text, _ in rows if "ISIS" in text)
    # Latin words, numbers and dates keep their own left-to-right order inside the Arabic line …
    for run in ("ISIS", "45%", "31/01/2024", "Wall Street Journal"):
        assert run in line, (run, line)
    # … and the runs follow the Arabic sentence from right to left: ISIS before 45% before the date.
    assert line.index("ISIS") > line.index("45%") > line.index("31/01/2024") > line.index("Wall Street Journal")
    # WeasyPrint alone reverses a percentage and hyphen-joined numbers (Kozea/WeasyPrint#2386):
    second = next(text for _, text, _ in rows if "HMC" in text)
    for run in ("2023-10-07", "50-60%"):
        assert run in second, (run, second)
    assert second.index("2023-10-07") > second.index("50-60%") > second.index("HMC")


def test_english_brief_is_left_to_right(cover_pdf):
    path = cover_pdf["english"].outputs["pdf"]
    rows, width, _ = lines(path)
    heading = next((top, text, cs) for top, text, cs in rows if "Executive summary" in text)
    assert min(c["x0"] for c in heading[2]) < width * 0.2  # starts at the left margin
    html = PdfReader(path).trailer["/Root"]["/Lang"]
    assert html == "en"


def test_bibliography_is_sorted_the_arabic_way(sample_build):
    from briefgen.arabic import normalize

    keys = []
    for s in sample_build.brief.bibliography:
        head = normalize(s.publisher or s.title).split()
        keys.append(head[0][2:] if head[0].startswith("ال") else head[0])
    assert keys == sorted(keys)
    assert [s.id for s in sample_build.brief.bibliography][:2] == ["elaph", "hafryat"]  # إيلاف, حفريات


def test_sample_pdf_is_small_enough_to_attach(sample_build):
    # 138 KB from WeasyPrint; 321 KB once every Arabic glyph has a text object of its own so that
    # pdfminer and pypdf read lines in order (docs/pdf-text.md). Mail takes 10-25 MB.
    assert sample_build.outputs["pdf"].stat().st_size <= 400 * 1024
