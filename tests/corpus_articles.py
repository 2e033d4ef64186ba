"""The evidence corpus: the five sample articles as an analyst gets them (saved pages in five site themes,
PDFs typeset by WeasyPrint and exported by LibreOffice), each with what it truly holds (its parts and roles).

Every word of article text is the sample articles' own; the chrome (menus, tickers, cookie banners,
newsletter boxes, comments) is site furniture with no facts in it; related stories and sidebars list
the samples' own headlines with their own bylines (أحمد حسان wrote hassan's analysis, أمبرين زمان the
Al-Monitor report monitor cites). The only date used is hafryat's own (31/01/2024 = 19 Rajab 1445).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

SEEDS = Path(__file__).resolve().parent.parent / "sources"
FINAL = re.compile(r"[.!?؟…][\"”»)]*\s*$")


@dataclass
class Part:
    role: str  # headline, standfirst, subheading, body, caption, pull-quote, byline, date, footnote
    text: str


@dataclass
class Article:
    name: str
    parts: list[Part]
    author: str | None = None
    date: str | None = None  # ISO, only hafryat states one
    chrome: list[str] = field(default_factory=list)  # the seed's own non-article lines

    def role(self, role: str) -> list[str]:
        return [p.text for p in self.parts if p.role == role]

    @property
    def body(self) -> list[str]:
        return self.role("body")


def _lines(name: str) -> list[str]:
    return [" ".join(ln.split()) for ln in (SEEDS / f"{name}.txt").read_text(encoding="utf-8").splitlines()
            if ln.strip()]


def _joined(lines: list[str]) -> list[str]:
    """Hard-wrapped lines of one paragraph joined (a line ending mid-sentence goes on on the next)."""
    out: list[str] = []
    for ln in lines:
        if out and not FINAL.search(out[-1]) and len(out[-1].split()) > 6 and len(ln.split()) > 3 \
               :
            out[-1] += " " + ln
        else:
            out.append(ln)
    return out


def articles() -> dict[str, Article]:
    """The five samples split into their parts by hand-checked rules (reviewed line by line)."""
    out = {}
    h = _lines("hafryat")
    subheads = {"فحوى المفاوضات الجارية", "تحذيرات الفصائل", "حكومة بغداد تصرّح", "مخاطر أمنية"}
    captions = {"السوداني يرعى انطلاق الجولة الأولى للحوار الثنائي بين بغداد وواشنطن",
                "الناطق الرسمي للحكومة العراقية باسم العوادي", "النائب السابق مثال الألوسي"}
    end = h.index("مواضيع ذات صلة:")
    parts = [Part("headline", h[0])]
    pulls = ("باسم العوادي:", "النائب السابق مثال الألوسي:")  # the site's own pull-quotes, kept in the text
    for ln in h[4:end]:
        parts.append(Part("subheading" if ln in subheads else "caption" if ln in captions else
                          "pull-quote" if ln.startswith(pulls) else "body", ln))
    out["hafryat"] = Article("hafryat", parts, None, "2024-01-31", h[end:])
    m = _lines("monitor")
    out["monitor"] = Article("monitor", [Part("headline", m[0]), Part("standfirst", m[1])]
                             + [Part("body", x) for x in m[2:]])
    p = _lines("phases")
    out["phases"] = Article("phases", [Part("headline", p[0]), Part("standfirst", p[1])]
                            + [Part("subheading" if x in ("كسر المراحل", "الخروج من سورية") else "body", x)
                               for x in p[2:]])
    s = _lines("hassan")
    out["hassan"] = Article("hassan", [Part("headline", s[1])] + [Part("body", x) for x in s[3:-1]],
                            "أحمد حسان", None, [s[0], s[-1]])
    e = _lines("elaph")
    heads = {"تعاون أمني", "حوار استراتيجي", "انسحابٌ وشيك", "2500 عسكري اميركي"}
    parts = []
    buf: list[str] = []
    for ln in e[3:] + ["تعاون أمني"]:
        if ln in heads:
            parts += [Part("body", x) for x in _joined(buf)]
            buf = []
            if len(parts) < len(e):
                parts.append(Part("subheading", ln))
        else:
            buf.append(ln)
    parts.pop()  # the sentinel
    out["elaph"] = Article("elaph", parts, None, None, e[:3])
    return out


# ---------------------------------------------------------------- pages: five site themes
e = html.escape
COOKIE = "نستخدم ملفات تعريف الارتباط لتحسين تجربتك على موقعنا. بمتابعة التصفح فإنك توافق على سياسة الخصوصية"
NEWSLETTER = "اشترك في نشرتنا البريدية ليصلك أهم ما ننشره كل صباح"
COMMENTS = ["أضف تعليقاً", "لا توجد تعليقات حتى الآن، كن أول من يعلّق على هذا الموضوع"]
NAV = ["الرئيسية", "سياسة", "اقتصاد", "تقارير", "آراء", "ثقافة", "اتصل بنا"]
HASSAN_TITLE = "هل تنجح المفاوضات الأمريكية العراقية فى انسحاب قوات التحالف الدولي ؟"
ZAMAN_STORY = "مراجعة أولية لاستراتيجية الخروج المحتملة من سوريا"
ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def _nav() -> str:
    return "<nav class='main-menu'><ul>" + "".join(f"<li><a href='/c/{i}'>{e(n)}</a></li>"
                                                    for i, n in enumerate(NAV)) + "</ul></nav>"


def _jsonld(**data) -> str:
    data = {"@context": "https://schema.org", "@type": "NewsArticle", **{k: v for k, v in data.items() if v}}
    return f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'


def _doc(head: str, body: str, lang: str = "ar") -> str:
    return (f'<!DOCTYPE html>\n<html lang="{lang}" dir="rtl"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width">{head}</head><body>{body}</body></html>')


def theme_wordpress(a: Article, date_words: str | None) -> str:
    """A WordPress news theme: sticky header with ticker, h1, the date in Arabic words, figures with
    captions, h2 subheadings, a sidebar of most-read posts with their bylines (rel=author), related posts,
    a comment form, a cookie banner and a newsletter box."""
    head = f"<title>{e(a.role('headline')[0])} - حفريات</title>" + _jsonld(headline=a.role("headline")[0])
    body = ["<div id='cookie-notice' class='cookie-bar'><p>" + e(COOKIE) + "</p><button>موافق</button></div>",
            "<header class='site-header'><div class='logo'><a href='/'>حفريات</a></div>", _nav(),
            "<div class='breaking'><span class='label'>عاجل</span><ul class='ticker'>"
            f"<li><a href='/p/1'>{e(HASSAN_TITLE)}</a></li></ul></div></header>",
            "<div class='container'><main id='main'><article class='post type-post'>",
            "<header class='entry-header'>", f"<h1 class='entry-title'>{e(a.role('headline')[0])}</h1>"]
    if date_words:
        body.append(f"<div class='entry-meta'><span class='posted-on'>{e(date_words)}</span></div>")
    body.append("</header><div class='entry-content'>")
    for p in a.parts[1:]:
        if p.role == "subheading":
            body.append(f"<h2>{e(p.text)}</h2>")
        elif p.role == "caption":
            body.append("<figure class='wp-block-image'><img src='/img/x.jpg' alt='' loading='lazy'>"
                        f"<figcaption>{e(p.text)}</figcaption></figure>")
        elif p.role == "pull-quote":
            body.append(f"<blockquote class='wp-block-pullquote'><p>{e(p.text)}</p></blockquote>")
        else:
            body.append(f"<p>{e(p.text)}</p>")
    body.append("</div><footer class='entry-footer'><div class='share'>شارك: <a>فيسبوك</a> <a>تويتر</a></div>"
                "</footer></article>")
    body.append("<section class='related-posts'><h3>" + e(a.chrome[0]) + "</h3><ul>"
                + "".join(f"<li><a href='/r/{i}'>{e(t)}</a></li>" for i, t in enumerate(a.chrome[1:4]))
                + "</ul></section>")
    body.append("<div id='comments'><h3>" + e(COMMENTS[0]) + "</h3><p class='no-comments'>" + e(COMMENTS[1])
                + "</p><form><textarea></textarea></form></div></main>")
    body.append("<aside id='secondary' class='sidebar'><section class='widget most-read'><h3>الأكثر قراءة</h3>"
                f"<article><h4><a href='/p/1'>{e(HASSAN_TITLE)}</a></h4><span class='byline'>بقلم "
                "<a rel='author' href='/author/ahmed-hassan' class='author'>أحمد حسان</a></span></article>"
                "</section><section class='widget newsletter'><h3>النشرة البريدية</h3><p>" + e(NEWSLETTER)
                + "</p><form><input type='email'><button>اشترك</button></form></section></aside></div>")
    body.append("<footer class='site-footer'><p>" + e(a.chrome[4]) + " " + e(a.chrome[5]) + "</p><p>"
                + e(a.chrome[6]) + "</p></footer>")
    return _doc(head, "".join(body))


def theme_lazy(a: Article) -> str:
    """A portal that lazy-loads the second half of the article: it sits in <noscript> under a loader;
    h1 headline, h2 standfirst, a pull-quote aside, related stories with their bylines."""
    head = (f"<title>{e(a.role('headline')[0])} | المونيتور</title><meta property='og:site_name' "
            "content='المونيتور'>" + _jsonld(headline=a.role("headline")[0], publisher={"@type": "Organization",
                                                                                          "name": "المونيتور"}))
    body = ["<header>", _nav(), "</header><div class='layout'><div class='article-wrap'><article>",
            f"<h1 class='headline'>{e(a.role('headline')[0])}</h1>",
            f"<h2 class='standfirst'>{e(a.role('standfirst')[0])}</h2>", "<div class='article-body'>"]
    text = a.body
    half = len(text) // 2
    for i, t in enumerate(text[:half]):
        body.append(f"<p>{e(t)}</p>")
        if i == 2:
            body.append(f"<aside class='pull-quote'><blockquote><p>{e(PULL['monitor'])}</p></blockquote></aside>")
    body.append("<div class='lazy-rest' data-src='/api/rest'><span class='spinner'>جارٍ التحميل…</span></div>"
                "<noscript>" + "".join(f"<p>{e(t)}</p>" for t in text[half:]) + "</noscript>")
    body.append("</div></article><section class='related'><h3>قصص ذات صلة</h3><div class='card'>"
                f"<h4><a href='/r/1'>{e(ZAMAN_STORY)}</a></h4><p class='byline'>بقلم أمبرين زمان</p></div>"
                "</section></div><aside class='rail'><div class='newsletter'><p>" + e(NEWSLETTER)
                + "</p></div></aside></div><footer><p>© المونيتور</p></footer>")
    return _doc(head, "".join(body))


def theme_magazine(a: Article) -> str:
    """A magazine theme: kicker, h1, h2 standfirst, h3 subheadings, a pull-quote blockquote, a 'writers'
    sidebar with a byline, a newsletter box and a ticker in the footer."""
    head = f"<title>{e(a.role('headline')[0])}</title>" + _jsonld(headline=a.role("headline")[0])
    body = ["<div class='topbar'><span>عاجل:</span> <marquee>" + e(HASSAN_TITLE) + "</marquee></div>",
            "<header class='masthead'>", _nav(), "</header><main class='story'>",
            "<div class='story-head'><span class='kicker'>تقارير</span>",
            f"<h1>{e(a.role('headline')[0])}</h1><h2 class='dek'>{e(a.role('standfirst')[0])}</h2></div>",
            "<div class='story-body'>"]
    n = 0
    for p in a.parts[2:]:
        if p.role == "subheading":
            body.append(f"<h3>{e(p.text)}</h3>")
        else:
            body.append(f"<p>{e(p.text)}</p>")
            n += 1
            if n == 4:
                body.append(f"<blockquote class='pullquote'>{e(PULL['phases'])}</blockquote>")
    body.append("</div></main><aside class='writers'><h3>كتّاب</h3><div class='writer'>"
                "<span class='name'>أحمد حسان</span><a href='/p/1'>" + e(HASSAN_TITLE) + "</a></div></aside>"
                "<div class='newsletter-box'><h4>النشرة</h4><p>" + e(NEWSLETTER) + "</p></div>"
                "<div class='cookie-consent'>" + e(COOKIE) + "</div>")
    return _doc(head, "".join(body))


def theme_agency(a: Article) -> str:
    """A news-agency theme: the byline in the article header (rel=author), the author in JSON-LD, a ticker,
    a back-to-top button, related stories with bylines and a comments box."""
    title = a.role("headline")[0]
    head = (f"<title>{e(title)}</title><meta name='author' content='أحمد حسان'>"
            + _jsonld(headline=title, author={"@type": "Person", "name": "أحمد حسان"}))
    body = ["<header><div class='brand'>حول الخليج</div><div class='ticker'><b>عاجل</b></div>", _nav(),
            "</header><div class='content'><article class='single'><header class='article-header'>",
            f"<h1 class='title'>{e(title)}</h1><p class='author-line'>تحليل : "
            "<a rel='author' href='/writer/ahmed-hassan'>أحمد حسان</a></p></header><div class='text'>"]
    body += [f"<p>{e(t)}</p>" for t in a.body]
    body.append("</div></article><section class='related'><h3>اقرأ أيضاً</h3><ul><li><a href='/m'>"
                "الولايات المتحدة والعراق يبدأان محادثات بشأن الإنهاء المحتمل لوجود التحالف</a> "
                "<span class='by'>بقلم أمبرين زمان</span></li></ul></section>"
                "<div class='comments'><h3>" + e(COMMENTS[0]) + "</h3></div></div>"
                "<a class='back-top' href='#'>" + e(a.chrome[1]) + "</a>"
                "<div class='gdpr'>" + e(COOKIE) + "</div>")
    return _doc(head, "".join(body))


def theme_portal(a: Article) -> str:
    """An older portal: a table layout, the article as one cell of <br>-separated lines, bold subheadings,
    the site's Telegram banner, a most-read box with bylines."""
    head = "<title>إيلاف</title><meta property='og:site_name' content='إيلاف'>"
    rows = []
    for p in a.parts:
        rows.append(f"<b>{e(p.text)}</b>" if p.role == "subheading" else e(p.text))
    body = ["<table width='100%'><tr><td colspan='2'>", _nav(), "</td></tr><tr><td class='main'>",
            "<div class='telegram'>" + "<br>".join(e(x) for x in a.chrome) + "</div>",
            "<div id='article-text'>" + "<br><br>".join(rows) + "</div></td>",
            "<td class='side' width='25%'><div class='box'><h3>الأكثر قراءة</h3><p><a href='/x'>"
            + e(HASSAN_TITLE) + "</a><br><span class='author'>أحمد حسان</span></p></div>"
            "<div class='box'>" + e(NEWSLETTER) + "</div></td></tr></table>"]
    return _doc(head, "".join(body))


