"""Preview stage: a warm session that re-reads only what changed, resolves and renders the brief for a screen."""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BriefgenError, Diagnostic, Diagnostics, InputError
from ..model import Brief, note_text
from ..project.cache import Cache
from ..render import fonts
from ..render import html as html_renderer
from ..run import pipeline
from . import marks

TOKEN_SLOT = "{{bg-token}}"  # the session's token goes here when the page is served
HTTP_EQUIV = re.compile(r"<meta\b[^>]*\bhttp-equiv\b[^>]*>", re.IGNORECASE)
CONTEXT = 3  # outline lines shown above and below a diagnostic
SCRIPTS = ["/_preview/preview.js", "/_preview/panels.js"]
HEAD = ('<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="bg-digits" content="{digits}"><meta name="bg-token" content="{token}">'
        '<link rel="icon" href="data:,"><link rel="stylesheet" href="/_preview/preview.css">'
        + "".join(f'<script src="{s}" defer></script>' for s in SCRIPTS))
EMPTY = ('<!DOCTYPE html><html lang="en" dir="ltr"><head><meta charset="utf-8"><title>briefgen preview</title>'
         '</head><body></body></html>')


@dataclass
class Render:
    """One successful render: the page, and what the evidence panel reads."""

    page: str
    brief: Brief
    library: object  # sources.Library
    templates: Path
    keys: list[str] = field(default_factory=list)  # the identity of citation n at keys[n - 1]
    project: Path | None = None
    printable: bool = False  # no errors: `build` would lay this brief out (its marks are stripped)


@dataclass
class Session:
    """The state of one preview: the last good render, the latest diagnostics, a version counter."""

    outline: Path
    template: Path | None = None
    allow_outside: bool = False
    version: int = 0
    render: Render | None = None
    failed: bool = False  # the latest update could not render: `render` is the last good one
    diagnostics: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    folders: list[Path] = field(default_factory=list)  # sources and theme folders of the latest update
    lock: threading.Lock = field(default_factory=threading.Lock)
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))  # state-changing requests send it
    _library: object = None
    _library_folder: Path | None = None
    _library_diags: list[Diagnostic] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.outline = self.outline.absolute()

    def update(self, changed: Iterable[Path] | None = None) -> None:
        """Re-read the outline, the sources if one of them changed (all when `changed` is None), and render."""
        with self.lock:
            started = time.perf_counter()
            diags = Diagnostics()
            try:
                self.render = self._render(diags, None if changed is None else [Path(p) for p in changed])
                self.failed = False
            except BriefgenError as exc:
                diags.items.extend(exc.diagnostics)
                self.failed = True
            except Exception as exc:  # e.g. a Jinja error in a theme being edited: report, keep serving
                diags.error("preview-render", f"the brief could not be rendered ({type(exc).__name__}: {exc})",
                            hint="fix the theme or outline and save again")
                self.failed = True
            diags.items.sort(key=lambda d: (d.severity != "error", d.file or "", d.line or 0, d.column or 0))
            self.diagnostics = [_with_context(d, self.outline.parent) for d in diags.items]
            self.version += 1
            self.seconds = time.perf_counter() - started

    def _render(self, diags: Diagnostics, changed: list[Path] | None) -> Render:
        from ..read.outline import read_outline
        from ..read.sources import read_sources
        from ..run.scaffold import empty_outline, no_sources

        loaded = read_outline(self.outline)
        diags.items.extend(loaded.diagnostics)
        project = loaded.base.resolve()
        folder = (loaded.base / loaded.outline.sources).absolute()
        if not self.allow_outside and not folder.resolve().is_relative_to(project):
            raise InputError(f"sources folder {folder} is outside the project folder {project}",
                             code="outside-project", hint="move it into the project, or pass --allow-outside",
                             **loaded.located.where(("sources",)))
        stale = (changed is None or self._library is None or folder != self._library_folder
                 or any(p.absolute().is_relative_to(folder) for p in changed))
        if stale:  # the warm path skips this: an outline edit reads no source
            self._library = None
            found = Diagnostics()
            self._library = read_sources(folder, found, root=None if self.allow_outside else project,
                                         cache=Cache.for_project(project))
            self._library_folder, self._library_diags = folder, found.items
        diags.items.extend(self._library_diags)
        # what `briefgen check` adds for a fresh `briefgen init` project: no articles yet, no points yet
        diags.items += [d for d in (no_sources(self.outline, loaded) if not self._library.sources else None,
                                    empty_outline(self.outline, "warning", loaded)) if d]
        marked = marks.resolve(loaded, self._library, diags)
        brief = marked.brief
        outline = loaded.outline
        chosen = self.template or (Path(outline.template) if outline.template else None)
        where = loaded.located.where(("template",)) if self.template is None and outline.template else None
        templates = pipeline.template_dir(loaded.base, chosen, self.allow_outside, where)
        self.folders = [folder, templates.absolute()]
        page = screen_page(html_renderer.render(brief, templates), brief.meta.digits)
        marked.strip()  # the page has its marks; the brief left is the one `build` lays out
        return Render(page, brief, self._library, templates, marked.keys, project, not diags.errors)

    def page(self) -> str:
        """The page to show: the last good render, or an empty page whose script shows the diagnostics."""
        render = self.render
        page = render.page if render is not None else screen_page(EMPTY, "western")
        return page.replace(TOKEN_SLOT, self.token, 1)

    def state(self) -> dict:
        """What the page's script polls after each push: version, status and every diagnostic."""
        return {"version": self.version, "ok": not self.failed, "failed": self.failed,
                "has_render": self.render is not None, "seconds": round(self.seconds, 3),
                "errors": sum(d["severity"] == "error" for d in self.diagnostics),
                "warnings": sum(d["severity"] == "warning" for d in self.diagnostics),
                "diagnostics": self.diagnostics, "outline": self.outline.name,
                "citations": list(self.render.keys) if self.render is not None else []}

    def citation(self, number: int | None = None, key: str | None = None) -> dict | None:
        """Evidence for footnote `number`, or for the citation whose identity is `key` (whatever its number
        now): the source's metadata, the cited passage (its ¶, or the pull-quote/caption line it was
        found in) and the matcher's spans of the quote's pieces in it."""
        render = self.render
        if render is None:
            return None
        if key is not None:
            number = render.keys.index(key) + 1 if key in render.keys else None
        if number is None or not 1 <= number <= len(render.brief.citations):
            return None
        c = render.brief.citations[number - 1]
        source = render.library.sources.get(c.source.id)
        text, spans = marks.passage(c, source)
        ref = c.source
        return {
            "number": c.number, "key": render.keys[number - 1] if number <= len(render.keys) else None,
            "note": note_text(c, render.brief.labels), "quote": c.quote,
            "source": {"id": ref.id, "title": ref.title, "publisher": ref.publisher, "author": ref.author,
                       "date": ref.date, "url": ref.url, "grade": ref.grade},
            "para": c.para, "located": c.located, "tolerances": list(c.tolerances), "text": text, "spans": spans,
            "dir": render.brief.meta.direction,
        }


