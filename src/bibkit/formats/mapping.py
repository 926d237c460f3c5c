"""Declarative field maps: a format's statement list in formats/<format>.toml, read by both
its reader and its writer, checked against the model when it is loaded.

A statement names a tag of the format and the model field it carries ("venue.volume"), or
a rule in code for what is not a one-to-one copy (a type, a page range, a note that holds
an arXiv id). The list's order is the order a writer emits; a reader indexes it by tag.
The model is built from the collected values by `assemble`, so a reader never spells out
the Citation constructor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from functools import cache
from operator import attrgetter
from typing import Any

from ..data import load_toml, require
from ..model.citation import Citation, Identifiers, Venue

_PARTS = {"venue": Venue, "ids": Identifiers}


@dataclass(frozen=True, slots=True)
class Statement:
    tag: str
    also: tuple[str, ...] = ()  # more tags read as this statement
    field: str = ""  # a model path; "" for a rule
    many: bool = False  # every value, not just the first non-empty one
    convert: str = ""  # a named converter pair
    rule: str = ""  # a named rule in code, for what is not a copy

    @property
    def tags(self) -> tuple[str, ...]:
        return (self.tag, *self.also)


@cache
def model_paths() -> frozenset[str]:
    """Every field a statement may name: Citation's own, and venue.* and ids.*."""
    top = {f.name for f in fields(Citation)} - set(_PARTS)
    return frozenset(top | {f"{part}.{f.name}" for part, cls in _PARTS.items()
                            for f in fields(cls)})


def statements(file: str, rules: Iterable[str], converters: Iterable[str]
               ) -> tuple[Statement, ...]:
    """The `[[record]]` list of a format file, every name in it checked: a field of the
    model, a rule and a converter the caller has, no tag twice."""
    known_rules, known_converters = set(rules), set(converters)
    out: list[Statement] = []
    seen: set[str] = set()
    for i, raw in enumerate(load_toml(file).get("record", [])):
        where = f"record {i + 1} ({raw.get('tag', '?')})"
        st = Statement(tag=raw.get("tag", ""), also=tuple(raw.get("also", ())),
                       field=raw.get("field", ""), many=bool(raw.get("many", False)),
                       convert=raw.get("convert", ""), rule=raw.get("rule", ""))
        require(bool(st.tag), file, f"{where}: no tag")
        require(bool(st.field) != bool(st.rule), file, f"{where}: needs a field or a rule")
        require(not st.field or st.field in model_paths(), file,
                f"{where}: {st.field!r} is no field of the model")
        require(not st.rule or st.rule in known_rules, file, f"{where}: unknown rule {st.rule!r}")
        require(not st.convert or st.convert in known_converters, file,
                f"{where}: unknown converter {st.convert!r}")
        require(seen.isdisjoint(st.tags), file, f"{where}: a tag is named twice")
        seen.update(st.tags)
        out.append(st)
    require(bool(out), file, "no [[record]] statements")
    return tuple(out)


def getter(path: str) -> Callable[[Citation], Any]:
    """A function reading a model path: getter("venue.volume")(c) is c.venue.volume."""
    return attrgetter(path)


def assemble(values: dict[str, Any]) -> Citation:
    """A Citation from values by model path; the parts (venue, ids) built from theirs."""
    top: dict[str, Any] = {}
    parts: dict[str, dict[str, Any]] = {part: {} for part in _PARTS}
    for path, value in values.items():
        part, _, name = path.partition(".")
        if name:
            parts[part][name] = value
        else:
            top[path] = value
    return Citation(**top, **{part: _PARTS[part](**kw) for part, kw in parts.items()})
