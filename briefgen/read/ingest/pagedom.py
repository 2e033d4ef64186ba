"""Ingest stage, web pages: the article's own blocks in a page's DOM, each with its role.

The article container is the element holding most paragraph text (links and chrome discounted);
inside it, paragraphs (<p>, or lines between <br>s), subheadings, figure captions and pull-quotes
are kept in page order, and the headline (<h1>) and standfirst (the heading or lead under it) are
taken from the article's head. Chrome (navigation, share bars, related stories, comments, sidebars,
newsletter boxes, cookie banners, tickers) is left out by its markup. The byline is read from the
article's own head and the page's metadata only, never from a sidebar or a related story.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

CHROME = re.compile(r"(^|[\s_-])(nav|menu|share|sharing|social|related|recommend|more-stories|read-also|comment|"
                    r"respond|newsletter|subscribe|signup|cookie|consent|gdpr|sidebar|widget|rail|aside|ticker|"
                    r"breaking|marquee|footer|advert|ads?|promo|sponsor|tags?|breadcrumbs?|pagination|most-read|"
                    r"popular|trending|writers?|telegram|whatsapp|back-?top|topbar|masthead|site-header|logo|"
                    r"author-box|entry-footer|spinner|loader|lazy-?load(er)?|modal|popup)($|[\s_-])", re.I)
CHROME_TAGS = {"nav", "footer", "form", "button", "select", "textarea", "input", "iframe", "svg", "menu", "marquee",
               "amp-ad", "amp-embed", "amp-sticky-ad", "amp-social-share", "amp-sidebar", "amp-consent"}  # AMP pages
DROP_TAGS = ("script", "style", "template", "object", "embed", "canvas")
STANDFIRST = re.compile(r"(^|[\s_-])(standfirst|dek|excerpt|lead|summary|subtitle|sub-?title|strapline|"
                        r"intro|deck)($|[\s_-])", re.I)
PULL = re.compile(r"pull-?quote|pullquote|blockquote-?pull|quote-?box|highlight", re.I)
BYLINE = re.compile(r"(^|[\s_-])(byline|author|writer|by)($|[\s_-])", re.I)
BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "figcaption", "div", "section", "article",
          "header", "aside", "figure", "main", "td", "dd", "table", "tr", "tbody", "ul", "ol", "dl", "address",
          "pre", "noscript", "center"}
_BY = re.compile(r"^\s*(?:بقلم|كتب|كتبت|تحليل|تقرير|إعداد|اعداد|by)\s*[:：]?\s*", re.I)


@dataclass
class Block:
    role: str  # headline, standfirst, subheading, body, caption, pull-quote
    text: str
    noscript: bool = False


@dataclass
class PageArticle:
    blocks: list[Block]
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (text, rule)
    author: str | None = None
    head_text: str = ""  # the text between the headline and the first paragraph (dates are read there)


def _cls(el) -> str:
    return f"{el.get('class', '')} {el.get('id', '')} {el.get('role', '')}"


def _text(el) -> str:
    """An element's words: inline markup joins its text, blocks and line breaks separate it."""
    def walk(e, out: list[str]) -> None:
        if not isinstance(e.tag, str):
            return
        block = e.tag in BLOCKS or e.tag in ("br", "li", "td")
        if block:
            out.append(" ")
        out.append(e.text or "")
        for c in e:
            walk(c, out)
            out.append(c.tail or "")
        if block:
            out.append(" ")

    parts: list[str] = []
    walk(el, parts)
    return " ".join("".join(parts).split())


def _is_chrome(el) -> bool:
    return el.tag in CHROME_TAGS or bool(CHROME.search(_cls(el))) or el.get("aria-hidden") == "true"


def _chrome_ancestor(el, stop=None) -> bool:
    while el is not None and el is not stop:
        if isinstance(el.tag, str) and _is_chrome(el):
            return True
        el = el.getparent()
    return False


def parse(html: str):
    import lxml.html

    root = lxml.html.document_fromstring(html)
    jsonld = [s.text or "" for s in root.iter("script") if "ld+json" in (s.get("type") or "")]
    for bad in list(root.iter(*DROP_TAGS)):
        bad.drop_tree()
    for ns in list(root.iter("noscript")):  # lazy-loading pages keep the rest of the article here
        inner = "".join(ns.itertext()) if len(ns) == 0 else None
        if inner and "<" in inner:
            frag = lxml.html.fragment_fromstring(inner, create_parent="div")
            frag.set("data-noscript", "1")
            ns.addnext(frag)
            ns.drop_tree()
        else:
            ns.tag = "div"
            ns.set("data-noscript", "1")
    return root, jsonld


def _paragraph_score(el) -> float:
    text = _text(el)
    links = sum(len(_text(a)) for a in el.iter("a"))
    return max(0.0, len(text) - 2 * links)


