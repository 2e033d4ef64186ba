"""Outline reader: outline.yaml -> typed, validated Outline with source positions."""

from __future__ import annotations

import datetime as dt
import difflib
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .. import dates
from ..errors import Diagnostic, InputError
from ..project import safefs
from . import yamlpos
from .hygiene import describe, sanitize

MAX_OUTLINE_BYTES = 2 * 1024 * 1024


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CiteRef(_Strict):
    """One citation: a source id, optionally a verbatim quote and a ¶ pinpoint."""

    source: str = Field(min_length=1, description="id of a source in the sources folder")
    quote: str | None = Field(None, description="verbatim passage that must occur in the source")
    para: int | None = Field(None, ge=1, description="¶ number in the cleaned source")

    @model_validator(mode="before")
    @classmethod
    def _from_id(cls, value: Any) -> Any:
        return {"source": value} if isinstance(value, str) else value


def _as_list(value: Any) -> Any:
    """A single string (or, for cite:, a single mapping) stands for a list of one."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else value


def _as_cite_list(value: Any) -> Any:
    return [value] if isinstance(value, dict) else _as_list(value)


class Item(_Strict):
    """A point of the brief: text (with optional [@id] markers) and its citations."""

    text: str = Field(min_length=1)
    cite: list[CiteRef] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        return {"text": value} if isinstance(value, str) else value

    _cite_list = field_validator("cite", mode="before")(lambda v: _as_cite_list(v))


class ActorSpec(_Strict):
    """A row of the actors table."""

    name: str = Field(min_length=1)
    role: str = Field(min_length=1, description="who the actor is in this story (one line)")
    stance: str | None = None
    cite: list[CiteRef] = Field(default_factory=list)

    _cite_list = field_validator("cite", mode="before")(lambda v: _as_cite_list(v))


class PositionSpec(_Strict):
    """One actor's position: a short stance and its cited points."""

    actor: str = Field(min_length=1)
    stance: str | None = None
    points: list[Item] = Field(min_length=1)


class RiskSpec(_Strict):
    """A risk: title, cited text, likelihood and impact on the 5-step scales, indicators."""

    title: str = Field(min_length=1)
    text: str = Field(min_length=1)
    cite: list[CiteRef] = Field(default_factory=list)
    likelihood: str | None = Field(None, description="rare, unlikely, possible, likely, almost certain (or Arabic)")
    impact: str | None = Field(None, description="insignificant, minor, moderate, major, severe (or Arabic)")
    indicators: list[Item] = Field(default_factory=list, description="signposts that the risk is materialising")

    _cite_list = field_validator("cite", mode="before")(lambda v: _as_cite_list(v))
    _indicator_list = field_validator("indicators", mode="before")(lambda v: _as_list(v))


class JudgmentSpec(Item):
    """A key judgment: cited text, ICD 203 likelihood and confidence (stated apart)."""

    likelihood: str | None = Field(None, description="ICD 203 term, e.g. likely / مرجّح")
    confidence: str | None = Field(None, description="low, moderate or high (or Arabic)")


