"""YAML with positions: safe loading that remembers where every key and value was written."""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import InputError

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when present: several times faster
MAX_NODES = 100_000  # bounds alias expansion ("billion laughs")
MAX_DEPTH = 64

Path = tuple  # a path into the data: ("actors", 0, "name")


@dataclass
class Located:
    """Plain data loaded from YAML plus the line/column of each path (1-based)."""

    data: object
    file: str
    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: Path, *, key: bool = False) -> dict:
        """file/line/column of a path's value (or key), falling back to its nearest parent."""
        table = self.keys if key else self.values
        p = tuple(path)
        while p:
            if p in table:
                line, col = table[p]
                return {"file": self.file, "line": line, "column": col}
            if not key and p in self.keys:
                line, col = self.keys[p]
                return {"file": self.file, "line": line, "column": col}
            p = p[:-1]
        line, col = self.values.get((), (1, 1))
        return {"file": self.file, "line": line, "column": col}


def load(text: str, file: str) -> Located:
    """Parse YAML text safely; syntax errors become InputError with the position."""
    loader = None
    try:
        loader = _LOADER(text)
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        lines = text.splitlines()
        if mark and mark.line < len(lines) and lines[mark.line][mark.column:mark.column + 1] == "\t":
            problem = "found character '\\t' that cannot start any token"  # libyaml does not name the tab
        raise InputError(
            f"YAML syntax error: {problem}", code="yaml-syntax", file=file,
            line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None,
            hint=_syntax_hint(problem),
        ) from None
    except yaml.reader.ReaderError as exc:
        line, column = _line_col(text, exc.position)
        raise InputError(f"character U+{exc.character:04X} is not allowed in YAML" if isinstance(exc.character, int)
                         else "invalid byte in YAML", code="yaml-syntax", file=file, line=line, column=column,
                         hint="remove it, or write it as a \\u escape inside a double-quoted string") from None
    except yaml.YAMLError as exc:
        raise InputError(f"YAML error: {exc}", code="yaml-syntax", file=file) from None
    finally:
        if loader is not None:
            loader.dispose()
    located = Located(data=None, file=file)
    if node is None:
        located.data = None
        return located
    budget = [MAX_NODES]
    located.data = _convert(node, (), located, yaml.SafeLoader(""), budget, 0)
    return located


def _line_col(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def _syntax_hint(problem: str) -> str | None:
    if "mapping values are not allowed" in problem:
        return "a value containing ': ' must be quoted, e.g. text: \"...\""
    if "found character '\\t'" in problem:
        return "YAML does not allow tabs for indentation; use spaces"
    if "could not find expected ':'" in problem:
        return "check the indentation and that every key ends with ':'"
    return None


def _mark(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _convert(node: Node, path: Path, loc: Located, ctor: yaml.SafeLoader, budget: list, depth: int):
    budget[0] -= 1
    if budget[0] < 0:
        line, col = _mark(node)
        raise InputError(f"YAML expands to more than {MAX_NODES:,} values", code="yaml-too-large",
                         file=loc.file, line=line, column=col,
                         hint="anchors and aliases (&a / *a) expand too much; write the values out")
    if depth > MAX_DEPTH:
        line, col = _mark(node)
        raise InputError(f"YAML nested deeper than {MAX_DEPTH} levels", code="yaml-too-deep",
                         file=loc.file, line=line, column=col)
    loc.values.setdefault(path, _mark(node))
    if isinstance(node, ScalarNode):
        try:
            value = ctor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            line, col = _mark(node)
            raise InputError(f"invalid YAML value: {exc.problem}", code="yaml-value",
                             file=loc.file, line=line, column=col) from None
        return value
    if isinstance(node, SequenceNode):
        return [_convert(child, path + (i,), loc, ctor, budget, depth + 1)
                for i, child in enumerate(node.value)]
    if isinstance(node, MappingNode):
        ctor.flatten_mapping(node)
        result: dict = {}
        for key_node, value_node in node.value:
            key = ctor.construct_object(key_node) if isinstance(key_node, ScalarNode) else None
            if not isinstance(key, (str, int, float, bool)):
                line, col = _mark(key_node)
                raise InputError("a mapping key must be a plain value", code="yaml-key",
                                 file=loc.file, line=line, column=col)
            key = str(key) if not isinstance(key, str) else key
            if key in result:
                line, col = _mark(key_node)
                raise InputError(f"duplicate key '{key}'", code="yaml-duplicate-key",
                                 file=loc.file, line=line, column=col,
                                 hint="YAML keeps only the last value; remove or merge the duplicate")
            loc.keys[path + (key,)] = _mark(key_node)
            loc.values[path + (key,)] = _mark(value_node)
            result[key] = _convert(value_node, path + (key,), loc, ctor, budget, depth + 1)
        return result
    raise InputError("unsupported YAML node", code="yaml-value", file=loc.file)  # pragma: no cover
