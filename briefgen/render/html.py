"""HTML renderer: document model -> HTML (Jinja2 theme from a template folder)."""

from __future__ import annotations

from pathlib import Path

import jinja2

from .. import dates
from ..model import Brief, Citation, bibliography_text, note_text
from . import fonts

TEMPLATE = "brief.html"
STYLESHEET = "brief.css"


def render(brief: Brief, template_dir: Path) -> str:
    """The brief as one self-contained HTML page (stylesheet inlined, fonts by URL)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir)),
        autoescape=True,  # outline and source text is data, never markup
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
    )
    env.filters["digits"] = lambda value: dates.digits(str(value), brief.meta.digits)
    template = env.get_template(TEMPLATE)
    css_path = template_dir / STYLESHEET
    css = css_path.read_text(encoding="utf-8") if css_path.exists() else ""
    html = template.render(
        meta=brief.meta, sections=brief.sections, bibliography=brief.bibliography,
        labels=brief.labels, note=lambda c: note_text(c, brief.labels),
        bib=lambda s: bibliography_text(s, brief.labels), font_css=fonts.font_face_css(),
        keywords=", ".join(dict.fromkeys(s.title for s in brief.sections)),
        source_summary=brief.source_summary,
        short=lambda c: note_text(Citation(c.number, c.source, c.para, None, first=False), brief.labels),
    )
    # The stylesheet is inlined so the .html output stands alone.
    link = f'<link rel="stylesheet" href="{STYLESHEET}">'
    return html.replace(link, f"<style>\n{css}\n</style>", 1)
