"""HTML renderer: document model -> HTML (Jinja2 theme from a template folder)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from .. import arabic, dates
from ..model import Brief, bibliography_text, note_text, tolerance_text
from . import fonts, theme

TEMPLATE = "brief.html"
STYLESHEET = "brief.css"


def render(brief: Brief, template_dir: Path) -> str:
    """The brief as one self-contained HTML page (stylesheet inlined, fonts by URL)."""
    env = theme.environment(template_dir)  # sandboxed, confined to the theme folder; text is data, never markup
    env.filters["digits"] = lambda value: dates.digits(str(value), brief.meta.digits)
    with theme.errors(template_dir):
        css = theme.stylesheet(template_dir, STYLESHEET)
        html = env.get_template(TEMPLATE).render(
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


# WeasyPrint reverses fragile numbers inside right-to-left text ("%45", "07-10-2023";
# Kozea/WeasyPrint#2386), and a list of Latin codes («B2 (1)، C2 (2)») merges into one
# left-to-right run: arabic.LTR_RUN finds both; <bdi dir="ltr"> isolates each, adding no
# characters, so copy-paste is unchanged.
_TAG = re.compile(r"(<[^>]+>)")


def isolate_numbers(html: str) -> str:
    """Wrap Latin runs and fragile numbers of the body's text (never tags, attributes or styles, nor
    text already in a <bdi>) in <bdi dir="ltr">."""
    head, sep, body = html.partition("<body>")
    if not sep:
        return html
    parts = _TAG.split(body)
    depth = 0  # inside <bdi> or <style>
    for i, part in enumerate(parts):
        if i % 2:  # a tag
            name = part[1:].split(None, 1)[0].rstrip(">").lower() if len(part) > 2 else ""
            if name in ("bdi", "style", "script"):
                depth += 1
            elif name in ("/bdi", "/style", "/script"):
                depth -= 1
        elif depth == 0 and part:
            parts[i] = arabic.LTR_RUN.sub(lambda m: f'<bdi dir="ltr">{m.group()}</bdi>', part)
    return head + sep + "".join(parts)
