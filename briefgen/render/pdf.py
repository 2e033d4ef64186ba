"""PDF renderer: the HTML of a brief -> PDF through WeasyPrint, with a sandboxed URL fetcher."""

from __future__ import annotations

import logging
import mimetypes
import os
import re
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlparse

from ..errors import RenderError
from . import fonts, pdf_post

MAX_FILE = 32 * 1024 * 1024  # bytes of one image, font or stylesheet a theme links to
MAX_DATA_URL = 256 * 1024  # characters: a small inline logo is fine, a large blob is refused


def _fetcher_class():
    from weasyprint.urls import URLFetcher

    class SandboxFetcher(URLFetcher):
        """Serves only files under the allowed folders; refuses network and other files."""

        def __init__(self, roots: list[Path], refused: list[str]):
            super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
            self.roots = [r.resolve() for r in roots]
            self.refused = refused

        def fetch(self, url, headers=None):
            parsed = urlparse(url)
            if parsed.scheme == "data" and len(url) <= MAX_DATA_URL:
                return super().fetch(url, headers)
            if parsed.scheme == "file":
                path = Path(os.path.realpath(unquote(parsed.path)))  # never raises on a symlink loop
                if any(path.is_relative_to(root) for root in self.roots):
                    return self._file(url, path)
            self.refused.append(url)
            raise ValueError(f"briefgen refused to fetch {url}")

        def _file(self, url, path: Path):
            """A regular file only, size-capped, never blocking (a FIFO or device is refused, not read)."""
            from weasyprint.urls import URLFetcherResponse

            from ..errors import InputError
            from ..project import safefs

            try:
                body = safefs.read_file(path, MAX_FILE, "file")
            except InputError:
                self.refused.append(url)
                raise ValueError(f"briefgen refused to read {url}") from None
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body, {"Content-Type": kind})

    return SandboxFetcher


def warm() -> None:
    """Import WeasyPrint and the fetcher ahead of the first render (prefork.engine runs this in its child)."""
    import weasyprint  # noqa: F401

    _fetcher_class()
    fonts.font_dirs()


def render(html: str, base_dir: Path, allowed: list[Path], created: str | None = None,
           post: bool = True) -> tuple[bytes, list[str], int]:
    """PDF bytes of the HTML, the URLs the sandbox refused, and the number of pages.

    `post=False` returns WeasyPrint's PDF as it wrote it (tests compare it with the finished one)."""
    import weasyprint

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    refused: list[str] = []
    fetcher = _fetcher_class()([*allowed, *fonts.font_dirs()], refused)
    try:
        with _fixed_font_timestamps():
            document = weasyprint.HTML(string=html, base_url=base_dir.resolve().as_uri() + "/",
                                       url_fetcher=fetcher).render()
            document.metadata.created = document.metadata.modified = created
            pdf = document.write_pdf(pdf_tags=True)
    except Exception as exc:  # WeasyPrint failures are rendering failures, not user input errors
        raise RenderError(f"PDF rendering failed: {exc}", code="pdf-failed") from exc
    if post:
        try:
            rtl = re.search(r'<html[^>]*\bdir="rtl"', html) is not None
            pdf, _ = pdf_post.finish(pdf, _captions(html), _visible(html), rtl)  # whole words, scopes, notes, XMP
        except Exception as exc:  # pikepdf failing on WeasyPrint's output is a rendering failure too
            raise RenderError(f"PDF post-processing failed: {exc}", code="pdf-failed") from exc
    return pdf, refused, len(document.pages)


def _visible(html: str) -> list[str]:
    """The body's text twice: tags removed, and tags as spaces (a word may span an inline tag)."""
    import html as html_lib
    import re

    body = re.sub(r"(?s)<style.*?</style>|<head.*?</head>", " ", html)
    return [html_lib.unescape(re.sub(r"<[^>]+>", sep, body)) for sep in ("", " ")]


def _captions(html: str) -> list[str]:
    """The text of each <figcaption>, in order (the PDF's figures get it as their description)."""
    import html as html_lib
    import re

    found = re.findall(r"(?s)<figcaption[^>]*>(.*?)</figcaption>", html)
    return [" ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", c)).split()) for c in found]


@contextmanager
def _fixed_font_timestamps():
    """fontTools stamps subset fonts with the current time unless SOURCE_DATE_EPOCH is set."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    if previous is None:
        os.environ["SOURCE_DATE_EPOCH"] = "0"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
