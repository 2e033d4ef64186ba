"""Quote verification: find a quote in a source on normalised, whole-word Arabic text.

One matching path serves `check`/`build` (verify) and `sources search` (search): a quote is cut
at its omission marks into pieces of words (punctuation is not a word), each piece is found
on whole-word boundaries in one passage, in order, and every omitted stretch of source words is
checked for a negation. A verified quote records the tolerances it needed (arabic.TOLERANCES).
"""

from __future__ import annotations

import bisect
import difflib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import accumulate

from .. import changes
from ..arabic import FOLDS, INVISIBLE_RE, QUOTES, Token, fold_word, is_word, tokens
from ..read.sources import Source
from .viewer import marked, pasted_runs, viewer_spans

OMISSION = re.compile(r"\[\s*(?:…|\.{3,})\s*\]|\(\s*(?:…|\.{3,})\s*\)|…|\.{3,}")
CITABLE = ("pull-quote", "caption")  # dropped from the reading text, yet printed by the publisher
BODY = (None, "noscript")  # the article's running text (a lazy-loaded half is running text too)
NAMED = ("headline", "standfirst", "subheading", "caption", "pull-quote", "footnote")  # a footnote names these
MAX_TRIES = 200  # alignments tried per passage before giving up on one without a dropped negation

# Negations (matching keys): an omission may not leave one out.
_NEGATIONS = {fold_word(w) for w in (
    "لا لم لن ليس ليست ليسا ليستا ليسوا لست لستم لستن لستما لسنا لسن غير ما عدم دون بدون "
    "not no never without cannot nor none neither").split()}
_MA = fold_word("ما")
# Invisible characters left out of the wording shown to readers; ZWNJ and ZWJ stay: they shape visible letters.
_HIDDEN = re.compile("[\u00ad\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")
_NOT_NEGATION_BEFORE_MA = {fold_word(w) for w in (
    "إلى على في من عن حسب وفق كل هذا هذه ذلك تلك هو هي أول آخر بعد قبل مثل نحو حول ضمن بين عند أكثر أقل "
    "وهذا وهو وهي").split()}
_NOT_NEGATION_AFTER = {(fold_word("لا"), fold_word("سيما")), (fold_word("ما"), fold_word("يقرب")),
                       (fold_word("ما"), fold_word("يلي"))}
_GLUE_CHARS = re.compile(f"[\u0640\\s{QUOTES}]")
_GLUED = re.compile(f"(?:[بلكوف][\\u064b-\\u065f]*(?:\\u0640|[\\s{QUOTES}])|ال[\\u064b-\\u065f]*\\u0640*[\\s{QUOTES}])")
_NT = re.compile(r"n['’]t\b", re.IGNORECASE)


@dataclass
class Match:
    """Where a quote stands in a source and the source's own wording of it.

    spans: (start, end) character offsets into `context` (the matched paragraph's text, or the
    pull-quote/caption line), one per omission piece. located: None for the article's
    paragraphs, else "pull-quote" or "caption" (then para is the ¶ it follows, if any).
    """

    source_id: str
    para: int | None
    text: str
    spans: list[tuple[int, int]] = field(default_factory=list)
    tolerances: tuple[str, ...] = ()
    located: str | None = None
    context: str = ""
    line: int | None = None  # file line of a pull-quote/caption
    caution: Refusal | None = None  # verified, with a warning (an omitted «ما» that may negate)


@dataclass
class Refusal:
    """Why a quote does not verify: a diagnostic code, message and hint."""

    code: str
    message: str
    hint: str | None = None


@dataclass
class Near:
    """The closest passage to a quote that was not found, with the words that differ marked."""

    para: int
    text: str
    diff: str
    score: float


