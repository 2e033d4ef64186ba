"""Evidence over saved pages: the five sample articles in five site themes (tests/corpus_articles.py).

The article's own parts (headline, standfirst, subheadings, captions, pull-quotes, the <noscript>
half) are kept whole with their roles, the chrome is left out, the byline and the date are the
article's own, and quotes of each part verify while quotes of chrome, or across two parts, do not.
"""

from __future__ import annotations

import http.server
import threading

import pytest

from briefgen.errors import Diagnostics
from briefgen.evidence import match as evidence
from briefgen.read.ingest.page import extract_page
from briefgen.read.ingest.worddates import word_dates
from briefgen.read.sources import read_sources

from . import corpus_articles as corpus

PAGES, CHROME = corpus.pages()
ROLE = {"body": ("body", "noscript")}


def norm(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("name", list(PAGES))
def test_each_part_kept_whole_with_its_role_and_no_chrome(name):
    page, article, truth = PAGES[name]
    got = extract_page(page.encode("utf-8"), f"{name}.html")
    paragraphs = [norm(p) for p in got.text.split("\n\n")]
    line_of = {p: 1 + 2 * i for i, p in enumerate(paragraphs)}
    for part in article.parts:
        assert norm(part.text) in line_of, (part.role, part.text)
        role = got.roles.get(line_of[norm(part.text)], "body")
        assert role in ROLE.get(part.role, (part.role,)), (part.role, role, part.text)
    for quote in truth["pull"]:
        assert got.roles[line_of[norm(quote)]] == "pull-quote"
    expected = {norm(p.text) for p in article.parts} | {norm(q) for q in truth["pull"]}
    assert [p for p in paragraphs if p not in expected] == []  # not one line of chrome
    text = got.text
    for chrome in CHROME + article.chrome + [corpus.HASSAN_TITLE]:
        if norm(chrome) not in " ".join(expected):
            assert norm(chrome) not in text, chrome
    left_out = " ".join(t for t, _ in got.dropped)
    for chrome in (corpus.COOKIE, corpus.NEWSLETTER):  # what was left out is listed (sources show --dropped)
        assert (chrome in left_out) == (chrome in page), chrome


def test_the_lazy_half_is_text_with_its_role():
    page, article, _ = PAGES["lazy-monitor"]
    got = extract_page(page.encode("utf-8"), "lazy.html")
    roles = sorted(set(got.roles.values()))
    assert roles == ["headline", "noscript", "pull-quote", "standfirst"]
    assert sum(1 for r in got.roles.values() if r == "noscript") == len(article.body) - len(article.body) // 2


@pytest.mark.parametrize("name", list(PAGES))
def test_metadata_names_the_articles_own_author_and_date(name):
    page, _, truth = PAGES[name]
    meta = extract_page(page.encode("utf-8"), f"{name}.html").meta
    assert meta.get("author") == truth["author"]  # never a sidebar's or a related story's byline
    assert meta.get("date") == truth["date"]


@pytest.mark.parametrize("text, dates", [
    ("الأربعاء ٣١ كانون الثاني ٢٠٢٤", ["2024-01-31"]), ("الأربعاء ١٩ رجب ١٤٤٥ هـ", ["2024-01-31"]),
    ("31 يناير 2024", ["2024-01-31"]), ("٣١ كانون الثاني/يناير ٢٠٢٤", ["2024-01-31"]),
    ("7 تشرين الأول 2023", ["2023-10-07"]), ("31 جانفي 2024", ["2024-01-31"]),
    ("بدأت الهجمات في 17 أكتوبر/تشرين الأول، بعد", []), ("انسحاب الأمريكيين عام 2011", []),
    ("31 شباط 2024", []),  # not a real day
])
def test_dates_written_in_words(text, dates):
    assert word_dates(text) == dates


@pytest.fixture(scope="module")
def added(tmp_path_factory):
    """Every page added to one project with `sources add`, read back as a library."""
    from typer.testing import CliRunner

    from briefgen.cli import app

    root = tmp_path_factory.mktemp("pages")
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(root / "p")]).exit_code == 0
    for name, (page, _, _) in PAGES.items():
        (root / f"{name}.html").write_text(page, encoding="utf-8")
        result = runner.invoke(app, ["sources", "add", str(root / f"{name}.html"), "--dir", str(root / "p" / "sources"),
                                     "--publisher", "x"])
        assert result.exit_code == 0, result.output
    diags = Diagnostics()
    library = read_sources(root / "p" / "sources", diags)
    assert not diags.errors
    return library, root / "p" / "sources"


