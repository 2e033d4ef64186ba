"""Saved web pages: main text and metadata from realistic Arabic pages; sources add keeps originals and versions."""

from __future__ import annotations

import hashlib

import pytest

from briefgen.errors import Diagnostics, InputError
from briefgen.labels import labels_for
from briefgen.model import Citation, SourceRef, bibliography_text, note_text
from briefgen.read.ingest.page import extract_page
from briefgen.read.sources import read_sources
from briefgen.run import pipeline

from .ingest_pages import RELATED, TELEGRAM, article_lines, news_page

HAFRYAT = article_lines("hafryat")
HAF_TITLE, HAF_BODY = HAFRYAT[0], HAFRYAT[4:]  # lines 2-3 repeat the headline, line 4 is the date
MONITOR = article_lines("monitor")


def paras(text: str) -> list[str]:
    """Paragraphs with runs of spaces as one (HTML collapses them; the .txt files keep a few doubled spaces)."""
    return [" ".join(p.split()) for p in text.strip().split("\n\n")]


def same(lines: list[str]) -> list[str]:
    return [" ".join(p.split()) for p in lines]
HASSAN = article_lines("hassan")


def hafryat_page(**kw) -> bytes:
    args = dict(title=HAF_TITLE, publisher="حفريات", date="2024-01-31", url="https://example.org/hafryat/1")
    args.update(kw)
    return news_page(HAF_BODY[:14], **args)


def test_article_text_kept_and_page_chrome_left_out():
    got = extract_page(hafryat_page(pull_quote=None), "hafryat.html")
    assert paras(got.text) == same([HAF_TITLE] + HAF_BODY[:14])  # headline, sub-headings and paragraphs, word for word
    for chrome in ["الرئيسية", "اتصل بنا", "فيسبوك", "جميع الحقوق محفوظة", *TELEGRAM, *RELATED]:
        assert chrome not in got.text
    left_out = [text for text, _ in got.dropped]
    assert "مواضيع ذات صلة" in left_out and TELEGRAM[0] in left_out and "شارك فيسبوك تويتر واتساب" in left_out


def test_every_metadata_field_the_page_states():
    got = extract_page(news_page(HASSAN[3:], title=HASSAN[2], author="أحمد حسان", publisher="حول الخليج",
                                 date="2024-01-31", url="https://example.org/hassan"), "hassan.html")
    assert got.meta == {"title": HASSAN[2].strip(), "publisher": "حول الخليج", "author": "أحمد حسان",
                        "date": "2024-01-31", "url": "https://example.org/hassan", "lang": "ar"}


def test_no_field_is_guessed_when_the_page_states_none():
    got = extract_page(news_page(HAF_BODY[:6], jsonld=False, og=False, lang=None), "bare.html")
    assert got.meta == {}
    assert paras(got.text) == same(HAF_BODY[:6])


@pytest.mark.parametrize("field,kwargs", [
    ("title", dict(title=None)), ("publisher", dict(publisher=None)), ("date", dict(date=None)),
    ("url", dict(url=None)), ("author", dict()), ("lang", dict(lang=None)),
])
def test_each_field_absent_alone(field, kwargs):
    got = extract_page(hafryat_page(**kwargs), "p.html")
    assert field not in got.meta
    assert set(got.meta) >= {"title", "publisher", "date", "url", "lang"} - {field}


def test_json_ld_alone_and_open_graph_alone():
    ld = extract_page(hafryat_page(og=False), "ld.html").meta
    og = extract_page(hafryat_page(jsonld=False), "og.html").meta
    for meta in (ld, og):
        assert meta["title"] == HAF_TITLE and meta["date"] == "2024-01-31" and meta["publisher"] == "حفريات"


def test_site_name_from_the_title_tag_alone():
    meta = extract_page(hafryat_page(og=False, jsonld=False), "t.html").meta  # <title>Headline - حفريات</title>
    assert meta["publisher"] == "حفريات" and meta["title"] == HAF_TITLE


