"""Source cleaning on the five sample articles: boilerplate goes, article sentences stay."""

import pytest

from briefgen.read.cleaning import clean


def texts(source):
    return "\n".join(p.text for p in source.paragraphs)


@pytest.mark.parametrize("source_id,line,rule", [
    ("hassan", "زر الذهاب إلى الأعلى", "back-to-top"),
    ("hassan", "حول الخليجعاجل", "navigation"),
    ("elaph", "قراؤنا من مستخدمي تلغرام", "prompt"),
    ("elaph", "إضغط هنا للإشتراك", "prompt"),
    ("hafryat", "انشر مقالك", "contribute"),
    ("hafryat", "مواضيع ذات صلة:", "related-articles"),
    ("hafryat", "العراق: تحالف الإخوان يتصدر القوائم الخاسرة في الأنبار... ما السبب؟", "related-articles"),
    ("hafryat", "الصفحة الرئيسية", "navigation"),
    ("hafryat", "النائب السابق مثال الألوسي", "caption"),
])
def test_boilerplate_lines_are_dropped_and_reported(library, source_id, line, rule):
    source = library.sources[source_id]
    assert line not in texts(source).split("\n")
    assert any(d.text == line and d.rule == rule for d in source.dropped)


def test_headline_repeated_three_times_is_kept_once(library):
    source = library.sources["hafryat"]
    headline = "بعد مناقشة جدولة الانسحاب الأمريكي... هل تصمد القوات العراقية أمام تحديات داعش؟"
    assert [p.text for p in source.paragraphs].count(headline) == 1
    assert sum(d.rule == "repeated-line" for d in source.dropped) == 2


def test_pull_quotes_are_dropped_but_the_paragraph_they_repeat_stays(library):
    source = library.sources["hafryat"]
    body = texts(source)
    assert not any(p.text.startswith("باسم العوادي:") for p in source.paragraphs)
    assert "رئيس الوزراء قدم تعهداً بأنّ مهمة التحالف ستنتهي خلال دورة حكومته الحالية" in body


def test_article_sentences_are_kept(library):
    assert "ويتواجد في العراق ما يقرب من 2500 جندي أميركي" in texts(library.sources["hassan"])
    assert "لتعرف المزيد: اقرأ تقرير المونيتور" in texts(library.sources["monitor"])
    assert len(library.sources["phases"].paragraphs) == 22  # one line, one paragraph; nothing dropped
    assert library.sources["phases"].dropped == []


def test_hard_line_breaks_inside_a_sentence_are_joined(library):
    body = texts(library.sources["elaph"])
    assert "وزارة الدفاع الأميركية (البنتاغون) اجتماعها الثاني الخميس" in body
    assert "وهو يهدف الى تخفيف الضغط عن الزعيم العراقي" in body


def test_paragraph_breaks_between_finished_sentences_stay():
    paras, _ = clean(["جملة أولى طويلة بما يكفي لتكون فقرة كاملة هنا.", "جملة ثانية تبدأ فقرة جديدة.", "",
                      "فقرة ثالثة."])
    assert [p.text for p in paras] == ["جملة أولى طويلة بما يكفي لتكون فقرة كاملة هنا.",
                                       "جملة ثانية تبدأ فقرة جديدة.", "فقرة ثالثة."]


def test_user_patterns_drop_lines(library):
    import re
    paras, dropped = clean(["إعلان ممول", "نص المقال."], [re.compile("^إعلان")])
    assert [p.text for p in paras] == ["نص المقال."]
    assert dropped[0].rule == "pattern: ^إعلان"


def test_a_truncated_teaser_of_a_longer_headline_is_dropped():
    lines = ["بعد مناقشة جدولة الانسحاب...", "", "بعد مناقشة جدولة الانسحاب الأمريكي... هل تصمد القوات؟", "",
             "نص المقال الأول طويل بما يكفي ليكون فقرة حقيقية من فقرات المقال."]
    paras, dropped = clean(lines)
    assert [d.rule for d in dropped] == ["truncated-headline"]
    assert paras[0].text.startswith("بعد مناقشة جدولة الانسحاب الأمريكي")


def test_a_line_that_merely_ends_with_an_ellipsis_is_kept():
    paras, dropped = clean(["قال المسؤول إن المفاوضات ستستمر...", "", "فقرة أخرى مختلفة تماماً."])
    assert dropped == [] and len(paras) == 2
