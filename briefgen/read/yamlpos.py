"""YAML with positions: safe loading that remembers where every key and value was written."""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..errors import InputError

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when present: several times faster
MAX_NODES = 100_000  # bounds alias expansion ("billion laughs")
MAX_DEPTH = 64

Path = tuple  # a path into the data: ("actors", 0, "name")
_CORE = "tag:yaml.org,2002:"
STANDARD_TAGS = {_CORE + t for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")}
MERGE = _CORE + "merge"


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


def decode(raw: bytes, file: str, what: str = "file") -> str:
    """UTF-8 text (a BOM allowed); an invalid byte is an InputError at its line and column."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start + (3 if raw.startswith(b"\xef\xbb\xbf") else 0)
        before = raw[:start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1:].decode("utf-8", "replace")) + 1
        raise InputError(f"{what} is not UTF-8 text: invalid byte 0x{raw[start]:02X}", code="yaml-encoding",
                         file=file, line=line, column=column,
                         hint="save the file as UTF-8 (in most editors: Save As › Encoding › UTF-8)") from None


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
        found = text.find(chr(exc.character)) if isinstance(exc.character, int) else -1
        line, column = _line_col(text, found if found >= 0 else exc.position)  # libyaml counts bytes, not characters
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


def _flatten(node: MappingNode, ctor: yaml.SafeLoader, loc: Located) -> int:
    """Apply merge keys ('<<') in place; the number of merged pairs now at the front of node.value."""
    merged = getattr(node, "briefgen_merged", None)
    if merged is not None:  # an aliased mapping met again: already flattened
        return merged
    explicit = sum(1 for key_node, _ in node.value if key_node.tag != MERGE)
    try:
        ctor.flatten_mapping(node)
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark or node.start_mark
        raise InputError(f"merge key '<<': {exc.problem}", code="yaml-merge", file=loc.file,
                         line=mark.line + 1, column=mark.column + 1,
                         hint="'<<' takes an alias of a mapping (<<: *defaults) or a list of them") from None
    node.briefgen_merged = len(node.value) - explicit
    return node.briefgen_merged


def _short(value: object, limit: int = 60) -> str:
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


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
    if node.tag not in STANDARD_TAGS:
        line, col = _mark(node)
        raise InputError(f"YAML tag {_short(node.tag.replace(_CORE, '!!'))} is not allowed", code="yaml-tag",
                         file=loc.file, line=line, column=col,
                         hint="briefgen reads plain values, lists and mappings: remove the tag")
    if isinstance(node, ScalarNode):
        try:
            value = ctor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            line, col = _mark(node)
            raise InputError(f"invalid YAML value: {exc.problem}", code="yaml-value",
                             file=loc.file, line=line, column=col) from None
        except (ValueError, OverflowError):  # an impossible timestamp: 2024-13-45
            line, col = _mark(node)
            raise InputError(f"{_short(node.value)} is not a real date", code="bad-date", file=loc.file,
                             line=line, column=col, hint="write the date as YYYY-MM-DD with a real month and day")\
                from None
        return value
    if isinstance(node, SequenceNode):
        return [_convert(child, path + (i,), loc, ctor, budget, depth + 1)
                for i, child in enumerate(node.value)]
    if isinstance(node, MappingNode):
        merged = _flatten(node, ctor, loc)  # YAML's merge: merged pairs come first, explicit keys override them
        from_merge: set = set()
        result: dict = {}
        for index, (key_node, value_node) in enumerate(node.value):
            key = None
            if isinstance(key_node, ScalarNode) and key_node.tag in STANDARD_TAGS:
                try:
                    key = ctor.construct_object(key_node)
                except (yaml.constructor.ConstructorError, ValueError, OverflowError):
                    key = None
            if not isinstance(key, (str, int, float, bool)):
                line, col = _mark(key_node)
                raise InputError("a mapping key must be a plain value", code="yaml-key",
                                 file=loc.file, line=line, column=col)
            key = str(key) if not isinstance(key, str) else key
            if index < merged:
                from_merge.add(key)
            elif key in from_merge:
                from_merge.discard(key)  # an explicit key beside a merge key wins, as YAML says
                result.pop(key, None)
            if key in result and index >= merged:
                line, col = _mark(key_node)
                raise InputError(f"duplicate key '{key}'", code="yaml-duplicate-key",
                                 file=loc.file, line=line, column=col,
                                 hint="YAML keeps only the last value; remove or merge the duplicate")
            loc.keys[path + (key,)] = _mark(key_node)
            loc.values[path + (key,)] = _mark(value_node)
            result[key] = _convert(value_node, path + (key,), loc, ctor, budget, depth + 1)
        return result
    raise InputError("unsupported YAML node", code="yaml-value", file=loc.file)  # pragma: no cover
