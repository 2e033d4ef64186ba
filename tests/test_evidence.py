"""Quote verification against the real sample articles: genuine variants pass, altered quotes fail."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefgen.arabic import tokens
from briefgen.evidence import match as evidence

# Genuine passages, copied from the sample articles.
GENUINE = [
    ("hafryat", "رئيس الوزراء قدم تعهداً بأنّ مهمة التحالف ستنتهي خلال دورة حكومته الحالية"),
    ("monitor", "بدأت الهجمات في 17 أكتوبر/تشرين الأول، بعد اتهام إسرائيل بقصف مستشفى في قطاع غزة"),
    ("phases", "المقاومة وصلت إلى مرحلة كسر المراحل في عملياتها العسكرية لنصرة غزة وتحرير العراق"),
    ("hassan", "ويتواجد في العراق ما يقرب من 2500 جندي أميركي"),
    ("elaph", "القوات الأميركية موجودة في العراق بدعوة من الحكومة العراقية لمحاربة داعش"),
]


@pytest.mark.parametrize("source_id,quote", GENUINE)
def test_genuine_quotes_verify_with_their_paragraph(library, source_id, quote):
    match = evidence.find(quote, library.sources[source_id])
    assert match is not None
    para = library.sources[source_id].paragraphs[match.para - 1].text
    assert match.text in para


def test_spelling_variants_of_a_genuine_quote_verify(library):
    # tashkeel dropped, alef without hamza, ta marbuta as ha, Arabic-Indic digits
    variant = "رئيس الوزراء قدم تعهدا بان مهمه التحالف ستنتهي خلال دوره حكومته الحاليه"
    assert evidence.find(variant, library.sources["hafryat"]) is not None
    assert evidence.find("ما يقرب من ٢٥٠٠ جندي أميركي", library.sources["hassan"]) is not None


def test_quote_marks_may_differ_or_be_left_out(library):
    # the source writes: ستقوم بـ”تقييم تهديد داعش وخطره
    src = library.sources["hassan"]
    assert evidence.find("ستقوم بـ«تقييم تهديد داعش وخطره", src) is not None
    # the letter glued on by tatweel and quotation mark reads as one word with what follows
    assert evidence.find("ستقوم بتقييم تهديد داعش وخطره", src).tolerances == ("glued-prefix",)
    assert evidence.find("ستقوم بـ تقييم تهديد داعش وخطره", src) is not None
    assert evidence.find("ستقوم ب تقييم تهديد داعش وخطره", src) is None  # a lone ب is a word of its own

def test_a_lone_proclitic_is_glued_on_only_in_a_quote_with_a_viewers_marks(library):
    """pdftotext wraps each right-to-left line in U+202B…U+202C and a kashida cuts «ب تقييم»: glued on there, the
    footnote quoting the source's words; typed, the lone ب stays a word of its own; altered, the copy is refused."""
    src = library.sources["hassan"]
    pasted = "\u202bستقوم ب تقييم تهديد داعش وخطره\u202c"
    m = evidence.verify(pasted, src)
    assert isinstance(m, evidence.Match) and m.tolerances == ("viewer-copy",)
    assert m.text == "ستقوم بـ”تقييم تهديد داعش وخطره"
    assert evidence.find("ستقوم ب ّتقييم تهديد داعش وخطره", src) is not None  # a vowel mark cut from its letter
    assert evidence.find(pasted.replace("ستقوم ب", "ستقوم"), src) is None  # the ب left out
    assert evidence.find(pasted.replace("تهديد داعش", "داعش تهديد"), src) is None  # two words swapped
    assert evidence.find(pasted.replace("تهديد ", ""), src) is None  # a word left out


def test_a_changed_number_is_rejected_and_the_difference_is_shown(library):
    src = library.sources["hafryat"]
    assert evidence.find("تنشر الولايات المتحدة (3500) عسكري في العراق", src) is None
    near = evidence.closest("تنشر الولايات المتحدة (3500) عسكري في العراق", src)
    assert near is not None and "[-2500-]" in near.diff and "{+3500+}" in near.diff
    assert near.diff.endswith("في العراق")  # source words after the quote's end are no difference


def test_whole_words_only(library):
    src = library.sources["hafryat"]
    # "حالف الدولي" is inside "التحالف الدولي": not a whole-word match
    assert evidence.find("حالف الدولي", src) is None
    assert evidence.find("التحالف الدولي", src) is not None


def test_ellipsis_marks_an_omission_in_order_within_one_paragraph(library):
    src = library.sources["hafryat"]
    match = evidence.find("لا يمكن لهذا التحالف … إلى ما لا نهاية", src)
    assert match is not None and "…" in match.text
    assert evidence.find("إلى ما لا نهاية … لا يمكن لهذا التحالف", src) is None  # wrong order


def test_a_truncated_word_is_rejected(library):
    assert evidence.find("ويتواجد في العراق ما يقرب من 2500 جن", library.sources["hassan"]) is None


VARIANTS = {
    "ا": ["أ", "إ", "آ"], "ي": ["ى"], "ه": ["ة"],
    "0": ["٠"], "1": ["١"], "2": ["٢"], "5": ["٥"],
}


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_any_genuine_passage_with_spelling_variants_verifies(library, data):
    source = library.sources[data.draw(st.sampled_from(sorted(library.sources)))]
    para = data.draw(st.sampled_from([p for p in source.paragraphs if len(p.tokens) >= 8]))
    n = data.draw(st.integers(4, min(15, len(para.tokens))))
    start = data.draw(st.integers(0, len(para.tokens) - n))
    toks = para.tokens[start:start + n]
    passage = para.text[toks[0].start:toks[-1].end]
    rnd = random.Random(data.draw(st.integers(0, 10**6)))
    varied = "".join(rnd.choice(VARIANTS[ch]) if ch in VARIANTS and rnd.random() < 0.3 else ch for ch in passage)
    varied = varied.replace(" ", rnd.choice([" ", "  ", "\n"]))
    assert evidence.find(varied, source) is not None


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_a_passage_with_one_word_replaced_does_not_verify(library, data):
    source = library.sources[data.draw(st.sampled_from(sorted(library.sources)))]
    para = data.draw(st.sampled_from([p for p in source.paragraphs if len(p.tokens) >= 8]))
    n = data.draw(st.integers(5, min(15, len(para.tokens))))
    start = data.draw(st.integers(0, len(para.tokens) - n))
    toks = [t for t in para.tokens[start:start + n]]
    words = [para.text[t.start:t.end] for t in toks if t.norm[0].isalnum()]
    if len(words) < 4:
        return
    i = data.draw(st.integers(0, len(words) - 1))
    words[i] = "زنجبيلستان"  # a word that occurs in no source
    assert evidence.find(" ".join(words), source) is None
    assert tokens("زنجبيلستان")[0].norm == "زنجبيلستان"