@dataclass
class _Quote:
    """A quote cut at its omission marks: word tokens per piece (offsets into `text`)."""

    text: str  # the quote without invisible characters
    pieces: list[list[Token]]
    marks: list[str]  # the omission mark before each piece after the first
    invisible: bool
    runs: list[list[str]] = field(default_factory=list)  # the pieces' matching keys

    def __post_init__(self) -> None:
        self.runs = [[t.norm for t in piece] for piece in self.pieces]


def _parse(quote: str) -> _Quote:
    text = INVISIBLE_RE.sub("", quote)
    pieces: list[list[Token]] = []
    marks: list[str] = []
    pos, mark = 0, ""
    for m in [*OMISSION.finditer(text), None]:
        end = m.start() if m else len(text)
        words = [Token(t.norm, t.start + pos, t.end + pos) for t in tokens(text[pos:end]) if is_word(t)]
        if words:
            if pieces:
                marks.append(mark)
            pieces.append(words)
            mark = ""
        if m:
            mark = mark or m.group()
            pos = m.end()
    return _Quote(text, pieces, marks, text != quote)


def pieces(quote: str) -> list[list[str]]:
    """The normalised word runs of a quote; an omission mark (…, ..., […], (…)) separates them."""
    return _parse(quote).runs


@dataclass
class _Passage:
    """A paragraph or dropped line as searched: its text, word tokens and their joined keys."""

    number: int | None
    text: str
    words: list[Token]
    joined: str  # " key1 key2 … "
    line: int | None = None
    rule: str | None = None
    role: str | None = None  # the paragraph's role (SourceParagraph.role)
    after: int | None = None  # a paragraph with a role: the ¶ of running text it follows
    _starts: list[int] | None = None

    @property
    def starts(self) -> list[int]:
        """Where each word's key starts in `joined` (built on the first hit)."""
        if self._starts is None:
            self._starts = list(accumulate((len(t.norm) + 1 for t in self.words[:-1]), initial=1))
        return self._starts


def _passage(text: str, toks: list[Token], number: int | None, line: int | None = None,
             rule: str | None = None) -> _Passage:
    words = [t for t in toks if t.norm[0].isalnum()]
    return _Passage(number, text, words, " " + " ".join([t.norm for t in words]) + " ", line, rule)


def _paragraphs(source: Source) -> Iterator[_Passage]:
    """The source's paragraphs as passages, each built when first searched and kept on its paragraph."""
    after = None  # the last ¶ of running text before a paragraph: a headline or caption stands after it
    for para in source.paragraphs:
        cached = para.__dict__.get("_passage")
        if cached is None or cached[0] is not para.tokens:
            cached = para.__dict__["_passage"] = (para.tokens, _passage(para.text, para.tokens, para.number))
            cached[1].role, cached[1].after = para.role, after
        if para.role in BODY:
            after = para.number
        yield cached[1]


def _dropped(source: Source) -> list[_Passage]:
    """The lines cleaning dropped, as passages; `number` is the ¶ each follows (None before ¶1)."""
    cached = source.__dict__.get("_dropped_passages")
    if cached is None or cached[0] is not source.dropped:
        lines = [p.line for p in source.paragraphs]
        out = []
        for d in source.dropped:
            before = bisect.bisect_left(lines, d.line)
            out.append(_passage(d.text, tokens(d.text), source.paragraphs[before - 1].number if before else None,
                                d.line, d.rule))
        cached = (source.dropped, out)
        source.__dict__["_dropped_passages"] = cached
    return cached[1]


def _occurrences(p: _Passage, run: list[str], j: int, lead: bool) -> Iterator[tuple[int, str]]:
    """Word indexes >= j where the run stands on whole words; with lead, the first word may follow a
    leading و or ف of the source's word, or a letter the source glues on with a tatweel or quotation mark
    (its quoted words may be quoted without it). Yields (index, the leading letter or '')."""
    needle = " ".join(run) + " "
    at = p.starts[j] if j < len(p.starts) else len(p.joined)
    while True:
        at = p.joined.find(needle, at)
        if at < 0:
            return
        before = p.joined[at - 1]
        if before == " ":
            yield bisect.bisect_left(p.starts, at), ""
        elif lead and p.joined[at - 2] == " " and len(run[0]) >= 2 and before in "وفبلك":
            index = bisect.bisect_left(p.starts, at - 1)
            if before in "وف" or _glued(p.text[p.words[index].start:p.words[index].end]):
                yield index, before
        at += 1


