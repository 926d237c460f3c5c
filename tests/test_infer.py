"""Inference rules: dates, arXiv ids and DOIs, venues, citekeys."""

from __future__ import annotations

import datetime as dt

import pytest

from bibkit.infer.categories import resolve_code
from bibkit.infer.dates import DateError, resolve_yearless
from bibkit.infer.identifiers import arxiv_doi, find_arxiv_id
from bibkit.infer.keys import assign_keys, base_key
from bibkit.infer.rules import infer_all, infer_arxiv, infer_venue
from bibkit.infer.venues import find_venue, lookup
from bibkit.model.citation import (
    Citation,
    Kind,
    Link,
    PartialDate,
    Person,
    Status,
    Venue,
    normalise_doi,
)

# --- dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(("month", "day", "as_of", "year"), [
    (5, 30, dt.date(2026, 11, 27), 2026),
    (11, 27, dt.date(2026, 11, 27), 2026),  # the reference day itself is not in the future
    (11, 28, dt.date(2026, 11, 27), 2025),
    (12, 24, dt.date(2026, 1, 1), 2025),
    (2, 29, dt.date(2026, 11, 27), 2024),
    (2, 29, dt.date(2024, 2, 29), 2024),
])
def test_yearless_dates_resolve_to_the_latest_date_not_after_as_of(month, day, as_of, year):
    d = resolve_yearless(month, day, as_of)
    assert (d.year, d.month, d.day, d.year_inferred) == (year, month, day, True)


def test_impossible_yearless_date():
    with pytest.raises(DateError):
        resolve_yearless(4, 31, dt.date(2026, 1, 1))


# --- arXiv ------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "arxiv"), [
    ("see https://arxiv.org/abs/2303.01234", "2303.01234"),
    ("pdf at http://arxiv.org/pdf/2303.01234v3.pdf", "2303.01234v3"),
    ("arXiv:1706.03762v7 [cs.CL]", "1706.03762v7"),
    ("arXiv: 0704.0001", "0704.0001"),
    ("https://arxiv.org/abs/hep-th/9901001v2", "hep-th/9901001v2"),
    ("arXiv:math.GT/0309136", "math.GT/0309136"),
    ("doi:10.48550/arXiv.2201.00001", "2201.00001"),
    ("https://doi.org/10.48550/ARXIV.2201.00001", "2201.00001"),
    ("no identifier 2303.01234 here", ""),
    ("hep-th/9901001 without a prefix", ""),
])
def test_arxiv_ids_in_text(text, arxiv):
    assert find_arxiv_id(text) == arxiv


def test_arxiv_doi_drops_the_version():
    assert arxiv_doi("2303.01234v2") == "10.48550/arxiv.2303.01234"
    assert arxiv_doi("hep-th/9901001") == "10.48550/arxiv.hep-th/9901001"


def test_doi_normalised():
    assert normalise_doi("https://doi.org/10.1145/3292500.3330701.") == "10.1145/3292500.3330701"
    assert normalise_doi("nothing") == ""


def test_infer_arxiv_records_provenance_and_derives_the_doi():
    c = infer_arxiv(Citation(title="T", abstract="Preprint: arXiv:2401.00001v1."))
    assert c.ids.arxiv == "2401.00001v1"
    assert c.ids.doi == "10.48550/arxiv.2401.00001"
    # an untyped record (the default kind) that names its arXiv id is a preprint
    assert {p.rule for p in c.provenance} == {"arxiv-id-in-text", "arxiv-doi-from-id",
                                              "arxiv-id-makes-preprint"}
    assert c.kind is Kind.PREPRINT


def test_arxiv_id_in_a_link():
    c = infer_arxiv(Citation(title="T", links=(Link("pdf", "https://arxiv.org/pdf/2401.00002"),)))
    assert c.ids.arxiv == "2401.00002"


def test_no_arxiv_id_is_ever_invented():
    c = infer_all(Citation(title="T", abstract="We beat 2303.01234 baselines.", kind=Kind.PREPRINT))
    assert c.ids.arxiv == "" and c.ids.doi == ""


# --- categories -------------------------------------------------------------------------


def test_every_bare_code_of_a_unique_category_resolves():
    for code, cat in [("LG", "cs.LG"), ("ML", "stat.ML"), ("IV", "eess.IV"), ("CL", "cs.CL"),
                      ("SY", "eess.SY"), ("NA", "math.NA"), ("hep-th", "hep-th"),
                      ("math.ST", "stat.TH")]:
        assert resolve_code(code).category == cat, code


def test_ambiguous_codes_list_their_candidates():
    m = resolve_code("CO")
    assert m.category == "" and set(m.candidates) == {"astro-ph.CO", "math.CO", "stat.CO"}


