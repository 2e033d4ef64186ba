"""Ingest stage, dates in words: «الأربعاء ٣١ كانون الثاني ٢٠٢٤», «31 يناير 2024», «١٩ رجب ١٤٤٥ هـ» -> ISO dates.

Month names in the three Arabic traditions (Egyptian/Gulf يناير…, Levantine/Iraqi كانون الثاني…,
Maghrebi جانفي…, also paired as «كانون الثاني/يناير») and the Hijri months; digits Latin,
Arabic-Indic or Persian. A Hijri date is converted with the Umm al-Qura calendar (hijridate).
"""

from __future__ import annotations

import datetime as dt
import re

_GREGORIAN = {
    1: "يناير كانون الثاني جانفي", 2: "فبراير شباط فيفري", 3: "مارس آذار اذار", 4: "أبريل ابريل إبريل نيسان أفريل",
    5: "مايو أيار ايار ماي", 6: "يونيو يونيه حزيران جوان", 7: "يوليو يوليه تموز جويلية", 8: "أغسطس اغسطس آب اب أوت",
    9: "سبتمبر أيلول ايلول", 10: "أكتوبر اكتوبر تشرين الأول تشرين الاول", 11: "نوفمبر تشرين الثاني",
    12: "ديسمبر كانون الأول كانون الاول"}
_TWO_WORDS = ("كانون الثاني", "كانون الأول", "كانون الاول", "تشرين الأول", "تشرين الاول", "تشرين الثاني")
_HIJRI = {1: "محرم المحرم", 2: "صفر", 3: "ربيع الأول ربيع الاول", 4: "ربيع الثاني ربيع الآخر ربيع الاخر",
          5: "جمادى الأولى جمادى الاولى جمادى الأول", 6: "جمادى الآخرة جمادى الاخرة جمادى الثانية جمادى الآخر",
          7: "رجب", 8: "شعبان", 9: "رمضان", 10: "شوال", 11: "ذو القعدة ذي القعدة", 12: "ذو الحجة ذي الحجة"}


def _names(table: dict[int, str], pairs: tuple[str, ...] = ()) -> dict[str, int]:
    out: dict[str, int] = {}
    for month, names in table.items():
        words = names.split()
        i = 0
        while i < len(words):
            two = " ".join(words[i:i + 2])
            if two in pairs or (len(words) > i + 1 and words[i] in ("ربيع", "جمادى", "ذو", "ذي")):
                out[two] = month
                i += 2
            else:
                out[words[i]] = month
                i += 1
    return out


GREGORIAN = _names(_GREGORIAN, _TWO_WORDS)
HIJRI = _names(_HIJRI)
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def _alternatives(names) -> str:
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


_NUM = r"[0-9\u0660-\u0669\u06f0-\u06f9]"
_DATE = re.compile(rf"(?<!{_NUM})(?P<day>{_NUM}{{1,2}})\s*(?:من\s+)?(?P<month>{_alternatives(GREGORIAN)}|"
                   rf"{_alternatives(HIJRI)})(?:\s*[/\-–(]\s*(?P<other>{_alternatives(GREGORIAN)})\s*\)?)?"
                   rf"\s*[،,]?\s*(?:عام|سنة)?\s*(?P<year>{_NUM}{{4}})(?!{_NUM})\s*(?P<era>هـ|ه\b|هجري|هجرية|م\b|ميلادي)?")


def word_dates(text: str) -> list[str]:
    """Every full date written with a month name in the text, as ISO dates, in order."""
    out = []
    for m in _DATE.finditer(text):
        day, year = int(m.group("day").translate(_DIGITS)), int(m.group("year").translate(_DIGITS))
        name = m.group("month")
        hijri = name in HIJRI and name not in GREGORIAN and (m.group("era") in ("هـ", "ه", "هجري", "هجرية")
                                                              or year < 1600)
        try:
            if hijri:
                from hijridate import Hijri

                day_iso = Hijri(year, HIJRI[name], day).to_gregorian().isoformat()
            else:
                day_iso = dt.date(year, GREGORIAN[name], day).isoformat()
        except (ValueError, OverflowError, KeyError):
            continue
        out.append(day_iso)
    return out
