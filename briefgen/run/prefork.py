"""Forked workers: the DOCX rendered beside the PDF, and a PDF engine that warms up while the brief is checked.

A cold `briefgen build` spends its first half-second importing WeasyPrint, and about as long
importing the outline schema and checking quotes. On two cores these overlap: `engine()` forks a
child that imports the PDF renderer at once, then waits for the HTML; the parent reads and checks
the brief meanwhile, sends the HTML, and renders the DOCX while the child lays out the PDF. The
child runs the very same function a sequential build would, so the bytes are the same.
"""

from __future__ import annotations

import importlib
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

from ..errors import RenderError

PDF_RENDERER = "briefgen.render.pdf"


def sequential() -> bool:
    """BRIEFGEN_SEQUENTIAL=1 turns every forked worker off (debugging, profiling)."""
    return not hasattr(os, "fork") or os.environ.get("BRIEFGEN_SEQUENTIAL", "").strip() not in ("", "0")


def engine(formats: list[str]) -> Child | None:
    """A child importing the PDF renderer now, when a PDF is wanted and forking is safe; else None.

    Only from a single-threaded process that has not imported WeasyPrint yet: a warm process (watch)
    has nothing to gain, and a fork beside another thread (a progress spinner) could inherit a lock
    held by that thread while the child imports.
    """
    if "pdf" not in formats or sequential() or threading.active_count() != 1 or "weasyprint" in sys.modules:
        return None
    return Child(warm=warm_pdf, failure="PDF rendering failed", code="pdf-failed")


def warm_pdf() -> None:
    """What the engine's child does before the HTML arrives: import WeasyPrint (≈ 0.5 s)."""
    importlib.import_module(PDF_RENDERER).warm()


class Child:
    """A forked child: runs `warm` at once, then `job` (known at fork time) or the call it is sent.

    `result()` returns what the job returned, or raises the exception it raised (a briefgen error
    stays a briefgen error); `close()` stops a child whose result is no longer wanted.
    """

    def __init__(self, job: Callable[[], Any] | None = None, warm: Callable[[], Any] | None = None,
                 failure: str = "rendering failed", code: str = "render-failed"):
        result_read, result_write = os.pipe()
        call_read, call_write = os.pipe() if job is None else (None, None)
        pid = os.fork()
        if pid == 0:  # the child: never returns into the caller's code
            status = 0
            try:
                os.close(result_read)
                if call_write is not None:
                    os.close(call_write)
                message = _child_main(job, warm, call_read, failure, code)
                if message is not None:
                    with os.fdopen(result_write, "wb") as pipe:
                        pipe.write(message)
            except BaseException:
                status = 1
            finally:
                os._exit(status)
        os.close(result_write)
        if call_read is not None:
            os.close(call_read)
        self.pid, self.result_fd, self.call_fd = pid, result_read, call_write
        self.failure, self.code, self.done = failure, code, False

    def submit(self, func: Callable[..., Any], *args: Any) -> None:
        """Send the call (a module-level function and picklable arguments) to a waiting child."""
        assert self.call_fd is not None, "this child was given its job when it was forked"
        fd, self.call_fd = self.call_fd, None
        try:
            with os.fdopen(fd, "wb") as pipe:
                pipe.write(pickle.dumps((func, args), protocol=pickle.HIGHEST_PROTOCOL))
        except BrokenPipeError:
            pass  # the child already ended (its warm-up failed): result() reports why

    def result(self) -> Any:
        with os.fdopen(self.result_fd, "rb") as pipe:
            message = pipe.read()
        _, status = os.waitpid(self.pid, 0)
        self.done = True
        try:
            kind, value = pickle.loads(message)
        except Exception:
            raise RenderError(f"{self.failure}: the worker process ended without a result (status {status})",
                              code=self.code) from None
        if kind == "error":
            raise value
        return value

    def close(self) -> None:
        """Stop the child if its result was never collected (this process failed first); no zombie is left."""
        if self.done:
            return
        self.done = True
        for action in (lambda: os.kill(self.pid, signal.SIGKILL), lambda: os.close(self.result_fd),
                       lambda: self.call_fd is not None and os.close(self.call_fd), lambda: os.waitpid(self.pid, 0)):
            try:
                action()
            except OSError:
                pass


def _child_main(job, warm, call_fd, failure: str, code: str) -> bytes | None:
    """Warm up, get the job, run it: the pickled ("ok", value) or ("error", exception) message."""
    try:
        if warm is not None:
            warm()
        if job is None:
            with os.fdopen(call_fd, "rb") as pipe:
                request = pipe.read()
            if not request:
                return None  # the parent closed the pipe: it needs nothing after all
            func, args = pickle.loads(request)
            job = lambda: func(*args)  # noqa: E731
        return pickle.dumps(("ok", job()), protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException as exc:  # every failure goes back to the parent
        try:
            return pickle.dumps(("error", exc), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # an exception that cannot be pickled: send what it said
            return pickle.dumps(("error", RenderError(f"{failure}: {type(exc).__name__}: {exc}", code=code)))
