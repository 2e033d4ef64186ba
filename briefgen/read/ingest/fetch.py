"""Ingest stage, links: fetch one http(s) URL once -> a page to extract.

A link is untrusted: the download has a total deadline (not only a per-read timeout, so a server
that drips one byte at a time cannot hold it), a cap on the bytes actually inflated whatever the
encoding (gzip, deflate, brotli; decoded here, chunk by chunk, never trusting the headers), at most
a few redirects, and credentials written in the link (`user:password@`) are stripped before
anything is fetched, printed or stored. A page's `<meta charset>` wins over a header charset
that cannot decode it.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
import zlib
from urllib.parse import urlsplit, urlunsplit

from ...errors import InputError
from .extracted import Extracted

MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 5
TIMEOUT = 20.0  # seconds to connect, and between two reads
DEADLINE = 20.0  # seconds for the whole download, however the server paces it
PAGE_TYPES = ("text/html", "application/xhtml+xml")
PDF_TYPES = ("application/pdf",)
USER_AGENT = "briefgen (saves one article for a cited brief)"
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)


def strip_credentials(url: str) -> tuple[str, bool]:
    """The link without `user:password@`, and whether it had any."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url, False
    if "@" not in parts.netloc:
        return url, False
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment)), True


class _Decoder:
    """Content-Encoding decoded chunk by chunk, stopping as soon as more than `limit` bytes come out."""

    def __init__(self, encodings: str, limit: int, too_large):
        self.steps = [e.strip().lower() for e in encodings.split(",") if e.strip()]
        self.steps = [e for e in self.steps if e != "identity"]
        self.limit, self.size, self.too_large = limit, 0, too_large
        self.objects = []
        for enc in self.steps:
            if enc in ("gzip", "x-gzip"):
                self.objects.append(("z", zlib.decompressobj(16 + zlib.MAX_WBITS)))
            elif enc == "deflate":
                self.objects.append(("deflate", None))
            elif enc == "br" and _has_brotli():
                import brotli

                self.objects.append(("br", brotli.Decompressor()))
            else:
                raise InputError(f"the server sent the page encoded as '{enc[:40]}', which briefgen cannot read",
                                 code="url-encoding", hint="save the page from the browser and add the .html file")

    def _one(self, k: int, data: bytes, room: int) -> bytes:
        """Inflate data through decoder k, never producing more than room + 1 bytes in total."""
        kind, obj = self.objects[k]
        if kind == "deflate" and obj is None:  # zlib-wrapped or raw deflate: servers send both
            obj = zlib.decompressobj(zlib.MAX_WBITS if data[:1] and data[0] & 0x0F == 8 and
                                     int.from_bytes(data[:2], "big") % 31 == 0 else -zlib.MAX_WBITS)
            self.objects[k] = (kind, obj)
        out = []
        produced = 0
        if kind == "br":
            chunk = obj.process(data, output_buffer_limit=room + 1)
            out.append(chunk)
            produced += len(chunk)
            while produced <= room and not obj.can_accept_more_data() and not obj.is_finished():
                chunk = obj.process(b"", output_buffer_limit=room + 1 - produced)
                if not chunk:
                    break
                out.append(chunk)
                produced += len(chunk)
            return b"".join(out)
        chunk = obj.decompress(data, room + 1)
        out.append(chunk)
        produced += len(chunk)
        while obj.unconsumed_tail and produced <= room:
            chunk = obj.decompress(obj.unconsumed_tail, room + 1 - produced)
            if not chunk:
                break
            out.append(chunk)
            produced += len(chunk)
        return b"".join(out)

    def feed(self, data: bytes) -> bytes:
        for k in reversed(range(len(self.objects))):  # the last encoding applied is undone first
            data = self._one(k, data, self.limit - self.size)
        self.size += len(data)
        if self.size > self.limit:
            raise self.too_large()
        return data


def choose_charset(raw: bytes, header: str | None) -> str | None:
    """The header's charset, unless it cannot decode the page (or the page is valid UTF-8 that says so)."""
    found = _META_CHARSET.search(raw[:8192])
    meta = found.group(1).decode("ascii", "replace") if found else None
    if not header or not meta:
        return header
    try:
        import codecs

        same = codecs.lookup(header).name == codecs.lookup(meta).name
        meta_utf8 = codecs.lookup(meta).name == "utf-8"
    except LookupError:
        return header if meta else header
    if same or not _decodes(raw, meta):
        return header
    if not _decodes(raw, header) or (meta_utf8 and not raw.isascii()):
        return meta
    return header


def _decodes(raw: bytes, charset: str) -> bool:
    try:
        raw.decode(charset)
    except (LookupError, UnicodeDecodeError):
        return False
    return True