def _alignments(p: _Passage, runs: list[list[str]]) -> Iterator[tuple[str, list[tuple[int, int]]]]:
    """Every placement of the runs, in order, in the passage: (leading letter, [(first, last) word index])."""

    def rest(i: int, j: int) -> Iterator[list[tuple[int, int]]]:
        if i == len(runs):
            yield []
            return
        for index, _ in _occurrences(p, runs[i], j, False):
            for tail in rest(i + 1, index + len(runs[i])):
                yield [(index, index + len(runs[i]) - 1), *tail]

    for index, lead in _occurrences(p, runs[0], 0, True):
        for tail in rest(1, index + len(runs[0])):
            yield lead, [(index, index + len(runs[0]) - 1), *tail]


def _negation(p: _Passage, first: int, last: int, strong: bool = False) -> Token | None:
    """The first negation among the passage's words first..last (an omitted stretch), or None. strong: only
    words that always negate (not «ما», which is as often a relative or interrogative «ما»: «ما قدمه»)."""
    for i in range(first, last + 1):
        w = p.words[i].norm
        for key in (w, w[1:] if len(w) > 2 and w[0] in "وفبل" else None):
            if key not in _NEGATIONS or key == _MA and (strong or w[0] in "بل"):  # بما، لما: with what, when
                continue
            after = p.words[i + 1].norm if i + 1 < len(p.words) else ""
            if (key, after) in _NOT_NEGATION_AFTER:
                continue
            if key == _MA and i > 0 and p.words[i - 1].norm in _NOT_NEGATION_BEFORE_MA:
                continue
            return p.words[i]
    if first <= last and _NT.search(p.text[p.words[first].start:p.words[last].end]):
        return p.words[first]
    return None


def _place(q: _Quote, p: _Passage) -> tuple[str, list[tuple[int, int]], Refusal | None] | Refusal | None:
    """The first placement of the quote in the passage that leaves out no negation (else one that leaves out
    only an ambiguous «ما», with that caution); a Refusal if every placement drops a negation; None if there is
    no placement."""
    if any(" ".join(run) not in p.joined for run in q.runs):
        return None  # the common case, decided in C
    refusal = None
    ambiguous = None
    for tries, (lead, spans) in enumerate(_alignments(p, q.runs)):
        gaps = [(a[1] + 1, b[0] - 1) for a, b in zip(spans, spans[1:], strict=False)]
        dropped = next(((a, b, neg) for a, b in gaps if (neg := _negation(p, a, b, strong=True))), None)
        if dropped is None:
            maybe = next(((a, b, neg) for a, b in gaps if (neg := _negation(p, a, b))), None)
            if maybe is None:
                return lead, spans, None
            if ambiguous is None:
                first, last, neg = maybe
                omitted = p.text[p.words[first].start:p.words[last].end]
                ambiguous = (lead, spans, Refusal(
                    "omission-may-drop-negation",
                    f"the omission leaves out «{omitted}»; its «{p.text[neg.start:neg.end]}» may negate what "
                    "follows or be a relative or interrogative «ما» (what, that which)",
                    "read the source's sentence: if «ما» negates, quote it too or end the quote before it"))
        elif refusal is None:
            first, last, neg = dropped
            omitted = p.text[p.words[first].start:p.words[last].end]
            where = f"¶{p.number}" if p.rule is None else f"line {p.line}"
            context = p.text[p.words[spans[0][0]].start:p.words[spans[-1][1]].end]
            refusal = Refusal("omission-drops-negation",
                              f"the omission leaves out «{omitted}», which holds a negation "
                              f"(«{p.text[neg.start:neg.end]}»): the quote says the opposite of the source",
                              f"the source, {where}, reads «{context}»; quote the negation too, or end the "
                              "quote before it")
        if tries >= MAX_TRIES:
            break
    return ambiguous or refusal


