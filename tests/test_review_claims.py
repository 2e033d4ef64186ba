"""Edits around citations, on item texts as the review sees them (footnote references as [^N])."""

from __future__ import annotations

from briefgen.edit import claims

BUILT = "تتجه بغداد وواشنطن إلى التفاوض على جدول زمني، ولم يُتخذ أي قرار بالانسحاب حتى الآن. [^1] [^2]"


def test_segments_pair_each_claim_with_its_notes():
    assert claims.segments("أ ب [^1] ج د [^2] [^3] ذيل") == [("أ ب", ["[^1]"]), ("ج د", ["[^2]", "[^3]"]),
                                                            ("ذيل", [])]


def test_text_typed_after_the_last_note_is_an_uncited_claim():
    assert claims.uncited_tail(BUILT, BUILT + " وقد تتأخر المحادثات.") == "وقد تتأخر المحادثات."
    assert claims.uncited_tail(BUILT, BUILT) is None
    assert claims.uncited_tail(BUILT, BUILT + " .") is None  # punctuation is not a claim
    assert claims.uncited_tail("نص بلا حواشٍ", "نص بلا حواشٍ وزيادة") is None  # never cited: nothing changed


def test_a_clause_cut_while_its_notes_stay_is_reported():
    cut = BUILT.replace("، ولم يُتخذ أي قرار بالانسحاب حتى الآن", "")
    assert claims.removed_claims(BUILT, cut) == [(["[^1]", "[^2]"], "زمني، ولم يُتخذ أي قرار بالانسحاب حتى الآن.")]


def test_a_word_swapped_or_a_note_added_is_not_a_cut_claim():
    assert claims.removed_claims(BUILT, BUILT.replace("تتجه", "تمضي")) == []
    with_note = BUILT.replace("على جدول زمني،", "على جدول زمني [^?]،")
    assert claims.removed_claims(BUILT, with_note) == []


def test_a_claim_whose_notes_were_deleted_is_not_reported_twice():
    gone = "تتجه بغداد وواشنطن."
    assert claims.removed_claims(BUILT, gone) == []  # its notes went too: citation-deleted says so


def test_split_parts_and_opening():
    assert claims.split_parts("أول جزء\n\nثاني جزء [^1]\n") == ["أول جزء", "ثاني جزء [^1]"]
    assert claims.opening("واحد اثنان ثلاثة أربعة خمسة ستة سبعة [^1]") == "واحد اثنان ثلاثة أربعة خمسة ستة…"
