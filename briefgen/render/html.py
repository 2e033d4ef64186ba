"""HTML renderer: document model -> HTML (Jinja2 theme from a template folder)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import jinja2

from .. import dates
from ..model import Brief, bibliography_text, note_text, tolerance_text
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
        short=lambda c: note_text(replace(c, quote=None, first=False), brief.labels),
        tolerances=lambda c: tolerance_text(c, brief.labels),
    )
    # The stylesheet is inlined so the .html output stands alone.
    link = f'<link rel="stylesheet" href="{STYLESHEET}">'
    html = html.replace(link, f"<style>\n{css}\n</style>", 1)
    return isolate_numbers(html) if brief.meta.direction == "rtl" else html


# A number with a percent sign, or numbers joined by - or + (2023-10-07, 50-60%): the Unicode
# bidi algorithm keeps each one left to right, but WeasyPrint reverses them inside right-to-left
# text ("%45", "07-10-2023"; Kozea/WeasyPrint#2386). <bdi dir="ltr"> isolates them; it adds no
# characters, so copy-paste is unchanged.
_NUMBER = r"\d+(?:[.,]\d+)*"
_FRAGILE = re.compile(rf"{_NUMBER}(?:[-+]{_NUMBER})+%?|{_NUMBER}%")
_TAG = re.compile(r"(<[^>]+>)")


def isolate_numbers(html: str) -> str:
    """Wrap fragile numbers of the body's text (never tags, attributes or styles) in <bdi dir="ltr">."""
    head, sep, body = html.partition("<body>")
    if not sep:
        return html
    parts = _TAG.split(body)
    for i in range(0, len(parts), 2):  # even items are text between tags
        parts[i] = _FRAGILE.sub(lambda m: f'<bdi dir="ltr">{m.group()}</bdi>', parts[i])
    return head + sep + "".join(parts)
