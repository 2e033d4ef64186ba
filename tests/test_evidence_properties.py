"""Properties of the quote matcher (hypothesis), drawn from the sample articles' real paragraphs."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from briefgen.arabic import fold_word, is_word
from briefgen.evidence import match as evidence
from briefgen.evidence.match import Match, Refusal

INVISIBLE = ["\u200c", "\u200d", "\u200e", "\u200f", "\u061c", "\u00ad", "\u200b", "\u2060", "\ufeff", "\u202a"]
# Negations as the issue lists them (ما left out: only sometimes a negation), as matching keys
NEGATIONS = {fold_word(w) for w in "لا لم لن ليس ليست غير عدم دون بدون ولا ولم ولن وليس فلا فلم".split()}


def _words(para):
    return [t for t in para.tokens if is_word(t)]


@st.composite
def genuine(draw, library, min_words=3):
    """A genuine passage: a run of whole words of one paragraph, copied with the source's own characters."""
    source = library.sources[draw(st.sampled_from(sorted(library.sources)))]
    para = draw(st.sampled_from([p for p in source.paragraphs if len(_words(p)) >= min_words + 2]))
    words = _words(para)
    n = draw(st.integers(min_words, min(12, len(words))))
    start = draw(st.integers(0, len(words) - n))
    return source, para, words[start:start + n]


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_invisible_characters_anywhere_never_change_the_verdict(library, data):
    source, para, words = data.draw(genuine(library))
    quote = para.text[words[0].start:words[-1].end]
    if data.draw(st.booleans()):  # sometimes an altered quote: its verdict must not change either
        quote = quote.replace(para.text[words[-1].start:words[-1].end], "زنجبيلستان")
    before = evidence.verify(quote, source)
    chars = list(quote)
    for _ in range(data.draw(st.integers(1, 6))):
        chars.insert(data.draw(st.integers(0, len(chars))), data.draw(st.sampled_from(INVISIBLE)))
    after = evidence.verify("".join(chars), source)
    assert type(after) is type(before)
    if isinstance(before, Match):
        assert (after.para, after.text, after.spans, after.located) == (before.para, before.text, before.spans,
                                                                         before.located)
        assert set(after.tolerances) - set(before.tolerances) <= {"invisible-chars"}
    else:
        assert after.code == before.code


def _occurs(library_source, keys: list[str]) -> bool:
    """Test oracle, independent of the matcher's string search: the keys as consecutive words of a paragraph
    or citable line, the first word perhaps after a leading و/ف or a glued letter."""
    lines = [_words(p) for p in library_source.paragraphs]
    lines += [[t for t in evidence.tokens(d.text) if is_word(t)] for d in library_source.dropped]
    for words in lines:
        norms = [t.norm for t in words]
        for i in range(len(norms) - len(keys) + 1):
            first = norms[i]
            if norms[i + 1:i + len(keys)] == keys[1:] and (
                    first == keys[0] or first[1:] == keys[0] and first[0] in "وفبلك" and len(keys[0]) >= 2):
                return True
    return False


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_replacing_one_word_by_another_word_of_the_same_source_fails(library, data):
    source, para, words = data.draw(genuine(library, min_words=4))
    i = data.draw(st.integers(0, len(words) - 1))
    vocabulary = sorted({t.norm: p.text[t.start:t.end] for p in source.paragraphs for t in _words(p)}.items())
    key, other = data.draw(st.sampled_from(vocabulary))
    keys = [t.norm for t in words]
    keys[i] = key
    assume(key != words[i].norm and not _occurs(source, keys))  # a genuine passage after all
    quote = " ".join(other if j == i else para.text[t.start:t.end] for j, t in enumerate(words))
    assert isinstance(evidence.verify(quote, source), Refusal)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_removing_a_negation_through_an_omission_always_fails(library, data):
    candidates = [(s, p, i) for s in library.sources.values() for p in s.paragraphs
                  for i, t in enumerate(_words(p)) if t.norm in NEGATIONS and 3 <= i < len(_words(p)) - 3]
    source, para, at = data.draw(st.sampled_from(candidates))
    words = _words(para)
    assume(words[at + 1].norm != fold_word("سيما"))  # «لا سيّما»: especially, no negation
    before = data.draw(st.integers(1, min(5, at)))
    skip_before = data.draw(st.integers(0, min(2, at - before)))
    skip_after = data.draw(st.integers(0, min(2, len(words) - at - 2)))
    after = data.draw(st.integers(1, min(5, len(words) - at - 1 - skip_after)))
    head = words[at - skip_before - before:at - skip_before]
    tail = words[at + 1 + skip_after:at + 1 + skip_after + after]
    assume(len(head) + len(tail) >= 4)
    mark = data.draw(st.sampled_from(["…", "...", "[…]", "(...)"]))
    quote = (para.text[head[0].start:head[-1].end] + f" {mark} " + para.text[tail[0].start:tail[-1].end])
    result = evidence.verify(quote, source)
    if isinstance(result, Match):  # only acceptable where the words stand elsewhere with nothing negated between
        assert result.context != para.text or result.spans[0][0] != head[0].start
    else:
        assert result.code == "omission-drops-negation", (quote, result)
