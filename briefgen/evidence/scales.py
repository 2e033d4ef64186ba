"""Analytic scales: ICD 203 likelihood, confidence, risk likelihood and impact, Admiralty grades.

Each scale maps what an analyst may write (English term, alternative term or Arabic term,
see ../shared/docs/analytic-standards.md) to one Term. Arabic terms marked *(proposed)* in the
standards doc are the defaults here.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from ..arabic import normalize


@dataclass(frozen=True)
class Term:
    """One value of a scale: its key, rank (1 = lowest), labels and probability band."""

    scale: str
    key: str
    rank: int
    en: str
    ar: str
    band: str | None = None

    def label(self, lang: str) -> str:
        return self.ar if lang == "ar" else self.en


def _terms(scale: str, rows: list[tuple]) -> list[Term]:
    return [Term(scale, row[0], rank, row[0], row[1], row[2] if len(row) > 2 else None)
            for rank, row in enumerate(rows, 1)]


# ICD 203 likelihood: term, Arabic, band; alternative terms are accepted as aliases.
LIKELIHOOD = _terms("likelihood", [
    ("almost no chance", "شبه مستحيل", "01–05%"),
    ("very unlikely", "مستبعد جداً", "05–20%"),
    ("unlikely", "مستبعد", "20–45%"),
    ("roughly even chance", "احتمال متكافئ", "45–55%"),
    ("likely", "مرجّح", "55–80%"),
    ("very likely", "مرجّح جداً", "80–95%"),
    ("almost certain", "شبه مؤكد", "95–99%"),
])
LIKELIHOOD_ALIASES = {"remote": "almost no chance", "highly improbable": "very unlikely",
                      "improbable": "unlikely", "roughly even odds": "roughly even chance",
                      "probable": "likely", "highly probable": "very likely", "nearly certain": "almost certain"}
CONFIDENCE = _terms("confidence", [("low", "منخفضة"), ("moderate", "متوسطة"), ("high", "عالية")])
# 5 × 5 risk matrix (standards doc): likelihood and impact, Arabic terms proposed.
RISK_LIKELIHOOD = _terms("risk likelihood", [("rare", "نادر"), ("unlikely", "غير مرجّح"), ("possible", "ممكن"),
                                             ("likely", "مرجّح"), ("almost certain", "شبه مؤكد")])
IMPACT = _terms("impact", [("insignificant", "ضئيل"), ("minor", "طفيف"), ("moderate", "متوسط"),
                           ("major", "كبير"), ("severe", "جسيم")])
RATING = _terms("rating", [("low", "منخفض"), ("medium", "متوسط"), ("high", "مرتفع"), ("very high", "مرتفع جداً")])
RELIABILITY = {"A": ("completely reliable", "موثوق تماماً"), "B": ("usually reliable", "موثوق عادةً"),
               "C": ("fairly reliable", "موثوق إلى حد ما"), "D": ("not usually reliable", "غير موثوق عادةً"),
               "E": ("unreliable", "غير موثوق"), "F": ("reliability cannot be judged", "لا يمكن الحكم على موثوقيته")}
CREDIBILITY = {1: ("confirmed by other sources", "مؤكدة من مصادر أخرى"), 2: ("probably true", "صحيحة على الأرجح"),
               3: ("possibly true", "ربما تكون صحيحة"), 4: ("doubtful", "مشكوك فيها"),
               5: ("improbable", "مستبعدة"), 6: ("truth cannot be judged", "لا يمكن الحكم على صحتها")}


def _key(text: str) -> str:
    return normalize(str(text).replace("_", " ").replace("-", " ")).strip()


def lookup(value: object, scale: list[Term], aliases: dict[str, str] | None = None) -> Term | None:
    """The term an analyst meant, in English or Arabic (spelling variants folded), or None."""
    key = _key(value)
    key = _key(aliases.get(key, key)) if aliases else key
    for term in scale:
        if key in (_key(term.en), _key(term.ar), _key(term.key)):
            return term
    return None


def suggestions(value: object, scale: list[Term], aliases: dict[str, str] | None = None) -> str:
    """'did you mean …?' or the list of accepted values."""
    choices = [t.en for t in scale] + [t.ar for t in scale] + list(aliases or {})
    close = difflib.get_close_matches(str(value).lower(), choices, n=1, cutoff=0.5)
    if close:
        return f"did you mean '{close[0]}'?"
    return "use one of: " + ", ".join(t.en for t in scale)


def rating(likelihood: Term, impact: Term) -> Term:
    """The 5 × 5 matrix rating of a risk: low, medium, high or very high."""
    score = likelihood.rank * impact.rank
    return RATING[0 if score <= 4 else 1 if score <= 9 else 2 if score <= 16 else 3]
