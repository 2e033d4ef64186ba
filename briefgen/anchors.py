"""Round-trip anchors: which outline item each piece of the brief renders, named as DOCX bookmarks.

Every outline item is wrapped in a hidden bookmark (name starting with `_`, so Word lists it
only on request) named after the item's zero-based outline path: `summary[0]` becomes
`_bg_summary_0`, `positions[1].points[0]` becomes `_bg_positions_1_points_0`; the title and
subtitle are `_bg_title` and `_bg_subtitle`. Bookmarks survive
editing inside them, splitting and joining paragraphs, tracked changes, and a LibreOffice save;
Word keeps names of letters, digits and underscores up to 40 characters.
"""

from __future__ import annotations

import re

from . import model

PREFIX = "_bg_"
MAX_NAME = 40
TOP_LEVEL = ("title", "subtitle")  # anchored outline values that are not in a list


def bookmark_name(path: str) -> str:
    """"positions[1].points[0]" -> "_bg_positions_1_points_0"."""
    return PREFIX + path.replace("[", "_").replace("]", "").replace(".", "_")


def path_of(name: str) -> str | None:
    """The item path a bookmark names, or None if it is not one of briefgen's anchors."""
    if not name.startswith(PREFIX):
        return None
    body = name[len(PREFIX):]
    if body in TOP_LEVEL:
        return body
    if not re.fullmatch(r"[a-z_]+_\d+(?:_[a-z]+(?:_\d+)?)*", body):
        return None
    path = re.sub(r"_(\d+)", r"[\1]", body)
    return re.sub(r"\]_", "].", path)


def path_tuple(path: str) -> tuple:
    """"positions[1].points[0]" -> ("positions", 1, "points", 0)."""
    out: list = []
    for key, index in re.findall(r"([a-z_]+)|\[(\d+)\]", path):
        out.append(int(index) if index else key)
    return tuple(out)


def inline_paths(brief: model.Brief) -> dict[int, str]:
    """id() of each item's Inlines list -> the item's path (the renderer marks those it meets)."""
    return {id(inlines): path for path, inlines in items(brief).items()}


def items(brief: model.Brief) -> dict[str, model.Inlines]:
    """Each anchored item's path -> its cited text (stances, plain strings, are anchored by the renderer)."""
    found: dict[str, model.Inlines] = {}

    def add(inlines, path: str) -> None:
        if path:
            found[path] = inlines

    for section in brief.sections:
        for block in section.blocks:
            if isinstance(block, model.Paragraph):
                add(block.inlines, block.path)
            elif isinstance(block, model.ItemList):
                for inlines, path in zip(block.items, block.paths, strict=False):
                    add(inlines, path)
            elif isinstance(block, model.KeyJudgments):
                for j in block.judgments:
                    add(j.inlines, j.path)
            elif isinstance(block, model.Timeline):
                for ev in block.events:
                    add(ev.inlines, ev.path)
            elif isinstance(block, model.ActorTable):
                for a in block.actors:
                    add(a.role, a.path)
            elif isinstance(block, model.PositionGrid):
                for p in block.positions:
                    for points, path in zip(p.points, p.point_paths, strict=False):
                        add(points, path)
            elif isinstance(block, model.RiskList):
                for r in block.risks:
                    add(r.body, r.path)
                    for ind, path in zip(r.indicators, r.indicator_paths, strict=False):
                        add(ind, path)
    return found