def _container(root):
    """The element holding most paragraph text, not inside chrome."""
    scores: dict = {}
    for el in root.iter("p", "br"):
        if _chrome_ancestor(el):
            continue
        if el.tag == "p":
            holder, score = el.getparent(), _paragraph_score(el)
        else:
            holder = el.getparent()
            score = len((el.tail or "").strip())
        for depth, anc in enumerate((holder, holder.getparent() if holder is not None else None)):
            if anc is not None:
                scores[anc] = scores.get(anc, 0.0) + score / (1 + depth)
    if not scores:
        return None
    best = max(scores, key=scores.get)
    # an article cut in two blocks (an ad between, a lazy-loaded half): climb to the block holding both
    for _ in range(3):
        parent = best.getparent()
        if parent is None or parent.tag in ("body", "html") or _total(parent) < 1.25 * max(_total(best), 1.0):
            break
        best = parent
    return best


def _total(el) -> float:
    """The paragraph text (links discounted) an element holds outside chrome."""
    return sum(_paragraph_score(p) if p.tag == "p" else len((p.tail or "").strip())
               for p in el.iter("p", "br") if not _chrome_ancestor(p, el))


def _lines_by_br(el) -> list[tuple[str, str]]:
    """An element whose text is broken into lines by <br>: (role, text) per line; a line all in <b>/<strong>
    is a subheading."""
    out: list[tuple[str, str]] = []
    cur: list[str] = []
    bold = [True]

    def flush():
        text = " ".join("".join(cur).split())
        if text:
            out.append(("subheading" if bold[0] and len(text.split()) <= 12 else "body", text))
        cur.clear()
        bold[0] = True

    if el.text and el.text.strip():
        cur.append(el.text)
        bold[0] = False
    for child in el:
        if child.tag == "br":
            flush()
        elif child.tag in BLOCKS:
            flush()
            t = _text(child)
            if t:
                out.append(("body", t))
        else:
            t = "".join(child.itertext())
            if t.strip():
                cur.append(t)
                if child.tag not in ("b", "strong"):
                    bold[0] = False
        if child.tail and child.tail.strip():
            cur.append(child.tail)
            bold[0] = False
        elif child.tail:
            cur.append(child.tail)
    flush()
    return out


def _walk(el, out: list[Block], dropped: list[tuple[str, str]], noscript=False) -> None:
    noscript = noscript or el.get("data-noscript") == "1"
    if el.tag in CHROME_TAGS or (el.tag != "article" and _is_chrome(el)) or BYLINE.search(_cls(el)):
        t = _text(el)
        if t and BYLINE.search(_cls(el)) and not _is_chrome(el):
            dropped.append((t, "byline"))
        return  # other chrome is listed block by block (page._left_out)
    tag = el.tag
    if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
        t = _text(el)
        if t:
            out.append(Block("headline" if tag == "h1" else "subheading", t, noscript))
        return
    if tag == "figcaption":
        t = _text(el)
        if t:
            out.append(Block("caption", t, noscript))
        return
    if tag == "figure":
        for c in el:
            if isinstance(c.tag, str):
                _walk(c, out, dropped, noscript)
        return
    if tag in ("blockquote", "aside") and PULL.search(_cls(el) + " " + " ".join(_cls(a) for a in el.iterancestors())):
        t = _text(el)
        if t:
            out.append(Block("pull-quote", t, noscript))
        return
    if tag == "aside" and PULL.search(" ".join(_cls(c) for c in el.iter())):
        t = _text(el)
        if t:
            out.append(Block("pull-quote", t, noscript))
        return
    has_blocks = any(isinstance(c.tag, str) and c.tag in BLOCKS for c in el)
    has_br = any(c.tag == "br" for c in el)
    if tag in ("p", "li", "dd", "td") and not has_blocks:
        if has_br and tag != "p":
            for role, t in _lines_by_br(el):
                out.append(Block(role, t, noscript))
            return
        t = _text(el)
        if t:
            out.append(Block("lead" if STANDFIRST.search(_cls(el)) else "body", t, noscript))
        return
    if has_br or (el.text and el.text.strip() and not has_blocks):
        for role, t in _lines_by_br(el):
            out.append(Block(role, t, noscript))
        return
    if el.text and el.text.strip():
        out.append(Block("body", " ".join(el.text.split()), noscript))
    for c in el:
        if not isinstance(c.tag, str):
            continue
        _walk(c, out, dropped, noscript)
        if c.tail and c.tail.strip() and c.tag not in ("br",):
            out.append(Block("body", " ".join(c.tail.split()), noscript))


def _head(root, container):
    """The article's head: the <h1> nearest before (or at the top of) the container, with what stands
    between it and the container (standfirst, byline, date)."""
    h1s = [h for h in root.iter("h1") if not _chrome_ancestor(h)]
    if not h1s:
        return None
    inside = [h for h in h1s if container is not None and container in list(h.iterancestors())]
    return (inside or h1s)[0]