# --- venues -----------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "short", "kind", "year", "accepted"), [
    ("Accepted at ICLR 2023.", "ICLR", "conference", 2023, True),
    ("Accepted to NeurIPS 2022 as a spotlight.", "NeurIPS", "conference", 2022, True),
    ("This paper has been accepted by NIPS'17.", "NeurIPS", "conference", 2017, True),
    ("Published in Transactions on Machine Learning Research (TMLR).", "TMLR", "journal",
     None, False),
    ("To appear in TPAMI.", "TPAMI", "journal", None, True),
    ("Our paper (KDD 2021) studies", "KDD", "conference", 2021, False),
    ("ICLR 2023 camera ready version.", "ICLR", "conference", 2023, True),
    ("Accepted at the ICML 2023 Workshop on Foundation Models.", "ICML Workshop", "workshop",
     2023, True),
    ("Published as a conference paper at ICLR 2024", "ICLR", "conference", 2024, False),
    ("Accepted at USENIX Security 2024.", "USENIX Security", "conference", 2024, True),
    ("In Proceedings of the 2023 Conference on Empirical Methods in Natural Language "
     "Processing", "EMNLP", "conference", 2023, False),
    # real arXiv comments and profile pages (formats/venues.toml quotes where each was seen)
    ("Accepted By NeurIPS 2025", "NeurIPS", "conference", 2025, True),
    ("Accepted by NeurIPS'23", "NeurIPS", "conference", 2023, True),
    ("Accepted by NeurIPS 2025 Workshop on Embodied World Models for Decision Making",
     "NeurIPS Workshop", "workshop", 2025, True),
    ("Our paper is accepted by NeurIPS 2025 as Spotlight paper.", "NeurIPS", "conference",
     2025, True),
    ("NeurIPS 2023 (Spotlight)", "NeurIPS", "conference", 2023, True),
    ("ICLR 2024 Oral", "ICLR", "conference", 2024, True),
    ("Goal-Conditioned Reinforcement Learning Workshop, NeurIPS 2023 (spotlight)",
     "NeurIPS Workshop", "workshop", 2023, True),
    ("Oral presentation at ICML 2023", "ICML", "conference", 2023, False),
    ("Camera-ready version for CVPR 2023", "CVPR", "conference", 2023, True),
    ("Appears in CVPR 2022", "CVPR", "conference", 2022, False),
    ("This will appear in ICML 2024.", "ICML", "conference", 2024, True),
    ("Extended version of our ICML 2022 paper. Published in TPAMI 2023.", "TPAMI", "journal",
     2023, False),
])
def test_venue_phrases(text, short, kind, year, accepted):
    hit = find_venue(text)
    assert hit is not None
    assert (hit.venue.short_name, hit.venue.kind, hit.venue.year, hit.accepted) == (
        short, kind, year, accepted)


@pytest.mark.parametrize("text", [
    "We evaluate on ImageNet and compare with ICML baselines.",
    "methods appear to outperform baselines on CVPR benchmarks",
    "as shown in (ICLR) prior work",
    "Published results in the acl anthology show",  # a one-word alias keeps its case
    "We accept that machine learning is hard.",
    "This is an extended version of our CIKM 2024 paper",
    "An extended version of our ICML 2022 paper, published at ICML 2022.",
    "Journal version of our NeurIPS 2021 paper (NeurIPS 2021).",
    "Under review as a conference paper at ICLR 2026",
    "Code for our (NeurIPS 2023 submission) is online.",
    "Submitted to ICML 2024 (ICML 2024).",
    "a moral ICLR 2023 thing",  # "oral" is a whole word
])
def test_no_venue_without_a_publication_phrase(text):
    assert find_venue(text) is None


@pytest.mark.parametrize(("text", "volume", "issue", "pages", "year"), [
    ("Published in TPAMI 48(3):1-20, 2020", "48", "3", "1–20", 2020),
    ("Published in Journal of Machine Learning Research 24(12):1–30, 2023.", "24", "12",
     "1–30", 2023),
    ("Published in TPAMI, vol. 45, pp. 100-120, 2023", "45", "", "100–120", 2023),
    ("Published in Nature 521:436–444, 2015", "521", "", "436–444", 2015),
    ("Published in Nature 3, 2015", "", "", "", 2015),  # no page 2015
])
def test_journal_references_give_volume_issue_and_pages(text, volume, issue, pages, year):
    v = find_venue(text).venue
    assert (v.volume, v.issue, v.pages, v.year) == (volume, issue, pages, year)


def test_venue_sets_kind_status_and_year():
    c = Citation(title="T", abstract="To appear in TPAMI.", kind=Kind.PREPRINT,
                 status=Status.PREPRINT, issued=PartialDate(2022, 5, 1))
    out = infer_venue(c)
    assert out.kind is Kind.JOURNAL_ARTICLE and out.status is Status.ACCEPTED
    assert out.venue.name == "IEEE Transactions on Pattern Analysis and Machine Intelligence"
    assert out.venue.year == 2022  # no year in the phrase: the card's year
    assert {p.field for p in out.provenance} == {"venue", "kind"}


def test_known_venue_is_not_replaced():
    c = Citation(title="T", abstract="Accepted at ICLR 2023.", venue=Venue(name="Mine"))
    assert infer_venue(c) is c


