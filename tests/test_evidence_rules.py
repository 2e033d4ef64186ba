"""The quote matcher's rules, each both ways (accepted and rejected), on the sample articles' real text."""

from __future__ import annotations

import pytest

from briefgen.evidence import match as evidence
from briefgen.evidence.match import Match, Refusal


def verify(library, source_id: str, quote: str) -> Match | Refusal:
    return evidence.verify(quote, library.sources[source_id])


def matched(library, source_id: str, quote: str) -> Match:
    result = verify(library, source_id, quote)
    assert isinstance(result, Match), f"{quote!r}: {result}"
    para = library.sources[source_id].paragraphs[result.para - 1].text if not result.located else result.context
    for a, b in result.spans:  # spans point at the source's own words
        assert para[a:b] and para[a:b] in result.text
    return result


def refused(library, source_id: str, quote: str, code: str = "quote-not-found") -> Refusal:
    result = verify(library, source_id, quote)
    assert isinstance(result, Refusal) and result.code == code, f"{quote!r}: {result}"
    return result


# --- invisible characters -----------------------------------------------------------------------

@pytest.mark.parametrize("mark", ["\u200c", "\u200d", "\u200e", "\u200f", "\u061c", "\u00ad", "\u200b", "\ufeff"])
def test_invisible_characters_are_not_text_and_not_a_word_boundary(library, mark):
    quote = f"رئيس الوز{mark}راء قدم تعه{mark}داً بأنّ مهمة{mark} التحالف"
    m = matched(library, "hafryat", quote)
    assert "invisible-chars" in m.tolerances
    assert m.text == "رئيس الوزراء قدم تعهداً بأنّ مهمة التحالف"  # the source's own characters
    refused(library, "hafryat", f"رئيس الوز{mark}ير قدم تعهداً")  # a wrong word stays wrong


def test_invisible_characters_in_the_source_neither_split_its_words_nor_hide_them(tmp_path):
    from briefgen.errors import Diagnostics
    from briefgen.read.sources import read_sources

    folder = tmp_path / "sources"
    folder.mkdir()
    # hafryat ¶ text, as a web page might carry it: a ZWNJ inside words, a soft hyphen, an RLM
    (folder / "web.txt").write_text("عنوان\n\nرئيس الوز\u200cراء قدم تعه\u00adداً بأنّ\u200f مهمة التحالف ستنتهي.\n",
                                    encoding="utf-8")
    source = read_sources(folder, Diagnostics()).sources["web"]
    m = evidence.find("رئيس الوزراء قدم تعهداً بأنّ مهمة التحالف", source)
    assert m is not None and m.tolerances == ("invisible-chars",)
    assert m.text == "رئيس الوز\u200cراء قدم تعهداً بأنّ مهمة التحالف"  # the source's own, visible characters
    assert evidence.find("الوز", source) is None and evidence.find("راء قدم", source) is None


# --- a quote must contain a word ----------------------------------------------------------------

@pytest.mark.parametrize("quote", ["", "   ", ".", "،", "…", "...", "[...]", "(…)", "«»", "— ; —", "\u200c"])
def test_a_quote_without_a_word_is_an_error(library, quote):
    r = refused(library, "hafryat", quote, "quote-no-words")
    assert "no words" in r.message and "para: N" in r.hint


def test_a_one_word_quote_is_a_word(library):
    assert matched(library, "hafryat", "التحالف").tolerances == ()


# --- omissions must not drop a negation ---------------------------------------------------------

@pytest.mark.parametrize("source_id,quote,negation", [
    ("hafryat", "العراق … يرغب بانسحاب عاجل للقوات الأمريكية", "لا"),
    ("monitor", "إن توقيت الحوار مع بغداد … له علاقة بالهجمات الأخيرة", "ليس"),
    ("elaph", "هذه الهجمات التي … تتبنّها أيّ جهة", "لم"),
    ("phases", "وأغلبها … ممثلة في البرلمان", "غير"),
    ("hafryat", "سيترك العراق في حالة … تهيؤ للتعامل", "عدم"),
    ("hafryat", "عسكرية مستمرتين تحولان … احتمالية عودة تهديدات", "دون"),
])
def test_an_omission_that_drops_a_negation_is_an_error_showing_the_omitted_words(library, source_id, quote,
                                                                                 negation):
    r = refused(library, source_id, quote, "omission-drops-negation")
    assert f"«{negation}»" in r.message and "negation" in r.message
    assert "the source, ¶" in r.hint and negation in r.hint


