"""Citation stage: outline + sources -> the resolved Brief (citations numbered, quotes verified)."""

from __future__ import annotations

import re
import unicodedata

from .. import dates
from ..arabic import normalize
from ..errors import Diagnostics
from ..labels import labels_for
from ..model import (
    Actor,
    ActorTable,
    Brief,
    Citation,
    Cite,
    Inlines,
    ItemList,
    Meta,
    Paragraph,
    Position,
    PositionGrid,
    Section,
    SourceRef,
    Text,
    item_path,
)
from ..project.cache import CACHE_DIR
from ..read.outline import CiteRef, Item, LoadedOutline, did_you_mean
from ..read.sources import Library
from . import match as evidence
from . import tradecraft

MARKER = re.compile(r"\[@([A-Za-z0-9_.\-]+)(?:\s*,\s*(?:¶|p\.?|para\.?)\s*(\d+))?\]")


def _page(source, para: int | None) -> str | None:
    """The PDF page(s) of a cited paragraph ("3", "3–4"), when its source records pages."""
    if para is None or not 0 < para <= len(source.paragraphs) or source.paragraphs[para - 1].pages is None:
        return None
    first, last = source.paragraphs[para - 1].pages
    return str(first) if first == last else f"{first}–{last}"


class _Resolver:
    def __init__(self, loaded: LoadedOutline, library: Library, diags: Diagnostics):
        self.loaded, self.library, self.diags = loaded, library, diags
        self.citations: list[Citation] = []
        self.cited: set[str] = set()
        self.section = ""  # the section being resolved
        self.claims: list[tuple[str, Inlines]] = []  # (section key, cited text) for the evidence annex

    def where(self, path: tuple) -> dict:
        return self.loaded.located.where(path)

    def cite(self, ref: CiteRef, path: tuple) -> Cite | None:
        """Resolve one citation; number it if it is valid."""
        source = self.library.sources.get(ref.source)
        if source is None:
            hint = did_you_mean(ref.source, self.library.ids()) or f"known ids: {', '.join(self.library.ids())}"
            self.diags.error("unknown-source", f"unknown source id '{ref.source}'", hint=hint,
                             **self.where(path + ("source",)))
            return None
        para, quote, match = ref.para, None, None
        if ref.quote is not None:
            match = self._verify(ref, path)
            if match is None:
                return None
            if ref.para is not None and ref.para != match.para and not match.located:
                self.diags.warning("para-mismatch", f"quote is in ¶{match.para} of '{source.id}', not ¶{ref.para}",
                                   hint=f"write para: {match.para} or leave para out", **self.where(path + ("para",)))
            para, quote = match.para, match.text
            if match.caution is not None:
                self.diags.warning(match.caution.code, match.caution.message, hint=match.caution.hint,
                                   **self.where(path + ("quote",)))
        elif para is not None and para > len(source.paragraphs):
            self.diags.error("bad-para", f"'{source.id}' has {len(source.paragraphs)} paragraphs, not ¶{para}",
                             hint=f"see `briefgen sources show {source.id}`", **self.where(path + ("para",)))
            return None
        first = source.id not in self.cited
        self.cited.add(source.id)
        citation = Citation(len(self.citations) + 1, source.ref, para, quote, first, page=_page(source, para))
        if match is not None:
            citation.tolerances, citation.spans = match.tolerances, tuple(match.spans)
            citation.located = match.located
        self.citations.append(citation)
        return Cite(citation)

    def _verify(self, ref: CiteRef, path: tuple) -> evidence.Match | None:
        """The quote's match, confirmed against the source file itself; None after reporting why not."""
        where = self.where(path + ("quote",))
        source = self.library.sources[ref.source]
        result = evidence.verify(ref.quote, source)
        if isinstance(result, evidence.Match) and not source.confirm(result):
            # the cached copy disagrees with the file: discard it, read the file afresh, verify again
            source = self.library.sources[ref.source] = source.rebuilt()
            self.diags.warning("cache-mismatch", f"the cached copy of {source.path.name} disagreed with the file; "
                               "it was discarded and rebuilt", file=str(source.path),
                               hint=f"nothing to do; if it recurs, delete {CACHE_DIR}/")
            result = evidence.verify(ref.quote, source)
        if isinstance(result, evidence.Match):
            return result
        if result.code == "quote-not-found":
            self._quote_not_found(ref, where)
        else:
            self.diags.error(result.code, result.message, hint=result.hint, **where)
        return None

    def _quote_not_found(self, ref: CiteRef, where: dict) -> None:
        for other in self.library.sources.values():
            if other.id != ref.source and (m := evidence.find(ref.quote, other)):
                self.diags.error("quote-wrong-source",
                                 f"quote is not in '{ref.source}' but is in '{other.id}' ¶{m.para}",
                                 hint=f"cite {{source: {other.id}, quote: …}} instead", **where)
                return
        near = evidence.closest(ref.quote, self.library.sources[ref.source])
        hint = (f"closest passage, ¶{near.para}: {near.diff}   ([-source-] {{+quote+}})" if near and near.score >= 0.3
                else "no similar passage; search with `briefgen sources search \"…\"`")
        self.diags.error("quote-not-found", f"quote not found in source '{ref.source}'", hint=hint, **where)

    def inlines(self, text: str, cites: list[CiteRef], path: tuple, text_key: str = "text") -> Inlines:
        """Text with [@id] markers turned into citations, then the cite: list at the end."""
        out: Inlines = []
        pos = 0
        for m in MARKER.finditer(text):
            if m.start() > pos:
                out.append(Text(text[pos:m.start()].rstrip() if m.start() > 0 else ""))
            para = int(m.group(2)) if m.group(2) else None
            c = self.cite(CiteRef(source=m.group(1), para=para), path + (text_key,))
            if c:
                out.append(c)
            pos = m.end()
        if pos < len(text):
            out.append(Text(text[pos:]))
        for i, ref in enumerate(cites):
            c = self.cite(ref, path + ("cite", i))
            if c:
                out.append(c)
        out = [x for x in out if not (isinstance(x, Text) and not x.text)]
        if any(isinstance(x, Cite) for x in out):
            self.claims.append((self.section, out))
        if "[@" in text and not MARKER.search(text):
            self.diags.warning("bad-marker", "text contains '[@' that is not a citation marker",
                               hint="write [@id] or [@id, ¶3]", **self.where(path + (text_key,)))
        return out

    def item(self, item: Item, path: tuple, require_cite: bool = True) -> Inlines:
        """A claim: its text and citations (warned about when it has none and needs some)."""
        inl = self.inlines(item.text, item.cite, path)
        if require_cite and not any(isinstance(x, Cite) for x in inl):
            self.diags.warning("uncited", "statement has no citation",
                               hint="add cite: [source-id] or an inline [@source-id]", **self.where(path))
        return inl


