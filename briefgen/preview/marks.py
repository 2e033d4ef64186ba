"""Preview citation stage: resolve with failed quotes and uncited statements marked; each citation's passage."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from ..arabic import normalize
from ..errors import Diagnostic, Diagnostics
from ..evidence import resolve as resolve_stage
from ..model import Brief, Citation
from ..read.sources import Source


@dataclass
class Mark:
    """Preview-only markup between the runs of a statement (the theme prints `run.text` unescaped
    because it is Markup; the HTML/PDF build never sees a Mark)."""

    html: str

    @property
    def text(self) -> Markup:
        return Markup(self.html)


def _attrs(d: Diagnostic) -> str:
    return (f'data-line="{d.line or 0}" data-column="{d.column or 0}" '
            f'title="{escape(d.message)}"')


class MarkingResolver(resolve_stage._Resolver):
    """The citation stage, adding a Mark where a citation failed or a statement has none."""

    def inlines(self, text, cites, path, text_key="text"):
        before = len(self.diags.items)
        out = super().inlines(text, cites, path, text_key)
        for d in self.diags.items[before:]:
            if d.severity == "error":  # every error of a statement's citations drops one: mark where
                out.append(Mark(f'<span class="bg-failed" {_attrs(d)}>⚠</span>'))
        return out

    def item(self, item, path, require_cite=True):
        before = len(self.diags.items)
        out = super().item(item, path, require_cite)
        for d in self.diags.items[before:]:
            if d.code == "uncited":
                out.insert(0, Mark(f'<span class="bg-uncited" {_attrs(d)}>'))
                out.append(Mark("</span>"))
        return out


def resolve(loaded, library, diags: Diagnostics) -> Brief:
    """resolve.resolve with the marking resolver: a Brief even when citations failed."""
    return resolve_stage.resolve(loaded, library, diags, MarkingResolver)


def passage(c: Citation, source: Source | None) -> tuple[str | None, list[tuple[int, int]]]:
    """The text a citation points at and the matcher's (start, end) spans of its quote pieces in it:
    the cited ¶, or for a pull-quote/caption the dropped line holding it; (None, []) for a whole source."""
    if source is None:
        return None, []
    if c.located:
        want = normalize(c.quote or "")
        for line in source.dropped:
            if c.spans and all(b <= len(line.text) and normalize(line.text[a:b]) in want for a, b in c.spans):
                return line.text, [tuple(s) for s in c.spans]
        return c.quote, [(0, len(c.quote or ""))]
    if c.para is None or not 1 <= c.para <= len(source.paragraphs):
        return None, []
    return source.paragraphs[c.para - 1].text, [tuple(s) for s in c.spans]