def theme_amp(a: Article) -> str:
    """An AMP version: <amp-img> figures, an <amp-ad> slot, a share bar, the standfirst as a lead paragraph."""
    title = a.role("headline")[0]
    head = (f"<title>{e(title)}</title><link rel='canonical' href='https://example.org/news/monitor'>"
            "<script async src='https://cdn.ampproject.org/v0.js'></script>")
    body = ["<header class='amp-header'><a href='/'>المونيتور</a></header><article class='amp-article'>",
            f"<h1>{e(title)}</h1><p class='lead'>{e(a.role('standfirst')[0])}</p>",
            "<amp-social-share type='twitter'></amp-social-share><div class='amp-body'>"]
    for i, t in enumerate(a.body):
        body.append(f"<p>{e(t)}</p>")
        if i == 3:
            body.append("<amp-ad width='300' height='250' type='doubleclick'><div placeholder>إعلان</div></amp-ad>")
    body.append("</div></article><footer class='amp-footer'><p>" + e(NEWSLETTER) + "</p></footer>")
    return _doc(head, "".join(body)).replace("<html ", "<html ⚡ ", 1)


PULL = {"monitor": "قريبتان من الاتفاق",  # filled below from the articles' own sentences
        "phases": ""}


def _pull_quotes(arts: dict[str, Article]) -> None:
    PULL["monitor"] = "لم يتم اتخاذ أي قرار بسحب القوات الأمريكية من العراق"
    PULL["phases"] = next(t for t in arts["phases"].body if "نجري مناقشات منذ أشهر" in t).split("«")[1].split("»")[0]


