"""Citation stage, analytic part: key judgments, risk ratings and matrix, timeline, annex, lint.

Applies ICD 203 and the Admiralty code (../shared/docs/analytic-standards.md) to the outline:
scale values are checked (did-you-mean on a wrong one), and `check` warns where the brief
falls short of the standards.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from .. import dates
from ..errors import Diagnostics
from ..model import (
    AnnexClaim,
    AnnexGroup,
    Cite,
    EvidenceAnnex,
    Inlines,
    Judgment,
    KeyJudgments,
    Risk,
    RiskList,
    RiskMatrix,
    SourceRef,
    Text,
    Timeline,
    TimelineEvent,
)
from . import scales

if TYPE_CHECKING:
    from ..read.outline import CiteRef, Item, Outline


class Citer(Protocol):
    """What this module needs from the citation stage (resolve.py's resolver): diagnostics, positions in
    the outline, and claims turned into cited inlines. resolve.py calls this module, never the reverse."""

    diags: Diagnostics

    def where(self, path: tuple) -> dict: ...

    def item(self, item: Item, path: tuple, require_cite: bool = True) -> Inlines: ...

    def inlines(self, text: str, cites: list[CiteRef], path: tuple, text_key: str = "text") -> Inlines: ...


def _term(r: Citer, value: str | None, scale: list, path: tuple, what: str, aliases=None):
    if value is None:
        return None
    term = scales.lookup(value, scale, aliases)
    if term is None:
        r.diags.error("bad-scale-value", f"'{value}' is not a {what} term",
                      hint=scales.suggestions(value, scale, aliases), **r.where(path))
    return term


def key_judgments(r: Citer, o: Outline, lang: str) -> list[KeyJudgments]:
    """Key judgments with likelihood (term and band) and confidence, each checked against its scale."""
    out = []
    for i, kj in enumerate(o.key_judgments):
        path = ("key_judgments", i)
        inlines = r.item(kj, path)
        likelihood = _term(r, kj.likelihood, scales.LIKELIHOOD, path + ("likelihood",), "likelihood (ICD 203)",
                           scales.LIKELIHOOD_ALIASES)
        confidence = _term(r, kj.confidence, scales.CONFIDENCE, path + ("confidence",), "confidence")
        if kj.likelihood is None:
            r.diags.warning("kj-no-likelihood", "key judgment states no likelihood",
                            hint="add likelihood: (ICD 203 term, e.g. likely / مرجّح)", **r.where(path))
        if kj.confidence is None:
            r.diags.warning("kj-no-confidence", "key judgment states no confidence",
                            hint="add confidence: low, moderate or high", **r.where(path))
        _lint_judgment_sources(r, inlines, path)
        out.append(Judgment(inlines, likelihood.label(lang) if likelihood else None,
                            likelihood.band if likelihood else None, confidence.label(lang) if confidence else None,
                            f"key_judgments[{i}]"))
    return [KeyJudgments(out)] if out else []


def _lint_judgment_sources(r: Citer, inlines: Inlines, path: tuple) -> None:
    sources = {x.citation.source.id: x.citation.source for x in inlines if isinstance(x, Cite)}
    if len(sources) == 1:
        r.diags.warning("kj-single-source", "key judgment rests on a single source",
                        hint="corroborate it with a second, independent source", **r.where(path))
    weak = [s for s in sources.values() if s.reliability in ("E", "F") or (s.credibility or 0) >= 5]
    if sources and len(weak) == len(sources):
        r.diags.warning("kj-weak-sources", "key judgment rests only on sources graded E/F or 5/6",
                        hint="lower its confidence or find better sources", **r.where(path))


def risks(r: Citer, o: Outline, lang: str, labels: dict[str, str]) -> list:
    """Risk cards (with indicators) and, when any risk is rated, the likelihood × impact matrix."""
    out = []
    for i, spec in enumerate(o.risks):
        path = ("risks", i)
        body = r.inlines(spec.text, spec.cite, path)
        likelihood = _term(r, spec.likelihood, scales.RISK_LIKELIHOOD, path + ("likelihood",), "risk likelihood")
        impact = _term(r, spec.impact, scales.IMPACT, path + ("impact",), "impact")
        rating = scales.rating(likelihood, impact) if likelihood and impact else None
        indicators = [r.item(ind, path + ("indicators", j), require_cite=False)
                      for j, ind in enumerate(spec.indicators)]
        out.append(Risk(spec.title, body, likelihood.label(lang) if likelihood else None,
                        impact.label(lang) if impact else None, likelihood.rank if likelihood else None,
                        impact.rank if impact else None, rating.label(lang) if rating else None,
                        rating.rank if rating else None, indicators, i + 1, f"risks[{i}]",
                        [f"risks[{i}].indicators[{j}]" for j in range(len(indicators))]))
    if not out:
        return []
    blocks: list = []
    rated = [k for k in out if k.rating_rank]
    if rated:
        blocks.append(RiskMatrix(rated, [t.label(lang) for t in scales.RISK_LIKELIHOOD],
                                 [t.label(lang) for t in scales.IMPACT], [t.label(lang) for t in scales.RATING]))
    return [RiskList(out), *blocks]


_PARTIAL_DATE = dates.PARTIAL


def timeline(r: Citer, o: Outline, labels: dict[str, str]) -> list[Timeline]:
    """Events sorted by date (a year sorts before the months of that year), ties in outline order."""
    events = []
    for i, ev in enumerate(o.timeline):
        path = ("timeline", i)
        year, month, day = _PARTIAL_DATE.match(ev.date).groups()
        if month and not 1 <= int(month) <= 12 or day and not 1 <= int(day) <= 31:
            r.diags.error("bad-date", f"'{ev.date}' is not a valid date", hint="write YYYY, YYYY-MM or YYYY-MM-DD",
                          **r.where(path + ("date",)))
            continue
        events.append(((int(year), int(month or 0), int(day or 0), i), ev, path))
    events.sort(key=lambda e: e[0])
    # Citations are numbered in the order readers meet them: the sorted order.
    return [Timeline([TimelineEvent(dates.long_date(ev.date, labels), r.item(ev, path), f"timeline[{path[1]}]")
                      for _, ev, path in events])] \
        if events else []


def annex(claims: list[tuple[str, Inlines]], titles: dict[str, str]) -> EvidenceAnnex:
    """Every claim with its citations, grouped by the section it stands in."""
    groups: dict[str, AnnexGroup] = {}
    for key, inlines in claims:
        cites = [x.citation for x in inlines if isinstance(x, Cite)]
        text = "".join(x.text for x in inlines if isinstance(x, Text)).strip()
        group = groups.setdefault(key, AnnexGroup(titles[key], []))
        group.claims.append(AnnexClaim(text, cites))
    return EvidenceAnnex(list(groups.values()))


def source_summary(sources: list[SourceRef], judgment_sources: list[SourceRef], labels: dict[str, str]) -> str:
    """One paragraph from the grades: how many sources, how graded, which carry the key judgments."""
    comma = labels["comma"]
    parts = [labels["summary_sources"].format(n=len(sources))]
    graded: dict[str, int] = {}
    for s in sources:
        if s.grade:
            graded[s.grade] = graded.get(s.grade, 0) + 1
    if graded:
        parts.append(labels["summary_grades"].format(
            grades=comma.join(f"{g} ({n})" for g, n in sorted(graded.items()))))
    ungraded = sum(1 for s in sources if not s.grade)
    if ungraded and graded:
        parts.append(labels["summary_ungraded"].format(n=ungraded))
    text = comma.join(parts) + "."
    if judgment_sources:
        names = comma.join(f"{s.publisher or s.title}" + (f" ({s.grade})" if s.grade else "")
                           for s in judgment_sources)
        text += " " + labels["summary_judgments"].format(sources=names) + "."
    return text
