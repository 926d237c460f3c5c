"""Matching and merging records from another source (issue 5's rules, offline: --merge)."""

from __future__ import annotations

from bibkit import load, loads
from bibkit.enrich.localbib import LibraryIndex, merge_library
from bibkit.enrich.match import match
from bibkit.enrich.merge import merge
from bibkit.model.citation import Citation, Identifiers, Kind, PartialDate, Person, Status, Venue
from bibkit.model.diagnostics import Diagnostics
from conftest import AS_OF, SAMPLE_LISTING

CARD = Citation(key="zhu2023combating", kind=Kind.PREPRINT, status=Status.PREPRINT,
                title="Combating Exacerbated Heterogeneity for Robust Models in Federated "
                      "Learning", authors=(Person("Zhu", "Jianing"), Person("Yao", "J.")),
                authors_truncated=True, issued=PartialDate(2023, 3, 1),
                ids=Identifiers(arxiv_class="cs.LG"))
PUBLISHED = Citation(key="pub", kind=Kind.CONFERENCE_PAPER, status=Status.PUBLISHED,
                     title="Combating Exacerbated Heterogeneity for Robust Models in "
                           "Federated Learning.",
                     authors=(Person("Zhu", "Jianing"), Person("Yao", "Jiangchao"),
                              Person("Han", "Bo")),
                     issued=PartialDate(2023),
                     venue=Venue(name="International Conference on Learning Representations",
                                 year=2023),
                     ids=Identifiers(doi="10.5555/iclr.2023.1"))


def test_a_true_match_fills_authors_venue_and_kind_with_provenance():
    m = match(CARD, PUBLISHED)
    assert m.accepted and m.score > 0.93
    merged, changes = merge(CARD, PUBLISHED, "library", m.score, prefer_other=True)
    assert not merged.authors_truncated and len(merged.authors) == 3
    assert merged.kind is Kind.CONFERENCE_PAPER and merged.status is Status.PUBLISHED
    assert merged.venue.name.startswith("International Conference")
    assert merged.ids.arxiv_class == "cs.LG"  # arXiv fields kept
    assert {c.field for c in changes} >= {"authors", "kind", "venue.name", "ids.doi"}
    assert {p.source for p in merged.provenance} == {"library"}


def test_false_merges_are_never_made():
    same_title_other_authors = Citation(title=CARD.title, authors=(Person("Other", "A"),),
                                        issued=PartialDate(2023))
    same_title_other_year = Citation(title=CARD.title, authors=(Person("Zhu", "J"),),
                                     issued=PartialDate(2019))
    journal_extension = Citation(title="Federated Adversarial Training against Exacerbated "
                                       "Heterogeneity: A Journal Extension",
                                 authors=(Person("Zhu", "Jianing"),), issued=PartialDate(2024))
    for candidate in (same_title_other_authors, same_title_other_year, journal_extension):
        assert not match(CARD, candidate).accepted, candidate.title


def test_a_changed_title_matches_through_the_arxiv_id():
    card = Citation(title="Old Preprint Title", ids=Identifiers(arxiv="2303.00250v1"))
    published = Citation(title="A Completely New Title", ids=Identifiers(arxiv="2303.00250"))
    assert match(card, published).accepted


def test_the_card_keeps_what_the_library_lacks_and_a_shown_author_mismatch_keeps_et_al():
    other = Citation(title=CARD.title, authors=(Person("Yao", "J."), Person("Zhu", "J.")),
                     issued=PartialDate(2023))
    merged, _ = merge(CARD, other, "library", 1.0, prefer_other=True)
    assert merged.authors_truncated  # the full list does not start with the shown authors
    assert merged.ids.arxiv_class == "cs.LG"


