"""Document model: the resolved brief, the only thing renderers read.

Readers (outline, sources) and the citation stage build it; renderers (HTML/PDF,
DOCX) consume it and never look at YAML or source files. Citations are already
numbered in reading order and quotes already verified when a Brief exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, Union

Lang = Literal["ar", "en"]


@dataclass(frozen=True)
class SourceRef:
    """Bibliographic data of one source article."""

    id: str
    title: str
    publisher: str | None = None
    author: str | None = None
    date: str | None = None
    url: str | None = None
    accessed: str | None = None
    reliability: str | None = None  # Admiralty code A–F: the source's reliability
    credibility: int | None = None  # Admiralty code 1–6: the information's credibility

    @property
    def grade(self) -> str | None:
        """The Admiralty grade written together, e.g. "B2" (None when ungraded)."""
        if self.reliability is None and self.credibility is None:
            return None
        return f"{self.reliability or '?'}{self.credibility or '?'}"


@dataclass
class Citation:
    """One footnote: a cited source, its ¶ pinpoint and, if given, the verified quote."""

    number: int
    source: SourceRef
    para: int | None = None
    quote: str | None = None  # the source's own wording of the verified passage
    first: bool = True  # the first citation of its source: its note gives the full reference
    # How exact the verified quote is: the matching tolerances it needed (see arabic.TOLERANCES),
    # and where it stands: (start, end) offsets into the matched passage, one per omission piece.
    tolerances: tuple[str, ...] = ()
    spans: tuple[tuple[int, int], ...] = ()
    located: str | None = None  # "pull-quote" or "caption": printed outside the article's paragraphs
    page: str | None = None  # PDF sources: the page(s) of the cited paragraph, e.g. "3" or "3–4"


@dataclass
class Text:
    """A run of plain text (already data: renderers escape it)."""

    text: str
    change: str | None = None  # "ins" or "del": a tracked change in a redline of two versions (changes.py)


@dataclass
class Cite:
    """A footnote reference at this point of the text."""

    citation: Citation
    change: str | None = None  # "ins": the reference came with an item added since the earlier version


Inline = Union[Text, Cite]
Inlines = list[Inline]


@dataclass
class Paragraph:
    """A paragraph of running text."""

    inlines: Inlines
    path: str = ""  # the outline item it renders, e.g. "summary[0]" (anchors the DOCX round trip)


@dataclass
class ItemList:
    """A bulleted (ordered=False) or numbered (ordered=True) list."""

    ordered: bool
    items: list[Inlines]
    paths: list[str] = field(default_factory=list)  # the outline path of each item


@dataclass
class Actor:
    """A row of the actors table."""

    name: str
    role: Inlines
    stance: str | None = None
    path: str = ""  # e.g. "actors[0]"


@dataclass
class ActorTable:
    """The actors: name, role, stance in one line each."""

    actors: list[Actor]


@dataclass
class Position:
    """One actor's position: a short stance and cited points."""

    actor: str
    stance: str | None
    points: list[Inlines]
    stance_path: str = ""  # e.g. "positions[1].stance"
    point_paths: list[str] = field(default_factory=list)  # e.g. "positions[1].points[0]"


@dataclass
class PositionGrid:
    """Positions of several actors, shown side by side.

    Read like a table: row by row (each actor's 1st point, then each actor's 2nd point, …);
    citations are numbered in that order, so renderers lay out rows in that order too.
    """

    positions: list[Position]

    def rows(self) -> list[list[Inlines | None]]:
        """Row i holds every actor's i-th point (None where an actor has fewer points)."""
        depth = max((len(p.points) for p in self.positions), default=0)
        return [[p.points[i] if i < len(p.points) else None for p in self.positions] for i in range(depth)]


