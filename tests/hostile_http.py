"""A hostile HTTP server on 127.0.0.1 for `sources add`: it drips, redirects, compresses (bombs in gzip,
deflate and brotli), lies about charsets and answers slowly (for two adds at once)."""

from __future__ import annotations

import gzip
import http.server
import threading
import time
import zlib
from functools import cache

BOMB = 200 * 2**20  # inflated bytes; each bomb is a few hundred KB on the wire


def page(tag: str = "", charset: str = "utf-8", title: str = "محادثات إنهاء مهمة التحالف") -> bytes:
    body = "".join(f"<p>الفقرة {i} {tag}: تتواصل المحادثات بين بغداد وواشنطن حول مستقبل التحالف الدولي "
                   f"في العراق، وتبحث اللجنة العسكرية العليا جدولا زمنيا للانسحاب.</p>" for i in range(1, 9))
    html = (f'<!doctype html><html lang="ar" dir="rtl"><head><meta charset="{charset}"><title>{title}</title></head>'
            f"<body><article><h1>{title}</h1>{body}</article></body></html>")
    return html.encode(charset)


@cache
def bomb(encoding: str) -> bytes:
    data = b"<p>" + b"\0" * BOMB
    if encoding == "gzip":
        return gzip.compress(data, 9)
    if encoding == "deflate":
        return zlib.compress(data, 9)
    import brotli

    return brotli.compress(data, quality=5)


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def head(self, status: int = 200, ctype: str = "text/html; charset=utf-8", **headers) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for key, value in headers.items():
            self.send_header(key.replace("_", "-"), value)
        self.end_headers()

    def body(self, data: bytes, ctype: str = "text/html; charset=utf-8", **headers) -> None:
        self.head(200, ctype, Content_Length=str(len(data)), **headers)
        self.wfile.write(data)

    def do_GET(self):  # noqa: N802
        path = self.path
        try:
            if path == "/page":
                self.body(page())
            elif path == "/drip":  # one byte at a time, each well inside the per-read timeout
                self.head()
                for byte in page():
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.5)
            elif path.startswith("/bomb/"):
                encoding = path.rsplit("/", 1)[1]
                self.body(bomb(encoding), Content_Encoding=encoding)
            elif path == "/gzip-page":
                self.body(gzip.compress(page("gzip")), Content_Encoding="gzip")
            elif path == "/redirect":
                self.head(302, Location="/gzip-page", Content_Length="0")
            elif path == "/header-1256-page-utf8":  # the header lies; the page says utf-8 in <meta>
                self.body(page("lying"), "text/html; charset=windows-1256")
            elif path == "/header-utf8-page-1256":  # the header cannot decode the page; <meta> can
                self.body(page("cp1256", charset="windows-1256"), "text/html; charset=utf-8")
            elif path == "/long-title":
                self.body(page("long", title=("عنوان\nطويل\u2028جدا " * 1000).strip()))
            elif path.startswith("/slow/"):  # two adds at once: both have read sources.yaml before either writes
                time.sleep(1.0)
                self.body(page(path.rsplit("/", 1)[1]))
            else:
                self.head(404, Content_Length="0")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a cap or a deadline): expected


class Server:
    def __init__(self):
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str, auth: str = "") -> str:
        return self.base.replace("://", f"://{auth}@" if auth else "://") + path

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
