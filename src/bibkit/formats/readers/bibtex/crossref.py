"""`crossref`: a child entry takes its container's fields from the entry it names, which
BibTeX wants after it, holding entries back only while a child waits."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator

from ....model.context import ReadContext
from .scan import RawEntry

# --- crossref --------------------------------------------------------------------------------

# What a child entry takes from the entry its `crossref` names, when it lacks them: the
# container's fields (as BibTeX and biber inherit them). Never the parent's identity (its
# DOI, URL, abstract, author), which would become the child's.
_INHERITED = frozenset({
    "booktitle", "booksubtitle", "booktitleaddon", "maintitle", "editor", "publisher",
    "address", "location", "organization", "institution", "school", "year", "month", "date",
    "series", "volume", "number", "edition", "isbn", "journal", "journaltitle", "eventtitle",
    "eventdate", "venue",
})
_CONTAINER_TYPES = frozenset({"proceedings", "mvproceedings", "book", "mvbook", "collection",
                              "mvcollection", "reference", "mvreference", "periodical"})
_RecordItem = tuple[int, str, "RawEntry | None"]
# entries held back at most while a child waits: memory stays bounded whatever the file
_CROSSREF_WINDOW = 10_000


def _inherit(child: RawEntry, parent: RawEntry) -> None:
    for name in _INHERITED & (parent.fields.keys() - child.fields.keys()):
        child.fields[name] = parent.fields[name]
    if "booktitle" not in child.fields and "title" in parent.fields:
        child.fields["booktitle"] = parent.fields["title"]  # a proceedings' title (biber)


def with_crossrefs(items: Iterable[_RecordItem], ctx: ReadContext) -> Iterator[_RecordItem]:
    """Entries in their order, each child of a `crossref` filled from its parent, which
    BibTeX wants after it (a parent before its child, which biber reads too, fills it at
    once): entries are held back only while a child waits for its parent.
    A parent that never comes (or not within _CROSSREF_WINDOW entries) is said (BK508); the
    child is read as it is."""
    held: deque[_RecordItem] = deque()
    waiting: dict[str, list[RawEntry]] = {}  # parent key (case-folded, as BibTeX) -> children
    pending: set[int] = set()  # id() of the children still waiting
    # containers already read (a parent written before its child, as biber allows too):
    # only entries of a container type are kept, so memory stays bounded by them
    containers: dict[str, RawEntry] = {}

    def unresolved(child: RawEntry) -> None:
        ctx.diags.warning("BK508", f"crossref {child.fields['crossref']!r} names no entry "
                          "in this file; read without it", line=child.line, key=child.key)

    for item in items:
        entry = item[2]
        if entry is not None:
            for child in waiting.pop(entry.key.casefold(), ()):
                _inherit(child, entry)
                pending.discard(id(child))
            parent = entry.fields.get("crossref", "").strip()
            if parent and parent.casefold() in containers:
                _inherit(entry, containers[parent.casefold()])
            elif parent:
                waiting.setdefault(parent.casefold(), []).append(entry)
                pending.add(id(entry))
            if entry.entry_type in _CONTAINER_TYPES:
                containers[entry.key.casefold()] = entry
        if not held and not pending:  # no child waits for its parent: nearly always
            yield item
            continue
        held.append(item)
        if len(held) > _CROSSREF_WINDOW and (oldest := held[0][2]) is not None:
            unresolved(oldest)  # given up on: the entries after it go on
            pending.discard(id(oldest))
            waiting[oldest.fields["crossref"].strip().casefold()].remove(oldest)
        while held and (held[0][2] is None or id(held[0][2]) not in pending):
            yield held.popleft()
    for children in waiting.values():
        for child in children:
            unresolved(child)
    yield from held