@dataclass
class Risk:
    """A risk: title, cited description, likelihood and impact (labels and 1–5 ranks), indicators."""

    title: str
    body: Inlines
    likelihood: str | None = None  # label in the brief's language, e.g. "مرجّح"
    impact: str | None = None
    likelihood_rank: int | None = None  # 1 (rare) … 5 (almost certain)
    impact_rank: int | None = None  # 1 (insignificant) … 5 (severe)
    rating: str | None = None  # low / medium / high / very high, in the brief's language
    rating_rank: int | None = None  # 1 … 4
    indicators: list[Inlines] = field(default_factory=list)
    number: int = 0  # 1-based position in the risk list, used to place it in the matrix
    path: str = ""  # e.g. "risks[3]"
    indicator_paths: list[str] = field(default_factory=list)


@dataclass
class RiskList:
    """The risks, rendered as cards (PDF) or a table (DOCX)."""

    risks: list[Risk]


@dataclass
class RiskMatrix:
    """Likelihood × impact grid (5 × 5) with each rated risk placed in its cell by number."""

    risks: list[Risk]
    likelihood_labels: list[str]  # rank 1 … 5, in the brief's language
    impact_labels: list[str]
    rating_labels: list[str]  # low … very high

    def cell(self, likelihood: int, impact: int) -> list[Risk]:
        return [r for r in self.risks if (r.likelihood_rank, r.impact_rank) == (likelihood, impact)]

    @staticmethod
    def cell_rating(likelihood: int, impact: int) -> int:
        """1 low, 2 medium, 3 high, 4 very high (the standard 5 × 5 bands)."""
        score = likelihood * impact
        return 1 if score <= 4 else 2 if score <= 9 else 3 if score <= 16 else 4


@dataclass
class Judgment:
    """A key judgment: cited text, likelihood (ICD 203 term and band) and confidence, kept apart."""

    inlines: Inlines
    likelihood: str | None = None  # e.g. "مرجّح"
    band: str | None = None  # e.g. "55–80%"
    confidence: str | None = None  # e.g. "متوسطة"
    path: str = ""  # e.g. "key_judgments[2]"


@dataclass
class KeyJudgments:
    """The key judgments, main message first."""

    judgments: list[Judgment]


@dataclass
class TimelineEvent:
    """A dated event: the date as shown, and its cited description."""

    date: str
    inlines: Inlines
    path: str = ""  # e.g. "timeline[4]"


@dataclass
class Timeline:
    """Dated events in date order."""

    events: list[TimelineEvent]


@dataclass
class AnnexClaim:
    """A claim of the brief and the citations that carry it."""

    text: str
    citations: list[Citation]


@dataclass
class AnnexGroup:
    """The claims of one section of the brief."""

    title: str
    claims: list[AnnexClaim]


@dataclass
class EvidenceAnnex:
    """Every claim with its citations, verified quotes and ¶ pinpoints, by section."""

    groups: list[AnnexGroup]