def test_every_part_verifies_and_the_note_names_its_role(added):
    library, _ = added
    for name, (_, article, truth) in PAGES.items():
        source = library.sources[name]
        for part in article.parts:
            quote = " ".join(part.text.split()[:9])
            m = evidence.verify(quote, source)
            assert isinstance(m, evidence.Match), (name, part.role, quote, m)
            if part.role in ("headline", "standfirst", "caption"):
                assert m.located == part.role, (name, quote)
            if part.role == "body":
                assert m.located is None, (name, quote)
            if part.role == "pull-quote":  # «Name: words» in a box, words the text words otherwise
                assert m.located == "pull-quote"
        for quote in truth["pull"]:  # a pull-quote repeats the text: the text is cited, not the box
            m = evidence.verify(quote, source)
            assert isinstance(m, evidence.Match) and m.located is None
        pulled = sum(len(q.split()) for q in truth["pull"])
        assert source.words == sum(len(p.text.split()) for p in article.parts
                                   if p.role != "pull-quote")  # a pull-quote's words are counted once
        assert pulled == 0 or any(p.role == "pull-quote" for p in source.paragraphs)


def test_a_quote_across_two_parts_or_of_chrome_is_refused(added):
    library, _ = added
    hafryat, hassan = library.sources["wordpress-hafryat"], library.sources["agency-hassan"]
    # a subheading and the paragraph under it, a byline and the paragraph under it, one quote each
    assert isinstance(evidence.verify("فحوى المفاوضات الجارية تنشر الولايات المتحدة", hafryat), evidence.Refusal)
    assert isinstance(evidence.verify("أحمد حسان وفي أغسطس (آب)، تناقلت وسائل الإعلام", hassan), evidence.Refusal)
    assert isinstance(evidence.verify("تحليل : أحمد حسان", hassan), evidence.Refusal)
    for chrome in [corpus.COOKIE, corpus.NEWSLETTER, corpus.COMMENTS[1], "بقلم أمبرين زمان " + corpus.ZAMAN_STORY]:
        for source in library.sources.values():
            assert isinstance(evidence.verify(chrome, source), evidence.Refusal), (source.id, chrome)


def test_show_text_prints_roles_and_dropped_prints_the_chrome(added, cli):
    _, folder = added
    shown = cli("sources", "show", "lazy-monitor", "--dir", folder, "--text").output
    assert "[headline]" in shown and "[standfirst]" in shown and "[noscript]" in shown
    assert "[pull-quote]  (repeats the article's words; not counted)" in shown
    assert shown.index("[noscript]") < shown.index("[headline]")  # running text is searched first
    dropped = cli("sources", "show", "agency-hassan", "--dir", folder, "--dropped").output
    assert "[byline]: تحليل : أحمد حسان" in dropped
    assert "dropped from the original [extraction]: " + corpus.COOKIE in dropped


