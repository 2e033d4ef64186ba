"""Realistic Arabic news pages rebuilt from the sample articles' own text (no invented facts).

Each page wraps one sample article in the chrome such sites carry: navigation, a breaking-news
ticker, a share bar, a Telegram banner, a pull-quote, a related-articles list and a footer, plus
the metadata (JSON-LD, Open Graph, <meta>) that the article's own text supports. The URLs are
placeholders on example.org (reserved for documentation), since none of the texts gives one.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

SOURCES = Path(__file__).resolve().parent.parent / "sources"
TELEGRAM = ["قراؤنا من مستخدمي تلغرام", "يمكنكم الآن متابعة آخر الأخبار مجاناً من خلال تطبيق تلغرام",
            "إضغط هنا للإشتراك"]  # elaph.txt's own banner
RELATED = ["هل تسحب واشنطن قواتها من العراق وسورية؟",
           "الولايات المتحدة والعراق يبدأان محادثات بشأن الإنهاء المحتمل لوجود التحالف"]  # the samples' titles


def article_lines(name: str) -> list[str]:
    return [ln.strip() for ln in (SOURCES / f"{name}.txt").read_text(encoding="utf-8").splitlines() if ln.strip()]


def news_page(paragraphs: list[str], *, title: str | None = None, publisher: str | None = None,
              author: str | None = None, date: str | None = None, url: str | None = None,
              charset: str = "utf-8", jsonld: bool = True, og: bool = True, lang: str | None = "ar",
              pull_quote: str | None = None, headings: dict[int, str] | None = None,
              read_also: bool = False) -> bytes:
    """One article page; each metadata argument appears in the page only when given."""
    e = html.escape
    head = [f'<meta charset="{charset}">' if charset != "http-equiv" else
            '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">']
    head.append('<meta name="viewport" content="width=device-width, initial-scale=1">')
    if title:
        head.append(f"<title>{e(title)}{' - ' + e(publisher) if publisher else ''}</title>")
    if og:
        for prop, value in (("og:title", title), ("og:site_name", publisher), ("og:url", url),
                            ("article:published_time", date and f"{date}T09:00:00+00:00"), ("og:type", "article")):
            if value:
                head.append(f'<meta property="{prop}" content="{e(value)}">')
    if author:
        head.append(f'<meta name="author" content="{e(author)}">')
    if url:
        head.append(f'<link rel="canonical" href="{e(url)}">')
    if jsonld:
        data = {"@context": "https://schema.org", "@type": "NewsArticle"}
        if title:
            data["headline"] = title
        if date:
            data["datePublished"] = f"{date}T09:00:00+00:00"
        if author:
            data["author"] = {"@type": "Person", "name": author}
        if publisher:
            data["publisher"] = {"@type": "Organization", "name": publisher}
        if url:
            data["mainEntityOfPage"] = url
        head.append(f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>')
    nav = ["الرئيسية", "سياسة", "اقتصاد", "رياضة", "ثقافة", "منوعات", "اتصل بنا"]
    body = ['<header><nav class="menu"><ul>' + "".join(f'<li><a href="/s{i}">{e(n)}</a></li>'
                                                         for i, n in enumerate(nav)) + "</ul></nav>",
            '<div class="ticker"><span>عاجل</span></div></header>',
            '<main><article class="post">']
    if title:
        body.append(f'<h1 class="entry-title">{e(title)}</h1>')
    if author:
        body.append(f'<div class="byline">بقلم <span class="author">{e(author)}</span></div>')
    if date:
        y, m, d = date.split("-")
        body.append(f'<time datetime="{date}">{d}/{m}/{y}</time>')
    body.append('<div class="share"><span>شارك</span><a href="#fb">فيسبوك</a><a href="#tw">تويتر</a>'
                '<a href="#wa">واتساب</a></div>')
    body.append('<div class="entry-content">')
    for i, p in enumerate(paragraphs):
        if headings and i in headings:
            body.append(f"<h2>{e(headings[i])}</h2>")
        body.append(f"<p>{e(p)}</p>")
        if i == 1 and pull_quote:
            body.append(f'<blockquote class="pullquote"><p>{e(pull_quote)}</p></blockquote>')
        if i == 3 and read_also:  # an in-text teaser, as hafryat.txt carries one
            body.append(f'<p>اقرأ أيضاً:</p><p><a href="/r9">{e(RELATED[0])}</a></p>')
        if i == 2:
            body.append('<aside class="telegram">' + "".join(f"<p>{e(t)}</p>" for t in TELEGRAM) + "</aside>")
    body.append("</div>")
    body.append('<div class="share bottom"><span>شارك</span><a href="#fb">فيسبوك</a><a href="#tw">تويتر</a></div>')
    body.append('<section class="related"><h3>مواضيع ذات صلة</h3><ul>' +
                "".join(f'<li><a href="/r{i}">{e(t)}</a></li>' for i, t in enumerate(RELATED)) + "</ul></section>")
    body.append("</article></main>")
    body.append('<footer><p>جميع الحقوق محفوظة</p><ul><li><a href="/about">من نحن</a></li>'
                '<li><a href="/privacy">سياسة الخصوصية</a></li></ul></footer>')
    lang_attr = f' lang="{lang}" dir="rtl"' if lang else ""
    page = f"<!DOCTYPE html>\n<html{lang_attr}><head>{''.join(head)}</head><body>{''.join(body)}</body></html>\n"
    return page.encode("cp1256" if charset in ("windows-1256", "http-equiv") else "utf-8")


def sample_page(name: str, library, registry: dict) -> bytes:
    """A sample article as its site would serve it: the lines cleaning keeps in the article body, the lines it
    drops (tickers, prompts, related lists, repeated headlines) in the page's chrome, and the metadata that
    sources.yaml records for it (which is what the article's own text supports)."""
    source = library.sources[name]
    dropped = [d.text for d in source.dropped]
    lines = article_lines(name)
    body = [ln for ln in lines if ln not in dropped]
    meta = registry.get(name, {})
    title = meta.get("title")
    if title and body and " ".join(body[0].split()) == " ".join(title.split()):
        body = body[1:]  # the headline goes in <h1>
    page = news_page(body, title=title, publisher=meta.get("publisher"), author=meta.get("author"),
                     date=meta.get("date"), url=None, jsonld=True, og=True)
    chrome = "".join(f"<p>{html.escape(d)}</p>" for d in dropped)
    return page.replace(b'<footer>', f'<aside class="widgets">{chrome}</aside><footer>'.encode())
