"""Links: `sources add URL` against a real HTTP server on 127.0.0.1 (redirects, timeout, 404, size, type)."""

from __future__ import annotations

import datetime as dt
import http.server
import re
import socket
import threading
import time

import pytest

from briefgen.errors import Diagnostics, InputError
from briefgen.read.ingest.fetch import fetch
from briefgen.read.sources import read_sources

from .ingest_pages import article_lines, news_page

MONITOR = article_lines("monitor")
PAGE = news_page(MONITOR[1:], title=MONITOR[0], publisher="المونيتور")
PAGE_1256 = news_page(MONITOR[1:6], title=MONITOR[0], publisher="المونيتور", charset="windows-1256")
PDF: list[bytes] = []  # made once by the server fixture (WeasyPrint)


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass

    def send(self, status: int, body: bytes, ctype: str, **headers) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802
        path = self.path
        if path == "/news/monitor-talks":
            self.send(200, PAGE, "text/html; charset=utf-8")
        elif path == "/news/1256":  # no charset in the header: the page's <meta charset> says windows-1256
            self.send(200, PAGE_1256, "text/html")
        elif path == "/old":
            self.send(301, b"", "text/html", Location="/news/monitor-talks")
        elif path.startswith("/loop"):
            self.send(302, b"", "text/html", Location=f"/loop{len(path)}")
        elif path == "/slow":
            time.sleep(2)
            self.send(200, PAGE, "text/html")
        elif path == "/huge":  # no Content-Length: the cap must hold while streaming
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(64):
                self.wfile.write(b"<p>" + b"x" * 16384 + b"</p>")
        elif path in ("/papers/monitor.pdf", "/download"):
            self.send(200, PDF[0], "application/pdf" if path.endswith(".pdf") else "application/octet-stream")
        elif path == "/logo.png":
            self.send(200, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png")
        elif path.startswith("/ar/"):  # Arabic slugs, percent-encoded: two different articles
            first = path.endswith("1")
            self.send(200, news_page(MONITOR[1:6] if first else MONITOR[6:12], title=MONITOR[0] if first else None),
                      "text/html; charset=utf-8")
        elif path == "/blob":
            self.send(200, b"PK\x03\x04 a zip file", "application/octet-stream")
        elif path == "/ftp":
            self.send(302, b"", "text/html", Location="ftp://127.0.0.1/x")
        else:
            self.send(404, b"<h1>Not Found</h1>", "text/html")


@pytest.fixture(scope="module")
def server():
    from .test_ingest_pdf import weasy_pdf

    PDF[:] = [weasy_pdf(MONITOR, title=MONITOR[0])]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_add_url_fetches_once_and_records_retrieval(cli, fresh, server):
    url = f"{server}/news/monitor-talks"
    result = cli("sources", "add", url)
    assert result.exit_code == 0, result.output
    assert f"[1/1] fetching {url}" in result.output
    assert "added monitor-talks" in result.output
    library = read_sources(fresh / "sources", Diagnostics())
    source = library.sources["monitor-talks"]
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert (source.ref.title, source.ref.publisher, source.ref.url, source.ref.accessed) == (
        MONITOR[0], "المونيتور", url, today)
    assert source.original.read_bytes() == PAGE
    assert [p.text for p in source.paragraphs][:3] == MONITOR[:3]
    again = cli("sources", "add", url)
    assert "unchanged monitor-talks" in again.output


@pytest.mark.parametrize("path", ["/papers/monitor.pdf", "/download"])
def test_a_linked_pdf_becomes_a_paged_source(cli, fresh, server, path):
    result = cli("sources", "add", server + path, "--id", "monitor")
    assert result.exit_code == 0, result.output
    source = read_sources(fresh / "sources", Diagnostics()).sources["monitor"]
    assert source.original.name == "monitor.pdf" and source.original.read_bytes() == PDF[0]
    assert source.ref.url == server + path and source.ref.accessed and source.ref.title == MONITOR[0]
    assert [p.text for p in source.paragraphs] == MONITOR
    assert source.paragraphs[-1].pages[1] >= 3


def test_arabic_slugs_of_one_site_are_two_sources_not_two_versions(cli, fresh, server):
    slug = "/ar/%D8%A7%D9%84%D8%B9%D8%B1%D8%A7%D9%82-"  # /ar/العراق-
    result = cli("sources", "add", f"{server}{slug}1", f"{server}{slug}2")
    assert result.exit_code == 0, result.output
    assert "added 127-" in result.output and "new version" not in result.output
    library = read_sources(fresh / "sources", Diagnostics())
    assert sorted(library.sources) == ["127-1", "127-2"]
    assert {s.ref.url for s in library.sources.values()} == {f"{server}{slug}1", f"{server}{slug}2"}


def test_redirect_is_followed_and_the_final_address_recorded(server):
    got = fetch(f"{server}/old")
    assert got.fetched_from == f"{server}/news/monitor-talks"
    assert got.meta["title"] == MONITOR[0]


def test_charset_from_meta_when_the_server_names_none(server):
    got = fetch(f"{server}/news/1256")
    assert got.text.split("\n\n")[:2] == MONITOR[:2]


@pytest.mark.parametrize("path,code,words", [
    ("/missing", "url-status", "404"),
    ("/loop", "url-redirects", "more than 5 redirects"),
    ("/logo.png", "url-content-type", "image/png"),
    ("/blob", "url-content-type", "not a PDF"),
    ("/ftp", "url-failed", "ftp"),
])
def test_refusals(server, path, code, words):
    with pytest.raises(InputError) as info:
        fetch(server + path)
    d = info.value.diagnostics[0]
    assert d.code == code and words in d.message and d.hint


def test_timeout(server):
    with pytest.raises(InputError) as info:
        fetch(f"{server}/slow", timeout=0.5)
    assert info.value.diagnostics[0].code == "url-timeout"


def test_oversized_page_is_cut_off_while_streaming(server):
    with pytest.raises(InputError) as info:
        fetch(f"{server}/huge", max_bytes=256 * 1024)
    assert info.value.diagnostics[0].code == "url-too-large"


def test_offline_and_bad_scheme(cli, fresh):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = cli("sources", "add", f"http://127.0.0.1:{port}/article")
    assert result.exit_code == 1 and "are you offline?" in result.output
    # no traceback of briefgen's (an earlier test's server thread may print its own into the captured stderr)
    assert not re.search(r'File "[^"]*/briefgen/', result.output)
    result = cli("sources", "add", "file:///etc/passwd")
    assert result.exit_code == 1 and "only http:// and https://" in result.output
    assert sorted(p.name for p in (fresh / "sources").iterdir()) == ["sources.yaml"]
