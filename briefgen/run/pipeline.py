"""Pipeline: read outline and sources -> resolve citations -> render -> write outputs atomically."""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import BriefgenError, Diagnostics, InputError, RenderError, UsageError
from ..evidence.check import Checked, check
from ..model import Brief
from ..project import outputs, safefs
from ..project.cache import CACHE_DIR, Cache
from . import prefork

if TYPE_CHECKING:  # the readers import pydantic and the outline schema: only when check() runs (see prefork)
    from ..read.outline import LoadedOutline

FORMATS = ("pdf", "docx", "html")
PACKAGE_TEMPLATES = Path(__file__).parent.parent / "templates"  # installed wheel
CHECKOUT_TEMPLATES = Path(__file__).parent.parent.parent / "templates"  # source checkout / editable install


@dataclass
class Options:
    """How to build: everything a user can choose besides the outline and the formats."""

    out_dir: Path | None = None  # default: the outline's output: folder
    template: Path | None = None  # a theme folder (brief.html, brief.css); default: the outline's template:
    allow_outside: bool = False  # sources and templates may live outside the project folder
    comments: bool = True  # DOCX: each verified quote as a Word comment on the sentence citing it
    reference_docx: Path | None = None  # DOCX: styles, page setup and header from the user's own Word file
    embed_fonts: bool = True  # DOCX: the fonts travel inside the file (subset, as Word embeds them)
    progress: Callable[[str], None] | None = None  # called with the name of each step as it starts
    amend: Callable[[Brief], None] | None = None  # called with the checked brief before it is rendered (run/versions)
    overwrite: bool = False  # replace outputs edited since briefgen wrote them (each kept under a dated name first)


@dataclass
class Built:
    """What `build` wrote."""

    brief: Brief
    outputs: dict[str, Path] = field(default_factory=dict)
    kept: dict[Path, Path] = field(default_factory=dict)  # edited output -> where it was kept (--overwrite)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    stats: dict = field(default_factory=dict)  # e.g. {"pages": 5} once the PDF is laid out


def parse_formats(text: str) -> list[str]:
    """'pdf,docx' -> ['pdf', 'docx'], refusing unknown names."""
    names = [f.strip().lower() for f in text.split(",") if f.strip()]
    bad = [n for n in names if n not in FORMATS]
    if bad or not names:
        raise UsageError(f"unknown format '{bad[0] if bad else text}'", code="bad-format",
                         hint=f"choose from {', '.join(FORMATS)} (comma-separated)")
    return list(dict.fromkeys(names))


def template_dir(project: Path, chosen: Path | None = None, allow_outside: bool = False,
                 where: dict | None = None) -> Path:
    """The chosen theme folder, else the project's own templates/, else briefgen's default theme."""
    if chosen is not None:
        folder = chosen if chosen.is_absolute() else project / chosen
        if not (folder / "brief.html").is_file():
            raise InputError(f"template folder {folder} has no brief.html", code="no-template",
                             hint="a theme folder holds brief.html and brief.css; copy templates/ to start one",
                             **(where or {}))
        if not allow_outside and not safefs.inside(folder, [project]):
            raise InputError(f"template folder {folder} is outside the project folder", code="outside-project",
                             hint="move it into the project, or pass --allow-outside", **(where or {}))
        return folder
    own = project / "templates"
    if os.path.lexists(own) and not allow_outside and not safefs.inside(own, [project]):
        raise InputError(f"template folder {own} links to {os.path.realpath(own)}, outside the project folder",
                         code="outside-project", hint="copy the theme into the project, or pass --allow-outside")
    for candidate in (own, PACKAGE_TEMPLATES, CHECKOUT_TEMPLATES):
        if (candidate / "brief.html").is_file():
            return candidate
    raise RenderError("no template found (templates/brief.html)", code="no-template")


def _pdf_date(date: str | None) -> str | None:
    """A fixed PDF creation date: the outline's ISO date, else SOURCE_DATE_EPOCH, else none."""
    if date and re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        return date + "T00:00:00Z"
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        import datetime as dt

        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return None


