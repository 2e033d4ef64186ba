"""Apply stage: a review's item changes -> outline.yaml, touching only the changed scalars.

Edits are made on the outline's text, not by re-dumping YAML: each changed value's source span
(from PyYAML's node marks) is replaced by a scalar in the same quoting style (double quotes where
that style cannot carry the new text), a deleted citation's entry is
cut out with its line(s), and unresolved comments become `#` lines above their item. Every
untouched byte stays as it was: comments, key order, quoting style, line breaks. (ruamel.yaml
re-flows long lines and re-indents sequences when it dumps, so it cannot promise that.)
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .. import anchors
from ..errors import InputError
from ..project import safefs
from ..read.outline import MAX_OUTLINE_BYTES
from .review import Review, outline_text


@dataclass
class Applied:
    """What --apply did, for the user: changed paths, notes (removed citations, comments), skipped conflicts."""

    changed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    text: str = ""
    read: bytes = b""  # the outline's bytes the edits were made on (a save made since wins)
    removed: list[int] = field(default_factory=list)  # citations cut out (footnote numbers)
    quotes: list[dict] = field(default_factory=list)  # rewritten quotes: {"path", "number", "index", "quote"}


def _node(root: Node, path: tuple) -> Node | None:
    node = root
    for part in path:
        if isinstance(part, int) and isinstance(node, SequenceNode) and part < len(node.value):
            node = node.value[part]
        elif isinstance(part, str) and isinstance(node, MappingNode):
            node = next((v for k, v in node.value if isinstance(k, ScalarNode) and k.value == part), None)
            if node is None:
                return None
        else:
            return None
    return node


def _scalar(text: str, style: str | None = '"') -> str:
    """A YAML scalar for text in the original's quoting style where it can carry it, else double-quoted."""
    if style == "'" and "\n" not in text:
        return "'" + text.replace("'", "''") + "'"
    if style is None and "\n" not in text and text == text.strip():
        try:  # plain stays plain if it reads back the same in block and in flow context
            if yaml.safe_load(f"k: {text}") == {"k": text} and yaml.safe_load(f"{{k: {text}}}") == {"k": text}:
                return text
        except yaml.YAMLError:
            pass
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _cut_entry(text: str, seq: SequenceNode, entry: Node) -> tuple[int, int, str]:
    """The span that removes one entry of a sequence (block: its lines; flow: it and a comma)."""
    start, end = entry.start_mark.index, entry.end_mark.index
    if not seq.flow_style:
        line = _line_start(text, start)
        if text[line:start].strip() == "-":
            stop = text.find("\n", end if text[end - 1:end] != "\n" else end - 1)
            return line, (len(text) if stop < 0 else stop + 1), ""
        return start, end, "null"
    after = re.match(r"\s*,\s*", text[end:])
    if after:
        return start, end + after.end(), ""
    before = re.search(r",\s*$", text[:start])
    return (before.start() if before else start), end, ""


