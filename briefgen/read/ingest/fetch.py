"""Ingest stage, links: fetch one http(s) URL once (timeouts, size cap, few redirects) -> a page to extract."""

from __future__ import annotations

import datetime as dt

from ...errors import InputError
from .extracted import Extracted

MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 5
TIMEOUT = 20.0  # seconds to connect, and between two reads
PAGE_TYPES = ("text/html", "application/xhtml+xml")
PDF_TYPES = ("application/pdf",)
USER_AGENT = "briefgen (saves one article for a cited brief)"


def fetch(url: str, *, timeout: float = TIMEOUT, max_bytes: int = MAX_BYTES) -> Extracted:
    """Fetch a page or a PDF and extract it; the retrieval date and final address come along."""
    import httpx

    from .page import extract_page
    from .pdf import extract_pdf

    scheme = url.split(":", 1)[0].lower()
    if scheme not in ("http", "https"):
        raise InputError(f"{url}: only http:// and https:// links can be fetched", code="url-scheme",
                         hint="save the page from the browser and add the .html file")
    where = {"file": url}
    try:
        with httpx.Client(follow_redirects=True, max_redirects=MAX_REDIRECTS, timeout=timeout,
                          headers={"User-Agent": USER_AGENT, "Accept": "text/html,application/pdf"}) as client:
            with client.stream("GET", url) as response:
                if response.status_code >= 400:
                    raise InputError(f"{url}: the server answered {response.status_code} "
                                     f"{response.reason_phrase}", code="url-status", **where,
                                     hint="check the link in a browser; if it needs a log-in, save the page "
                                          "from the browser and add the .html file")
                final = str(response.url)
                if not final.lower().startswith(("http://", "https://")):
                    raise InputError(f"{url}: redirected to {final}, which is not http(s)", code="url-scheme",
                                     **where)
                ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if ctype not in PAGE_TYPES + PDF_TYPES + ("application/octet-stream",):
                    raise InputError(f"{url}: the server sent {ctype or 'no content type'}, not a web page or a PDF",
                                     code="url-content-type", **where,
                                     hint="link to the article's page itself (not an image, feed or download)")
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > max_bytes:
                    raise _too_large(url, max_bytes)
                chunks, size = [], 0
                for chunk in response.iter_bytes():  # decoded: the cap holds for compressed bodies too
                    size += len(chunk)
                    if size > max_bytes:
                        raise _too_large(url, max_bytes)
                    chunks.append(chunk)
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
    if ctype == "application/octet-stream":  # some servers send PDFs as plain bytes: believe the file itself
        if not raw.startswith(b"%PDF-"):
            raise InputError(f"{url}: the server sent a download that is not a PDF", code="url-content-type",
                             file=url, hint="link to the article's page itself (not an image, feed or download)")
        ctype = PDF_TYPES[0]
    if ctype in PDF_TYPES:
        result = extract_pdf(raw, url)
    else:
        result = extract_page(raw, url, url=final, charset=charset)
    result.raw = raw
    result.accessed = dt.datetime.now(dt.UTC).date().isoformat()
    result.fetched_from = final
    return result


def _too_large(url: str, limit: int) -> InputError:
    return InputError(f"{url}: larger than {limit // 2**20} MB, too large for one article", code="url-too-large",
                      file=url, hint="save the article's own page from the browser and add the .html file")


def _reason(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
