"""briefgen preview in a real browser: Playwright driving Debian's chromium against a real server."""

from __future__ import annotations

import io

import pytest

from briefgen.arabic import normalize

from .preview_support import until

TITLE = "محادثات إنهاء مهمة التحالف الدولي في العراق"


@pytest.fixture()
def page(browser, request):
    """A fresh browser page on the test's server: `preview` (its own) if the test asks for it, else `shared`."""
    preview = request.getfixturevalue("preview" if "preview" in request.fixturenames else "shared")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)  # e.g. CSP refusals
    pg.goto(preview.url)
    pg.wait_for_selector("html[data-bg-connected]")  # the push channel is open
    yield pg
    context.close()
    if getattr(pg, "bg_allow_404", False):
        errors = [e for e in errors if "status of 404" not in e]
    assert not errors, errors


def test_page_loads_right_to_left_with_the_title(page):
    assert page.eval_on_selector("html", "e => e.dir") == "rtl"
    assert page.inner_text("#bg-brief h1.title") == TITLE
    assert page.title() == TITLE
    assert page.inner_text("#bg-counts") == "0 errors, 0 warnings"
    # Amiri came from the server and is the face the brief's text is set in
    loaded = page.evaluate("document.fonts.ready.then(fs => [...fs].filter(f => f.status === 'loaded')"
                           ".map(f => f.family.replace(/\"/g, '')))")
    assert "Amiri" in loaded
    assert page.evaluate("getComputedStyle(document.querySelector('#bg-brief p')).fontFamily").startswith("Amiri")


def test_a_citation_click_shows_the_source_paragraph_with_the_quote_highlighted(page, shared):
    page.click("#bg-brief .fn[data-n='1']")
    page.wait_for_selector("#bg-evidence mark")
    panel = page.locator("#bg-evidence")
    assert "¶7" in panel.inner_text()
    assert "C2" in panel.inner_text()
    marked = page.locator("#bg-evidence mark").all_inner_texts()
    expected = shared.http.get("/api/citation/1").json()
    assert [normalize(m) for m in marked] == [normalize(expected["quote"])]
    para = page.inner_text("#bg-evidence .bg-para")
    assert para == expected["text"] and marked[0] in para
    page.keyboard.press("Escape")
    assert page.is_hidden("#bg-evidence")


def test_saving_the_outline_updates_the_page_without_a_reload_keeping_the_scroll(page, preview):
    page.evaluate("window.__sameDocument = true")
    page.evaluate("window.scrollTo(0, 1500)")
    until(page, "window.scrollY === 1500")
    text = preview.outline.read_text(encoding="utf-8")
    preview.save(text.replace(TITLE, "عنوان جديد بعد الحفظ", 1))
    until(page, "document.querySelector('#bg-brief h1.title').textContent === 'عنوان جديد بعد الحفظ'")
    assert page.evaluate("window.__sameDocument") is True  # no reload: the same document was updated in place
    assert page.evaluate("window.scrollY") == 1500


def test_saving_a_broken_outline_shows_the_errors_and_keeps_the_last_good_brief(page, preview):
    preview.save("title: [unclosed\nsummary: - :\n")
    page.wait_for_selector("#bg-alert .bg-alert-box")
    assert "last good brief" in page.inner_text("#bg-alert")
    assert page.is_visible("#bg-diags")
    first = page.locator("#bg-diags .bg-diag").first
    assert "outline.yaml:" in first.inner_text() and "error" in first.inner_text()
    first.locator(".bg-diag-toggle").click()
    assert "title: [unclosed" in first.locator(".bg-context").inner_text()
    assert page.inner_text("#bg-brief h1.title") == TITLE
    assert preview.proc.poll() is None  # the server goes on
    text = (preview.root / "outline.yaml").read_text(encoding="utf-8")
    assert text.startswith("title: [unclosed")


def test_the_pdf_button_builds_a_valid_pdf(page, preview):
    from pypdf import PdfReader

    page.click("#bg-pdf")
    link = page.wait_for_selector("#bg-pdf-link", timeout=120_000)
    response = page.request.get(preview.url.rstrip("/") + link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.body()))
    assert len(reader.pages) >= 3
    assert (preview.root / "reports" / "outline.pdf").read_bytes() == response.body()  # the normal build's output


def test_a_foreign_host_and_a_path_outside_the_project_are_refused(page, shared):
    refused = page.request.get(shared.url + "api/state", headers={"Host": f"rebinding.example:{shared.port}"})
    assert refused.status == 403
    outside = page.goto(shared.url + "../../../../etc/passwd")
    assert outside.status == 404
    assert page.goto(shared.url + "sources/hassan.txt").status == 404
    page.bg_allow_404 = True  # the browser logs each refused page as a console error


def test_a_failed_quote_is_marked_and_its_mark_opens_the_diagnostic(page, preview):
    text = preview.outline.read_text(encoding="utf-8")
    good = "خشية إنعاش تنظيم داعش من جديد"
    assert good in text
    preview.save(text.replace(good, "خشية إنعاش تنظيم القاعدة من جديد", 1))
    page.wait_for_selector("#bg-brief .bg-failed")
    assert page.inner_text("#bg-counts").startswith("1 error")
    assert page.locator("#bg-alert .bg-alert-box").count() == 0  # the brief itself was updated: only the quote failed
    page.click("#bg-brief .bg-failed")
    focused = page.locator("#bg-diags .bg-diag.bg-focus")
    assert "quote not found in source 'hafryat'" in focused.inner_text()
    assert page.locator("#bg-diags .bg-diag.bg-focus del").count() >= 1  # the closest passage, words marked
    assert "القاعدة" in focused.locator(".bg-here").inner_text()


def test_the_docx_button_and_the_overwrite_choice(page, preview):
    page.click("#bg-docx")
    link = page.wait_for_selector("#bg-docx-link", timeout=120_000)
    docx = preview.root / "reports" / "outline.docx"
    response = page.request.get(preview.url.rstrip("/") + link.get_attribute("href"))
    assert response.status == 200 and response.body() == docx.read_bytes() and response.body()[:2] == b"PK"
    docx.write_bytes(docx.read_bytes() + b"edited in Word")  # changed since briefgen wrote it
    page.click("#bg-docx")
    page.wait_for_selector("#bg-alert .bg-alert-box .bg-again", timeout=120_000)
    assert "changed since briefgen wrote it" in page.inner_text("#bg-alert")
    assert docx.read_bytes().endswith(b"edited in Word")  # nothing was replaced
    page.click("#bg-alert .bg-again")  # the overwrite choice: the edited file is kept first
    page.wait_for_selector("#bg-docx-link", timeout=120_000)
    kept = [p for p in docx.parent.iterdir() if p.suffix == ".docx" and p != docx]
    assert len(kept) == 1 and kept[0].read_bytes().endswith(b"edited in Word")
    assert kept[0].name in page.inner_text("#bg-build-status")
    assert not docx.read_bytes().endswith(b"edited in Word")


def test_ctrl_f_goes_to_the_search_box_and_finds_words_of_the_sources(page):
    page.keyboard.press("Control+f")
    assert page.evaluate("document.activeElement.id") == "bg-search"
    page.keyboard.type("القواعد الرئيس")  # the last word as typed so far: a prefix
    page.keyboard.press("Enter")
    page.wait_for_selector("#bg-evidence .bg-hits li")
    hits = page.locator("#bg-evidence .bg-hits li")
    assert hits.count() == 1 and "monitor ¶" in hits.first.inner_text()  # a source's words, not the brief's
    assert hits.first.locator("mark").inner_text() == "القواعد الرئيسية"
