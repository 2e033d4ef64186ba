"""Ingest stage, web pages: a saved or fetched HTML page -> the article's paragraphs and the page's metadata.

trafilatura finds the main text (dropping navigation, share bars, related lists, footers) and
reads the metadata the page states (JSON-LD, Open Graph, <meta>, <title>); dates come from its
bundled htmldate with the extensive search off, so a copyright year or today's date is never
taken for the publication date.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
import unicodedata

from ...errors import InputError
from .extracted import Extracted
from .worddates import word_dates

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_SAVED_FROM = re.compile(rb"<!--\s*saved from url=\(\d+\)\s*(https?://[^\s>]+?)\s*-->", re.IGNORECASE)
_JSON_LD = re.compile(r"<script[^>]+application/ld\+json[^>]*>(.*?)</script>", re.IGNORECASE | re.DOTALL)
_BIDI_MARKS = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
MIN_WORDS = 10  # fewer words than this is a menu or a log-in page, not an article
_BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "figcaption", "td", "th", "dd", "dt",
           "div", "section", "article", "header", "footer", "nav", "aside", "address")


def decode_html(raw: bytes, declared: str | None = None, name: str = "page") -> str:
    """Bytes of a page as text: BOM, then the HTTP charset, then <meta charset>, then UTF-8, then Windows-1256."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                       (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            return raw.decode(codec)
    meta = _META_CHARSET.search(raw[:8192])
    for label in (declared, meta.group(1).decode("ascii") if meta else None):
        if not label:
            continue
        codec = _codec(label)
        if codec in ("cp1252", "iso8859-1") and not raw.isascii() and _arabic_bytes(raw) is not None:
            return _arabic_bytes(raw)  # a server's Western default on an Arabic page: the bytes say otherwise
        if codec:
            try:
                return raw.decode(codec)
            except UnicodeDecodeError:
                break  # the declaration is wrong: fall back to detection
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = raw.decode("cp1256", errors="replace")
    if re.search("[\u0621-\u064a]", text) and text.count("\ufffd") == 0:
        return text
    raise InputError(f"cannot decode {name}: it declares no usable charset and is neither UTF-8 nor Windows-1256",
                     code="page-encoding", file=name, hint="save the page again from the browser as UTF-8")