LEVANTINE_DATE = "الأربعاء ٣١ كانون الثاني ٢٠٢٤"
HIJRI_DATE = "الأربعاء ١٩ رجب ١٤٤٥ هـ"


def pages() -> tuple[dict[str, tuple[str, Article, dict]], list[str]]:
    """name -> (html, article, truth: author/date/pull-quotes), and chrome lines the themes add."""
    arts = articles()
    _pull_quotes(arts)
    chrome_common = [COOKIE, NEWSLETTER, *COMMENTS, *NAV, "الأكثر قراءة", "عاجل", "أحمد حسان", "بقلم أمبرين زمان"]
    return {
        "wordpress-hafryat": (theme_wordpress(arts["hafryat"], LEVANTINE_DATE), arts["hafryat"],
                              {"author": None, "date": "2024-01-31", "pull": []}),
        "lazy-monitor": (theme_lazy(arts["monitor"]), arts["monitor"],
                         {"author": None, "date": None, "pull": [PULL["monitor"]]}),
        "magazine-phases": (theme_magazine(arts["phases"]), arts["phases"],
                            {"author": None, "date": None, "pull": [PULL["phases"]]}),
        "agency-hassan": (theme_agency(arts["hassan"]), arts["hassan"],
                          {"author": "أحمد حسان", "date": None, "pull": []}),
        "portal-elaph": (theme_portal(arts["elaph"]), arts["elaph"], {"author": None, "date": None, "pull": []}),
        "wordpress-hafryat-hijri": (theme_wordpress(arts["hafryat"], HIJRI_DATE), arts["hafryat"],
                                    {"author": None, "date": "2024-01-31", "pull": []}),
        "amp-monitor": (theme_amp(arts["monitor"]), arts["monitor"], {"author": None, "date": None, "pull": []}),
    }, chrome_common
