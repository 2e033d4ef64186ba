"""An omission over «ما»: a warning naming the omitted words (it may be a relative or interrogative «ما»);
over a word that always negates (لا، لم، لن، ليس، غير) an error, also when the quote was pasted from a viewer."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.evidence import match as evidence
from briefgen.run import pipeline


def test_an_omitted_relative_ma_verifies_with_a_caution_naming_the_words(library):
    # hafryat: «وتبحث من ناحية ما قدمه التحالف الدولي على مستوى دراسة التهديدات» («what the coalition offered»)
    m = evidence.verify("وتبحث من ناحية … التحالف الدولي على مستوى دراسة التهديدات", library.sources["hafryat"])
    assert isinstance(m, evidence.Match)
    assert m.caution is not None and m.caution.code == "omission-may-drop-negation"
    assert "«ما قدمه»" in m.caution.message and "relative" in m.caution.message


@pytest.mark.parametrize("source_id, quote, word", [
    ("hafryat", "لهذا التحالف أن يبقى إلى … نهاية", "لا"),  # «إلى ما لا نهاية»: the لا negates
    ("monitor", "إن توقيت الحوار مع بغداد … له علاقة بالهجمات الأخيرة", "ليس"),
    ("phases", "وأغلبها … ممثلة في البرلمان", "غير"),
])
def test_an_omitted_negation_is_an_error(library, source_id, quote, word):
    r = evidence.verify(quote, library.sources[source_id])
    assert isinstance(r, evidence.Refusal) and r.code == "omission-drops-negation" and f"«{word}»" in r.message


def test_the_caution_is_a_warning_of_check_and_the_build_goes_on(project):
    outline = project('title: "موجز"\nlang: ar\nsources: sources/\nsummary:\n'
                      '  - text: "يناقش العراق ما قدمه التحالف."\n'
                      '    cite: [{source: hafryat, quote: "وتبحث من ناحية … التحالف الدولي على مستوى"}]\n')
    checked = pipeline.check(Path(outline))
    assert not checked.diagnostics.errors, [d.format() for d in checked.diagnostics.errors]
    warned = [d for d in checked.diagnostics.items if d.code == "omission-may-drop-negation"]
    assert len(warned) == 1 and warned[0].line == 6 and "«ما قدمه»" in warned[0].message
    assert checked.brief.citations[0].quote == "وتبحث من ناحية … التحالف الدولي على مستوى"