def test_merge_library_offline_no_duplicates(tmp_path):
    bib = tmp_path / "mine.bib"
    bib.write_text("@inproceedings{x, author={Zhu, Jianing and Yao, Jiangchao and Liu, "
                   "Tongliang and Han, Bo}, title={Combating Exacerbated Heterogeneity for "
                   "Robust Models in Federated Learning}, booktitle={ICLR}, year={2023}}\n"
                   "@article{y, author={Nobody, A.}, title={Unrelated}, journal={J}, "
                   "year={2020}}\n", encoding="utf-8")
    lib = load(bib)
    sample = load(SAMPLE_LISTING, as_of=AS_OF)
    diags = Diagnostics()
    merged = list(merge_library(sample, LibraryIndex(lib.citations), "library", diags))
    assert len(merged) == len(sample) == 50
    first = merged[0]
    assert first.kind is Kind.CONFERENCE_PAPER and len(first.authors) == 4
    # the sample was keyed by `load`: that key stays, and the library's other key is said
    assert [d.code for d in diags] == ["BK901", "BK901"]
    assert "'x'" in next(iter(diags)).message
    assert first.key == "zhu2023combating"
    assert merged[1:] == sample.citations[1:]


def test_cli_merge(cli, tmp_path):
    bib = tmp_path / "mine.bib"
    bib.write_text("@inproceedings{x, author={Zhu, Jianing and Yao, Jiangchao and Liu, "
                   "Tongliang and Han, Bo}, title={Combating Exacerbated Heterogeneity for "
                   "Robust Models in Federated Learning}, booktitle={ICLR}, year={2023}}\n",
                   encoding="utf-8")
    res = cli("convert", str(SAMPLE_LISTING), "--merge", str(bib), "--as-of", "2026-11-27")
    assert res.exit_code == 0
    back = loads(res.stdout, "bibtex")
    assert len(back) == 50 and back[0].kind is Kind.CONFERENCE_PAPER
    assert not back[0].authors_truncated


def _listing_card() -> Citation:
    return Citation(key="zhu2022label", kind=Kind.PREPRINT, status=Status.PREPRINT,
                    title="Label-Noise Learning with Intrinsically Long-Tailed Data",
                    authors=(Person("Zhu", "Jianing"), Person("Han", "Bo")),
                    issued=PartialDate(2022, 11, 20), ids=Identifiers(arxiv="2211.12345"))


def test_merging_never_degrades_case_or_given_names_and_cites_the_venue_year():
    library = Citation(key="mine", kind=Kind.CONFERENCE_PAPER,
                       title="label-noise learning with intrinsically long-tailed data",
                       authors=(Person("Zhu", "J."), Person("Han", "B.")),
                       issued=PartialDate(2023), venue=Venue(name="ICCV"),
                       ids=Identifiers(arxiv="2211.12345"))
    merged, changes = merge(_listing_card(), library, "library mine.bib", 1.0,
                            prefer_other=True, same_work_by_id=True)
    assert merged.title == "Label-Noise Learning with Intrinsically Long-Tailed Data"
    assert [p.given for p in merged.authors] == ["Jianing", "Bo"]
    assert merged.kind is Kind.CONFERENCE_PAPER and merged.cited_year == 2023
    from bibkit import dump

    years = {fmt: dump([merged], fmt) for fmt in ("bibtex", "csljson", "ris")}
    assert "year          = {2023}" in years["bibtex"]
    assert '"issued": {"date-parts": [[2023]]}' in years["csljson"]
    assert "PY  - 2023" in years["ris"]
    assert any(ch.field == "venue.year" for ch in changes)


def test_a_better_cased_library_title_still_wins():
    library = Citation(key="mine", kind=Kind.CONFERENCE_PAPER,
                       title="Label-noise Learning with Intrinsically Long-tailed Data",
                       issued=PartialDate(2023), venue=Venue(name="ICCV"),
                       ids=Identifiers(arxiv="2211.12345"))
    merged, _ = merge(_listing_card(), library, "library", 1.0, prefer_other=True)
    assert merged.title == library.title  # the user's own mixed-case title is their choice


def test_a_genre_is_taken_only_with_the_kind_it_belongs_to():
    from bibkit.model.citation import evolve

    thesis = Citation(key="t", kind=Kind.THESIS, title="A Thesis", genre="Master's thesis",
                      authors=(Person("Roe", "Jane"),), issued=PartialDate(2018))
    bare = evolve(thesis, genre="")
    merged, changes = merge(bare, thesis, "library", 1.0)
    assert merged.genre == "Master's thesis" and [c.field for c in changes] == ["genre"]
    # a preprint that a thesis does not replace (no venue) does not become "Master's thesis"
    merged, _ = merge(evolve(bare, kind=Kind.PREPRINT), thesis, "library", 1.0)
    assert merged.genre == ""
