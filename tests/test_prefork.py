"""The pre-forked PDF engine: same bytes as a sequential build, errors come back, no stray processes."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import threading
import time

import pytest

from briefgen.errors import InputError, RenderError
from briefgen.run import pipeline, prefork

from .conftest import SAMPLE_OUTLINE

OUTLINE = "title: t\ndate: 2024-02-01\nsummary:\n  - text: نص\n    cite: [hafryat, monitor]\n"


def _reaped(pid: int) -> bool:
    """True once the child is gone and waited for (no zombie left behind)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def _pdf_engine() -> prefork.Child:
    """What prefork.engine() starts in a cold process (this test process has WeasyPrint loaded already)."""
    return prefork.Child(warm=prefork.warm_pdf, failure="PDF rendering failed", code="pdf-failed")


def _fail_with_render_error(message: str) -> None:
    raise RenderError(message, code="broken")


def test_a_build_through_the_engine_equals_a_sequential_build(project, monkeypatch):
    outline = project(OUTLINE)
    engine = _pdf_engine()
    forked = pipeline.build(outline, ["pdf", "docx", "html"], pipeline.Options(out_dir=project.root / "a"), engine)
    assert engine.done and _reaped(engine.pid)
    monkeypatch.setenv("BRIEFGEN_SEQUENTIAL", "1")
    apart = pipeline.build(outline, ["pdf", "docx", "html"], pipeline.Options(out_dir=project.root / "b"))
    for fmt in ("pdf", "docx", "html"):
        assert forked.outputs[fmt].read_bytes() == apart.outputs[fmt].read_bytes(), fmt
    assert forked.stats == apart.stats and forked.stats["pages"] >= 1


def test_a_cold_process_forks_the_engine_and_writes_the_same_bytes(tmp_path):
    """A fresh process (WeasyPrint not yet imported) on the CLI's path, against `briefgen build` with
    BRIEFGEN_SEQUENTIAL=1."""
    script = ("import sys\nfrom pathlib import Path\nfrom briefgen.run import batch\n"
              "job = batch.Job(Path(sys.argv[1]), ['pdf', 'docx'], Path(sys.argv[2]))\n"
              "engine = batch.start_engine(job)\nassert engine is not None, 'no engine in a cold process'\n"
              "batch.build_one(job, None, engine)\nassert engine.done\n")
    subprocess.run([sys.executable, "-c", script, str(SAMPLE_OUTLINE), str(tmp_path / "a")], check=True)
    env = {**os.environ, "BRIEFGEN_SEQUENTIAL": "1"}
    subprocess.run([sys.executable, "-m", "briefgen", "build", str(SAMPLE_OUTLINE), "--out",
                    str(tmp_path / "b"), "-q"], check=True, env=env)
    for name in ("outline.pdf", "outline.docx"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_a_failed_check_stops_the_waiting_engine(project):
    outline = project("title: t\nsummary:\n  - text: نص\n    cite: [no-such-source]\n")
    engine = _pdf_engine()
    with pytest.raises(InputError):
        pipeline.build(outline, ["pdf"], pipeline.Options(out_dir=project.root / "out"), engine)
    assert engine.done and _reaped(engine.pid)
    assert not (project.root / "out").exists()


def test_an_error_in_the_engine_comes_back_as_that_error():
    engine = _pdf_engine()
    engine.submit(_fail_with_render_error, "the layout broke")
    with pytest.raises(RenderError, match="the layout broke"):
        engine.result()
    assert _reaped(engine.pid)


def test_a_warm_up_that_fails_is_reported_when_the_result_is_asked_for():
    def broken_import():
        raise ImportError("libpango is missing")

    engine = prefork.Child(warm=broken_import, failure="PDF rendering failed", code="pdf-failed")
    time.sleep(0.2)  # let the child fail and exit before the call is sent: the send must not raise
    engine.submit(_fail_with_render_error, "never runs")
    with pytest.raises(ImportError, match="libpango is missing"):
        engine.result()


class _Unpicklable(Exception):
    def __init__(self):
        super().__init__("held a lock")
        self.lock = threading.Lock()  # cannot cross a pipe


def _fail_unpicklably() -> None:
    raise _Unpicklable()


def test_an_error_that_cannot_be_sent_back_arrives_as_a_render_error_saying_what_it_was():
    engine = _pdf_engine()
    engine.submit(_fail_unpicklably)
    with pytest.raises(RenderError, match="PDF rendering failed: _Unpicklable: held a lock"):
        engine.result()


def test_a_child_that_dies_is_a_render_error():
    engine = prefork.Child(warm=lambda: os._exit(9), failure="PDF rendering failed", code="pdf-failed")
    engine.submit(_fail_with_render_error, "never runs")
    with pytest.raises(RenderError, match="PDF rendering failed: the worker process ended without a result"):
        engine.result()


def test_closing_an_unused_engine_does_not_wait_for_its_warm_up():
    engine = prefork.Child(warm=lambda: time.sleep(30))
    started = time.monotonic()
    engine.close()
    assert time.monotonic() - started < 5
    assert _reaped(engine.pid)
    engine.close()  # a second close is harmless


def test_no_engine_when_it_cannot_help_or_would_be_unsafe(monkeypatch):
    assert "weasyprint" in sys.modules or importlib.import_module("weasyprint")
    assert prefork.engine(["pdf"]) is None  # WeasyPrint already loaded: a warm process renders in place
    monkeypatch.delitem(sys.modules, "weasyprint")
    assert prefork.engine(["docx"]) is None  # no PDF wanted
    monkeypatch.setenv("BRIEFGEN_SEQUENTIAL", "1")
    assert prefork.engine(["pdf"]) is None
    monkeypatch.delenv("BRIEFGEN_SEQUENTIAL")
    stop = threading.Event()
    spinner = threading.Thread(target=stop.wait)
    spinner.start()
    try:
        assert prefork.engine(["pdf"]) is None  # another thread runs: forking could inherit its locks
    finally:
        stop.set()
        spinner.join()