def test_a_date_the_page_does_not_state_is_not_taken():
    page = hafryat_page(date=None).replace("جميع الحقوق محفوظة".encode(), "جميع الحقوق محفوظة © 2024".encode())
    assert "date" not in extract_page(page, "p.html").meta
    related = RELATED[0].encode()  # a related article's date is not the article's
    page = page.replace(related, related + b" <span class='date'>15/01/2024</span>", 1)
    assert "date" not in extract_page(page, "p.html").meta


def test_a_date_written_under_the_headline_is_taken():
    """As hafryat.txt gives it: "31/01/2024" on its own line under the headline, no metadata."""
    page = news_page(["31/01/2024"] + HAF_BODY[:8], title=HAF_TITLE, jsonld=False, og=False)
    assert extract_page(page, "p.html").meta["date"] == "2024-01-31"


@pytest.mark.parametrize("charset", ["windows-1256", "http-equiv"])
def test_windows_1256_page_declared_in_meta(charset):
    raw = news_page(MONITOR[1:8], title=MONITOR[0], publisher="المونيتور", charset=charset)
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    got = extract_page(raw, "monitor.html")
    assert paras(got.text) == same(MONITOR[:8])
    assert got.meta["publisher"] == "المونيتور"


def test_direction_marks_of_the_page_are_not_kept():
    marked = [f"\u202b{p}\u202c\u200f" for p in MONITOR[1:6]]  # RLE … PDF, RLM: as some sites write them
    got = extract_page(news_page(marked, title=MONITOR[0]), "m.html")
    assert paras(got.text) == same(MONITOR[:6])


def test_browser_saved_from_comment_gives_the_url():
    raw = b"<!-- saved from url=(0028)https://example.org/monitor -->\n" + news_page(MONITOR[1:6], title=MONITOR[0])
    assert extract_page(raw, "m.html").meta["url"] == "https://example.org/monitor"


def test_a_page_without_article_text_is_refused():
    with pytest.raises(InputError, match="no article text"):
        extract_page(b"<html><body><nav><a href='/'>x</a></nav></body></html>", "empty.html")


# --- sources add -----------------------------------------------------------------------------------

def test_add_saved_page_keeps_original_and_fills_metadata(cli, fresh, tmp_path):
    page = tmp_path / "hafryat.html"
    page.write_bytes(hafryat_page(pull_quote="خشية إنعاش تنظيم داعش من جديد", read_also=True))
    before = (fresh / "sources" / "sources.yaml").read_text(encoding="utf-8")
    result = cli("sources", "add", page)
    assert result.exit_code == 0, result.output
    assert "filled: title, publisher, date, url; missing: author" in result.output
    folder = fresh / "sources"
    assert (folder / "originals" / "hafryat.html").read_bytes() == page.read_bytes()
    registry = (folder / "sources.yaml").read_text(encoding="utf-8")
    assert registry.startswith(before.split("sources: []")[0])  # every comment kept
    assert f"sha256: {hashlib.sha256(page.read_bytes()).hexdigest()}" in registry
    assert "original: originals/hafryat.html" in registry and "date: 2024-01-31" in registry
    library = read_sources(folder, Diagnostics())
    ref = library.sources["hafryat"].ref
    assert (ref.title, ref.publisher, ref.date, ref.url) == (HAF_TITLE, "حفريات", "2024-01-31",
                                                             "https://example.org/hafryat/1")
    shown = cli("sources", "show", "hafryat", "--original")
    assert "originals/hafryat.html" in shown.output and "unchanged" in shown.output
    dropped = cli("sources", "show", "hafryat", "--dropped").output
    assert "dropped from the original [extraction]: مواضيع ذات صلة" in dropped  # stage 1: extraction
    assert "[pull-quote]  خشية إنعاش تنظيم داعش من جديد" in dropped  # kept as a repeat, with its role
    assert "[related-articles]: السوداني يرعى انطلاق الجولة الأولى" in dropped  # stage 2: cleaning, as for the .txt