def screen_page(html: str, digits: str) -> str:
    """The brief's HTML with the preview's stylesheet and script, fonts by server URL, the brief in #bg-brief."""
    for path in fonts.font_files().values():
        html = html.replace(path.resolve().as_uri(), f"/fonts/{path.name}")
    html = HTTP_EQUIV.sub("", html)  # a theme's <meta http-equiv="refresh"> would take the page (and its data) away
    html = html.replace("</head>", HEAD.format(digits=digits, token=TOKEN_SLOT) + "</head>", 1)
    html = re.sub(r"(<body[^>]*>)", r'\1<div id="bg-brief">', html, count=1)
    at = html.rfind("</body>")
    return html[:at] + "</div>" + html[at:] if at >= 0 else html


def _with_context(d: Diagnostic, project: Path) -> dict:
    """A diagnostic as JSON, with the lines of its file around its line (for the diagnostics panel);
    `where` names the file relative to the project folder, as the analyst sees it in the editor."""
    out = d.to_json()
    shown = d.file
    if d.file and Path(d.file).is_absolute() and Path(d.file).is_relative_to(project):
        shown = str(Path(d.file).relative_to(project))
    out["where"] = Diagnostic(d.severity, d.code, d.message, shown, d.line, d.column).location()
    out["context"] = []
    if d.file and d.line:
        try:
            lines = Path(d.file).read_text(encoding="utf-8-sig", errors="replace").splitlines()
        except OSError:
            return out
        first = max(1, d.line - CONTEXT)
        out["context"] = [[n, lines[n - 1]] for n in range(first, min(len(lines), d.line + CONTEXT) + 1)]
    return out