def verify(quote: str, source: Source) -> Match | Refusal:
    """Verify a quote against a source: the Match, or a Refusal saying why not."""
    q = _parse(quote)
    if not q.pieces:
        shown = quote.strip() or "(empty)"
        return Refusal("quote-no-words", f"the quote has no words: «{shown}»",
                       "quote the source's own words, or leave quote: out and give para: N")
    refusal: Refusal | None = None
    passages = list(_paragraphs(source))
    body = [p for p in passages if p.role in BODY]
    named = sorted((p for p in passages if p.role not in BODY), key=lambda p: p.role == "pull-quote")  # boxes last
    groups = (body, named, [d for d in _dropped(source) if d.rule in CITABLE])
    for group in groups:
        for p in group:
            placed = _place(q, p)
            if isinstance(placed, tuple):
                return _match(q, p, source.id, *placed)
            refusal = refusal or placed
    if refusal is not None:
        return refusal
    pasted, viewer = pasted_runs(q.pieces, q.text), marked(quote)
    for group in groups[:2]:  # copied from a PDF viewer: lam-alef turned round, words split at a mark
        for p in group:
            spans = viewer_spans(pasted, [t.norm for t in p.words], viewer)
            if spans is None:
                continue
            neg = next((n for a, b in zip(spans, spans[1:], strict=False)
                        if (n := _negation(p, a[1] + 1, b[0] - 1, strong=True))), None)
            if neg is not None:
                return Refusal("omission-drops-negation", f"the omission leaves out a negation "
                               f"(«{p.text[neg.start:neg.end]}»): the quote says the opposite of the source",
                               "quote the negation too, or end the quote before it")
            return _match(q, p, source.id, "", spans, tolerances=("viewer-copy",))
    for p in _dropped(source):
        if p.rule not in CITABLE and isinstance(_place(q, p), tuple):
            return Refusal("quote-in-boilerplate",
                           f"the quote is only in a line cleaning dropped as boilerplate ({p.rule}), "
                           f"line {p.line} of {source.path.name}, not in the article's text",
                           f"quote the article itself; `briefgen sources show {source.id} --dropped` lists the "
                           "dropped lines")
    spread = _across_paragraphs(q, source) if len(q.runs) > 1 else None
    if spread:
        paras = ", ".join(f"¶{n}" for n in dict.fromkeys(spread))
        return Refusal("omission-across-paragraphs",
                       f"the quote's pieces stand in different paragraphs ({paras}); an omission stays within one "
                       "paragraph", "quote each paragraph's words in a cite of its own")
    return Refusal("quote-not-found", f"quote not found in source '{source.id}'")


def _across_paragraphs(q: _Quote, source: Source) -> list[int] | None:
    """The paragraphs holding the quote's pieces in order, when they are more than one; else None."""
    found: list[int] = []
    passages = list(_paragraphs(source))
    at = 0
    for run in q.runs:
        at = next((i for i in range(at, len(passages)) if next(_occurrences(passages[i], run, 0, True), None)), -1)
        if at < 0:
            return None
        found.append(passages[at].number or 0)
    return found if len(set(found)) > 1 else None


def find(quote: str, source: Source) -> Match | None:
    """The quote's Match in the source, or None (see verify for why not)."""
    result = verify(quote, source)
    return result if isinstance(result, Match) else None