def _arabic_bytes(raw: bytes) -> str | None:
    """The page as UTF-8 or Windows-1256 text when its bytes are Arabic in one of them, else None."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = raw.decode("cp1256", errors="replace")
    high = [c for c in text if ord(c) > 127]
    return text if high and sum(1 for c in high if "\u0600" <= c <= "\u06ff") >= 0.8 * len(high) else None


def _codec(label: str) -> str | None:
    label = label.strip().lower()
    # WHATWG: pages labelled iso-8859-1/latin1/ascii are decoded as windows-1252; 1256 is Arabic
    label = {"iso-8859-1": "cp1252", "latin1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252",
             "windows-1256": "cp1256", "iso-8859-6": "iso8859_6"}.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def extract_page(raw: bytes, name: str, *, url: str | None = None, charset: str | None = None) -> Extracted:
    """The article in a page: paragraphs one per block, and the metadata the page states."""
    import trafilatura

    html = decode_html(raw, charset, name)
    saved = _SAVED_FROM.search(raw[:2048])
    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                      include_tables=False, favor_precision=True,
                                      date_extraction_params={"extensive_search": True, "original_date": True})
    article = _article(html, doc)
    blocks = [(role, _BIDI_MARKS.sub("", text).strip()) for role, text in article[0]]
    blocks = [(role, text) for role, text in blocks if text]  # the page's direction marks are layout, not words
    paragraphs = [text for _, text in blocks]
    if sum(len(t.split()) for r, t in blocks if r in ("body", "noscript")) < MIN_WORDS:
        raise InputError(f"{name}: no article text found in the page", code="page-empty", file=name,
                         hint="save the article's own page (not a front page or a log-in page), or copy its "
                              "text into a .txt file")
    meta: dict[str, str] = {}
    if doc is not None:
        sitename = doc.sitename if doc.sitename and doc.sitename.lower().removeprefix("www.") != (
            doc.hostname or "").lower().removeprefix("www.") else None  # a host name is not a stated site name
        if sitename and doc.title and " ".join(sitename.split()) == " ".join(doc.title.split()):
            sitename = _site_from_title(html, doc.title)  # "Headline - Site" read the wrong way round
        for key, value in (("title", doc.title), ("publisher", sitename), ("author", article[2]),
                           ("lang", doc.language), ("url", doc.url)):
            if value and value.strip():
                meta[key] = unicodedata.normalize("NFC", value.strip())
        date = _date(html, doc.date, meta.get("title"), paragraphs) or next(iter(word_dates(article[3])), None)
        if date:
            meta["date"] = date
    if "url" not in meta and saved:
        meta["url"] = saved.group(1).decode("ascii")
    if "lang" not in meta and (m := re.search(r"<html[^>]*\blang\s*=\s*[\"']?([A-Za-z\-]+)", html, re.I)):
        meta["lang"] = m.group(1).split("-")[0].lower()
    if meta.get("url") == url and url is not None and not _states_url(html, url):
        del meta["url"]  # only the address it was fetched from: the caller records that itself
    roles, line = {}, 1
    for role, _ in blocks:
        if role != "body":
            roles[line] = role
        line += 2
    kept = paragraphs
    return Extracted(text="\n\n".join(paragraphs) + "\n", meta=meta, kind="html", suffix=".html",
                     dropped=article[1] + _left_out(html, kept + [x for x, _ in article[1]]), roles=roles)


def _article(html: str, doc) -> tuple[list[tuple[str, str]], list[tuple[str, str]], str | None, str]:
    """The article's blocks (role, text), what its markup left out, its author and the text of its head.

    The page's own structure first (pagedom.py); a page it finds no article in goes to trafilatura's
    main-text search, its paragraphs all body text, its author unknown (it may be a sidebar's)."""
    from . import pagedom

    found = pagedom.extract(html)
    if found is not None and sum(len(b.text.split()) for b in found.blocks if b.role == "body") >= MIN_WORDS:
        blocks = [("noscript" if b.noscript and b.role == "body" else b.role, b.text) for b in found.blocks]
        head = found.head_text + "\n" + "\n".join(b.text for b in found.blocks[:4])
        return blocks, found.dropped, found.author, head
    text = (doc.text if doc is not None else "") or ""
    paragraphs = [p.strip() for p in text.split("\n") if p.strip()]
    paragraphs, repeated = _drop_pull_quotes(paragraphs)
    return [("body", p) for p in paragraphs], repeated, None, "\n".join(paragraphs[:3])


def _drop_pull_quotes(paragraphs: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """A pull-quote repeats words of the article in a box: a block found whole inside a longer one is dropped."""
    norms = [" ".join(p.split()) for p in paragraphs]
    kept, dropped = [], []
    for i, p in enumerate(paragraphs):
        if len(norms[i].split()) >= 4 and any(j != i and len(n) > len(norms[i]) and norms[i] in n
                                              for j, n in enumerate(norms)):
            dropped.append((p, "pull-quote"))
        else:
            kept.append(p)
    return kept, dropped


def _site_from_title(html: str, title: str) -> str | None:
    """The site name in a <title> of the form "Headline - Site" (or "Site | Headline")."""
    m = re.search(r"<title[^>]*>(.*?)</title>", html, re.IGNORECASE | re.DOTALL)
    if not m:
        return None
    import html as html_lib

    parts = [p.strip() for p in re.split(r"\s+[-|–—:]\s+", html_lib.unescape(" ".join(m.group(1).split())))]
    rest = [p for p in parts if p and " ".join(p.split()) != " ".join(title.split())]
    return rest[0] if len(parts) == 2 and len(rest) == 1 and len(rest[0].split()) <= 6 else None


def _date(html: str, found: str | None, title: str | None, paragraphs: list[str]) -> str | None:
    """The publication date: from the page's metadata (JSON-LD, Open Graph, <meta>, <time>), else a date
    written in the article's head (between headline and text) or its opening paragraphs; never one from a
    sidebar, a related-articles list or a footer, never a guess."""
    from htmldate import find_date

    try:
        structured = find_date(html, extensive_search=False, original_date=True)
    except Exception:  # htmldate gives up on odd markup  # noqa: BLE001
        structured = None
    split = html.lower().find("<body")
    body = html[max(split, 0):]
    lead = next((p for p in paragraphs if p != title), "")
    end = body.find(lead[:40]) if lead else -1
    start = body.find(title) if title and body.find(title) >= 0 else max(0, end - 4000)
    places = [html[:split] if split > 0 else "", "\n".join(_JSON_LD.findall(html)),
              body[start:end] if end > start else "", "\n".join(paragraphs[:3])]
    for date in (structured, found):
        if date and any(_stated_date(date, place) for place in places):
            return date
    return None


def _stated_date(date: str, html: str) -> bool:
    """A date is kept only if the page writes it somewhere (not a guess such as today's date)."""
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        return False
    forms = {day.isoformat(), f"{day.day:02d}/{day.month:02d}/{day.year}", f"{day.day}/{day.month}/{day.year}",
             f"{day.year}/{day.month:02d}/{day.day:02d}", f"{day.year}{day.month:02d}{day.day:02d}"}
    return any(f in html for f in forms)


def _states_url(html: str, url: str) -> bool:
    return url in html


def _left_out(html: str, kept: list[str]) -> list[tuple[str, str]]:
    """The page's text blocks that extraction did not keep (for `sources show --dropped`)."""
    import lxml.html

    try:
        root = lxml.html.fromstring(html)
    except Exception:  # an unparsable page: nothing to list  # noqa: BLE001
        return []
    for bad in root.xpath("//script|//style|//noscript|//template|//head"):
        bad.drop_tree()
    body = " \n ".join(_norm(k) for k in kept)
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for el in root.iter(*_BLOCKS):
        if any(child.tag in _BLOCKS for child in el.iterdescendants()):
            continue  # only innermost blocks
        text = " ".join(" ".join(el.itertext()).split())
        norm = _norm(text)
        if not norm or norm in seen or norm in body:
            continue
        seen.add(norm)
        out.append((text, "extraction"))
    return out


def _norm(text: str) -> str:
    return " ".join(text.split())