def test_added_page_quotes_verify_and_fill_notes(fresh, tmp_path, cli):
    page = tmp_path / "hafryat.html"
    page.write_bytes(hafryat_page())
    assert cli("sources", "add", page).exit_code == 0
    outline = fresh / "outline.yaml"
    outline.write_text('title: "موجز"\nlang: ar\nsources: sources/\nsummary:\n'
                       '  - text: "يخشى خبراء انسحاباً متعجلاً."\n'
                       '    cite: [{source: hafryat, quote: "خشية إنعاش تنظيم داعش من جديد"}]\n', encoding="utf-8")
    checked = pipeline.check(outline)
    assert checked.ok, [d.format() for d in checked.diagnostics.errors]
    c = checked.brief.citations[0]
    assert c.quote == "خشية إنعاش تنظيم داعش من جديد"
    assert note_text(c, checked.brief.labels) == (f"حفريات، «{HAF_TITLE}»، 31/01/2024، "
                                                  f"\u2066https://example.org/hafryat/1\u2069، ¶{c.para}.")


def test_unchanged_page_is_a_no_op_and_changed_page_a_new_version(cli, fresh, tmp_path):
    page = tmp_path / "hafryat.html"
    page.write_bytes(hafryat_page())
    assert cli("sources", "add", page).exit_code == 0
    registry = fresh / "sources" / "sources.yaml"
    # the analyst corrects the publisher and grades the source
    text = registry.read_text(encoding="utf-8").replace("publisher: حفريات", "publisher: موقع حفريات  # corrected")
    registry.write_text(text + "    reliability: C\n", encoding="utf-8")
    again = cli("sources", "add", page)
    assert again.exit_code == 0 and "unchanged hafryat" in again.output
    assert registry.read_text(encoding="utf-8") == text + "    reliability: C\n"
    page.write_bytes(hafryat_page().replace("فحوى المفاوضات الجارية".encode(), "فحوى المفاوضات".encode()))
    changed = cli("sources", "add", page)
    assert changed.exit_code == 0, changed.output
    assert "added hafryat-v2 (new version of hafryat)" in changed.output
    assert "your corrections kept: publisher" in changed.output
    library = read_sources(fresh / "sources", Diagnostics())
    assert library.sources["hafryat"].ref.publisher == "موقع حفريات"  # the first version untouched
    v2 = library.sources["hafryat-v2"]
    assert v2.ref.publisher == "موقع حفريات" and v2.ref.reliability == "C" and v2.ref.title == HAF_TITLE
    assert "# corrected" in registry.read_text(encoding="utf-8")
    assert (fresh / "sources" / "originals" / "hafryat.html").read_bytes() != page.read_bytes()
    assert (fresh / "sources" / "originals" / "hafryat-v2.html").read_bytes() == page.read_bytes()


def test_batch_add_of_a_folder_saved_page_and_text(cli, fresh, tmp_path):
    saved = tmp_path / "saved"
    (saved / "monitor_files").mkdir(parents=True)
    (saved / "monitor.html").write_bytes(news_page(MONITOR[1:], title=MONITOR[0], publisher="المونيتور"))
    (saved / "monitor_files" / "style.css").write_text("body{}", encoding="utf-8")
    from .conftest import SAMPLE_SOURCES

    result = cli("sources", "add", saved, SAMPLE_SOURCES / "phases.txt")
    assert result.exit_code == 0, result.output
    assert "[1/2] reading" in result.output and "[2/2] reading" in result.output
    assert "2 added, 0 unchanged" in result.output
    library = read_sources(fresh / "sources", Diagnostics())
    assert set(library.sources) == {"monitor", "phases"}


def test_a_bad_page_in_a_batch_adds_nothing(cli, fresh, tmp_path):
    good, bad = tmp_path / "hafryat.html", tmp_path / "empty.html"
    good.write_bytes(hafryat_page())
    bad.write_bytes(b"<html><body></body></html>")
    result = cli("sources", "add", good, bad)
    assert result.exit_code == 1 and "no article text" in result.output
    assert sorted(p.name for p in (fresh / "sources").iterdir()) == ["sources.yaml"]


