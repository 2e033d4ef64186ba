"""Review stage, the text report: a review as lines for a terminal (changed words marked, flags explained)."""

from __future__ import annotations

import difflib
import re

from .. import changes
from . import claims

_TOKEN = re.compile(r"\[\^([^\]]*)\]")


def word_diff(before: str, after: str) -> str:
    """after with changed words marked: [-old-] {+new+} (works for right-to-left text in a terminal)."""
    a, b = (_TOKEN.sub(r" \g<0> ", t).split() for t in (before, after))  # a note mark is a word of its own
    return changes.marked(difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes(), a, b)


def format_text(rv) -> str:
    """The review as text for a terminal."""
    if rv.damage:
        return f"cannot review {rv.docx}: {rv.damage}"
    lines = [f"note: {rv.docx}: {rv.matched}"] if rv.matched else []
    for it in rv.items:
        lines.append(f"{it.file}:{it.line}: {it.path}" + (f"  [{', '.join(it.flags)}]" if it.flags else ""))
        if it.after != it.before:
            lines.append("  " + word_diff(it.before, it.after))
        if "split" in it.flags:
            lines.append(f"  split into {len(it.parts)} paragraphs in the DOCX (the outline keeps one text per "
                         "item): " + " | ".join(f"«{claims.opening(p)}»" for p in it.parts))
        if it.joined:
            how = (f"tracked by {it.joined['tracked']['author'] or '?'} {it.joined['tracked']['date']}"
                   if it.joined.get("tracked") else "untracked")
            lines.append(f"  joined with {it.joined['with']} into one paragraph ({how}); the outline keeps both items")
        if it.uncited:
            lines.append(f"  uncited: text after the last note mark, no footnote supports it: «{it.uncited}»")
        for c in it.claims_cut:
            marks = "".join(f"[^{n}]" for n in c["notes"])
            lines.append(f"  claim cut while its note {marks} stays: «{c['cut']}» "
                         "(does the note support what is left?)")
        for t in it.tracked:
            where = f" in note {t['note']}" if t.get("note") else ""
            went = f" (moved to {t['to']})" if t.get("to") else f" (moved from {t['from']})" if t.get("from") else ""
            lines.append(f"  tracked {t['type']}{where} by {t['author'] or '?'} {t['date']}: {t['text']}{went}")
        for q in it.quotes:
            lines.append(f"  quote of note {q['number']}: {word_diff(q['before'], q['after'])}")
        for n in it.deleted_cites:
            lines.append(f"  footnote {n} deleted")
        for text in it.added_notes:
            lines.append(f"  footnote added by the editor (not a citation yet): {text or '(empty)'}")
        for c in it.comments:
            state = "resolved" if c["resolved"] else "open"
            lines.append(f"  comment ({state}) {c['author']}: {c['text']}")
            lines.extend(f"    reply {r['author']}: {r['text']}" for r in c["replies"])
    for a in rv.added:
        lines.append(f"added paragraph after {a['after'] or 'the title'}: {a['text']}")
    for g in rv.generated:
        if g["part"] == "comment":
            lines.append(f"comment on generated text after {g['after_item'] or 'the title'} "
                         f"({'resolved' if g['resolved'] else 'open'}) {g['author']}: {g['text']}")
            continue
        lines.append(f"generated {g['part']} edited (cannot flow back): {word_diff(g['before'], g['after'])}")
        lines.extend(f"  tracked {t['type']} by {t['author'] or '?'} {t['date']}: {t['text']}"
                     for t in g.get("tracked", []))
    for c in rv.conflicts:
        lines.append(f"{c['file']}:{c['line']}: conflict in {c['path']}: changed in the outline since the build "
                     "and in the DOCX; not applied")
        lines.append(f"  built:   {c['built']}")
        lines.append(f"  outline: {c['outline_now']}")
        lines.append(f"  docx:    {c['docx']}")
    if not rv.changed:
        lines.append(f"no edits: {rv.docx} is as build {rv.build} wrote it")
    else:
        lines.append(f"{len(rv.items)} items changed, {len(rv.added)} paragraphs added, "
                     f"{len(rv.generated)} generated parts edited, {len(rv.conflicts)} conflicts")
    return "\n".join(lines)