def apply(review: Review, outline: Path, reject: bool = False, keep_quotes: frozenset[int] = frozenset()) -> Applied:
    """The review's item changes in the outline's text (conflicts skipped; nothing is written here).

    Never an empty text, quote or citation: such a change is left out with a note. keep_quotes:
    footnote numbers whose quote stays as built (guard.apply_checked: an edited quote that does not verify).
    """
    try:
        raw = safefs.read_file(outline, MAX_OUTLINE_BYTES, "outline", code="outline-unreadable")
        text = raw.decode("utf-8")
        root = yaml.compose(text, Loader=yaml.SafeLoader)  # the pure-Python loader: marks count characters
    except (OSError, UnicodeError, yaml.YAMLError) as exc:
        raise InputError(f"cannot edit {outline}: {exc}", code="outline-unreadable", file=str(outline)) from None
    done = Applied(read=raw)
    edits: list[tuple[int, int, str]] = []
    conflicts = {c["path"] for c in review.conflicts}
    for item in review.items:
        record = review.record["items"][item.path]
        tup = anchors.path_tuple(item.path)
        node = _node(root, tup)
        if item.path in conflicts or node is None:
            done.skipped.append(item.path)
            continue
        cites = record["cites"]
        after = item.rejected if reject else item.after
        target = node if record["key"] is None else _node(node, (record["key"],))
        new_text = outline_text(after, cites)
        if "anchor-lost" in item.flags or "deleted" in item.flags and not reject:
            done.notes.append(f"{item.path}: deleted in the DOCX; delete it from the outline by hand if meant")
            continue
        if target is not None and after != record["text"] and new_text and new_text != _plain_value(target):
            start, end = target.start_mark.index, target.end_mark.index
            tail = "\n" if getattr(target, "style", None) in ("|", ">") and text[end - 1:end] == "\n" else ""
            edits.append((start, end, _scalar(new_text, target.style) + tail))
            done.changed.append(item.path)
        if "split" in item.flags:
            done.notes.append(f"{item.path}: the editor split it into paragraphs; the outline keeps one text")
        if item.joined:
            done.notes.append(f"{item.path}: joined with {item.joined['with']} in the DOCX; the outline keeps both")
        # text added after the last note mark and a claim cut while its notes stay are warnings of
        # the check after the write, with their line (guard._claim_warnings), not notes here
        for added in [] if reject else item.added_notes:
            done.notes.append(f"{item.path}: not applied: a footnote the editor inserted («{added}»); add its "
                              "cite: entry by hand")
        seq = _node(node, ("cite",)) if isinstance(node, MappingNode) else None
        deleted = [n for n in item.deleted_cites if not reject or f"[^{n}]" not in item.rejected]
        done.removed.extend(deleted)
        for number in deleted:
            cite = next(c for c in cites if c["number"] == number)
            if cite["origin"] == "cite" and isinstance(seq, SequenceNode) and cite["index"] < len(seq.value):
                edits.append(_cut_entry(text, seq, seq.value[cite["index"]]))
                done.notes.append(f"{item.path}: footnote {number} was deleted in the DOCX: removed cite "
                                  f"entry {cite['index'] + 1} from the item")
            elif cite["origin"] == "marker":
                done.notes.append(f"{item.path}: footnote {number} was deleted: removed {cite['marker']}")
            if item.path not in done.changed:
                done.changed.append(item.path)
        for q in item.quotes:
            new = q["rejected"] if reject else q["after"]
            quote = _node(seq.value[q["index"]], ("quote",)) if isinstance(seq, SequenceNode) and \
                q.get("index") is not None and q["index"] < len(seq.value) else None
            if quote is None or new == q["before"] or q["number"] in deleted:
                continue
            if not " ".join(new.split()).strip("«»“”\"' .…"):
                done.notes.append(f"{item.path}: not applied: the edit would leave the quote of footnote "
                                  f"{q['number']} empty (delete the footnote in the DOCX to drop the citation)")
                continue
            if q["number"] in keep_quotes:
                done.notes.append(f"{item.path}: kept the built quote of footnote {q['number']}: the edited one "
                                  "does not verify against its source")
                continue
            cut_before = sum(1 for n in deleted for c in cites if c["number"] == n and c["origin"] == "cite"
                             and c["index"] < q["index"])
            done.quotes.append({"path": item.path, "number": q["number"], "index": q["index"] - cut_before,
                                "quote": new})
            edits.append((quote.start_mark.index, quote.end_mark.index, _scalar(new, quote.style)))
            done.notes.append(f"{item.path}: the quote of footnote {q['number']} was edited; check verifies it")
            if item.path not in done.changed:
                done.changed.append(item.path)
        open_comments = [c for c in item.comments if not c["resolved"]]
        if open_comments:
            line = _line_start(text, node.start_mark.index)
            indent = re.match(r"[ -]*", text[line:]).group().replace("-", " ")
            dash = text[line:node.start_mark.index].strip() == "-"
            indent = indent[:-2] if dash and len(indent) >= 2 else indent
            lines: list[str] = []
            for c in open_comments:
                lines.append(f"{indent}# review: {c['author']}: {' '.join(c['text'].split())}\n")
                lines.extend(f"{indent}#   reply: {r['author']}: {' '.join(r['text'].split())}\n"
                             for r in c["replies"])
            lines = [x for x in lines if x not in text]  # applied before: not written twice
            if not lines:
                continue
            edits.append((line, line, "".join(lines)))
            done.notes.append(f"{item.path}: {len(open_comments)} open comment(s) written above it")
            if item.path not in done.changed:
                done.changed.append(item.path)
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        text = text[:start] + new + text[end:]
    done.text = text
    return done


def _plain_value(node) -> str | None:
    return node.value if isinstance(node, ScalarNode) else None