def resolve(loaded: LoadedOutline, library: Library, diags: Diagnostics, resolver: type | None = None) -> Brief:
    """Build the Brief: sections in reading order, one numbered footnote per citation.

    `resolver`: a subclass of _Resolver (the preview's marks failed citations in the text).
    """
    o = loaded.outline
    r = (resolver or _Resolver)(loaded, library, diags)
    labels = labels_for(o.lang)
    sections: list[Section] = []

    def add(key: str, build) -> None:
        r.section = key
        blocks = build()
        if blocks:
            sections.append(Section(key, len(sections) + 1, labels[key], blocks))

    def paragraphs(key: str) -> list:
        return [Paragraph(r.item(it, (key, i)), item_path((key, i))) for i, it in enumerate(getattr(o, key))]

    add("summary", lambda: paragraphs("summary"))
    add("key_judgments", lambda: tradecraft.key_judgments(r, o, o.lang))
    add("assumptions", lambda: [ItemList(False, [r.item(it, ("assumptions", i), require_cite=False)
                                                 for i, it in enumerate(o.assumptions)],
                                         [f"assumptions[{i}]" for i in range(len(o.assumptions))])]
        if o.assumptions else [])
    add("background", lambda: paragraphs("background"))
    add("timeline", lambda: tradecraft.timeline(r, o, labels))
    add("actors", lambda: [ActorTable([Actor(a.name, r.inlines(a.role, a.cite, ("actors", i), text_key="role"),
                                             a.stance, f"actors[{i}]") for i, a in enumerate(o.actors)])]
        if o.actors else [])
    add("positions", lambda: _positions(r, o))
    add("risks", lambda: tradecraft.risks(r, o, o.lang, labels))
    add("open_questions", lambda: [ItemList(True, [r.item(it, ("open_questions", i), require_cite=False)
                                                   for i, it in enumerate(o.open_questions)],
                                            [f"open_questions[{i}]" for i in range(len(o.open_questions))])]
        if o.open_questions else [])
    if o.annex == "evidence":
        titles = {s.key: s.title for s in sections}
        sections.append(Section("annex", len(sections) + 1, labels["annex"], [tradecraft.annex(r.claims, titles)]))

    cited = {c.source.id: c.source for c in r.citations}
    judgment_sources = {x.citation.source.id: x.citation.source
                        for block in next((s.blocks for s in sections if s.key == "key_judgments"), [])
                        for j in block.judgments for x in j.inlines if isinstance(x, Cite)}
    meta = Meta(name=loaded.path.stem, title=o.title, lang=o.lang, subtitle=o.subtitle, date=o.date,
                author=o.author, organization=o.organization, classification=o.classification,
                date_display=dates.long_date(o.date, labels) if o.date else None,
                hijri=dates.hijri_date(o.date, o.lang) if o.date and o.hijri else None, digits=o.digits)
    bibliography = sorted(cited.values(), key=bibliography_key)
    summary = (tradecraft.source_summary(bibliography, sorted(judgment_sources.values(), key=bibliography_key), labels)
               if any(s.grade for s in bibliography) else None)
    _lint(r, o, library, sections)
    return Brief(meta, sections, r.citations, bibliography, labels, summary)