def _match(q: _Quote, p: _Passage, source_id: str, lead: str, spans: list[tuple[int, int]],
           caution: Refusal | None = None, tolerances: tuple[str, ...] | None = None) -> Match:
    chars = [(p.words[a].start, p.words[b].end) for a, b in spans]
    shown = [list(chars[0])]
    for (a, b), (prev, nxt) in zip(chars[1:], zip(spans, spans[1:], strict=False), strict=False):
        if nxt[0] == prev[1] + 1:  # nothing omitted (the source's own "(…)" copied): one stretch
            shown[-1][1] = b
        else:
            shown.append([a, b])
    text = _HIDDEN.sub("", " … ".join(p.text[slice(*_widen(p.text, a, b))] for a, b in shown))
    located = p.rule if p.rule in CITABLE else p.role if p.role in NAMED else None
    need = tolerances if tolerances is not None else _tolerances(q, p, lead, spans)
    return Match(source_id, p.after if p.role in NAMED else p.number, text, chars, need,
                 located, p.text, p.line if p.rule in CITABLE else None, caution)


_PAIRS = {"(": ")", "[": "]", "«": "»", "“": "”", "‘": "’"}


def _widen(text: str, a: int, b: int) -> tuple[int, int]:
    """A matched stretch widened to the source's bracket or quotation mark it opens or closes, so that the
    wording shown is balanced: «(3) ضربات» rather than «3) ضربات»."""
    for opener, closer in _PAIRS.items():
        inside = text[a:b]
        if inside.count(closer) > inside.count(opener) and a > 0 and text[a - 1] == opener:
            a -= 1
        elif inside.count(opener) > inside.count(closer) and b < len(text) and text[b] == closer:
            b += 1
    if text[a:b].count('"') % 2:
        if b < len(text) and text[b] == '"':
            b += 1
        elif a > 0 and text[a - 1] == '"':
            a -= 1
    return a, b


def _canon_punct(text: str) -> str:
    text = unicodedata.normalize("NFKC", INVISIBLE_RE.sub("", text))
    return "".join('"' if ch in QUOTES else {"،": ",", "؛": ";", "؟": "?", "–": "-", "—": "-"}.get(ch, ch)
                   for ch in text if not ch.isspace())


def _tolerances(q: _Quote, p: _Passage, lead: str, spans: list[tuple[int, int]]) -> tuple[str, ...]:
    """The tolerances (arabic.TOLERANCES) the quote needed to match the passage."""
    need: set[str] = {"invisible-chars"} if q.invisible else set()
    if lead:
        first = p.words[spans[0][0]]
        need.add("glued-prefix" if _glued(p.text[first.start:first.end]) else
                 "leading-waw" if lead == "و" else "leading-fa")
    for k, (piece, (a, _)) in enumerate(zip(q.pieces, spans, strict=False)):
        for i, qt in enumerate(piece):
            st = p.words[a + i]
            q_raw, s_raw = q.text[qt.start:qt.end], p.text[st.start:st.end]
            if INVISIBLE_RE.search(s_raw):
                need.add("invisible-chars")
                s_raw = INVISIBLE_RE.sub("", s_raw)
            if k == 0 and i == 0 and lead:
                s_raw = _after_lead(s_raw)
            if _glued(q_raw) != _glued(s_raw):
                need.add("glued-prefix")  # the glue (tatweel, quotation mark, space) is no other difference
                q_raw, s_raw = _GLUE_CHARS.sub("", q_raw), _GLUE_CHARS.sub("", s_raw)
            if q_raw != s_raw:
                need.update(name for name in FOLDS
                            if fold_word(q_raw, frozenset([name])) != fold_word(s_raw, frozenset([name])))
            if i and _canon_punct(q.text[piece[i - 1].end:qt.start]) != _canon_punct(
                    p.text[p.words[a + i - 1].end:st.start]):
                need.add("punctuation")
    for mark, (prev, nxt) in zip(q.marks, zip(spans, spans[1:], strict=False), strict=False):
        if nxt[0] > prev[1] + 1:
            need.add("omission" if mark[0] in "….." else "omission-brackets")
        elif _canon_punct(mark) != _canon_punct(p.text[p.words[prev[1]].end:p.words[nxt[0]].start]):
            need.add("punctuation")
    order = {name: i for i, name in enumerate(["invisible-chars", *FOLDS, "glued-prefix", "leading-waw",
                                               "leading-fa", "punctuation", "omission", "omission-brackets"])}
    return tuple(sorted(need, key=order.__getitem__))