def item_path(path: tuple) -> str:
    """An outline path as items are named: ("positions", 1, "points", 0) -> "positions[1].points[0]"."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


Block = Union[Paragraph, ItemList, ActorTable, PositionGrid, RiskList, RiskMatrix, KeyJudgments, Timeline,
              EvidenceAnnex]


@dataclass
class Section:
    """A numbered section of the brief, with its generated heading."""

    key: str  # summary, background, actors, positions, risks, open_questions
    number: int
    title: str
    blocks: list[Block]


@dataclass
class Meta:
    """Title-block metadata of the brief."""

    name: str  # outline stem: the output files are <name>.pdf / <name>.docx
    title: str
    lang: Lang = "ar"
    subtitle: str | None = None
    date: str | None = None
    author: str | None = None
    organization: str | None = None
    classification: str | None = None
    date_display: str | None = None  # the date as readers see it, e.g. "31 يناير 2024"
    hijri: str | None = None  # the Hijri date, when the outline asks for it
    digits: str = "latin"  # or "arabic-indic": style of generated numbers (pages, sections, notes)
    version: int | None = None  # an issued version's number (briefgen issue); None for an ordinary build
    version_line: str | None = None  # as readers see it under the title, e.g. "الإصدار 2، 3 ديسمبر 2026"
    redline_date: str | None = None  # a redline's tracked changes are dated (YYYY-MM-DD) and by "briefgen"

    @property
    def direction(self) -> str:
        return "rtl" if self.lang == "ar" else "ltr"


@dataclass
class Brief:
    """The resolved brief: metadata, sections, numbered citations, bibliography, labels."""

    meta: Meta
    sections: list[Section]
    citations: list[Citation]
    bibliography: list[SourceRef]
    labels: dict[str, str] = field(default_factory=dict)
    source_summary: str | None = None  # generated from the Admiralty grades, shown before the bibliography


def display_date(date: str | None, labels: dict[str, str]) -> str:
    """A source date as readers expect it: 31/01/2024 in Arabic (as the sources write it)."""
    if not date:
        return labels.get("no_date", "n.d.")
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", date)
    if m and labels.get("lang") == "ar":
        return f"{m.group(3)}/{m.group(2)}/{m.group(1)}"
    return date


def _quoted(title: str, labels: dict[str, str]) -> str:
    return f"«{title}»" if labels.get("lang") == "ar" else f"“{title}”"


def short_title(source: SourceRef, words: int = 6) -> str:
    """The first words of a title, for short notes."""
    parts = source.title.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


def _where(source: SourceRef, labels: dict[str, str]) -> list[str]:
    """Where the reader finds the source online: its URL and, when known, the date it was accessed."""
    if not source.url:
        return []
    # in a right-to-left note a URL is isolated as left-to-right (LRI … PDI), or its "/" and digits are reordered
    url = f"\u2066{source.url}\u2069" if labels.get("lang") == "ar" else source.url
    if not source.accessed:
        return [url]
    return [url, f"{labels.get('accessed', 'accessed')} {display_date(source.accessed, labels)}"]


def note_text(citation: Citation, labels: dict[str, str]) -> str:
    """The footnote's reference line, the same in every renderer.

    First note of a source (Arabic news-citation convention): Publisher، «Title»، date، URL، تاريخ الاطلاع date، ¶N
    (URL and access date when known; a PDF source's page before the ¶: ص 3، ¶N).
    Later notes of the same source are short: Publisher (or «short title»)، ¶N.
    """
    s = citation.source
    comma = labels.get("comma", "، ")
    if citation.first:
        parts = [p for p in (s.publisher, _quoted(s.title, labels)) if p]
        parts.append(display_date(s.date, labels))
        parts += _where(s, labels)
    else:
        parts = [s.publisher or _quoted(short_title(s), labels)]
    text = comma.join(parts)
    if citation.page is not None:
        text += f"{comma}{labels.get('page_pin', 'p.')} {citation.page}"
    if citation.located:  # a pull-quote or photo caption: say so, and after which ¶ it stands
        where = labels.get(f"located_{citation.located}", citation.located)
        text += comma + (labels.get("located_after", "{where} ¶{para}").format(where=where, para=citation.para)
                         if citation.para is not None else where)
    elif citation.para is not None:
        text += f"{comma}¶{citation.para}"
    return text if text.endswith(".") else text + "."


def tolerance_text(citation: Citation, labels: dict[str, str]) -> str:
    """What a verified quote's match allowed for, for the evidence annex: "(matched allowing for …)", or ""."""
    if not citation.tolerances:
        return ""
    names = labels.get("comma", ", ").join(labels.get(f"tol_{t}", t) for t in citation.tolerances)
    return f"({labels.get('tolerances', 'matched allowing for')} {names})"


def bibliography_text(source: SourceRef, labels: dict[str, str]) -> str:
    """The bibliography entry of a source: Publisher، «Title»، author، date، URL."""
    comma = labels.get("comma", "، ")
    parts = [p for p in (source.publisher, _quoted(source.title, labels), source.author) if p]
    parts.append(display_date(source.date, labels))
    parts += _where(source, labels)
    text = comma.join(parts)
    text = text if text.endswith(".") else text + "."
    return f"{text} [{source.grade}]" if source.grade else text
