"""The services bibkit can ask, as a spec table: names, labels and where each resolver's code
lives. Reading it loads no network code, so the CLI can name and check services at start-up
and import a resolver only when a run enriches."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any


class EnrichError(ValueError):
    """A usage problem: an unknown service name or a malformed endpoint."""


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    name: str  # as --enrich names it
    label: str  # as messages name it
    resolver: str  # "module:Class"

    def load(self) -> Any:
        module, _, attr = self.resolver.partition(":")
        return getattr(importlib.import_module(module), attr)


SERVICES: dict[str, ServiceSpec] = {s.name: s for s in (
    ServiceSpec("arxiv", "arXiv", "bibkit.enrich.arxiv:ArxivResolver"),
    ServiceSpec("dblp", "DBLP", "bibkit.enrich.dblp:DblpResolver"),
    ServiceSpec("crossref", "Crossref", "bibkit.enrich.crossref:CrossrefResolver"),
    ServiceSpec("s2", "Semantic Scholar", "bibkit.enrich.semanticscholar:SemanticScholarResolver"),
)}
# Where a person's whole list of works can be read (`bibkit profile SOURCE:ID`): each
# class has `works_of(id) -> list[Citation]`
PERSON_SOURCES: dict[str, ServiceSpec] = {s.name: s for s in (
    ServiceSpec("dblp", "DBLP", "bibkit.enrich.dblp:DblpResolver"),
    ServiceSpec("orcid", "ORCID", "bibkit.enrich.orcid:OrcidSource"),
    ServiceSpec("openalex", "OpenAlex", "bibkit.enrich.openalex:OpenAlexSource"),
    ServiceSpec("s2", "Semantic Scholar", "bibkit.enrich.semanticscholar:SemanticScholarResolver"),
)}
ALIASES = {"semanticscholar": "s2", "semantic-scholar": "s2"}
DEFAULT_SERVICES = ("arxiv", "dblp", "s2")


def service_names(spec: str) -> list[str]:
    """"arxiv,dblp" -> ["arxiv", "dblp"]; "all" -> every service."""
    names: list[str] = []
    for raw in spec.split(","):
        name = ALIASES.get(raw.strip().lower(), raw.strip().lower())
        if not name:
            continue
        if name == "all":
            names.extend(n for n in SERVICES if n not in names)
        elif name not in SERVICES:
            raise EnrichError(f"unknown service {raw.strip()!r} "
                              f"(known: {', '.join(SERVICES)}, all)")
        elif name not in names:
            names.append(name)
    return names
