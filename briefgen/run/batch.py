"""Building: one brief's summary, the outlines of a folder, and many briefs in parallel worker processes."""

from __future__ import annotations

import multiprocessing
import os
import queue as queue_mod
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BriefgenError, Diagnostic, UsageError

NOT_OUTLINES = {"sources.yaml"}


@dataclass
class Job:
    """What one build needs; plain data, so it can go to a worker process."""

    outline: Path
    formats: list[str]
    out_dir: Path | None = None
    template: Path | None = None
    allow_outside: bool = False
    comments: bool = True
    reference_docx: Path | None = None
    eml: bool = False
    overwrite: bool = False
    embed_fonts: bool = True
    changes_since: str | None = None  # an issued version: add the "what changed" annex and the redline DOCX


@dataclass
class Result:
    """One brief's outcome: the summary of what was written, or its errors and exit code."""

    outline: str
    exit_code: int = 0
    summary: dict = field(default_factory=dict)
    errors: list[Diagnostic] = field(default_factory=list)

    def to_json(self) -> dict:
        if self.exit_code == 0:
            return {"outline": self.outline, "ok": True, **self.summary}
        return {"outline": self.outline, "ok": False, "exit_code": self.exit_code,
                "errors": [d.to_json() for d in self.errors]}


def summarize(built, eml: Path | None = None) -> dict:
    """The end-of-build summary: paths, sizes in bytes, pages, footnotes, verified quotes, warnings."""
    outputs = dict(built.outputs)
    if eml is not None:
        outputs["eml"] = eml
    return {
        "name": built.brief.meta.name,
        "title": built.brief.meta.title,
        "outputs": {fmt: str(p) for fmt, p in outputs.items()},
        "sizes": {fmt: p.stat().st_size for fmt, p in outputs.items()},
        "pages": built.stats.get("pages"),
        "footnotes": len(built.brief.citations),
        "quotes": sum(1 for c in built.brief.citations if c.quote),
        "warnings": [d.to_json() for d in built.diagnostics.warnings],
        "kept": {str(edited): str(kept) for edited, kept in built.kept.items()},
    }


def write_eml(built) -> Path:
    """reports/<name>.eml: the e-mail draft with the PDF attached."""
    from ..project.outputs import write_atomic
    from ..render import mail

    pdf = built.outputs["pdf"]
    msg = mail.compose(built.brief, pdf, draft=True)
    target = pdf.with_suffix(".eml")
    write_atomic(target, bytes(msg))
    return target


def start_engine(job: Job):
    """Fork the PDF engine for this job now (see prefork.engine): call it before any thread starts."""
    from . import prefork

    return prefork.engine(job.formats)


def build_one(job: Job, progress: Callable[[str], None] | None = None, engine=None) -> tuple[object, dict]:
    """Run the pipeline for one outline (refusing an empty project); returns (Built, summary).

    `engine` is start_engine(job)'s child, or None; it is used for the PDF or stopped.
    """
    from . import pipeline, scaffold

    try:
        scaffold.preflight(job.outline, job.allow_outside)
        options = pipeline.Options(out_dir=job.out_dir, template=job.template, allow_outside=job.allow_outside,
                                   comments=job.comments, reference_docx=job.reference_docx, progress=progress,
                                   overwrite=job.overwrite, embed_fonts=job.embed_fonts)
        since = None
        if job.changes_since:
            from . import versions

            since = versions.Since(job.outline, job.changes_since)
            options.amend = since.amend
        built = pipeline.build(job.outline, job.formats, options, engine)
        if since is not None and "docx" in job.formats:
            built.outputs["redline"] = since.write_redline(built, job.overwrite)
    finally:
        if engine is not None:  # a refused empty project never reaches the build: stop the engine here too
            engine.close()
    eml = None
    if job.eml:
        if progress:
            progress("writing the e-mail draft")
        eml = write_eml(built)
    return built, summarize(built, eml)


_queue = None


def _init_worker(q) -> None:
    global _queue
    _queue = q


def _work(job: Job) -> Result:
    """Worker process: one brief; user errors come back as data, never as a traceback."""
    key = str(job.outline)

    def progress(step: str) -> None:
        if _queue is not None:
            _queue.put((key, step))

    try:
        _, summary = build_one(job, progress, start_engine(job))  # forked before the queue's feeder thread
        return Result(key, 0, summary)
    except BriefgenError as exc:
        return Result(key, exc.exit_code, errors=exc.diagnostics)
    except Exception as exc:  # a bug: reported under the brief's name, the other briefs go on
        return Result(key, 70, errors=[Diagnostic("error", "internal", f"internal error ({type(exc).__name__}: {exc})",
                                                  hint="rerun this outline alone with --debug and report it")])