def test_an_omission_without_a_negation_verifies(library):
    m = matched(library, "hafryat", "مسؤولاً عسكرياً أمريكياً كبيراً … العراق لا يرغب بانسحاب عاجل")
    assert m.tolerances == ("omission",) and len(m.spans) == 2 and " … " in m.text
    # «لا سيّما» (especially) is no negation
    matched(library, "hafryat", "لمناطق التواجد الأمريكي في العراق … في محافظتي الأنبار وأربيل")


def test_english_negations_are_negations(tmp_path):
    from briefgen.errors import Diagnostics
    from briefgen.read.sources import read_sources

    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "en.txt").write_text("Title\n\nThe ministry said the talks were not linked to the recent attacks. "
                                   "It said officials don't expect a quick exit.\n", encoding="utf-8")
    source = read_sources(folder, Diagnostics()).sources["en"]
    assert isinstance(evidence.verify("the talks were … linked to the recent attacks", source), Refusal)
    assert isinstance(evidence.verify("officials … expect a quick exit", source), Refusal)
    assert isinstance(evidence.verify("the talks were … the recent attacks", source), Refusal)
    assert isinstance(evidence.verify("The ministry said … the talks were not linked", source), Match)


def test_an_omission_stays_within_one_paragraph(library):
    # ¶9 ends «…القوات الأمنية العراقية”.», ¶10 begins «ويتواجد في العراق»
    r = refused(library, "hassan", "ومستوى قدرات القوات الأمنية العراقية … ويتواجد في العراق",
                "omission-across-paragraphs")
    assert "(¶9, ¶10)" in r.message and "a cite of its own" in r.hint


def test_an_omission_mark_at_either_end_omits_nothing_inside(library):
    m = matched(library, "hafryat", "… رئيس الوزراء قدم تعهداً بأنّ مهمة التحالف …")
    assert m.tolerances == () and len(m.spans) == 1


# --- omission marks ------------------------------------------------------------------------------

@pytest.mark.parametrize("mark,tolerance", [("…", "omission"), ("...", "omission"), ("[...]", "omission-brackets"),
                                            ("[…]", "omission-brackets"), ("(...)", "omission-brackets"),
                                            ("(…)", "omission-brackets")])
def test_every_omission_mark_marks_an_omission(library, mark, tolerance):
    m = matched(library, "hassan", f"تهديد داعش وخطره {mark} لصياغة جدول زمني محدد")
    assert m.tolerances == (tolerance,)
    assert m.text == "تهديد داعش وخطره … لصياغة جدول زمني محدد"
    refused(library, "hassan", f"لصياغة جدول زمني محدد {mark} تهديد داعش وخطره")  # order counts


def test_the_sources_own_omission_mark_copied_exactly_matches_exactly(library):
    exact = "ستقوم بـ”تقييم تهديد داعش وخطره (…) وتعزيز قدرات القوات الأمنية العراقية"
    m = matched(library, "hassan", exact)
    assert m.tolerances == () and m.text == exact and len(m.spans) == 2


# --- spelling that is the same word, and words that are not --------------------------------------

def test_hamza_seats_match_each_other(library):
    m = matched(library, "hafryat", "مسئول عسكري أمريكي رفيع المستوى")  # the source: مسؤول
    assert m.tolerances == ("hamza-seat",) and m.text.startswith("مسؤول")
    assert "hamza-seat" in matched(library, "hafryat", "في حالة عدم تهيئ للتعامل").tolerances  # تهيؤ


@pytest.mark.parametrize("source_id,quote,diff", [
    ("hafryat", "مسؤول عسكري أميركي رفيع المستوى", "[-أمريكي-] {+أميركي+}"),  # transliteration variant
    ("elaph", "والتعاون الاستخباري", "[-والتهعاون-] {+والتعاون+}"),  # the source's typo, corrected
    ("hafryat", "مسؤول عسكري أمريكي رفيع المستوى كشف لموقع (ذي آرت ستريت) عن أنّ هنالك", "[-هناك-] {+هنالك+}"),
    ("hassan", "الهجوم على القوات الأمريكية الصواريخ", "[-بالصواريخ-] {+الصواريخ+}"),  # dropped prefix
    ("hassan", "وزاد الهجوم وعلى القوات الأمريكية", "[-على-] {+وعلى+}"),  # added prefix
    ("hassan", "الصواريخ والطائرات المسيرة", "[-بالصواريخ-] {+الصواريخ+}"),  # ب is not و/ف
])
def test_different_words_stay_different_with_the_closest_passage_as_hint(library, source_id, quote, diff):
    refused(library, source_id, quote)
    near = evidence.closest(quote, library.sources[source_id])
    assert near is not None and diff in near.diff


