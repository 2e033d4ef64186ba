"""Dates for display: partial ISO dates in the brief's language, Hijri equivalents, digit styles."""

from __future__ import annotations

import re

PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def check_real(date: object) -> object:
    """A pydantic validator: an ISO-looking date (YYYY-MM or YYYY-MM-DD) must name a real month and day."""
    import datetime as dt

    m = PARTIAL.match(date.strip()) if isinstance(date, str) else None
    if m and m.group(2):
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3) or 1)
        try:
            dt.date(year, month, day)
        except ValueError:
            raise ValueError(f"{date.strip()} is not a real date (YYYY-MM-DD)") from None
    return date


def long_date(date: str, labels: dict[str, str]) -> str:
    """'2023-10-07' → '7 أكتوبر 2023'; '2023-08' → 'أغسطس 2023'; '2014' → '2014'; other text as written."""
    m = PARTIAL.match(date or "")
    if not m:
        return date
    year, month, day = m.groups()
    if not month:
        return year
    months = labels["months"].split()
    name = months[int(month) - 1] if 1 <= int(month) <= 12 else month
    return f"{int(day)} {name} {year}" if day else f"{name} {year}"


def hijri_date(date: str, lang: str) -> str | None:
    """The Hijri (Umm al-Qura) date of a full ISO date, e.g. '19 رجب 1445 هـ'; None otherwise."""
    m = PARTIAL.match(date or "")
    if not m or not m.group(3):
        return None
    from hijridate import Gregorian

    try:
        h = Gregorian(int(m.group(1)), int(m.group(2)), int(m.group(3))).to_hijri()
    except (ValueError, OverflowError):
        return None
    return f"{h.day} {h.month_name('ar' if lang == 'ar' else 'en')} {h.year} " + ("هـ" if lang == "ar" else "AH")


def digits(text: str, style: str) -> str:
    """Generated numbers in the chosen digit style (the sources' own text is never changed)."""
    return text.translate(ARABIC_INDIC) if style == "arabic-indic" else text