class _Site(http.server.BaseHTTPRequestHandler):
    """The themes served as a site would: a moved article (301), a server whose charset lies, print and AMP
    pages."""

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802
        routes = {
            "/2024/01/31/hafryat": (301, b"", "text/html", {"Location": "/story/hafryat?utm=x"}),
            "/story/hafryat?utm=x": (200, PAGES["wordpress-hafryat"][0].encode("utf-8"), "text/html; charset=utf-8",
                                     {}),
            # UTF-8 bytes, the server's default label: ISO-8859-1 (and no <meta charset>)
            "/lying/monitor": (200, PAGES["lazy-monitor"][0].replace('<meta charset="utf-8">', "").encode("utf-8"),
                               "text/html; charset=ISO-8859-1", {}),
            # Windows-1256 bytes labelled UTF-8 by the server and by the page
            "/lying/phases": (200, PAGES["magazine-phases"][0].encode("cp1256", errors="xmlcharrefreplace"),
                              "text/html; charset=utf-8", {}),
            "/print/hafryat": (200, PAGES["wordpress-hafryat-hijri"][0].encode("utf-8"), "text/html", {}),
            "/amp/monitor": (302, b"", "text/html", {"Location": "/amp/monitor/"}),
            "/amp/monitor/": (200, PAGES["amp-monitor"][0].encode("utf-8"), "text/html; charset=utf-8", {}),
        }
        status, body, ctype, headers = routes.get(self.path, (404, b"no", "text/html", {}))
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def site():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize("path, name", [("/2024/01/31/hafryat", "wordpress-hafryat"),
                                        ("/lying/monitor", "lazy-monitor"), ("/lying/phases", "magazine-phases"),
                                        ("/print/hafryat", "wordpress-hafryat"), ("/amp/monitor", "amp-monitor")])
def test_served_links_redirected_or_mislabelled_read_as_saved(site, path, name):
    from briefgen.read.ingest.fetch import fetch

    got = fetch(site + path)
    _, article, truth = PAGES[name]
    paragraphs = {norm(p) for p in got.text.split("\n\n")}
    assert {norm(p.text) for p in article.parts} <= paragraphs
    assert (got.meta.get("author"), got.meta.get("date")) == (truth["author"], truth["date"])
    if path.startswith("/2024"):
        assert got.fetched_from == site + "/story/hafryat?utm=x"


def test_the_footnote_names_the_role_and_quotes_the_source(added):
    from pathlib import Path

    from briefgen.labels import labels_for
    from briefgen.model import note_text
    from briefgen.run import pipeline

    _, folder = added
    _, article, _ = PAGES["wordpress-hafryat"]
    caption = article.role("caption")[0]
    cites = [("wordpress-hafryat", article.role("headline")[0]), ("wordpress-hafryat", caption),
             ("lazy-monitor", PAGES["lazy-monitor"][1].role("standfirst")[0]),
             ("lazy-monitor", PAGES["lazy-monitor"][1].body[-1])]  # the lazy-loaded half
    items = "".join(f'  - text: "نقطة."\n    cite: [{{source: {s}, quote: "{q.replace(chr(34), chr(92) + chr(34))}"}}]'
                    "\n" for s, q in cites)
    outline = Path(folder).parent / "roles.yaml"
    outline.write_text(f'title: "موجز"\nlang: ar\nsources: sources/\nsummary:\n{items}', encoding="utf-8")
    checked = pipeline.check(outline)
    assert not checked.diagnostics.errors, [d.format() for d in checked.diagnostics.errors]
    labels = labels_for("ar")
    notes = [note_text(c, labels) for c in checked.brief.citations]
    assert [c.located for c in checked.brief.citations] == ["headline", "caption", "standfirst", None]
    assert notes[0].endswith("العنوان.") and "تعليق صورة بعد ¶" in notes[1] and "العنوان الفرعي" in notes[2]
    assert checked.brief.citations[1].quote == caption


def test_an_article_cut_in_two_blocks_by_an_ad_is_read_whole():
    page, article, _ = PAGES["wordpress-hafryat"]
    paragraphs = [f"<p>{corpus.e(t)}</p>" for t in article.body]
    half = len(paragraphs) // 3
    cut = (f"<html lang='ar' dir='rtl'><body><div class='post'><h1>{corpus.e(article.role('headline')[0])}</h1>"
           f"<div class='part-1'>{''.join(paragraphs[:half])}</div><div class='advert'>إعلان</div>"
           f"<div class='part-2'>{''.join(paragraphs[half:])}</div></div></body></html>")  # no <article>
    got = extract_page(cut.encode("utf-8"), "cut.html")
    assert [norm(p) for p in got.text.split("\n\n")] == [norm(t) for t in article.role("headline") + article.body]