def test_lookup_aliases():
    assert lookup("NIPS").short_name == "NeurIPS"
    assert lookup("international conference on machine learning").short_name == "ICML"
    assert lookup("icml") is None


# --- citekeys ---------------------------------------------------------------------------


def cite(family="Zhu", year=2023, title="Combating Exacerbated Heterogeneity", **kw):
    return Citation(title=title, authors=(Person(family, "J"),), issued=PartialDate(year), **kw)


@pytest.mark.parametrize(("citation", "key"), [
    (cite(), "zhu2023combating"),
    (cite(title="On the Robustness of GNNs"), "zhu2023robustness"),
    (cite(title="Is Out-of-Distribution Detection Learnable?"), "zhu2023out"),
    (cite(title="MM-Snowball: Evaluating"), "zhu2023mm"),
    (cite(family="Müller", title="Über alles"), "muller2023uber"),
    (cite(family="O'Brien"), "obrien2023combating"),
    (Citation(title="Anonymous Work"), "anonanonymous"),
    (cite(venue=Venue(name="X", year=2024)), "zhu2024combating"),
])
def test_base_keys(citation, key):
    assert base_key(citation) == key


def test_colliding_keys_get_letter_suffixes_in_input_order():
    keys = [c.key for c in assign_keys([cite(), cite(), cite(), cite(family="Li")])]
    assert keys == ["zhu2023combating", "zhu2023combatinga", "zhu2023combatingb",
                    "li2023combating"]


def test_source_keys_are_kept_and_duplicates_renamed_with_a_warning():
    from bibkit.model.diagnostics import Diagnostics

    diags = Diagnostics()
    keys = [c.key for c in assign_keys([cite(key="mine"), cite(key="mine")], diags)]
    assert keys == ["mine", "minea"]
    assert [d.code for d in diags] == ["BK401"]


@pytest.mark.parametrize(("as_of", "status"), [
    (dt.date(2023, 1, 10), Status.ACCEPTED),  # before the venue: still to appear
    (dt.date(2023, 12, 31), Status.ACCEPTED),  # the venue's year: it may not be out yet
    (dt.date(2026, 11, 27), Status.PUBLISHED),  # years later: published, whatever said so
])
def test_accepted_follows_the_reference_date(as_of, status):
    card = Citation(title="T", note="Accepted at ICLR 2023", issued=PartialDate(2022, 11))
    c = infer_all(card, as_of=as_of)
    assert c.venue.short_name == "ICLR" and c.status is status
    assert (status is Status.PUBLISHED) == any(p.rule == "venue-year-passed"
                                               for p in c.provenance)


@pytest.mark.parametrize(("text", "fmt"), [
    ("@inproceedings{a, title={T}, booktitle={B}, year={2020}, pubstate={inpress}}", "biblatex"),
    ('[{"id": "a", "type": "paper-conference", "title": "T", "status": "forthcoming",'
     ' "issued": {"date-parts": [[2020]]}}]', "csljson"),
    ("TY  - INPR\nTI  - T\nPY  - 2020\nER  - \n", "ris"),
])
def test_no_stale_status_from_any_format(text, fmt):
    import bibkit

    reader = "bibtex" if fmt == "biblatex" else fmt
    now = bibkit.loads(text, reader, as_of=dt.date(2026, 11, 27))[0]
    then = bibkit.loads(text, reader, as_of=dt.date(2020, 3, 1))[0]
    assert now.status is Status.PUBLISHED and then.status is Status.ACCEPTED
    assert "inpress" not in bibkit.dump([now], "biblatex")
    assert "forthcoming" not in bibkit.dump([now], "csljson")
    kept = bibkit.loads(text, reader, as_of=dt.date(2026, 11, 27), infer=False)[0]
    assert kept.status is Status.ACCEPTED  # --no-infer: what the input says


def test_a_phrase_places_only_a_work_whose_kind_says_nothing_of_where_it_appeared():
    # "Proceedings of ICLR 2023" is the title of a @proceedings volume, not a paper at ICLR
    volume = Citation(kind=Kind.BOOK, title="Proceedings of ICLR 2023",
                      venue=Venue(publisher="OpenReview"), issued=PartialDate(2023))
    assert infer_venue(volume) == volume
    for kind in (Kind.PREPRINT, Kind.DOCUMENT, Kind.MANUSCRIPT):
        card = Citation(kind=kind, title="T", note="Accepted at ICLR 2023.")
        assert infer_venue(card).kind is Kind.CONFERENCE_PAPER


def test_a_phrase_keeps_what_the_source_said_of_the_venue():
    card = Citation(kind=Kind.DOCUMENT, title="T", note="Accepted at ICLR 2023.",
                    venue=Venue(publisher="Own Press", place="Berlin"))
    placed = infer_venue(card)
    assert placed.venue.short_name == "ICLR"
    assert (placed.venue.publisher, placed.venue.place) == ("Own Press", "Berlin")