class EventSpec(Item):
    """A dated event of the timeline."""

    date: str = Field(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$", description="YYYY, YYYY-MM or YYYY-MM-DD")

    @field_validator("date", mode="before")
    @classmethod
    def _date_text(cls, value: Any) -> Any:
        if isinstance(value, (dt.date, dt.datetime)):
            return value.isoformat()[:10]
        return str(value) if isinstance(value, int) else value

    _real_date = field_validator("date")(lambda v: dates.check_real(v))


class Outline(_Strict):
    """The analyst's outline: metadata and the brief's sections, in reading order."""

    title: str = Field(min_length=1, description="the brief's title")
    subtitle: str | None = None
    date: str | None = Field(None, description="the brief's date, as written")
    author: str | None = None
    organization: str | None = None
    classification: str | None = None
    lang: Literal["ar", "en"] = "ar"
    hijri: bool = Field(False, description="also show the Hijri date in the title block")
    digits: Literal["latin", "arabic-indic"] = Field("latin", description="digits of page, section and note numbers")
    sources: str = Field("sources/", description="folder of articles, relative to the outline")
    output: str = Field("reports/", description="output folder, relative to the outline")
    template: str | None = Field(None, description="theme folder (brief.html, brief.css), relative to the outline")
    summary: list[Item] = Field(default_factory=list)
    key_judgments: list[JudgmentSpec] = Field(default_factory=list)
    assumptions: list[Item] = Field(default_factory=list)
    background: list[Item] = Field(default_factory=list)
    timeline: list[EventSpec] = Field(default_factory=list)
    actors: list[ActorSpec] = Field(default_factory=list)
    positions: list[PositionSpec] = Field(default_factory=list)
    risks: list[RiskSpec] = Field(default_factory=list)
    open_questions: list[Item] = Field(default_factory=list)
    annex: Literal["evidence"] | None = Field(None, description="'evidence': add the evidence annex")

    @field_validator("date", mode="before")
    @classmethod
    def _date_text(cls, value: Any) -> Any:
        return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value

    _real_date = field_validator("date")(lambda v: dates.check_real(v))

    _item_lists = field_validator("summary", "background", "open_questions", "assumptions", mode="before")(
        lambda v: _as_list(v))


SECTION_KEYS = ("summary", "key_judgments", "assumptions", "background", "timeline", "actors", "positions", "risks",
                "open_questions")


class LoadedOutline(BaseModel):
    """An outline plus where it came from, for positions in later diagnostics."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    outline: Outline
    path: Path
    located: yamlpos.Located
    diagnostics: list[Diagnostic] = []  # errors that did not stop reading (unknown keys)

    @property
    def base(self) -> Path:
        return self.path.parent


def read_outline(path: Path) -> LoadedOutline:
    """Read and validate an outline file; every problem is an InputError with a position."""
    shown = str(path)
    if path.is_dir():
        raise InputError(f"outline is a directory: {shown}", code="outline-missing",
                         hint="give the outline file inside it, e.g. outline.yaml")
    if not os.path.lexists(path):
        raise InputError(f"outline not found: {shown}", code="outline-missing",
                         hint="give the path of an outline.yaml, e.g. briefgen build outline.yaml")
    raw = safefs.read_file(path, MAX_OUTLINE_BYTES, "outline", code="outline-unreadable")
    text = yamlpos.decode(raw, shown, "outline")
    located = yamlpos.load(text, shown)
    if located.data is None:
        raise InputError("outline is empty", code="outline-empty", file=shown, line=1, column=1,
                         hint="an outline needs at least `title:`")
    if not isinstance(located.data, dict):
        raise InputError("outline must be a mapping of keys (title:, summary:, …)",
                         code="outline-type", **located.where(()))
    hygiene = _sanitize_strings(located)
    data, extras, unknown = located.data, [], []
    for _ in range(2):  # unknown keys are reported, dropped, and reading goes on
        try:
            outline = Outline.model_validate(data)
            return LoadedOutline(outline=outline, path=path, located=located, diagnostics=hygiene + unknown)
        except ValidationError as exc:
            errors = [e for e in _drop_implied_missing(extras + exc.errors()) if e not in extras]
            diagnostics = [_diagnostic(err, located) for err in errors]
            if extras or any(err["type"] != "extra_forbidden" for err in errors):
                diagnostics = sorted(unknown + diagnostics, key=_order)
                raise InputError(diagnostics[0].message, diagnostics=diagnostics) from None
            extras, unknown = errors, sorted(diagnostics, key=_order)
            data = _without(data, [tuple(err["loc"]) for err in errors])
    raise AssertionError("unreachable")  # pragma: no cover


def _sanitize_strings(located: yamlpos.Located) -> list[Diagnostic]:
    """Remove forbidden and unbalanced bidi characters from every string value, reporting each."""
    found: list[Diagnostic] = []

    def walk(node: Any, path: tuple) -> Any:
        if isinstance(node, str):
            text, findings = sanitize(node)
            for f in findings:
                code, message = describe(f)
                found.append(Diagnostic("warning", code, f"{message} (character {f.offset + 1} of the value)",
                                        **located.where(path)))
            return text
        if isinstance(node, list):
            return [walk(v, path + (i,)) for i, v in enumerate(node)]
        if isinstance(node, dict):
            return {k: walk(v, path + (k,)) for k, v in node.items()}
        return node

    located.data = walk(located.data, ())
    return found


def _drop_implied_missing(errors: list[dict]) -> list[dict]:
    """'missing role' is noise beside 'unknown key rol, did you mean role?': keep the latter."""
    misspelt = set()
    for err in errors:
        if err["type"] == "extra_forbidden":
            loc = tuple(err["loc"])
            close = difflib.get_close_matches(str(loc[-1]), _fields_at(loc), n=1, cutoff=0.6)
            if close:
                misspelt.add(loc[:-1] + (close[0],))
    return [e for e in errors if not (e["type"] == "missing" and tuple(e["loc"]) in misspelt)]


def _order(d: Diagnostic) -> tuple:
    return (d.line or 0, d.column or 0, d.code != "unknown-key")


def _without(data: Any, paths: list[tuple]) -> Any:
    """A copy of data with the keys at the given paths removed."""
    import copy

    data = copy.deepcopy(data)
    for path in paths:
        node = data
        for part in path[:-1]:
            node = node[part]
        node.pop(path[-1], None)
    return data


def _fields_at(loc: tuple) -> list[str]:
    """The allowed keys of the model at a validation-error path."""
    model: Any = Outline
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if hasattr(model, "model_fields") else None
        if field is None:
            return []
        ann = field.annotation
        args = getattr(ann, "__args__", ())
        model = next((a for a in (ann, *args) if isinstance(a, type) and issubclass(a, BaseModel)), None)
        if model is None:
            return []
    return list(model.model_fields) if model is not None else []


def did_you_mean(word: str, choices: list[str]) -> str | None:
    """'did you mean X?' for a close match, or None."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def _diagnostic(err: dict, located: yamlpos.Located) -> Diagnostic:
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    where = located.where(loc, key=err["type"] == "extra_forbidden")
    dotted = ".".join(str(p) for p in loc) or "outline"
    kind = err["type"]
    if kind == "extra_forbidden":
        allowed = _fields_at(loc)
        hint = did_you_mean(str(loc[-1]), allowed) or (f"allowed keys: {', '.join(allowed)}" if allowed else None)
        return Diagnostic("error", "unknown-key", f"unknown key '{loc[-1]}'", hint=hint, **where)
    if kind == "missing":
        return Diagnostic("error", "missing-key", f"missing required key '{dotted}'",
                          hint=f"add `{loc[-1]}:`", **located.where(loc[:-1]))
    if kind == "value_error":
        message = err["msg"].removeprefix("Value error, ")
        code = "bad-date" if "not a real date" in message else "bad-value"
        return Diagnostic("error", code, f"{dotted}: {message}", **where)
    if kind == "literal_error":
        return Diagnostic("error", "bad-value", f"{dotted}: {err['msg']}", **where)
    return Diagnostic("error", "bad-value", f"{dotted}: {err['msg']}",
                      hint=_type_hint(kind), **where)


def _type_hint(kind: str) -> str | None:
    if kind in ("list_type",):
        return "write a list: one '- item' per line"
    if kind in ("string_type", "model_type", "dict_type"):
        return "an item is a string or a mapping with text: and cite:"
    return None