def render(brief: Brief, fmt: str, project: Path, diags: Diagnostics, templates: Path,
           options: Options | None = None, stats: dict | None = None) -> bytes:
    """One output format's bytes. Renderers are imported only when asked for."""
    if fmt == "docx":
        options = options or Options()
        return importlib.import_module("briefgen.render.docx").render(brief, options.comments, options.reference_docx,
                                                                      options.embed_fonts)
    html = importlib.import_module("briefgen.render.html").render(brief, templates)
    if fmt == "html":
        return html.encode("utf-8")
    pdf_render = importlib.import_module(prefork.PDF_RENDERER).render
    return _pdf_done(pdf_render(*_pdf_args(brief, html, project, templates)), diags, stats)


def _pdf_args(brief: Brief, html: str, project: Path, templates: Path) -> tuple:
    """The arguments of render.pdf.render: the HTML, its base, the folders it may read, the fixed date."""
    return html, templates, [templates, project], _pdf_date(brief.meta.date)


def _pdf_done(result: tuple[bytes, list[str], int], diags: Diagnostics, stats: dict | None) -> bytes:
    """The PDF bytes; the page count into stats and each refused fetch as a warning."""
    pdf, refused, pages = result
    if stats is not None:
        stats["pages"] = pages
    for url in refused:
        shown = url if len(url) <= 100 else url[:100] + "…"
        diags.warning("fetch-refused", f"the PDF renderer refused to fetch {shown}",
                      hint="only files in the template folder and the project are read")
    return pdf


def build(outline_path: Path, formats: list[str], options: Options | None = None,
          engine: prefork.Child | None = None) -> Built:
    """Check, render every format, then write each output atomically.

    `engine`, from prefork.engine(), is a child process already importing the PDF renderer; the
    build uses it for the PDF and stops it if the build fails first.
    """
    try:
        return _build(outline_path, formats, options or Options(), engine)
    finally:
        if engine is not None:
            engine.close()


def _build(outline_path: Path, formats: list[str], options: Options, engine: prefork.Child | None) -> Built:
    step = options.progress or (lambda name: None)
    step("checking outline, sources and quotes")
    checked = check(outline_path, options.allow_outside)
    if not checked.ok:
        raise InputError(checked.diagnostics.errors[0].message, diagnostics=checked.diagnostics.errors)
    assert checked.loaded is not None and checked.brief is not None
    if options.amend is not None:  # an issued version's line, a "what changed" annex
        options.amend(checked.brief)
    project = checked.loaded.base
    outline = checked.loaded.outline
    chosen = options.template or (Path(outline.template) if outline.template else None)
    where = checked.loaded.located.where(("template",)) if options.template is None and outline.template else None
    templates = template_dir(project, chosen, options.allow_outside, where)
    out = output_dir(checked.loaded, options)
    built = Built(checked.brief, diagnostics=checked.diagnostics)
    if "docx" in formats and options.reference_docx is not None:
        from ..render.docx_reference import external_links  # python-docx: only when a reference is given

        for link in external_links(options.reference_docx):
            built.diagnostics.warning("reference-link-dropped", f"the reference DOCX links to "
                                      f"{safefs.shorten(link, 100)}; briefgen takes its styles, not its links: "
                                      "dropped", file=str(options.reference_docx),
                                      hint="insert pictures into the header (not linked) to keep them")
    stamp = None
    if "docx" in formats:  # the DOCX names its build; the build record lets `review` read the edits back
        from ..edit import record as roundtrip

        stamp = lambda data: roundtrip.stamp(data, checked.loaded, checked.brief)  # noqa: E731
    extras: dict = {}
    payloads = render_all(checked.brief, formats, project, built.diagnostics, templates, options, built.stats, step,
                          engine, stamp, extras)
    step("writing outputs")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RenderError(f"cannot create output folder {out}: {exc.strerror}", code="output-folder") from None
    record = extras.get("docx")
    targets = {fmt: out / f"{checked.brief.meta.name}.{fmt}" for fmt in payloads}
    published = outputs.publish({targets[fmt]: data for fmt, data in payloads.items()},
                                cache_folder(project, options.allow_outside), options.overwrite)
    if record is not None:
        from ..edit import record as roundtrip

        roundtrip.save(project, record)
    built.outputs = targets
    built.kept = published.kept
    return built


def output_dir(loaded: LoadedOutline, options: Options) -> Path:
    """Where outputs go: --out as given, else the outline's output: folder, which must stay in the project."""
    if options.out_dir is not None:
        return options.out_dir
    project = loaded.base
    out = project / loaded.outline.output
    if not options.allow_outside and not safefs.inside(out, [project]):  # realpath: no crash on a symlink loop
        raise InputError(f"output folder {out} is outside the project folder {os.path.realpath(project)}"
                         + (f" (it resolves to {os.path.realpath(out)})" if out.is_symlink() else ""),
                         code="outside-project", hint="choose a folder inside the project, or pass --out DIR or "
                                                      "--allow-outside on the command line",
                         **loaded.located.where(("output",)))
    return out


