"""Analytic standards: scales, key judgments, risk matrix, timeline, grades, annex, and each lint."""

import json

import pytest

from briefgen.evidence import scales
from briefgen.run import pipeline

Q_HAFRYAT = "لا يمكن لهذا التحالف أن يبقى إلى ما لا نهاية"
Q_MONITOR = "لقد ناقشنا هذا الأمر منذ أشهر"
Q_PHASES = "نجري مناقشات منذ أشهر"


def kj(likelihood="likely", confidence="moderate", cites=("hafryat", "monitor")):
    quotes = {"hafryat": Q_HAFRYAT, "monitor": Q_MONITOR, "phases": Q_PHASES}
    lines = ['  - text: "حكم رئيسي."']
    if likelihood:
        lines.append(f"    likelihood: {likelihood}")
    if confidence:
        lines.append(f"    confidence: {confidence}")
    lines.append("    cite:")
    lines += [f'      - {{source: {c}, quote: "{quotes[c]}"}}' for c in cites]
    return "\n".join(lines) + "\n"


def outline(key_judgments: str = "", extra: str = "") -> str:
    return ('title: t\nsummary:\n  - text: "الرسالة."\n    cite: [hafryat, monitor, phases, hassan, elaph]\n'
            + ("key_judgments:\n" + key_judgments if key_judgments else "") + extra)


def codes(path) -> list[str]:
    checked = pipeline.check(path)
    return [d.code for d in checked.diagnostics.items]


@pytest.mark.parametrize("value,key", [
    ("likely", "likely"), ("مرجّح", "likely"), ("مرجح", "likely"), ("Highly Probable", "very likely"),
    ("very_unlikely", "very unlikely"), ("شبه مؤكد", "almost certain"), ("remote", "almost no chance"),
])
def test_likelihood_terms_in_english_or_arabic(value, key):
    assert scales.lookup(value, scales.LIKELIHOOD, scales.LIKELIHOOD_ALIASES).key == key


def test_a_wrong_scale_value_is_an_error_with_did_you_mean(project):
    checked = pipeline.check(project(outline(kj(likelihood="likley"))))
    (d,) = checked.diagnostics.errors
    assert (d.code, d.line, d.column) == ("bad-scale-value", 7, 17)
    assert d.hint == "did you mean 'likely'?"


def test_judgment_renders_term_band_and_confidence_apart(project):
    checked = pipeline.check(project(outline(kj(likelihood="مرجح جداً", confidence="high"))))
    assert checked.ok
    (block,) = next(s for s in checked.brief.sections if s.key == "key_judgments").blocks
    j = block.judgments[0]
    assert (j.likelihood, j.band, j.confidence) == ("مرجّح جداً", "80–95%", "عالية")


@pytest.mark.parametrize("judgment,code", [
    (kj(cites=("hafryat",)), "kj-single-source"),
    (kj(likelihood=None), "kj-no-likelihood"),
    (kj(confidence=None), "kj-no-confidence"),
])
def test_key_judgment_lints(project, judgment, code):
    assert code in codes(project(outline(judgment)))
    assert code not in codes(project(outline(kj())))  # the rule, when kept, is silent


def test_judgment_on_weak_sources_only_is_warned(project):
    registry = project.root / "sources" / "sources.yaml"
    text = registry.read_text(encoding="utf-8")
    weak = text.replace("    reliability: C\n    credibility: 3\n", "    reliability: E\n    credibility: 3\n")
    weak = weak.replace("    reliability: B\n    credibility: 2\n", "    reliability: C\n    credibility: 5\n")
    registry.write_text(weak, encoding="utf-8")
    assert "kj-weak-sources" in codes(project(outline(kj())))
    registry.write_text(text, encoding="utf-8")
    assert "kj-weak-sources" not in codes(project(outline(kj())))


def test_uncited_claim_and_uncited_source_and_structure_lints(project):
    path = project('title: t\nbackground:\n  - "نص بلا مصدر."\n')
    found = codes(path)
    assert "uncited" in found and "source-uncited" in found
    assert found.count("structure") == 2  # no summary, no key judgments
    assert "uncited" not in codes(project(outline(kj())))


def test_missing_metadata_is_warned_unless_declared_absent(project):
    registry = project.root / "sources" / "sources.yaml"
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text.replace("    publisher: null\n    date: null\n", "", 1), encoding="utf-8")
    assert codes(project(outline(kj()))).count("source-metadata") == 2  # hassan: publisher and date
    registry.write_text(text, encoding="utf-8")
    assert "source-metadata" not in codes(project(outline(kj())))


def test_strict_turns_lint_warnings_into_failure(project, cli):
    path = project(outline(kj(cites=("hafryat",))))
    assert cli("check", path).exit_code == 0
    result = cli("check", path, "--strict", "--json")
    assert result.exit_code == 1 and json.loads(result.stdout)["ok"] is False


