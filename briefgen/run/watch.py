"""Watch mode: rebuild a brief whenever its outline, a source or its theme changes.

Polls file modification times (no extra dependency, works on every filesystem). The process
stays warm between builds: briefgen, WeasyPrint and python-docx are imported once, sources
come from the on-disk cache (cache.py), so a rebuild costs little more than the rendering.
A build error is reported and watching goes on; KeyboardInterrupt (Ctrl-C) ends the loop.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BriefgenError, Diagnostic

Snapshot = dict[str, tuple[int, int]]  # path -> (mtime_ns, size)


@dataclass
class Event:
    """One rebuild's outcome, for the caller to print."""

    number: int  # 1 for the first build
    ok: bool
    seconds: float
    built: object | None = None  # pipeline.Built when ok
    errors: list[Diagnostic] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # the files whose change triggered it


def watched_folders(outline: Path, options=None) -> list[Path]:
    """The folders a build of the outline reads besides the outline: its sources and its theme."""
    from ..read.outline import read_outline
    from . import pipeline

    project = outline.parent
    sources, chosen = project / "sources", getattr(options, "template", None)
    try:
        loaded = read_outline(outline)
        project = loaded.base
        sources = project / loaded.outline.sources
        if chosen is None and loaded.outline.template:
            chosen = Path(loaded.outline.template)
    except BriefgenError:
        pass  # a broken outline: still watch the default folders, so fixing it triggers a build
    try:
        theme = pipeline.template_dir(project, chosen, allow_outside=True)
    except BriefgenError:
        theme = project / "templates"
    return [sources, theme]


def watched_files(outline: Path, folders: list[Path]) -> list[Path]:
    """The outline and every (non-hidden) file of the folders."""
    files = [outline]
    for folder in folders:
        if folder.is_dir():
            files += sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    return files


def snapshot(paths: list[Path]) -> Snapshot:
    """Modification time and size of each path that exists."""
    out: Snapshot = {}
    for path in paths:
        try:
            st = path.stat()
        except OSError:
            continue
        out[str(path)] = (st.st_mtime_ns, st.st_size)
    return out


def changes(before: Snapshot, after: Snapshot) -> list[str]:
    """Paths added, removed or modified between two snapshots."""
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


def rebuild(outline: Path, formats: list[str], options=None) -> tuple[object | None, list[Diagnostic]]:
    """One build in this (warm) process: (Built, []) or (None, errors)."""
    from . import pipeline

    try:
        return pipeline.build(outline, formats, options), []
    except BriefgenError as exc:
        return None, list(exc.diagnostics)
    except Exception as exc:  # a bug must not end a long watch session: report it like the CLI does
        return None, [Diagnostic("error", "internal", f"internal error ({type(exc).__name__}: {exc})",
                                 hint="rerun `briefgen build` with --debug and report it")]


def watch(outline: Path, formats: list[str], options=None, *, interval: float = 0.5,
          report: Callable[[Event], None] | None = None, iterations: int | None = None,
          sleep: Callable[[float], None] = time.sleep) -> int:
    """Build now, then rebuild after every change; returns the number of builds.

    `iterations` bounds the number of polls (None: until KeyboardInterrupt), so tests can drive
    the loop; `sleep` is injectable for the same reason.
    """
    report = report or (lambda event: None)
    builds = 0
    for changed in _triggers(outline, options, interval, iterations, sleep):
        builds += 1
        started = time.perf_counter()
        built, errors = rebuild(outline, formats, options)
        report(Event(builds, built is not None, time.perf_counter() - started, built, errors, changed))
    return builds


def _triggers(outline: Path, options, interval: float, iterations: int | None,
              sleep: Callable[[float], None]) -> Iterator[list[str]]:
    """Yield once at the start, then each time the watched files change (the list of changed paths)."""
    folders = watched_folders(outline, options)
    last = snapshot(watched_files(outline, folders))
    yield []
    polls = 0
    while iterations is None or polls < iterations:
        polls += 1
        sleep(interval)
        now = snapshot(watched_files(outline, folders))
        changed = changes(last, now)
        if changed:
            if str(outline) in changed:  # the outline may now name another sources or theme folder
                folders = watched_folders(outline, options)
                now = snapshot(watched_files(outline, folders))
            last = now  # taken before the build: an edit saved during the build triggers one more
            yield changed
