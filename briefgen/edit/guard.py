"""Apply stage, safety: `review --apply` never destroys evidence silently.

The changes are made on the outline's text (edit/apply.py) and checked *before* anything is
written: the new text is checked like the outline itself (a scratch copy beside it, so its
sources folder resolves), and it is written, atomically, only if the check passes. Changes that
could lose evidence need `--force`: a document whose notes were damaged wholesale (never applied,
even with it), more than MAX_REMOVED citations removed or MAX_REWRITTEN quotes rewritten at once,
and an edited quote that no longer verifies against its source (with --force the other changes
are applied and that quote stays as built).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .. import anchors
from ..errors import Diagnostic
from ..read.outline import MAX_OUTLINE_BYTES
from .apply import Applied, _node, apply
from .review import Review

MAX_REMOVED = 3
MAX_REWRITTEN = 3


@dataclass
class Outcome:
    """What `--apply` did: the changes, the check of their result, whether the outline was written and why not."""

    done: Applied
    diagnostics: list[Diagnostic] = field(default_factory=list)
    ok: bool = True  # the check of the result (of the outline as it is, when nothing was written)
    written: bool = False
    refused: list[str] = field(default_factory=list)  # why nothing was written


def _check_text(text: str, outline: Path, allow_outside: bool) -> tuple[bool, list[Diagnostic]]:
    """Check the outline's would-be text without touching the outline: a scratch copy beside it."""
    from ..evidence.check import check

    scratch = outline.with_name(f".{outline.stem}.apply-{os.getpid()}.yaml")
    try:
        scratch.write_text(text, encoding="utf-8")
        result = check(scratch, allow_outside)
    finally:
        scratch.unlink(missing_ok=True)
    for d in result.diagnostics.items:  # reported against the outline they will be in
        if d.file and Path(d.file).name == scratch.name:
            d.file = str(outline)
    return result.ok, result.diagnostics.items


def _failing_quotes(done: Applied, diagnostics: list[Diagnostic]) -> list[dict]:
    """The rewritten quotes an error of the check points at (by the lines of their scalar in the new text)."""
    lines = {d.line for d in diagnostics if d.severity == "error" and d.line}
    if not lines or not done.quotes:
        return []
    try:
        root = yaml.compose(done.text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return []
    failing = []
    for q in done.quotes:
        node = _node(root, anchors.path_tuple(q["path"]) + ("cite", q["index"], "quote"))
        entry = _node(root, anchors.path_tuple(q["path"]) + ("cite", q["index"]))
        spans = [n for n in (node, entry) if n is not None]
        if any(n.start_mark.line + 1 <= line <= n.end_mark.line + 1 for n in spans for line in lines):
            failing.append(q)
    return failing


def apply_checked(review: Review, outline: Path, reject: bool = False, allow_outside: bool = False,
                  force: bool = False) -> Outcome:
    """Apply the review's changes to the outline only if they are safe and their result checks."""
    from ..project import analyst

    if review.damage:
        return Outcome(Applied(), refused=[f"nothing applied: {review.damage}"], ok=False)
    done = apply(review, outline, reject=reject)
    outcome = Outcome(done)
    if not done.changed:
        outcome.ok, outcome.diagnostics = _check_text(done.text, outline, allow_outside)
        return outcome
    risky = []
    if len(done.removed) > MAX_REMOVED:
        risky.append(f"{len(done.removed)} citations would be removed at once (footnotes "
                     f"{', '.join(map(str, done.removed))})")
    if len(done.quotes) > MAX_REWRITTEN:
        risky.append(f"{len(done.quotes)} quotes would be rewritten at once (footnotes "
                     f"{', '.join(str(q['number']) for q in done.quotes)})")
    ok, diagnostics = _check_text(done.text, outline, allow_outside)
    failing = _failing_quotes(done, diagnostics) if not ok else []
    risky += [f"the edited quote of footnote {q['number']} ({q['path']}) does not verify: «{q['quote']}»"
              for q in failing]
    if risky and not force:
        outcome.refused = [*risky, "nothing written; apply them with --force after reading the review "
                                   "(an unverified quote then stays as built)"]
        outcome.ok, outcome.diagnostics = ok, diagnostics
        return outcome
    if failing:
        done = apply(review, outline, reject=reject, keep_quotes=frozenset(q["number"] for q in failing))
        outcome.done = done
        ok, diagnostics = _check_text(done.text, outline, allow_outside)
    outcome.ok, outcome.diagnostics = ok, diagnostics
    if not ok:
        errors = sum(1 for d in diagnostics if d.severity == "error")
        outcome.refused = [f"nothing written: the outline with these changes fails check ({errors} errors)"]
        return outcome
    if done.changed:  # refused if read-only or saved meanwhile (the analyst's save wins); its mode kept
        analyst.replace(outline, done.text.encode("utf-8"), done.read, MAX_OUTLINE_BYTES)
        outcome.written = True
        outcome.diagnostics = [*outcome.diagnostics, *_claim_warnings(review, outline, reject)]
    return outcome


def _claim_warnings(review: Review, outline: Path, reject: bool) -> list[Diagnostic]:
    """Check warnings for what the outline alone cannot show: text added after the last note mark (it went
    into an item whose citations back the words before it) and a claim cut while its notes stay."""
    if reject:
        return []
    out = []
    for item in review.items:
        if item.uncited:
            out.append(Diagnostic("warning", "uncited-edit", f"{item.path}: the editor added text after the last "
                                  f"footnote mark, which no citation supports: «{item.uncited}»", file=str(outline),
                                  line=item.line, hint="cite it, or move it before the note it belongs to"))
        for cut in item.claims_cut:
            out.append(Diagnostic("warning", "claim-cut", f"{item.path}: the editor cut «{cut['cut']}» while its "
                                  f"footnote {', '.join(map(str, cut['notes']))} stays", file=str(outline),
                                  line=item.line, hint="check that the note still supports what is left"))
    return out