def fetch(url: str, *, timeout: float = TIMEOUT, max_bytes: int = MAX_BYTES, deadline: float = DEADLINE,
          warn=None) -> Extracted:
    """Fetch a page or a PDF and extract it; the retrieval date and final address come along.
    warn(message) is called once if the link carried credentials (they are dropped)."""
    url, had_credentials = strip_credentials(url)
    if had_credentials and warn is not None:
        warn(f"{url}: the link held a user name and password; briefgen dropped them (never printed or stored)")
    scheme = url.split(":", 1)[0].lower()
    if scheme not in ("http", "https"):
        raise InputError(f"{url}: only http:// and https:// links can be fetched", code="url-scheme",
                         hint="save the page from the browser and add the .html file")
    box: dict = {}
    stop = threading.Event()
    worker = threading.Thread(target=_download_into, args=(box, stop, url, timeout, max_bytes, deadline),
                              daemon=True)
    worker.start()
    worker.join(deadline + 1.0)
    if worker.is_alive():  # a read blocked past the deadline: give up on it (the thread ends with its timeout)
        stop.set()
        raise _timeout(url, deadline)
    if "error" in box:
        raise box["error"]
    raw, ctype, final, charset = box["result"]
    from .page import extract_page
    from .pdf import extract_pdf

    if ctype == "application/octet-stream":  # some servers send PDFs as plain bytes: believe the file itself
        if not raw.startswith(b"%PDF-"):
            raise InputError(f"{url}: the server sent a download that is not a PDF", code="url-content-type",
                             file=url, hint="link to the article's page itself (not an image, feed or download)")
        ctype = PDF_TYPES[0]
    if ctype in PDF_TYPES:
        result = extract_pdf(raw, url)
    else:
        result = extract_page(raw, url, url=final, charset=choose_charset(raw, charset))
    result.raw = raw
    result.accessed = dt.datetime.now(dt.UTC).date().isoformat()
    result.fetched_from = final
    return result


def _download_into(box: dict, stop: threading.Event, url: str, timeout: float, max_bytes: int,
                   deadline: float) -> None:
    try:
        box["result"] = _download(url, timeout, max_bytes, time.monotonic() + deadline, deadline, stop)
    except BaseException as exc:  # handed to the caller's thread
        box["error"] = exc


def _download(url: str, timeout: float, max_bytes: int, until: float, deadline: float, stop: threading.Event):
    import httpx

    where = {"file": url}
    accept = "gzip, deflate, br" if _has_brotli() else "gzip, deflate"
    try:
        with httpx.Client(follow_redirects=True, max_redirects=MAX_REDIRECTS, timeout=timeout,
                          headers={"User-Agent": USER_AGENT, "Accept": "text/html,application/pdf",
                                   "Accept-Encoding": accept}) as client:
            with client.stream("GET", url) as response:
                if response.status_code >= 400:
                    raise InputError(f"{url}: the server answered {response.status_code} "
                                     f"{response.reason_phrase[:80]}", code="url-status", **where,
                                     hint="check the link in a browser; if it needs a log-in, save the page "
                                          "from the browser and add the .html file")
                final, _ = strip_credentials(str(response.url))
                if not final.lower().startswith(("http://", "https://")):
                    raise InputError(f"{url}: redirected to {final[:200]}, which is not http(s)", code="url-scheme",
                                     **where)
                ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if ctype not in PAGE_TYPES + PDF_TYPES + ("application/octet-stream",):
                    raise InputError(f"{url}: the server sent {ctype[:80] or 'no content type'}, not a web page or "
                                     "a PDF", code="url-content-type", **where,
                                     hint="link to the article's page itself (not an image, feed or download)")
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > max_bytes:
                    raise _too_large(url, max_bytes)
                decoder = _Decoder(response.headers.get("content-encoding", ""), max_bytes,
                                   lambda: _too_large(url, max_bytes))
                chunks, size = [], 0
                for chunk in response.iter_raw(65536):  # as sent: inflated here, counted as it grows
                    if stop.is_set() or time.monotonic() > until:
                        raise _timeout(url, deadline)
                    size += len(chunk)
                    if size > max_bytes:
                        raise _too_large(url, max_bytes)
                    chunks.append(decoder.feed(chunk) if decoder.objects else chunk)
                raw = b"".join(chunks)
                charset = response.charset_encoding
    except httpx.TooManyRedirects:
        raise InputError(f"{url}: more than {MAX_REDIRECTS} redirects", code="url-redirects", **where,
                         hint="open the link in a browser and add the address it ends at") from None
    except httpx.TimeoutException:
        raise InputError(f"{url}: no answer within {timeout:g} s", code="url-timeout", **where,
                         hint="try again later, or save the page from the browser and add the .html file") from None
    except httpx.ConnectError as exc:
        raise InputError(f"{url}: cannot connect ({_reason(exc)}); are you offline?", code="url-offline", **where,
                         hint="check the network, or save the page from the browser and add the .html file") from None
    except httpx.HTTPError as exc:
        raise InputError(f"{url}: fetching failed ({_reason(exc)})", code="url-failed", **where,
                         hint="save the page from the browser and add the .html file") from None
    except (zlib.error, _brotli_error()) as exc:
        raise InputError(f"{url}: the server sent a damaged compressed page ({_reason(exc)})", code="url-failed",
                         **where, hint="try again later, or save the page from the browser and add the .html file") \
            from None
    return raw, ctype, final, charset


def _has_brotli() -> bool:
    """Whether a brotli that can cap its output (Brotli >= 1.2) is installed."""
    try:
        import brotli

        brotli.Decompressor().process(b"", output_buffer_limit=1)
    except (ImportError, TypeError, AttributeError):
        return False
    except Exception:  # noqa: BLE001 - brotli.error on empty input is fine: the parameter exists
        return True
    return True


def _brotli_error() -> type[Exception]:
    try:
        import brotli
    except ImportError:
        return zlib.error
    return brotli.error


def _timeout(url: str, deadline: float) -> InputError:
    return InputError(f"{url}: the download took longer than {deadline:g} s", code="url-timeout", file=url,
                      hint="try again later, or save the page from the browser and add the .html file")


def _too_large(url: str, limit: int) -> InputError:
    return InputError(f"{url}: larger than {limit // 2**20} MB, too large for one article", code="url-too-large",
                      file=url, hint="save the article's own page from the browser and add the .html file")


def _reason(exc: Exception) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
