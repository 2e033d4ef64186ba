"""Source cleaning: raw article lines -> kept paragraphs and a record of every dropped line.

Rules are generic (web chrome, prompts, repeated headlines, pull-quotes, related-article
lists) plus the user's own patterns from sources.yaml; no rule is written for one file.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from ..arabic import normalize

_SHORT = 20  # words: longer lines are article text, never chrome


def _rx(*alternatives: str) -> re.Pattern:
    return re.compile("|".join(alternatives), re.IGNORECASE)


RULES: list[tuple[str, re.Pattern]] = [
    ("prompt", _rx(r"[اإ]ضغط هنا", r"انقر هنا", r"للا?[اإ]شتراك", r"اشترك (الآن|في|ب)", r"تابعونا",
                   r"قراؤنا من مستخدمي", r"يمكنكم الآن متابعة", r"\bsubscribe\b", r"\bfollow us\b",
                   r"share (on|this|via)", r"^(شارك|مشاركة|Share)\s*[:：]?$")),
    ("back-to-top", _rx(r"(الذهاب|العودة|الرجوع) (إلى|الى) (الأعلى|أعلى)", r"back to top")),
    ("contribute", _rx(r"انشر مقالك", r"لإرسال مقال", r"استقبال المساهمات", r"submit (an|your) article")),
    ("navigation", _rx(r"^(الصفحة الرئيسية|الرئيسية|Home|Menu|القائمة)$", r"^\S*(\s\S+){0,3}عاجل$")),
]
RELATED = _rx(r"^(مواضيع|مقالات|أخبار|اخبار|موضوعات) (ذات صلة|متعلقة)\s*[:：]?$",
              r"^اقرأ (أيضا|أيضاً|ايضا|المزيد)\s*[:：]?$", r"^(related( articles| stories)?|read more)\s*:?$")
FINAL = re.compile(r"[.!?؟…:][\"'»”)\]]*$")
ATTRIBUTION = re.compile(r"^(?P<who>[^:：]{2,80})[:：]\s*(?P<said>.+)$")


@dataclass
class Dropped:
    """A line removed by cleaning, with the rule that removed it."""

    line: int
    text: str
    rule: str


@dataclass
class Para:
    """A kept paragraph: its text and the line of the file where it starts."""

    line: int
    text: str


def _words(text: str) -> int:
    return len(text.split())


def clean(lines: list[str], patterns: list[re.Pattern] | None = None, *, extracted: bool = False,
          keep: set[int] | None = None) -> tuple[list[Para], list[Dropped]]:
    """Drop boilerplate lines, join hard-wrapped lines, return paragraphs and what was dropped.

    extracted: the text was written by `sources add` from a page or PDF, a blank line between paragraphs and a
    paragraph's part on the next page on the next line: consecutive lines always join. keep: the (1-based)
    lines extraction gave a role (headline, caption, pull-quote…): the page's own markup said what they are."""
    stripped = [ln.strip() for ln in lines]
    drop: dict[int, str] = {}
    norms = [normalize(s) for s in stripped]

    for i, text in enumerate(stripped):
        if not text:
            continue
        for pattern in patterns or []:
            if pattern.search(text):
                drop[i] = f"pattern: {pattern.pattern}"
                break
        else:
            if _words(text) <= _SHORT:
                rule = next((name for name, rx in RULES if rx.search(text)), None)
                if rule:
                    drop[i] = rule

    _drop_related_lists(stripped, drop)
    _drop_repeats(stripped, norms, drop)
    _drop_pull_quotes(stripped, norms, drop)

    for line in keep or ():
        drop.pop(line - 1, None)
    dropped = [Dropped(i + 1, stripped[i], rule) for i, rule in sorted(drop.items())]
    kept = [(i, t) for i, t in enumerate(stripped) if t and i not in drop]
    return _paragraphs(stripped, kept, drop, extracted), dropped


def _drop_related_lists(lines: list[str], drop: dict[int, str]) -> None:
    """A 'related articles' heading and the short title lines that follow it."""
    for i, text in enumerate(lines):
        if text and RELATED.search(text):
            drop[i] = "related-articles"
            for j in range(i + 1, len(lines)):
                if lines[j] and _words(lines[j]) > _SHORT and j not in drop:
                    break
                if lines[j]:
                    drop.setdefault(j, "related-articles")


def _drop_repeats(lines: list[str], norms: list[str], drop: dict[int, str]) -> None:
    """A line repeated verbatim (a headline shown several times), and truncated teasers of it."""
    seen: set[str] = set()
    full = [n for i, n in enumerate(norms) if lines[i]]
    for i, norm in enumerate(norms):
        if not lines[i] or i in drop:
            continue
        if norm in seen:
            drop[i] = "repeated-line"
            continue
        seen.add(norm)
        if re.search(r"(\.\.\.|…)$", lines[i]):
            stem = normalize(re.sub(r"(\.\.\.|…)$", "", lines[i]))
            if stem and any(other != norm and other.startswith(stem) for other in full):
                drop[i] = "truncated-headline"


def _drop_pull_quotes(lines: list[str], norms: list[str], drop: dict[int, str]) -> None:
    """A short 'Name: words' line whose words stand in a longer paragraph, and its photo caption."""
    speakers: list[str] = []
    for i, text in enumerate(lines):
        if not text or i in drop or FINAL.search(text) and text.endswith("."):
            continue
        m = ATTRIBUTION.match(text)
        if not m or _words(text) > 40:
            continue
        said = normalize(m.group("said")).split()
        if len(said) < 6:
            continue
        longer = [j for j in range(len(lines)) if lines[j] and j != i and len(norms[j]) > len(" ".join(said))]
        if any(_shared_run(said, norms[j].split()) >= 0.75 * len(said) for j in longer):
            drop[i] = "pull-quote"
            speakers.append(normalize(m.group("who")))
    for i, text in enumerate(lines):
        if text and i not in drop and _words(text) <= 8 and not FINAL.search(text):
            norm = norms[i]
            if any(norm.endswith(who) for who in speakers if who):
                drop[i] = "caption"


def _shared_run(a: list[str], b: list[str]) -> int:
    """Length of the longest run of tokens that a and b share."""
    m = difflib.SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return m.size


def _paragraphs(lines: list[str], kept: list[tuple[int, str]], drop: dict[int, str],
                extracted: bool = False) -> list[Para]:
    """Join hard-wrapped lines when the file separates paragraphs by blank lines."""
    nonblank = sum(1 for t in lines if t)
    blank_style = len(lines) - nonblank >= 0.25 * nonblank  # blank lines separate paragraphs
    paras: list[Para] = []
    prev = None
    for i, text in kept:
        continues = (
            blank_style and paras and prev is not None and prev == i - 1
            and (extracted or not FINAL.search(paras[-1].text) and _words(paras[-1].text) > 6)
        )
        if continues:
            paras[-1].text += " " + text
        else:
            paras.append(Para(i + 1, text))
        prev = i
    return paras