def _positions(r: _Resolver, o) -> list:
    """Positions numbered row by row, as the comparison table is read (see PositionGrid)."""
    if not o.positions:
        return []
    points: list[list[Inlines]] = [[] for _ in o.positions]
    for j in range(max(len(p.points) for p in o.positions)):
        for i, p in enumerate(o.positions):
            if j < len(p.points):
                points[i].append(r.item(p.points[j], ("positions", i, "points", j)))
    return [PositionGrid([Position(p.actor, p.stance, points[i], f"positions[{i}].stance",
                                   [f"positions[{i}].points[{j}]" for j in range(len(points[i]))])
                          for i, p in enumerate(o.positions)])]


def _lint(r: _Resolver, o, library: Library, sections: list[Section]) -> None:
    """Warnings where the brief falls short of the analytic standards (errors with --strict)."""
    top = r.where(())
    present = {s.key for s in sections}
    for key, what in (("summary", "the main message (summary:)"), ("key_judgments", "key judgments")):
        if key not in present:
            r.diags.warning("structure", f"the brief has no {what}; a brief puts its main message first",
                            hint=f"add `{key}:` to the outline", **top)
    cited = {c.source.id for c in r.citations}
    for source in library.sources.values():
        if source.id not in cited:
            r.diags.warning("source-uncited", f"source '{source.id}' is never cited", file=str(source.path),
                            hint="cite it or move it out of the sources folder")
            continue
        for key in ("publisher", "date"):
            if getattr(source.ref, key) is None and key not in source.declared:
                r.diags.warning("source-metadata", f"cited source '{source.id}' has no {key}", file=str(source.path),
                                hint=f"add {key}: to its entry in sources.yaml, or `{key}: null` "
                                     "if the text gives none")


def bibliography_key(source: SourceRef) -> tuple:
    """Arabic-script entries first, then Latin; each sorted ignoring the article ال."""
    head = source.publisher or source.title
    latin = not any("ARABIC" in unicodedata.name(ch, "") for ch in head[:20])
    words = normalize(head).split()
    if words and words[0].startswith("ال") and len(words[0]) > 3:
        words[0] = words[0][2:]
    return (latin, " ".join(words), source.id)