def test_a_quote_may_start_after_the_leading_waw_or_fa_of_the_sources_word(library):
    m = matched(library, "hassan", "يتواجد في العراق ما يقرب من 2500 جندي أميركي")
    assert m.tolerances == ("leading-waw",) and m.text.startswith("ويتواجد")
    assert matched(library, "hafryat", "على الرغم من قيادة تكتل").tolerances == ("leading-fa",)
    refused(library, "hassan", "تواجد في العراق ما يقرب من 2500 جندي")  # not a prefix: part of the word
    refused(library, "hassan", "في العراق ما يقرب من 2500 جندي أميركي ينتشر في سوريا")  # only at the start


def test_a_letter_glued_by_tatweel_or_quotation_mark_reads_as_one_word(library):
    m = matched(library, "hassan", "ستقوم بتقييم تهديد داعش وخطره")  # the source: بـ”تقييم
    assert m.tolerances == ("glued-prefix",) and "بـ”تقييم" in m.text
    assert "glued-prefix" in matched(library, "hafryat", "ما يسمى بفصائل المقاومة").tolerances  # بـ "فصائل
    assert "glued-prefix" in matched(library, "hassan", "تقييم تهديد داعش وخطره").tolerances  # the quoted words
    refused(library, "hafryat", "ما يسمى فصائل المقاومة")  # inside a quote the letter is part of the word


def test_punctuation_is_not_a_word_and_the_source_wording_is_shown(library):
    m = matched(library, "hassan", "وفي أغسطس آب تناقلت وسائل الإعلام")
    assert m.tolerances == ("punctuation",) and m.text == "وفي أغسطس (آب)، تناقلت وسائل الإعلام"
    m = matched(library, "hafryat", "3 ضربات ضد مواقع التحالف")
    assert m.text == "(3) ضربات ضد مواقع التحالف"
    m = matched(library, "hassan", "قالت الوزارة إنّ هذه «المجاميع» ستقوم")
    assert m.text == "وقالت الوزارة إنّ هذه “المجاميع” ستقوم"
    refused(library, "hassan", "وفي أغسطس تناقلت وسائل الإعلام")  # a word (آب) left out is not punctuation


@pytest.mark.parametrize("number", ["2500", "2,500", "٢٥٠٠", "٢٬٥٠٠", "۲۵۰۰"])
def test_a_number_is_compared_whole(library, number):
    m = matched(library, "hassan", f"ما يقرب من {number} جندي أميركي")
    assert ("digits" in m.tolerances) == (number != "2500")


@pytest.mark.parametrize("number", ["3500", "250", "25", "2.5", "25 00"])
def test_a_different_number_is_refused(library, number):
    refused(library, "hassan", f"ما يقرب من {number} جندي أميركي")


# --- pull-quotes, captions and boilerplate ----------------------------------------------------------

def test_a_pull_quote_is_citable_and_says_where_it_stands(library):
    source = library.sources["hafryat"]
    m = matched(library, "hafryat", "السوداني قدّم تعهداً بأنّ مهمة التحالف ستنتهي")
    assert m.located == "pull-quote" and m.line == 44
    assert m.para == max(p.number for p in source.paragraphs if p.line < 44)
    assert all(m.context != p.text for p in source.paragraphs)  # still out of the reading text
    c = matched(library, "hafryat", "الناطق الرسمي للحكومة العراقية")
    assert c.located == "caption" and c.line == 56


def test_a_genuine_paragraph_quote_is_found_in_the_paragraph_not_the_pull_quote(library):
    m = matched(library, "hafryat", "رئيس الوزراء قدم تعهداً بأنّ مهمة التحالف ستنتهي")
    assert m.located is None


@pytest.mark.parametrize("quote,rule,line", [
    ("لماذا يخسر التيار المدني في العراق", "related-articles", 90),
    ("الصفحة الرئيسية", "navigation", 100),
    ("انشر مقالك", "contribute", 97),
])
def test_boilerplate_stays_an_error_that_says_where_it_was(library, quote, rule, line):
    r = refused(library, "hafryat", quote, "quote-in-boilerplate")
    assert f"({rule})" in r.message and f"line {line} of hafryat.txt" in r.message
    assert "sources show hafryat --dropped" in r.hint


# --- search shares the matching path ------------------------------------------------------------

def test_search_matches_as_quotes_do(library):
    hits = evidence.search("مسئول عسكري أمريكي", list(library.sources.values()))
    assert {h.source_id for h in hits} >= {"hafryat", "monitor"}
    assert all(h.text[h.start:h.end].replace("ئ", "ؤ").startswith(("مسؤول", "ومسؤول")) for h in hits)