RISKS = """risks:
  - title: أ
    text: "نص [@hafryat]."
    likelihood: likely
    impact: severe
    indicators: ["مؤشر أول", "مؤشر ثان"]
  - title: ب
    text: "نص [@monitor]."
    likelihood: نادر
    impact: طفيف
  - title: ج
    text: "نص [@phases]."
"""


def test_risks_are_rated_and_placed_in_the_matrix(project):
    checked = pipeline.check(project(outline(kj(), RISKS)))
    assert checked.ok, [d.format() for d in checked.diagnostics.errors]
    blocks = next(s for s in checked.brief.sections if s.key == "risks").blocks
    risks, matrix = blocks
    a, b, c = risks.risks
    assert (a.likelihood_rank, a.impact_rank, a.rating, a.rating_rank) == (4, 5, "مرتفع جداً", 4)
    assert (b.likelihood_rank, b.impact_rank, b.rating) == (1, 2, "منخفض")
    assert c.rating is None and len(a.indicators) == 2
    assert [r.number for r in matrix.cell(4, 5)] == [1] and [r.number for r in matrix.cell(1, 2)] == [2]
    assert matrix.cell_rating(3, 3) == 2 and matrix.cell_rating(5, 5) == 4


def test_wrong_impact_is_an_error(project):
    checked = pipeline.check(project(outline(kj(), RISKS.replace("impact: severe", "impact: catastrophic"))))
    (d,) = checked.diagnostics.errors
    assert d.code == "bad-scale-value" and "impact" in d.message


TIMELINE = """timeline:
  - {date: 2023-10-17, text: "ب [@monitor]."}
  - {date: 2014, text: "أ [@hassan]."}
  - {date: 2023-08, text: "ج [@monitor]."}
"""


def test_timeline_in_date_order_with_arabic_months_and_citations_numbered_in_that_order(project):
    checked = pipeline.check(project(outline(kj(), TIMELINE)))
    assert checked.ok
    (block,) = next(s for s in checked.brief.sections if s.key == "timeline").blocks
    assert [e.date for e in block.events] == ["2014", "أغسطس 2023", "17 أكتوبر 2023"]
    numbers = [x.citation.number for e in block.events for x in e.inlines if hasattr(x, "citation")]
    assert numbers == sorted(numbers)


def test_bad_timeline_date_is_an_error(project):
    checked = pipeline.check(project(outline(kj(), 'timeline:\n  - {date: "2023-13", text: "x [@monitor]"}\n')))
    assert [d.code for d in checked.diagnostics.errors] == ["bad-date"]


def test_grades_show_in_the_bibliography_and_the_source_summary(sample_build):
    from briefgen.model import bibliography_text

    brief = sample_build.brief
    monitor = next(s for s in brief.bibliography if s.id == "monitor")
    assert monitor.grade == "B2" and bibliography_text(monitor, brief.labels).endswith("[B2]")
    assert brief.source_summary.startswith("يستند هذا الموجز إلى 5 مصادر")
    assert "B2 (1)" in brief.source_summary and "C2 (2)" in brief.source_summary


def test_evidence_annex_groups_every_cited_claim_by_section(sample_build):
    brief = sample_build.brief
    annex = next(s for s in brief.sections if s.key == "annex").blocks[0]
    listed = [c.number for g in annex.groups for claim in g.claims for c in claim.citations]
    assert sorted(listed) == [c.number for c in brief.citations]  # every citation, once
    assert annex.groups[0].title == "الملخّص التنفيذي"


def test_sample_pdf_and_docx_show_every_analytic_element(sample_build):
    import zipfile

    html = sample_build.outputs["html"].read_text(encoding="utf-8")
    for marker in ('class="judgments"', 'class="kj-meta"', 'class="timeline"', 'class="risk-matrix"',
                   'class="indicators"', 'class="annex"', 'class="source-summary"'):
        assert marker in html, marker
    with zipfile.ZipFile(sample_build.outputs["docx"]) as z:
        document = z.read("word/document.xml").decode("utf-8")
    for fill in ("EEF5EA", "FBE7A6", "F0A35E", "B8322A"):
        assert f'w:fill="{fill}"' in document  # the matrix's four bands
    for label in ("الأحكام الرئيسية", "التسلسل الزمني", "مصفوفة المخاطر", "المؤشرات", "ملحق الأدلة"):
        assert label in document, label


def test_english_labels_come_from_the_same_table(project):
    checked = pipeline.check(project(outline(kj()) + "lang: en\n"))
    titles = [s.title for s in checked.brief.sections]
    assert titles == ["Executive summary", "Key judgments"]
    j = checked.brief.sections[1].blocks[0].judgments[0]
    assert (j.likelihood, j.confidence) == ("likely", "moderate")