def _after_lead(raw: str) -> str:
    """A source word without its leading letter (and the marks, tatweel or quotation mark after it)."""
    k = 1
    while k < len(raw) and not fold_word(raw[k]):
        k += 1
    return raw[k:]


def _glued(raw: str) -> bool:
    """Whether a word's text starts with a glued letter: joined on by a tatweel or a quotation mark."""
    return bool(_GLUED.match(raw))


def closest(quote: str, source: Source) -> Near | None:
    """The passage of the source most like the quote, with differing words marked [-old-] {+new+}."""
    parsed = _parse(quote)
    q_toks = [t for piece in parsed.pieces for t in piece]
    q = [t.norm for t in q_toks]
    if not q:
        return None
    best: Near | None = None
    best_chars = 0.0
    for para in _paragraphs(source):
        norms = [t.norm for t in para.words]
        for start in range(0, max(1, len(norms) - len(q) + 1)):
            window = norms[start:start + len(q) + 2]
            blocks = difflib.SequenceMatcher(None, q, window, autojunk=False).get_matching_blocks()
            size = sum(b.size for b in blocks)
            if best is not None and size < best.score * len(q):
                continue
            if best is not None and size == best.score * len(q):  # a tie: the closer spelling wins
                chars = difflib.SequenceMatcher(None, " ".join(q), " ".join(window[:len(q)]),
                                                autojunk=False).ratio()
                if chars <= best_chars:
                    continue
                best_chars = chars
            matched = [b for b in blocks if b.size]
            first = min((b.b for b in matched), default=0)
            end = max(max((b.b + b.size for b in matched), default=1), first + len(q) + 2)
            # quote words before the first match stand for as many source words before it
            lead = min(matched[0].a, start + first) if matched else 0
            own = para.words[start + first - lead:start + end]
            if not own:
                continue
            text = para.text[own[0].start:own[-1].end]
            diff = _diff([parsed.text[t.start:t.end] for t in q_toks], [para.text[t.start:t.end] for t in own],
                         q, [t.norm for t in own])
            best = Near(para.number or 0, text, diff, size / len(q))
    return best


def _diff(q_words: list[str], s_words: list[str], q: list[str], s: list[str]) -> str:
    """The source passage with the quote's differing words: [-source word-] {+quote word+}."""
    ops = difflib.SequenceMatcher(None, q, s, autojunk=False).get_opcodes()
    while ops and ops[-1][0] == "insert":  # source words after the end of the quote are not a difference
        ops.pop()
    if ops and ops[-1][0] == "replace":  # a changed last word replaces as many source words, no more
        op, i1, i2, j1, j2 = ops[-1]
        ops[-1] = (op, i1, i2, j1, min(j2, j1 + (i2 - i1)))
    # the source's words are the old side, the quote's the new: swap difflib's sides
    return changes.marked([(op, j1, j2, i1, i2) for op, i1, i2, j1, j2 in ops], s_words, q_words)


@dataclass
class Hit:
    """One occurrence of a searched phrase: source, ¶, and its character span in that ¶."""

    source_id: str
    para: int
    text: str
    start: int
    end: int


def search(phrase: str, sources: list[Source]) -> list[Hit]:
    """Every whole-word occurrence of a phrase, matched exactly as quotes are."""
    runs = _parse(phrase).runs
    if len(runs) != 1:
        return []
    hits = []
    for source in sources:
        for p in _paragraphs(source):
            for index, _ in _occurrences(p, runs[0], 0, True):
                first, last = p.words[index], p.words[index + len(runs[0]) - 1]
                hits.append(Hit(source.id, p.number or 0, p.text, first.start, last.end))
    return hits
