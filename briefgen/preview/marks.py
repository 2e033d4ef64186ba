"""Preview citation stage: resolve with failed quotes and uncited statements marked, and quote spans."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from .. import resolve as resolve_stage
from ..arabic import tokens
from ..errors import Diagnostic, Diagnostics
from ..evidence import pieces
from ..model import Brief

# Citation-stage errors that drop a citation from the brief: the preview marks where it stood.
FAILED = {"quote-not-found", "quote-wrong-source", "unknown-source", "bad-para"}


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
            if d.severity == "error" and d.code in FAILED:
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


def quote_spans(paragraph: str, quote: str) -> list[tuple[int, int]]:
    """The [start, end) character spans in the paragraph of each piece of a verified quote
    (one per omission-separated piece), found as the matcher finds them: whole normalised words, in order."""
    toks = tokens(paragraph)
    norms = [t.norm for t in toks]
    spans, pos = [], 0
    for run in pieces(quote):
        n = len(run)
        at = next((i for i in range(pos, len(norms) - n + 1) if norms[i:i + n] == run), None)
        if at is None:
            return []
        spans.append((toks[at].start, toks[at + n - 1].end))
        pos = at + n
    return spans
