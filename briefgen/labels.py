"""Labels: every generated heading and term, in Arabic and English, from one table."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "ar": {
        "lang": "ar",
        "comma": "، ",
        "summary": "الملخّص التنفيذي",
        "background": "الخلفية",
        "actors": "الفاعلون",
        "positions": "المواقف",
        "risks": "المخاطر",
        "open_questions": "أسئلة مفتوحة",
        "sources": "المصادر",
        "contents": "المحتويات",
        "actor": "الفاعل",
        "role": "الدور",
        "stance": "الموقف",
        "likelihood": "الاحتمال",
        "impact": "الأثر",
        "quote": "الاقتباس",
        "risk": "الخطر",
        "description": "الوصف",
        "no_date": "د.ت",
        "page": "صفحة",
        "of": "من",
        "prepared_by": "إعداد",
        "classification": "التصنيف",
        "footnotes": "الحواشي",
    },
    "en": {
        "lang": "en",
        "comma": ", ",
        "summary": "Executive summary",
        "background": "Background",
        "actors": "Actors",
        "positions": "Positions",
        "risks": "Risks",
        "open_questions": "Open questions",
        "sources": "Sources",
        "contents": "Contents",
        "actor": "Actor",
        "role": "Role",
        "stance": "Stance",
        "likelihood": "Likelihood",
        "impact": "Impact",
        "quote": "Quote",
        "risk": "Risk",
        "description": "Description",
        "no_date": "n.d.",
        "page": "Page",
        "of": "of",
        "prepared_by": "Prepared by",
        "classification": "Classification",
        "footnotes": "Notes",
    },
}


def labels_for(lang: str) -> dict[str, str]:
    """The label table of a language (Arabic unless 'en')."""
    return dict(LABELS["en" if lang == "en" else "ar"])