def extract(html: str) -> PageArticle | None:
    from lxml.etree import ParserError

    try:
        root, jsonld = parse(html)
    except ParserError:  # an empty page, or one of comments only: no article in its markup
        return None
    body = root.find("body")
    if body is None:
        return None
    container = _container(body)
    if container is None:
        return None
    # grow the container to the article that holds it (its head: h1, standfirst, figures)
    art = next((a for a in [container, *container.iterancestors()] if a.tag == "article"), None)
    scope = art if art is not None else container
    h1 = _head(root, scope)
    blocks: list[Block] = []
    dropped: list[tuple[str, str]] = []
    head_parts: list[str] = []
    if h1 is not None and scope not in list(h1.iterancestors()):
        # the headline stands before the container: take it, and the head between them
        blocks.append(Block("headline", _text(h1)))
        for el in _between(h1, scope):
            t = _text(el)
            if not t:
                continue
            if el.tag in ("h2", "h3") or STANDFIRST.search(_cls(el)):
                blocks.append(Block("standfirst", t))
            elif BYLINE.search(_cls(el)):
                dropped.append((t, "byline"))
                head_parts.append(t)
            else:
                head_parts.append(t)
                dropped.append((t, "article-head"))
    inner: list[Block] = []
    _walk(scope, inner, dropped)
    # in the article's head (before its first paragraph): an h2 or a lead paragraph after the h1 is the standfirst
    seen_h1 = any(b.role == "headline" for b in blocks)
    first_body = next((i for i, b in enumerate(inner) if b.role == "body" and len(b.text.split()) > 12), len(inner))
    for i, b in enumerate(inner):
        if b.role == "lead":  # a lead-classed paragraph right under the headline is the standfirst, else text
            b.role = "standfirst" if seen_h1 and not any(x.role in ("standfirst", "body") for x in inner[:i]) \
                else "body"
        elif b.role == "headline":
            if seen_h1:
                b.role = "subheading"
            seen_h1 = True
        elif i < first_body and seen_h1 and b.role == "subheading" and \
                not any(x.role in ("standfirst", "body") for x in inner[:i]):
            b.role = "standfirst"
        elif i < first_body and b.role == "body" and len(b.text.split()) <= 12:
            head_parts.append(b.text)
            b.role = "article-head"
    for b in inner:
        if b.role == "article-head":
            dropped.append((b.text, "article-head"))
    blocks += [b for b in inner if b.role != "article-head"]
    # pull-quotes: a block repeating words of a longer one
    norms = [" ".join(b.text.split()) for b in blocks]
    for i, b in enumerate(blocks):
        if b.role in ("body", "pull-quote") and len(norms[i].split()) >= 3 and any(
                j != i and blocks[j].role == "body" and len(n) > len(norms[i]) and norms[i] in n
                for j, n in enumerate(norms)):
            b.role = "pull-quote"
    return PageArticle(blocks, dropped, _author(root, scope, h1, jsonld), " \n ".join(head_parts))


def _between(a, b):
    """Elements after a and before b in document order, not containing either (the innermost blocks)."""
    out = []
    started = False
    for el in a.getroottree().getroot().iter():
        if el is a:
            started = True
            continue
        if el is b:
            break
        if started and isinstance(el.tag, str) and el.tag in BLOCKS | {"span", "time", "a"} \
                and a not in list(el.iterancestors()) and not any(
                isinstance(c.tag, str) and c.tag in BLOCKS for c in el) and not _chrome_ancestor(el):
            if not any(x in list(el.iterancestors()) for x in out):
                out.append(el)
    return out


def _author(root, scope, h1, jsonld: list[str]) -> str | None:
    """The article's author: JSON-LD (the article object's author), <meta name=author>, or a rel=author /
    byline in the article's head; never a byline in chrome (sidebars, related stories)."""
    for raw in jsonld:
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        for obj in (data if isinstance(data, list) else data.get("@graph", [data]) if isinstance(data, dict) else []):
            if not isinstance(obj, dict) or "Article" not in str(obj.get("@type", "")):
                continue
            author = obj.get("author")
            names = [a.get("name") if isinstance(a, dict) else a
                     for a in (author if isinstance(author, list) else [author])]
            names = [n.strip() for n in names if isinstance(n, str) and n.strip()]
            if names:
                return "، ".join(names)
    for m in root.iter("meta"):
        if (m.get("name") or "").lower() == "author" and (m.get("content") or "").strip():
            return m.get("content").strip()
    head = h1.getparent() if h1 is not None else scope
    for where in (head, scope):
        if where is None:
            continue
        for el in where.iter():
            if not isinstance(el.tag, str) or _chrome_ancestor(el, None):
                continue
            if el.get("rel") == "author" or (BYLINE.search(_cls(el)) and el.tag != "article"):
                name = _BY.sub("", _text(el)).strip()
                if name and len(name.split()) <= 5:
                    return name
    return None