# --- citations ------------------------------------------------------------------------------------

WEB = SourceRef(id="monitor", title="عنوان", publisher="المونيتور", date="2024-01-25", url="https://example.org/m",
                accessed="2024-02-01")


def test_notes_and_bibliography_carry_url_and_access_date():
    ar, en = labels_for("ar"), labels_for("en")
    # in Arabic the URL is isolated left to right (LRI … PDI): else "8765/monitor" shows reordered
    assert note_text(Citation(1, WEB, 3), ar) == ("المونيتور، «عنوان»، 25/01/2024، \u2066https://example.org/m\u2069، "
                                                  "تاريخ الاطلاع 01/02/2024، ¶3.")
    assert note_text(Citation(2, WEB, 4, first=False), ar) == "المونيتور، ¶4."
    assert bibliography_text(WEB, en) == "المونيتور, “عنوان”, 2024-01-25, https://example.org/m, accessed 2024-02-01."
    assert note_text(Citation(1, WEB, 3, page="2–3"), en).endswith("accessed 2024-02-01, p. 2–3, ¶3.")


def test_notes_without_url_are_as_before():
    plain = SourceRef(id="x", title="عنوان", publisher="حفريات", date="2024-01-31")
    assert note_text(Citation(1, plain, 2), labels_for("ar")) == "حفريات، «عنوان»، 31/01/2024، ¶2."
    assert bibliography_text(plain, labels_for("ar")) == "حفريات، «عنوان»، 31/01/2024."


def test_the_five_sample_articles_as_web_pages_carry_the_sample_brief(cli, fresh, tmp_path, library):
    """Each sample article rebuilt as its site's page (chrome around it, metadata as sources.yaml records it):
    added as pages, every citation of the sample outline resolves and every quote verifies."""
    import shutil

    import yaml

    from .conftest import SAMPLE_OUTLINE, SAMPLE_SOURCES

    entries = yaml.safe_load((SAMPLE_SOURCES / "sources.yaml").read_text(encoding="utf-8"))["sources"]
    registry = {e["id"]: {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in e.items()
                          if v is not None} for e in entries}
    from .ingest_pages import sample_page

    pages = []
    for name in library.sources:
        pages.append(tmp_path / f"{name}.html")
        pages[-1].write_bytes(sample_page(name, library, registry))
    result = cli("sources", "add", *pages)
    assert result.exit_code == 0, result.output
    assert "5 added, 0 unchanged" in result.output
    shutil.copy(SAMPLE_OUTLINE, fresh / "outline.yaml")
    checked = pipeline.check(fresh / "outline.yaml")
    assert checked.ok, [d.format() for d in checked.diagnostics.errors]
    sample = pipeline.check(SAMPLE_OUTLINE).brief
    assert len(checked.brief.citations) == len(sample.citations)
    assert [c.quote for c in checked.brief.citations] == [c.quote for c in sample.citations]
    added = read_sources(fresh / "sources", Diagnostics()).sources
    assert added["hassan"].ref.author == "أحمد حسان" and added["hafryat"].ref.date == "2024-01-31"
    assert added["monitor"].ref.publisher == "المونيتور" and added["phases"].ref.title == registry["phases"]["title"]


def test_arabic_file_names_get_made_up_ids_and_the_same_bytes_are_not_added_twice(cli, fresh, tmp_path):
    first, second = tmp_path / "مقال.html", tmp_path / "تقرير.html"
    first.write_bytes(hafryat_page())
    second.write_bytes(news_page(MONITOR[1:], title=MONITOR[0]))
    result = cli("sources", "add", first, second)
    assert result.exit_code == 0, result.output
    assert set(read_sources(fresh / "sources", Diagnostics()).sources) == {"article", "article-2"}
    copy = tmp_path / "copy.html"
    copy.write_bytes(first.read_bytes())
    again = cli("sources", "add", copy)
    assert "unchanged article" in again.output
