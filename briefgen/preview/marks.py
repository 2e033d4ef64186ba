"""Preview citation stage: resolve with failed quotes and uncited statements marked, each citation known
by its identity (where it stands in the outline), and each citation's passage."""

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
    because it is Markup); `strip` takes every Mark out again before the page view's PDF is laid out."""

    html: str

    @property
    def text(self) -> Markup:
        return Markup(self.html)


def _attrs(d: Diagnostic) -> str:
    label = f"{d.severity}: {d.message}" + (f" (line {d.line})" if d.line else "")
    return (f'data-line="{d.line or 0}" data-column="{d.column or 0}" '
            f'title="{escape(d.message)}" aria-label="{escape(label)}"')


def key(path: tuple) -> str:
    """A citation's identity: its place in the outline ('risks/1/cite/0'), the same across renumberings."""
    return "/".join(str(p) for p in path)


class MarkingResolver(resolve_stage._Resolver):
    """The citation stage, adding one Mark per fault: ⚠ where a citation failed, an underline (and its
    button) where a statement has no citation at all; a statement whose only citation failed has its ⚠
    alone, and the 'uncited' warning that follows from the failure is not counted a second time."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.keys: list[str] = []  # the identity of citation n at keys[n - 1]
        self.marked: list[list] = []  # the inline lists holding a Mark

    def cite(self, ref, path):
        out = super().cite(ref, path)
        if out is not None:
            k = key(path)
            seen = sum(1 for x in self.keys if x == k or x.startswith(k + "#"))
            self.keys.append(k if not seen else f"{k}#{seen}")  # the n-th [@id] marker of one text
        return out

    def inlines(self, text, cites, path, text_key="text"):
        before = len(self.diags.items)
        out = super().inlines(text, cites, path, text_key)
        for d in self.diags.items[before:]:
            if d.severity == "error":  # every error of a statement's citations drops one: mark where
                out.append(Mark(f'<button type="button" class="bg-failed" {_attrs(d)}>⚠</button>'))
        if len(self.diags.items) > before and out and isinstance(out[-1], Mark):
            self.marked.append(out)
        return out

    def item(self, item, path, require_cite=True):
        before = len(self.diags.items)
        out = super().item(item, path, require_cite)
        new = self.diags.items[before:]
        failed = any(d.severity == "error" for d in new)
        for d in new:
            if d.code != "uncited":
                continue
            if failed:  # its citations failed: that is the fault, already marked ⚠
                self.diags.items.remove(d)
                continue
            out.insert(0, Mark('<span class="bg-uncited">'))
            out.append(Mark(f'<button type="button" class="bg-uncited-mark" {_attrs(d)}>?</button></span>'))
            self.marked.append(out)
        return out

    def strip(self) -> None:
        """Take every Mark out of the brief: what is left is the brief `build` would lay out."""
        for runs in self.marked:
            runs[:] = [r for r in runs if not isinstance(r, Mark)]
        self.marked = []


class Marked:
    """What marks.resolve returns: the brief, its citations' identities and a way to strip its marks."""

    def __init__(self, brief: Brief, resolver: MarkingResolver):
        self.brief, self.keys, self._resolver = brief, resolver.keys, resolver

    def strip(self) -> None:
        self._resolver.strip()


def resolve(loaded, library, diags: Diagnostics) -> Marked:
    """resolve.resolve with the marking resolver: a Brief even when citations failed."""
    made: list[MarkingResolver] = []

    class Recording(MarkingResolver):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    brief = resolve_stage.resolve(loaded, library, diags, Recording)
    return Marked(brief, made[0])


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