def run_parallel(jobs: list[Job], workers: int, on_step: Callable[[str, str], None] | None = None,
                 on_done: Callable[[Result], None] | None = None) -> list[Result]:
    """Build every job in worker processes; results in the order of jobs."""
    ctx = multiprocessing.get_context("spawn")  # no fork of a threaded parent (rich's refresh thread)
    q = ctx.Queue() if on_step else None
    results: dict[int, Result] = {}
    with ProcessPoolExecutor(max_workers=max(1, min(workers, len(jobs))), mp_context=ctx,
                             initializer=_init_worker, initargs=(q,)) as pool:
        pending: dict[Future, int] = {pool.submit(_work, job): i for i, job in enumerate(jobs)}
        while pending:
            done, _ = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
            _drain(q, on_step)
            for fut in done:
                i = pending.pop(fut)
                try:
                    results[i] = fut.result()
                except Exception as exc:  # the worker died (e.g. killed, out of memory)
                    results[i] = Result(str(jobs[i].outline), 70, errors=[Diagnostic(
                        "error", "worker-died", f"the worker process building it failed ({type(exc).__name__})",
                        hint="rerun this outline alone with --debug")])
                if on_done:
                    on_done(results[i])
        _drain(q, on_step)
    return [results[i] for i in range(len(jobs))]


def _drain(q, on_step) -> None:
    if q is None or on_step is None:
        return
    while True:
        try:
            key, step = q.get_nowait()
        except (queue_mod.Empty, OSError, ValueError):
            return
        on_step(key, step)


def is_outline(path: Path) -> bool:
    """A *.yaml file in a folder of outlines: not sources.yaml, and not a YAML mapping foreign to outlines."""
    if path.name in NOT_OUTLINES or not path.is_file():
        return False
    try:
        import yaml

        from ..project.safefs import read_file

        data = yaml.safe_load(read_file(path, 2 * 1024 * 1024).decode("utf-8-sig"))
    except Exception:
        return True  # an outline with a syntax error: its build reports where
    if not isinstance(data, dict):
        return True
    from ..read.outline import Outline

    if isinstance(data.get("sources"), list):  # a sources.yaml under another name
        return False
    return bool(set(map(str, data)) & set(Outline.model_fields))


def expand(paths: list[Path]) -> tuple[list[Path], bool]:
    """Outline files from the arguments (a folder stands for its outlines); and whether it is a batch."""
    found: list[Path] = []
    batch = len(paths) > 1
    for p in paths:
        if p.is_dir():
            batch = True
            outlines = sorted(q for q in p.iterdir() if q.suffix in (".yaml", ".yml") and is_outline(q))
            if not outlines:
                raise UsageError(f"no outline (*.yaml) in folder {p}", code="no-outlines",
                                 hint="give outline files, or a folder holding them")
            found += outlines
        else:
            found.append(p)
    unique = list(dict.fromkeys(found))
    seen: dict[Path, Path] = {}
    for p in unique:
        key = Path(os.path.realpath(p))  # never raises, even on a symlink loop
        if key in seen:
            continue
        seen[key] = p
    return list(seen.values()), batch


def check_collisions(outlines: list[Path], out_dir: Path | None) -> None:
    """Two outlines writing the same output file would overwrite each other: refuse up front."""
    targets: dict[tuple, Path] = {}
    for p in outlines:
        folder = os.path.realpath(out_dir if out_dir else p.parent)  # never raises on a symlink loop
        key = (folder, p.stem)
        if key in targets:
            raise UsageError(f"{targets[key]} and {p} would both write {p.stem}.* in the same folder",
                             code="output-collision", hint="rename one of them, or build them separately")
        targets[key] = p


def default_workers() -> int:
    return os.cpu_count() or 1


def brief_and_pdf(outline: Path, rebuild: bool, allow_outside: bool, step):
    """The resolved brief and its PDF: the built one if it is newer than every input, else a fresh build."""
    from ..errors import InputError
    from . import pipeline

    if step:
        step("checking outline, sources and quotes")
    checked = pipeline.check(outline, allow_outside)
    if not checked.ok:
        raise InputError(checked.diagnostics.errors[0].message, diagnostics=checked.diagnostics.errors)
    assert checked.loaded is not None and checked.brief is not None
    project = checked.loaded.base
    pdf = project / checked.loaded.outline.output / f"{checked.brief.meta.name}.pdf"
    if not rebuild and pdf.is_file():
        chosen = Path(checked.loaded.outline.template) if checked.loaded.outline.template else None
        inputs = [outline, *_files(project / checked.loaded.outline.sources),
                  *_files(pipeline.template_dir(project, chosen, allow_outside))]
        if pdf.stat().st_mtime >= max(p.stat().st_mtime for p in inputs):
            return checked.brief, pdf, False
    built, _ = build_one(Job(outline, ["pdf"], allow_outside=allow_outside), step)
    return built.brief, built.outputs["pdf"], True


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []
