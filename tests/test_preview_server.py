"""briefgen preview, server side: real HTTP requests against a real server on 127.0.0.1."""

from __future__ import annotations

import socket
from pathlib import Path

from briefgen.arabic import normalize, words
from briefgen.preview.marks import passage

from .preview_support import Preview


def raw_get(port: int, target: str, host: str | None = None) -> int:
    """The status of a GET sent byte for byte (no client normalising the path)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(f"GET {target} HTTP/1.1\r\nHost: {host or f'127.0.0.1:{port}'}\r\nConnection: close\r\n\r\n"
                  .encode("latin-1"))
        head = s.recv(4096).decode("latin-1")
    return int(head.split()[1])


def test_serves_the_brief_right_to_left_with_fonts_from_the_server(shared):
    page = shared.http.get("/")
    assert page.status_code == 200
    assert '<html lang="ar" dir="rtl">' in page.text
    assert "<title>محادثات إنهاء مهمة التحالف الدولي في العراق</title>" in page.text
    assert "file://" not in page.text  # the browser gets the fonts from the server, not the disk
    font = shared.http.get("/fonts/Amiri-Regular.ttf")
    assert font.status_code == 200 and len(font.content) > 100_000
    assert shared.http.get("/_preview/preview.js").status_code == 200
    state = shared.state()
    assert state["ok"] and state["errors"] == 0 and state["has_render"]


def test_refuses_a_foreign_host_header(shared):
    assert shared.http.get("/", headers={"Host": "evil.example"}).status_code == 403
    assert shared.http.get("/", headers={"Host": f"evil.example:{shared.port}"}).status_code == 403
    assert shared.http.get("/", headers={"Host": f"127.0.0.1:{shared.port + 1}"}).status_code == 403
    assert raw_get(shared.port, "/api/state", host=f"attacker.test:{shared.port}") == 403
    assert shared.http.get("/", headers={"Host": f"localhost:{shared.port}"}).status_code == 200


def test_refuses_push_and_pdf_requests_from_another_origin(shared):
    assert shared.http.get("/api/events", headers={"Origin": "http://evil.example"}).status_code == 403
    assert shared.http.post("/api/build", headers={"Origin": "http://evil.example"}).status_code == 403
    assert shared.http.get("/api/build").json()["status"] == "idle"
    with shared.http.stream("GET", "/api/events", headers={"Origin": shared.url.rstrip("/")}) as events:
        assert events.status_code == 200
        assert events.headers["content-type"].startswith("text/event-stream")
        first = next(events.iter_lines())
        assert first == "event: version"


def test_serves_no_other_file_and_no_directory_listing(shared):
    for path in ("/outline.yaml", "/sources/hassan.txt", "/sources/sources.yaml", "/sources/", "/templates/",
                 "/brief.html", "/.briefgen-cache/", "/pdf/outline.pdf", "/_preview/session.py", "/fonts/"):
        assert shared.http.get(path).status_code == 404, path
    for target in ("/../outline.yaml", "/../../../../etc/passwd", "/%2e%2e/outline.yaml", "/..%2foutline.yaml",
                   "/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "//etc/passwd", "/fonts/..%2f..%2f..%2fetc%2fpasswd"):
        assert raw_get(shared.port, target) in (400, 404), target
    (shared.root / "templates" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    assert shared.http.get("/brief.css").status_code == 200  # the theme's own assets are served
    assert shared.http.get("/logo.png").content.startswith(b"\x89PNG")


def test_citation_evidence_gives_the_paragraph_and_the_quote_spans(shared):
    c = shared.http.get("/api/citation/1").json()
    assert c["source"]["id"] == "phases" and c["para"] == 7 and c["source"]["grade"] == "C2"
    (start, end), = c["spans"]
    assert normalize(c["text"][start:end]) == normalize(c["quote"])
    assert shared.http.get("/api/citation/999").status_code == 404
    assert shared.http.get("/api/citation/0").status_code == 404


def test_a_quote_with_an_omission_has_one_highlight_per_piece(shared):
    for n in range(1, 200):
        c = shared.http.get(f"/api/citation/{n}").json()
        if "…" in (c["quote"] or ""):
            break
    else:
        raise AssertionError("the sample brief has no quote with an omission")
    assert len(c["spans"]) == 2  # each piece highlighted on its own, the omitted words between them not
    assert sum((words(c["text"][a:b]) for a, b in c["spans"]), []) == words(c["quote"])
    assert c["spans"][0][1] < c["spans"][1][0]


def test_a_save_updates_a_bad_save_keeps_the_last_good_brief(preview):
    v = preview.state()["version"]
    text = preview.outline.read_text(encoding="utf-8")
    preview.save(text.replace("محادثات إنهاء مهمة التحالف الدولي في العراق", "عنوان بعد الحفظ", 1))
    state = preview.wait_version(v)
    assert state["ok"] and "عنوان بعد الحفظ" in preview.http.get("/").text
    preview.save("title: [unclosed\n")
    state = preview.wait_version(state["version"])
    assert state["failed"] and state["errors"] >= 1 and state["has_render"]
    bad = state["diagnostics"][0]
    assert bad["file"].endswith("outline.yaml") and bad["line"] and [1, "title: [unclosed"] in bad["context"]
    assert "عنوان بعد الحفظ" in preview.http.get("/").text  # the last good brief stays
    assert preview.proc.poll() is None
    preview.save(text)
    assert preview.wait_version(state["version"])["ok"]


def test_failed_quotes_and_uncited_statements_are_marked(preview):
    v = preview.state()["version"]
    preview.save('title: "موجز"\nsummary:\n'
                 '  - text: "جملة بلا مصدر."\n'
                 '  - text: "جملة باقتباس خاطئ."\n'
                 '    cite: [hassan, {source: hafryat, quote: "كلمات لا ترد في المقال أبدا"}]\n')
    state = preview.wait_version(v)
    codes = {d["code"] for d in state["diagnostics"]}
    assert {"uncited", "quote-not-found"} <= codes and state["has_render"] and not state["failed"]
    page = preview.http.get("/").text
    assert '<button type="button" class="bg-uncited-mark" data-line="3"' in page and "جملة بلا مصدر." in page
    assert '<button type="button" class="bg-failed" data-line="5"' in page


def test_a_statement_whose_only_citation_fails_has_one_mark_counted_once(preview):
    v = preview.state()["version"]
    preview.save('title: "موجز"\nsummary:\n'
                 '  - text: "جملة باقتباس خاطئ."\n'
                 '    cite: [{source: hafryat, quote: "كلمات لا ترد في المقال أبدا"}]\n')
    state = preview.wait_version(v)
    codes = [d["code"] for d in state["diagnostics"]]
    assert state["errors"] == 1 and codes.count("quote-not-found") == 1 and "uncited" not in codes, codes
    page = preview.http.get("/").text
    assert page.count('class="bg-failed"') == 1 and "bg-uncited" not in page


def test_a_changed_source_is_read_again(preview):
    v = preview.state()["version"]
    source = preview.root / "sources" / "hafryat.txt"
    preview.save(source.read_text(encoding="utf-8").replace("خشية إنعاش تنظيم داعش من جديد", "خشية عودة التنظيم"),
                 source)
    state = preview.wait_version(v)
    assert any(d["code"] == "quote-not-found" and "hafryat" in d["message"] for d in state["diagnostics"])


def test_an_english_brief_is_left_to_right(tmp_path):
    p = Preview(tmp_path / "en", 'title: "Talks on the coalition"\nlang: en\nsummary:\n'
                                 '  - text: "Baghdad wants a timetable."\n    cite: [hafryat]\n')
    try:
        page = p.http.get("/")
        assert '<html lang="en" dir="ltr">' in page.text and "Talks on the coalition" in page.text
        csp = page.headers["content-security-policy"]  # nothing from the network: the preview's own scripts only
        own = f"http://127.0.0.1:{p.port}/_preview"
        assert f"script-src {own}/preview.js {own}/panels.js;" in csp
    finally:
        p.http.close()
        p.stop()


def test_saving_the_theme_updates_the_page(preview):
    v = preview.state()["version"]
    css = preview.root / "templates" / "brief.css"
    preview.save(css.read_text(encoding="utf-8") + "\n.title { letter-spacing: 0.123em; }\n", css)
    preview.wait_version(v)
    assert "letter-spacing: 0.123em" in preview.http.get("/").text


def test_cli_refuses_a_missing_outline_and_a_busy_port(tmp_path, shared):
    import subprocess
    import sys

    run = lambda *args: subprocess.run([sys.executable, "-m", "briefgen", "preview", *args, "--no-open"],  # noqa: E731
                                       cwd=shared.root, capture_output=True, text=True, timeout=60)
    missing = run("nothing.yaml")
    assert missing.returncode == 1 and "outline not found: nothing.yaml" in missing.stderr
    busy = run("outline.yaml", "--port", str(shared.port))
    assert busy.returncode == 2 and f"cannot listen on 127.0.0.1:{shared.port}" in busy.stderr
    assert "Traceback" not in missing.stderr + busy.stderr


def test_a_pull_quote_citation_shows_the_line_it_was_found_in():
    from briefgen.model import Citation, SourceRef
    from briefgen.read.cleaning import Dropped
    from briefgen.read.sources import Source

    line = "«لن نقبل بقاء القوات إلى ما لا نهاية»"
    source = Source(SourceRef("s", "t"), Path("s.txt"), [], [Dropped(3, "سطر آخر", "share"),
                                                             Dropped(9, line, "pull-quote")])
    c = Citation(1, source.ref, None, "لن نقبل بقاء القوات إلى ما لا نهاية", spans=((1, 36),), located="pull-quote")
    text, spans = passage(c, source)
    assert text == line and [text[a:b] for a, b in spans] == ["لن نقبل بقاء القوات إلى ما لا نهاية"]
    assert passage(Citation(2, source.ref), source) == (None, [])  # a whole source: no passage


def test_a_fresh_project_shows_what_check_says(tmp_path):
    import subprocess
    import sys

    from briefgen.preview.session import Session

    subprocess.run([sys.executable, "-m", "briefgen", "init", "fresh"], cwd=tmp_path, check=True, capture_output=True)
    session = Session(tmp_path / "fresh" / "outline.yaml")
    session.update()
    found = {(d["severity"], d["code"]): d["where"] for d in session.state()["diagnostics"]}
    assert found[("error", "no-sources")].startswith("outline.yaml:")  # relative to the project, as in the editor
    assert ("warning", "no-content") in found
