"""Preview stage: the page view, the brief laid out as `build` lays it out (the same PDF renderer on the
same brief), each page an image, made in a worker process so the text view never waits for it.

The worker (`python -m briefgen.preview.pages`) imports WeasyPrint once and then lays out each brief
it is sent; a newer version arriving while one is laid out is laid out next, the ones between are
skipped. Nothing is laid out before a page first opens the page view. A brief with errors is not
laid out (`build` would refuse it): the last pages stay, marked as those of an earlier version.
"""

from __future__ import annotations

import io
import pickle
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

SCALE = 1.5  # PDF points to image pixels: an A4 page is 893 × 1263 px


def layout(brief, project: Path, templates: Path, scale: float = SCALE) -> dict:
    """In the worker: the PDF `build` would write, its page count and each page as PNG bytes."""
    import pypdfium2

    from ..errors import Diagnostics
    from ..run import pipeline

    stats: dict = {}
    diags = Diagnostics()
    pdf = pipeline.render(brief, "pdf", project, diags, templates, stats=stats)
    document = pypdfium2.PdfDocument(pdf)
    images = []
    try:
        for page in document:
            buffer = io.BytesIO()
            page.render(scale=scale).to_pil().save(buffer, "PNG", optimize=False, compress_level=3)
            images.append(buffer.getvalue())
            page.close()
    finally:
        document.close()
    return {"pdf": pdf, "pages": stats.get("pages", len(images)), "images": images,
            "warnings": [d.message for d in diags.items]}


def _send(stream, value) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(struct.pack(">Q", len(data)) + data)
    stream.flush()


def _receive(stream):
    head = stream.read(8)
    if len(head) < 8:
        raise EOFError
    (size,) = struct.unpack(">Q", head)
    return pickle.loads(stream.read(size))


def worker_main() -> None:
    """The worker's loop: (brief, project, templates) in, ("ok", layout) or ("error", message) out."""
    from ..render import pdf

    pdf.warm()
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            job = _receive(stdin)
        except EOFError:
            return
        try:
            _send(stdout, ("ok", layout(*job)))
        except Exception as exc:  # a brief the renderer refuses: say why, keep serving
            messages = [d.format() for d in getattr(exc, "diagnostics", [])] or [f"{type(exc).__name__}: {exc}"]
            _send(stdout, ("error", messages))


class PageView:
    """The latest laid-out pages: request() after each update; `changed()` is called when new pages are in."""

    def __init__(self, changed: Callable[[], None] = lambda: None):
        self.changed = changed
        self.state: dict = {"status": "waiting", "version": None, "pages": 0, "stale": False}
        self.images: list[bytes] = []
        self.pdf: bytes | None = None
        self.stamp = 0  # the images' generation: their URLs change with it
        self.generation = 0  # every change of state (the pages tell open pages to look again)
        self._wanted = None  # (version, render) to lay out next
        self._cond = threading.Condition()
        self._proc: subprocess.Popen | None = None
        self._closed = False
        self._printable = True  # the latest request could be laid out (else the pages shown are stale)
        self.active = False  # nothing is laid out until a page first opens the page view
        self._thread = threading.Thread(target=self._loop, daemon=True, name="briefgen-preview-pages")
        self._thread.start()

    def request(self, version: int, render) -> None:
        """Lay out this render when the worker is free (a later request replaces an unstarted one)."""
        with self._cond:
            self._printable = render is not None and render.printable
            if not self._printable:
                self.state = {**self.state, "stale": self.state["pages"] > 0, "status": "not laid out"
                              if self.state["status"] != "done" else "done",
                              "reason": "the outline has errors: build would not lay it out"}
            else:
                self._wanted = (version, render)
                self.state = {**self.state, "status": "laying out" if not self.images else "done", "busy": True}
                self._cond.notify()
            if self.active:  # open page views show it; nobody is told while none was opened
                self.generation += 1
        if self.active:
            self.changed()

    def activate(self) -> None:
        """A page opened the page view: lay out the latest brief now, and every later one."""
        with self._cond:
            if not self.active:
                self.active = True
                self._cond.notify()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()

    def _worker(self) -> subprocess.Popen:
        if self._proc is None or self._proc.poll() is not None:
            self._proc = subprocess.Popen([sys.executable, "-c", "from briefgen.preview.pages import worker_main; "
                                           "worker_main()"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        return self._proc

    def _loop(self) -> None:
        while True:
            with self._cond:
                while (self._wanted is None or not self.active) and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                version, render = self._wanted
                self._wanted = None
            started = time.perf_counter()
            try:
                proc = self._worker()
                _send(proc.stdin, (render.brief, render.project, render.templates))
                kind, value = _receive(proc.stdout)
            except (OSError, EOFError, pickle.PickleError) as exc:
                kind, value = "error", [f"the layout worker stopped ({type(exc).__name__}: {exc})"]
                self._proc = None
            seconds = round(time.perf_counter() - started, 3)
            with self._cond:
                busy = self._wanted is not None
                if kind == "ok":
                    self.images, self.pdf = value["images"], value["pdf"]
                    self.stamp += 1
                    self.state = {"status": "done", "version": version, "pages": value["pages"],
                                  "stale": not self._printable, "reason": self.state.get("reason"),
                                  "seconds": seconds, "stamp": self.stamp, "busy": busy,
                                  "warnings": value["warnings"]}
                else:
                    self.state = {**self.state, "status": "failed", "errors": value, "busy": busy,
                                  "stale": bool(self.images)}
                self.generation += 1
            self.changed()


if __name__ == "__main__":
    worker_main()
