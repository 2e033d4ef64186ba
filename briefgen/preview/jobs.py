"""Preview stage: the Build PDF / Build DOCX buttons, the normal build (pipeline.build) run from the page."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from ..errors import BriefgenError
from ..run import pipeline
from .session import Session

OUTPUT_TYPES = {"pdf": "application/pdf",
                "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


class BuildJob:
    """The Build buttons: one normal build (pipeline.build) at a time, in a thread, with its steps."""

    def __init__(self, session: Session):
        self.session = session
        self.state: dict = {"status": "idle"}
        self.outputs: dict[str, Path] = {}
        self._lock = threading.Lock()

    def start(self, formats: list[str], overwrite: bool) -> dict:
        with self._lock:
            if self.state["status"] == "running":
                return self.state
            self.state = {"status": "running", "step": "starting", "started": time.time(), "formats": formats}
        threading.Thread(target=self._run, args=(formats, overwrite), daemon=True,
                         name="briefgen-preview-build").start()
        return self.state

    def _step(self, name: str) -> None:
        self.state = {**self.state, "step": name}

    def _run(self, formats: list[str], overwrite: bool) -> None:
        s = self.session
        options = pipeline.Options(template=s.template, allow_outside=s.allow_outside, progress=self._step,
                                   overwrite=overwrite)
        started = time.perf_counter()
        try:
            built = pipeline.build(s.outline, formats, options)
            self.outputs = dict(built.outputs)
            files = [{"format": f, "url": f"/out/{p.name}", "name": p.name, "bytes": p.stat().st_size}
                     for f, p in built.outputs.items()]
            self.state = {"status": "done", "files": files, "pages": built.stats.get("pages"),
                          "kept": [str(k.name) for k in built.kept.values()],
                          "seconds": round(time.perf_counter() - started, 2)}
        except BriefgenError as exc:
            self.state = {"status": "failed", "errors": [d.format() for d in exc.diagnostics],
                          "edited": any(d.code == "output-edited" for d in exc.diagnostics)}
        except Exception as exc:  # a bug: say so on the page, keep serving
            self.state = {"status": "failed", "errors": [f"internal error ({type(exc).__name__}: {exc})"]}