def cache_folder(project: Path, allow_outside: bool = False) -> Path:
    """The project's cache folder (.briefgen-cache), which must resolve inside the project."""
    folder = project / CACHE_DIR
    leads = None if allow_outside else Cache.outside(project)
    if leads is not None:
        raise InputError(f"{folder} resolves to {leads}, outside the project folder",
                         code="outside-project", file=str(folder),
                         hint="remove the link (briefgen recreates the folder), or pass --allow-outside")
    return folder


def render_all(brief: Brief, formats: list[str], project: Path, diags: Diagnostics, templates: Path,
               options: Options | None = None, stats: dict | None = None,
               step: Callable[[str], None] | None = None, engine: prefork.Child | None = None,
               docx_finish: Callable[[bytes], tuple[bytes, Any]] | None = None,
               extras: dict[str, Any] | None = None) -> dict[str, bytes]:
    """Every format's bytes, or an exception and none of them.

    Two cores, one wait: with a warm PDF `engine` (prefork.engine) the child lays out the PDF while
    this process renders the other formats; otherwise, with both PDF and DOCX asked for, the DOCX
    is rendered in a forked child while this process lays out the PDF. A child runs the very same
    function on the very same brief, so the bytes equal a sequential render's; an error in a child
    is re-raised here, and nothing is written before every format is done.
    `docx_finish` (the build's stamp and record) runs on the DOCX bytes right where they are made, so
    it overlaps the PDF layout too; what it returns beside the bytes goes into `extras["docx"]`.
    """
    step = step or (lambda name: None)

    def docx(target_diags: Diagnostics, target_stats: dict | None) -> tuple[bytes, Any]:
        data = render(brief, "docx", project, target_diags, templates, options, target_stats)
        return docx_finish(data) if docx_finish else (data, None)

    worker = None
    payloads: dict[str, bytes] = {}
    if "docx" in formats and options is not None and options.embed_fonts and options.reference_docx:
        from ..render import docx_fonts  # warned here: a forked DOCX worker's warnings would be lost

        for message in docx_fonts.reference_warnings(options.reference_docx):
            diags.warning("font-not-embedded", message, hint="install the font, or pass --no-embed-fonts")
    if "pdf" not in formats:
        engine = None  # nothing for it to do; build() stops it
    if engine is not None:
        step("rendering HTML" if "html" in formats else "rendering PDF")
        html = importlib.import_module("briefgen.render.html").render(brief, templates)
        step("rendering PDF")
        engine.submit(importlib.import_module(prefork.PDF_RENDERER).render,
                      *_pdf_args(brief, html, project, templates))
        if "html" in formats:
            payloads["html"] = html.encode("utf-8")
    elif CONCURRENT and "pdf" in formats and "docx" in formats and not prefork.sequential():
        worker = prefork.Child(lambda: docx(Diagnostics(), None), failure="DOCX rendering failed", code="docx-failed")
    try:
        for fmt in formats:
            if fmt in payloads or fmt == "pdf" and engine is not None or fmt == "docx" and worker is not None:
                continue
            step(f"rendering {fmt.upper()}")
            if fmt == "docx":
                payloads[fmt], extra = docx(diags, stats)
                if extras is not None:
                    extras["docx"] = extra
            else:
                payloads[fmt] = render(brief, fmt, project, diags, templates, options, stats)
        if engine is not None:
            payloads["pdf"] = _pdf_done(engine.result(), diags, stats)
        if worker is not None:
            payloads["docx"], extra = worker.result()
            if extras is not None:
                extras["docx"] = extra
    finally:
        if worker is not None:  # this process failed first: stop the worker, leave no zombie
            worker.close()
    return {fmt: payloads[fmt] for fmt in formats}


CONCURRENT = True  # tests (and BRIEFGEN_SEQUENTIAL=1) turn the forked DOCX worker off


write_atomic = outputs.write_atomic  # one temporary-file scheme for every file briefgen writes


__all__ = ["BriefgenError", "Built", "Checked", "FORMATS", "build", "check", "parse_formats", "render_all",
           "write_atomic"]
