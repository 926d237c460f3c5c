"""What `bibkit profile` is given: SOURCE:ID, checked before any request."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..enrich.dblp_person import valid_pid
from ..enrich.openalex import author_id
from ..enrich.orcid import orcid_id
from ..enrich.services import ALIASES, PERSON_SOURCES, EnrichError

_S2_AUTHOR = re.compile(r"^\d{1,12}$")
_EXAMPLES = "dblp:h/BoHan3, orcid:0000-0002-1825-0097, openalex:A5023888391, s2:1737000"


@dataclass(frozen=True, slots=True)
class PersonId:
    source: str  # a PERSON_SOURCES name
    ident: str  # as the source writes it

    def __str__(self) -> str:
        return f"{self.source}:{self.ident}"


def person_id(text: str) -> PersonId:
    """"dblp:h/BoHan3" -> PersonId("dblp", "h/BoHan3"); a usage error names what is wrong.
    A dblp.org, orcid.org or openalex.org URL of the person is read too."""
    text = text.strip()
    for prefix, source in (("https://dblp.org/pid/", "dblp"), ("https://orcid.org/", "orcid"),
                           ("https://openalex.org/", "openalex")):
        if text.startswith(prefix):
            text = f"{source}:{text[len(prefix):].removesuffix('.html').removesuffix('.xml')}"
    source, sep, ident = text.partition(":")
    source = ALIASES.get(source.strip().lower(), source.strip().lower())
    ident = ident.strip()
    if not sep or source not in PERSON_SOURCES:
        raise EnrichError(f"{text!r} is not SOURCE:ID (for example {_EXAMPLES})")
    checked = {"dblp": ident if valid_pid(ident) else "", "orcid": orcid_id(ident),
               "openalex": author_id(ident),
               "s2": ident if _S2_AUTHOR.match(ident) else ""}[source]
    if not checked:
        what = {"dblp": "a DBLP person id (h/BoHan3, 117/4830-1)",
                "orcid": "an ORCID iD with a right check digit",
                "openalex": "an OpenAlex author id (A followed by digits)",
                "s2": "a Semantic Scholar author id (digits)"}[source]
        raise EnrichError(f"{ident!r} is not {what}")
    return PersonId(source, checked)
