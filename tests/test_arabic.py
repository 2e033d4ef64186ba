"""Normalisation for matching: the rules one by one, and properties with hypothesis."""

from hypothesis import given, settings
from hypothesis import strategies as st

from briefgen.arabic import normalize, tokens


def test_tashkeel_tatweel_and_superscript_alef_are_ignored():
    assert normalize("مُحَمَّدٌ") == normalize("محمد")
    assert normalize("الـعـراق") == normalize("العراق")
    assert normalize("هٰذا") == normalize("هذا")


def test_alef_hamza_forms_ya_and_ta_marbuta_are_unified():
    assert normalize("أحمد إيران آمن ٱلله") == normalize("احمد ايران امن الله")
    assert normalize("مستشفى") == normalize("مستشفي")
    assert normalize("الحكومة") == normalize("الحكومه")


def test_digits_of_every_script_are_equal():
    assert normalize("٢٥٠٠ جندي") == normalize("2500 جندي") == normalize("۲۵۰۰ جندي")


def test_quote_marks_separate_words_but_do_not_count():
    assert normalize("“تقييم تهديد”") == normalize('"تقييم تهديد"') == normalize("«تقييم تهديد»") == "تقييم تهديد"
    assert normalize('ب "تقييم تهديد"') == "ب تقييم تهديد"  # a lone letter with a space is its own word


def test_arabic_and_latin_punctuation_and_spacing_are_unified():
    assert normalize("غزة ؟") == normalize("غزة?")
    assert normalize("بغداد، واشنطن") == normalize("بغداد , واشنطن")
    assert normalize("العراقية – السورية") == normalize("العراقية - السورية")


def test_whitespace_and_line_breaks_fold():
    assert normalize("في\n  العراق\tوسوريا") == normalize("في العراق وسوريا")


def test_tokens_keep_original_offsets():
    text = "قال «المسؤول» إنّ ٢٥٠٠ جندي"
    for tok in tokens(text):
        assert normalize(text[tok.start:tok.end]) == tok.norm


ARABIC = st.text(alphabet=st.sampled_from(list("ابتثجحخدذرسشصضطظعغفقكلمنهويةىأإآءؤئ ًٌٍَُِّْـ٠١٢٣456«»\"،؛؟.,!-–\n ")),
                 max_size=60)


@settings(max_examples=300, deadline=None)
@given(ARABIC)
def test_normalize_is_idempotent(text):
    assert normalize(normalize(text)) == normalize(text)


def test_invisible_format_characters_are_dropped_and_never_split_a_word():
    for mark in ("\u200c", "\u200d", "\u200e", "\u200f", "\u061c", "\u00ad", "\u200b", "\u2066"):
        assert normalize(f"الوز{mark}راء {mark}قدم") == normalize("الوزراء قدم") == "الوزراء قدم"
        assert [(t.start, t.end) for t in tokens(f"ab{mark}c d")] == [(0, 4), (5, 6)]


def test_hamza_seats_fold_to_one_hamza_and_other_letters_stay_apart():
    assert normalize("شئون") == normalize("شؤون") == normalize("شءون")
    assert normalize("مسئول") == normalize("مسؤول")
    assert normalize("شيء") == normalize("شئ")
    assert normalize("مسؤول") != normalize("مسوول")  # a hamza is not a bare و
    assert normalize("أمريكي") != normalize("أميركي")


def test_a_number_is_one_word_whatever_its_digits_and_separators():
    assert normalize("2,500") == normalize("٢٬٥٠٠") == normalize("۲۵۰۰") == "2500"
    assert normalize("2.5") == normalize("٢٫٥") == "2.5" != normalize("25")
    assert normalize("2500، 3000") == "2500 , 3000"  # a comma after a number is punctuation


def test_a_glued_letter_joins_the_next_word():
    assert normalize("بـ”الانسحاب") == normalize("بـ الانسحاب") == normalize("ب«الانسحاب") == "بالانسحاب"
    assert normalize('بـ "فصائل المقاومة"') == "بفصاءل المقاومه"
    assert normalize("ب الانسحاب") == "ب الانسحاب"  # a lone letter and a space: two words
    assert normalize("الـ (واشنطن بوست)") == "ال ( واشنطن بوست )"  # a bracket does not glue
