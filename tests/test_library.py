"""A library that stays put (issue 26): keys that never change once given, the same work
found twice, a merge that never loses what the user's text said, a résumé updated in place."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bibkit
from conftest import AS_OF, SAMPLE_LISTING

ASOF = ("--as-of", "2026-11-27")


def _entry(bib: str, key: str) -> str:
    m = re.search(r"@\w+\{" + re.escape(key) + r",.*?\n\}\n", bib, re.DOTALL)
    assert m, f"no entry {key} in output"
    return m.group()


def _keys(bib: str) -> list[str]:
    return re.findall(r"^@\w+\{([^,\n]+),", bib, re.MULTILINE)


# --- keys ------------------------------------------------------------------------------------

LIB = """@inproceedings{{{key},
  author = {{Zhu, Jianing and Yao, Jiangchao and Liu, Tongliang and Wang, Quanming and Han, Bo}},
  title = {{Combating Exacerbated Heterogeneity for Robust Models in Federated Learning}},
  booktitle = {{International Conference on Learning Representations}},
  year = {{2024}},
}}
"""


@pytest.mark.parametrize("key", ["zhu2023sfat", "fang2022ood", "Zhu:2024:ICLR"])
def test_a_library_key_is_kept_for_the_work_it_names(cli, tmp_path, key):
    lib = tmp_path / "mine.bib"
    lib.write_text(LIB.format(key=key))
    res = cli("convert", str(SAMPLE_LISTING), "--merge", str(lib), *ASOF)
    assert res.exit_code == 0, res.stderr
    entry = _entry(res.stdout, key)  # not zhu2024combating, which the venue year would make
    assert "International Conference on Learning Representations" in entry
    assert "zhu2024combating" not in res.stdout


def test_enrichment_never_renames_a_key():
    """Keys are given before the services are asked: a card cited as a 2023 preprint keeps
    its key when a service finds its 2024 venue."""
    from bibkit.model.citation import Kind, Venue, evolve
    from bibkit.model.context import ReadContext
    from bibkit.model.diagnostics import Diagnostics
    from bibkit.pipeline import Outcome, Run, stages

    card = bibkit.load(SAMPLE_LISTING, as_of=AS_OF)[0]
    keyless = evolve(card, key="")

    class Settings:  # the enrich stage only hands its settings on: a stand-in service
        pass

    spec = Run(source="x")
    spec.enrich = Settings()  # type: ignore[assignment]
    ctx = ReadContext(Diagnostics(), AS_OF)
    outcome = Outcome(0, "", None, ctx.diags, ctx)
    import bibkit.enrich.session as session

    def published(citations, settings, diags, profile, progress):
        out = [evolve(c, kind=Kind.CONFERENCE_PAPER, venue=Venue(name="ICLR", year=2024))
               for c in citations]
        return type("O", (), {"citations": out})()

    real, session.enrich_citations = session.enrich_citations, published
    try:
        stream = iter([keyless])
        for _, stage in stages(spec, ctx, [], outcome):
            stream = stage(stream)
        (out,) = list(stream)
    finally:
        session.enrich_citations = real
    assert out.venue.year == 2024 and out.key == card.key == "zhu2023combating"


# --- duplicates ------------------------------------------------------------------------------


def _overlapping_pastes(tmp_path):
    text = SAMPLE_LISTING.read_text(encoding="utf-8")
    lines = text.split("\n")
    heads = [i for i, line in enumerate(lines)
             if re.match(r"^(\d+(\.\d)?)?[A-Z]{2,3}(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|"
                         r"Nov|Dec) \d", line)]
    again = "\n".join(lines[heads[-3]:])  # "Load more", then the last three cards again
    path = tmp_path / "pastes.txt"
    path.write_text(text.rstrip("\n") + "\n\n" + again, encoding="utf-8")
    return path


def test_overlapping_pastes_are_reported_and_dedupe_keeps_one_each(cli, tmp_path):
    path = _overlapping_pastes(tmp_path)
    plain = cli("convert", str(path), *ASOF)
    assert len(_keys(plain.stdout)) == 53
    said = [line for line in plain.stderr.splitlines() if "BK204" in line]
    assert len(said) == 3 and all(f"{path}:" in line.split("(")[1] for line in said)
    once = cli("convert", str(path), "--dedupe", *ASOF)
    # one entry per work, under the keys the page alone gets
    assert _keys(once.stdout) == _keys(cli("convert", str(SAMPLE_LISTING), *ASOF).stdout)
    cv = cli("cv", str(path), *ASOF)  # a CV keeps one entry per work by itself
    assert cv.stdout.count("\n- [") == 50 and cv.stderr.count("BK204") == 3


def test_a_preprint_beside_its_published_version_is_one_work(cli, tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text("""@misc{lee2022preprint,
  author = {Lee, Ann and Roe, Richard},
  title = {Sparse Things Learned Fast},
  year = {2022},
  eprint = {2205.01234}, archivePrefix = {arXiv},
}
@inproceedings{lee2023sparse,
  author = {Lee, Ann and Roe, Richard},
  title = {Sparse {T}hings Learned Fast},
  booktitle = {Advances in Neural Information Processing Systems},
  year = {2023},
  doi = {10.5555/1234},
}
""")
    check = cli("check", str(bib))
    assert "BK204" in check.stderr and f"{bib}:1" in check.stderr
    out = cli("convert", str(bib), "--dedupe", "--to", "biblatex")
    entry = _entry(out.stdout, "lee2022preprint")  # the key in use first
    assert _keys(out.stdout) == ["lee2022preprint"] and "@inproceedings" in entry
    assert "2205.01234" in entry and "10.5555/1234" in entry and "{2023}" in entry


def test_different_works_with_one_title_are_not_duplicates(cli, tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text("@article{a, author={Lee, Ann}, title={Introduction}, journal={J}, "
                   "year={2001}}\n@article{b, author={Roe, Richard}, title={Introduction}, "
                   "journal={K}, year={2001}}\n@article{c, author={Lee, Ann}, "
                   "title={Introduction}, journal={J}, year={2015}}\n")
    assert "BK204" not in cli("check", str(bib)).stderr


# --- a merge never loses information ---------------------------------------------------------


def test_a_merge_keeps_the_better_cased_title_and_says_what_it_replaces(cli, tmp_path):
    lib = tmp_path / "scholar.bib"
    lib.write_text("@article{shen2023deepinception,\n  title={Deepinception: Hypnotize large "
                   "language model to be jailbreaker},\n  author={Li, Xuan and Zhou, Zhanke "
                   "and Zhu, Jianing},\n  journal={arXiv preprint arXiv:2311.03191},\n"
                   "  year={2023}\n}\n")
    res = cli("convert", str(SAMPLE_LISTING), "--merge", str(lib), *ASOF)
    entry = _entry(res.stdout, "shen2023deepinception")
    assert "{DeepInception}: Hypnotize Large Language Model to Be Jailbreaker" in entry
    assert "BK910" not in res.stderr
    # a library title that says more about case replaces ours, and that is said by default
    more = tmp_path / "more.bib"
    more.write_text(lib.read_text().replace("Deepinception: Hypnotize large language model "
                                            "to be jailbreaker", "DeepInception: Hypnotize "
                                            "Large Language Model To Be Jailbreaker"))
    res = cli("convert", str(SAMPLE_LISTING), "--merge", str(more), *ASOF)
    assert "warning[BK910]" in res.stderr and "To Be Jailbreaker'" in res.stderr


# --- a résumé updated in place -----------------------------------------------------------


RESUME = {"basics": {"name": "Bo Han", "email": "bo@example.org"},
          "work": [{"name": "HKBU", "position": "Professor"}],
          "education": [{"institution": "UTS"}], "publications": []}


def test_o_refuses_to_replace_a_resume_with_other_sections(cli, tmp_path):
    resume = tmp_path / "resume.json"
    resume.write_text(json.dumps(RESUME))
    res = cli("cv", str(SAMPLE_LISTING), "--format", "jsonresume", "-o", str(resume), *ASOF)
    assert res.exit_code == 2 and "--sync" in res.stderr
    assert json.loads(resume.read_text()) == RESUME


def test_sync_updates_the_publications_and_keeps_the_rest(cli, tmp_path):
    resume = tmp_path / "resume.json"
    resume.write_text(json.dumps(RESUME, indent=2))
    for _ in range(2):
        res = cli("cv", str(SAMPLE_LISTING), "--format", "jsonresume", "--sync", str(resume),
                  *ASOF)
        assert res.exit_code == 0, res.stderr
        first = resume.read_bytes() if _ == 0 else first  # noqa: F821
    assert resume.read_bytes() == first  # a second run with nothing new changes nothing
    doc = json.loads(first)
    assert doc["work"] == RESUME["work"] and doc["education"] == RESUME["education"]
    assert doc["basics"] == RESUME["basics"] and len(doc["publications"]) == 50
    assert list(doc) == list(RESUME)  # the résumé's own order


def test_sync_is_refused_where_a_format_cannot_update_in_place(cli, tmp_path):
    res = cli("convert", str(SAMPLE_LISTING), "--to", "ris", "--sync",
              str(tmp_path / "refs.ris"))
    assert res.exit_code == 2 and "cannot yet" in res.stderr


# --- a property: no key the library gives is renamed -------------------------------------


_SAMPLE = bibkit.load(SAMPLE_LISTING, as_of=AS_OF)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(picks=st.lists(st.integers(0, 49), min_size=1, max_size=8, unique=True),
       keys=st.lists(st.from_regex(r"[a-z]{2,6}[0-9]{0,4}(:[A-Z][a-z]{1,4})?", fullmatch=True),
                     min_size=8, max_size=8, unique=True))
def test_no_library_key_is_renamed_and_a_second_run_changes_nothing(tmp_path, picks, keys):
    from bibkit.model.citation import evolve

    library = [evolve(_SAMPLE[i], key=keys[n]) for n, i in enumerate(picks)]
    lib = tmp_path / "lib.bib"
    bibkit.dump(library, "bibtex", lib)
    runs = [bibkit.convert(SAMPLE_LISTING, to="bibtex", as_of=AS_OF, merge=[lib])
            for _ in range(2)]
    assert runs[0] == runs[1]
    assert {c.key for c in library} <= set(_keys(runs[0] or ""))


def test_a_key_pattern_makes_new_keys_and_keeps_given_ones(cli, tmp_path):
    lib = tmp_path / "mine.bib"
    lib.write_text(LIB.format(key="zhu2023sfat"))
    res = cli("convert", str(SAMPLE_LISTING), "--merge", str(lib), "--key-pattern",
              "[Auth]:[year]:[venue][shorttitle]", *ASOF)
    keys = _keys(res.stdout)
    assert keys[0] == "zhu2023sfat"  # the library's key, not the pattern's
    assert keys[1] == "Zhou:2023:strengtheningdefendinggraph"
    bad = cli("convert", str(SAMPLE_LISTING), "--key-pattern", "[author]")
    assert bad.exit_code == 2 and "no field [author]" in bad.stderr


def test_dry_run_prints_the_diff_and_writes_nothing(cli, tmp_path):
    resume = tmp_path / "resume.json"
    resume.write_text(json.dumps(RESUME, indent=2) + "\n")
    before = resume.read_bytes()
    res = cli("cv", str(SAMPLE_LISTING), "--format", "jsonresume", "--sync", str(resume),
              "--dry-run", *ASOF)
    assert res.exit_code == 0 and resume.read_bytes() == before
    assert res.stdout.startswith(f"--- {resume} (as it is)") and '+      "name":' in res.stdout
    cli("cv", str(SAMPLE_LISTING), "--format", "jsonresume", "--sync", str(resume), *ASOF)
    again = cli("cv", str(SAMPLE_LISTING), "--format", "jsonresume", "--sync", str(resume),
                "--dry-run", *ASOF)
    assert again.exit_code == 0 and again.stdout == ""  # nothing new: no change at all
    out = tmp_path / "refs.bib"
    res = cli("convert", str(SAMPLE_LISTING), "-o", str(out), "--dry-run", *ASOF)
    assert not out.exists() and res.stdout.count("\n+@") == 50


# --- --sync refs.bib -------------------------------------------------------------------------

MY_BIB = """% My bibliography. Do not reorder.
@string{iclr = {International Conference on Learning Representations}}

@misc{zhu2023combating,
  author        = {Zhu, Jianing and Yao, Jiangchao and Liu, Tongliang and others},
  title         = {Combating Exacerbated Heterogeneity for Robust Models in Federated Learning},
  howpublished  = {arXiv preprint},
  year          = {2023},
  selected      = {true},
}

@article{knuth1984,
  author = {Knuth, Donald E.},
  title = {Literate {P}rogramming, as I wrote it},
  journal = {The Computer Journal},
  year = {1984},
}
"""


def test_sync_updates_a_bib_in_place_and_keeps_what_the_user_wrote(cli, tmp_path):
    refs = tmp_path / "refs.bib"
    refs.write_text(MY_BIB)
    lib = tmp_path / "lib.bib"
    lib.write_text(LIB.format(key="zhu2023sfat").replace("2024", "2023"))
    args = ("convert", str(SAMPLE_LISTING), "--merge", str(lib), "--sync", str(refs), *ASOF)
    res = cli(*args)
    assert res.exit_code == 0, res.stderr
    text = refs.read_text()
    assert text.startswith("% My bibliography. Do not reorder.\n@string{iclr = ")
    upgraded = _entry(text, "zhu2023combating")  # the file's key, the published version
    assert upgraded.startswith("@inproceedings") and "selected      = {true}" in upgraded
    assert "Wang, Quanming and Han, Bo" in upgraded
    assert _entry(MY_BIB, "knuth1984") in text  # untouched, byte for byte
    keys = _keys(text)
    assert keys[:2] == ["zhu2023combating", "knuth1984"] and len(keys) == 51
    first = refs.read_bytes()
    assert cli(*args).exit_code == 0 and refs.read_bytes() == first  # a fixed point
    assert cli(*args, "--dry-run").stdout == ""


def test_a_hand_edit_survives_a_sync(cli, tmp_path):
    refs = tmp_path / "refs.bib"
    args = ("convert", str(SAMPLE_LISTING), "--sync", str(refs), *ASOF)
    cli(*args)
    edited = refs.read_text().replace(
        "title         = {Combating Exacerbated Heterogeneity for Robust Models in Federated "
        "Learning}", "title         = {Combating Heterogeneity: my own short title}", 1)
    refs.write_text(edited)
    cli(*args)
    assert "{Combating Heterogeneity: my own short title}" in refs.read_text()
    assert refs.read_text() == edited


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(picks=st.lists(st.integers(0, 49), min_size=1, max_size=6, unique=True),
       keys=st.lists(st.from_regex(r"[a-z]{2,6}[0-9]{0,4}", fullmatch=True), min_size=6,
                     max_size=6, unique=True))
def test_sync_is_a_fixed_point_and_renames_no_key_of_the_file(tmp_path, picks, keys):
    from bibkit.model.citation import evolve

    refs = tmp_path / "refs.bib"
    bibkit.dump([evolve(_SAMPLE[i], key=keys[n]) for n, i in enumerate(picks)], "bibtex", refs)
    mine = set(_keys(refs.read_text()))
    texts = []
    for _ in range(2):
        bibkit.convert(SAMPLE_LISTING, refs, to="bibtex", as_of=AS_OF, sync=True)
        texts.append(refs.read_text())
    assert texts[0] == texts[1] and mine <= set(_keys(texts[0]))
    assert len(_keys(texts[0])) == 50  # each work once: the file's entry, or a new one


def test_sync_keeps_an_al_folio_papers_bib_hand_fields(cli, tmp_path):
    papers = tmp_path / "papers.bib"
    args = ("cv", str(SAMPLE_LISTING), "--format", "al-folio", "--sync", str(papers), *ASOF)
    assert cli(*args).exit_code == 0
    edited = papers.read_text().replace("bibtex_show   = {true},",
                                        "bibtex_show   = {true},\n  preview       = {a.png},", 1)
    papers.write_text(edited)
    assert cli(*args).exit_code == 0 and papers.read_text() == edited


def test_prune_removes_what_the_run_does_not_have_and_says_so(cli, tmp_path):
    refs = tmp_path / "refs.bib"
    refs.write_text(MY_BIB)
    res = cli("convert", str(SAMPLE_LISTING), "--sync", str(refs), "--prune", *ASOF)
    assert res.exit_code == 0 and "knuth1984 (line 12 of the file) removed" in res.stderr
    text = refs.read_text()
    assert "knuth1984" not in text and text.startswith("% My bibliography.")
    assert len(_keys(text)) == 50
    alone = cli("convert", str(SAMPLE_LISTING), "-o", str(tmp_path / "x.bib"), "--prune")
    assert alone.exit_code == 2 and "give --sync FILE" in alone.stderr


def test_three_way_the_runs_value_replaces_bibkits_own_but_not_the_users(tmp_path):
    """An entry still as bibkit wrote it takes the run's new value; one the user edited
    keeps theirs, and that is said (BK412). The sidecar beside the file remembers."""
    from bibkit.model.citation import evolve
    from bibkit.model.diagnostics import Diagnostics
    from bibkit.sync import sidecar_path

    refs = tmp_path / "refs.bib"
    bibkit.convert(SAMPLE_LISTING, refs, to="bibtex", as_of=AS_OF, sync=True)
    assert sidecar_path(str(refs)).exists()
    first, second = _keys(refs.read_text())[:2]
    edited = refs.read_text().replace("title         = {On Strengthening",
                                      "title         = {My Strengthening", 1)
    refs.write_text(edited)

    def renamed(c):  # the site now gives every title a prefix
        return evolve(c, title="Revised: " + c.title)

    diags = Diagnostics()
    bibkit.convert(SAMPLE_LISTING, refs, to="bibtex", as_of=AS_OF, sync=True,
                   transforms=[renamed], diagnostics=diags)
    text = refs.read_text()
    assert "Revised: Combating" in _entry(text, first)  # bibkit's own entry follows the run
    assert "{My Strengthening" in _entry(text, second)  # the user's edit stays
    assert [d.key for d in diags if d.code == "BK412"] == [second]


def test_a_dry_run_writes_no_sidecar(cli, tmp_path):
    from bibkit.sync import sidecar_path

    refs = tmp_path / "refs.bib"
    cli("convert", str(SAMPLE_LISTING), "--sync", str(refs), "--dry-run", *ASOF)
    assert not refs.exists() and not sidecar_path(str(refs)).exists()


def test_enrich_syncs_a_bib_too(cli, tmp_path):
    refs = tmp_path / "refs.bib"
    refs.write_text(MY_BIB)
    res = cli("enrich", str(SAMPLE_LISTING), "--offline", "--cache-dir", str(tmp_path / "c"),
              "--sync", str(refs), *ASOF)
    assert res.exit_code == 0, res.stderr
    assert refs.read_text().startswith("% My bibliography.") and len(_keys(refs.read_text())) == 51


def test_three_way_by_field_the_users_value_stays_every_other_follows_the_run(tmp_path):
    """A hand edit to one field keeps that field only: the run's new values for the other
    fields of the same entry still land, and the conflict is said once, not every run."""
    from bibkit.model.citation import evolve
    from bibkit.model.diagnostics import Diagnostics

    refs = tmp_path / "refs.bib"
    bibkit.convert(SAMPLE_LISTING, refs, to="bibtex", as_of=AS_OF, sync=True)
    second = _keys(refs.read_text())[1]
    refs.write_text(refs.read_text().replace("title         = {On Strengthening",
                                             "title         = {My Strengthening", 1))

    def revised(c):  # the source retitles every paper and gives it a new abstract
        return evolve(c, title="Revised: " + c.title, abstract="A new abstract.")

    runs = []
    for _ in range(2):
        diags = Diagnostics()
        bibkit.convert(SAMPLE_LISTING, refs, to="bibtex", as_of=AS_OF, sync=True,
                       transforms=[revised], diagnostics=diags)
        runs.append([(d.key, d.message) for d in diags if d.code == "BK412"])
    entry = _entry(refs.read_text(), second)
    assert "{My Strengthening" in entry and "Revised" not in entry  # the user's title
    assert "abstract      = {A new abstract.}" in entry  # the run's abstract all the same
    assert len(runs[0]) == 1 and runs[0][0][0] == second and "kept: title" in runs[0][0][1]
    assert runs[1] == []  # said once: nothing new from the source the second time
    first = refs.read_bytes()
    bibkit.convert(SAMPLE_LISTING, refs, to="bibtex", as_of=AS_OF, sync=True,
                   transforms=[revised])
    assert refs.read_bytes() == first  # and a fixed point


def test_a_first_version_sidecar_is_still_read(tmp_path):
    import json

    from bibkit.sync import sidecar_path

    refs = tmp_path / "refs.bib"
    bibkit.convert(SAMPLE_LISTING, refs, to="bibtex", as_of=AS_OF, sync=True)
    side = sidecar_path(str(refs))
    data = json.loads(side.read_text())
    assert data["bibkit-sync"] == 2
    old = {"bibkit-sync": 1, "entries": {k: v["text"] for k, v in data["entries"].items()}}
    side.write_text(json.dumps(old))
    text = refs.read_text()
    bibkit.convert(SAMPLE_LISTING, refs, to="bibtex", as_of=AS_OF, sync=True)
    assert refs.read_text() == text and json.loads(side.read_text())["bibkit-sync"] == 2


_ZOTERO_JSON = """[
    {
        "id": "http://zotero.org/users/1/items/KNUTH84",
        "type": "book",
        "title": "The TeXbook",
        "author": [{"family": "Knuth", "given": "Donald E."}],
        "issued": {"date-parts": [[1984]]},
        "publisher": "Addison-Wesley"
    },
    {
        "id": "zhou2023strengthening",
        "type": "article",
        "title": "On Strengthening and Defending Graph Reconstruction Attack with Markov \
Chain Approximation",
        "author": [{"family": "Zhou", "given": "Zhanke"}],
        "issued": {"date-parts": [[2023]]},
        "call-number": "SHELF 12"
    }
]
"""


def test_sync_updates_a_csljson_file_in_place(cli, tmp_path):
    """CSL-JSON syncs as a .bib does: an item the run has nothing for stays byte for byte
    (its layout too), a matched item keeps its key and the variables the user added, new
    works are appended, a second run is a fixed point, --prune leaves valid JSON."""
    import json

    refs = tmp_path / "refs.json"
    refs.write_text(_ZOTERO_JSON)
    args = ("convert", str(SAMPLE_LISTING), "--sync", str(refs), *ASOF)
    res = cli(*args)
    assert res.exit_code == 0, res.stderr
    text = refs.read_text()
    assert text.startswith(_ZOTERO_JSON[: _ZOTERO_JSON.index('    {\n        "id": "zhou')])
    items = json.loads(text)
    assert len(items) == 51 and items[0]["title"] == "The TeXbook"
    mine = items[1]
    assert mine["id"] == "zhou2023strengthening" and mine["call-number"] == "SHELF 12"
    assert len(mine["author"]) == 1  # an item bibkit never wrote is the user's: kept
    assert mine["abstract"].startswith("Although powerful")  # and filled where it lacked
    first = refs.read_bytes()
    assert cli(*args).exit_code == 0 and refs.read_bytes() == first
    assert cli(*args, "--dry-run").stdout == ""
    res = cli(*args, "--prune")
    assert res.exit_code == 0 and "removed" in res.stderr
    items = json.loads(refs.read_text())
    assert len(items) == 50 and items[0]["id"] == "zhou2023strengthening"


def test_sync_of_a_new_csljson_file_is_what_o_writes(cli, tmp_path):
    refs = tmp_path / "refs.json"
    assert cli("convert", str(SAMPLE_LISTING), "--sync", str(refs), *ASOF).exit_code == 0
    written = cli("convert", str(SAMPLE_LISTING), "--to", "csljson", *ASOF).stdout
    assert refs.read_text() == written


@settings(max_examples=60, deadline=None)
@given(layout=st.sampled_from(["bibkit", "indent4", "compact"]),
       actions=st.lists(st.sampled_from(["keep", "drop", "replace"]), min_size=0, max_size=5),
       appended=st.integers(0, 3))
def test_a_csljson_file_stays_valid_json_whatever_sync_does_to_its_items(layout, actions,
                                                                         appended):
    from bibkit.sync import _JsonFile

    items = [{"id": f"k{i}", "type": "book", "title": f"T{i}"} for i in range(len(actions))]
    text = {"bibkit": "[\n" + ",\n".join("  " + json.dumps(it) for it in items) + "\n]\n"
            if items else "[]\n",
            "indent4": json.dumps(items, indent=4) + "\n",
            "compact": json.dumps(items) + "\n"}[layout]
    doc = _JsonFile(text, "refs.json")
    assert len(doc.slices) == len(items)
    replaced = {i: json.dumps({"id": f"k{i}", "type": "book", "title": "new"})
                for i, a in enumerate(actions) if a == "replace"}
    replaced.update({i: "" for i, a in enumerate(actions) if a == "drop"})
    new = [json.dumps({"id": f"n{j}", "type": "book"}) for j in range(appended)]
    out = json.loads(doc.joined(replaced, new))
    expected = [json.loads(replaced[i]) if i in replaced else it
                for i, it in enumerate(items) if replaced.get(i) != ""]
    assert out == expected + [json.loads(n) for n in new]


_PREPRINT_AND_PUBLISHED = """@misc{zhu2023pre,
  title = {Combating Exacerbated Heterogeneity for Robust Models in Federated Learning},
  author = {Zhu, Jianing and Yao, Jiangchao and Liu, Tongliang and Han, Bo},
  eprint = {2303.00250}, archiveprefix = {arXiv}, year = {2023}
}

@inproceedings{zhu2023combating,
  title = {Combating Exacerbated Heterogeneity for Robust Models in Federated Learning},
  author = {Zhu, Jianing and Yao, Jiangchao and Liu, Tongliang and Han, Bo},
  booktitle = {ICLR}, year = {2023}
}
"""


@pytest.mark.parametrize("how", ["--merge", "--sync"])
def test_the_same_work_twice_in_a_library_or_the_synced_file_is_said(cli, tmp_path, how):
    lib = tmp_path / "mine.bib"
    lib.write_text(_PREPRINT_AND_PUBLISHED)
    args = ("convert", str(SAMPLE_LISTING), how, str(lib), *ASOF)
    res = cli(*args, *(("--to", "bibtex") if how == "--merge" else ()))
    assert res.exit_code == 0
    said = [line for line in res.stderr.splitlines() if "BK204" in line]
    assert said == [f"{lib}:7: warning[BK204] zhu2023combating: the same work as "
                    f"'zhu2023pre' ({lib}:1): the same title, authors and year"]


def test_sync_dedupe_makes_a_preprint_and_its_published_version_in_the_file_one(cli, tmp_path):
    refs = tmp_path / "refs.bib"
    refs.write_text("""% mine
@misc{zhu2023combating,
  author = {Zhu, Jianing and Han, Bo}, title = {Combating Noisy Labels}, year = {2023},
  eprint = {2303.01234}, archivePrefix = {arXiv}, note = {Code: \\url{https://github.com/a/b}},
}

@inproceedings{zhu2024combating,
  author = {Zhu, Jianing and Han, Bo}, title = {Combating Noisy Labels}, year = {2024},
  booktitle = {International Conference on Learning Representations},
  doi = {10.5555/ICLR.2024.1},
}

@article{keep, author={Roe, Rick}, title={Keep Me}, journal={J}, year={2019}}
""", encoding="utf-8")
    src = tmp_path / "in.bib"
    src.write_text("@article{other, author={Doe, Jane}, title={Else}, journal={J}, "
                   "year={2020}}\\n", encoding="utf-8")
    before = refs.read_text("utf-8")
    plain = cli("convert", str(src), "--sync", str(refs), "--to", "biblatex", "--dry-run")
    assert "[BK204]" in plain.stderr and "merged" not in plain.stderr
    assert refs.read_text("utf-8") == before
    res = cli("convert", str(src), "--sync", str(refs), "--to", "biblatex", "--dedupe")
    assert res.exit_code == 0 and "merged into it (--dedupe)" in res.stderr
    lib = bibkit.load(refs, "biblatex")
    assert [c.key for c in lib] == ["zhu2023combating", "keep", "other"]
    work = lib[0]
    assert work.venue.name == "International Conference on Learning Representations"
    assert (work.ids.arxiv, work.ids.doi) == ("2303.01234", "10.5555/ICLR.2024.1")
    text = refs.read_text("utf-8")
    assert text.count("https://github.com/a/b") == 1  # the preprint's code link, kept once
    assert text.startswith("% mine\n") and "ids          = {zhu2024combating}" in text
    again = cli("convert", str(src), "--sync", str(refs), "--to", "biblatex", "--dedupe")
    assert again.exit_code == 0 and refs.read_text("utf-8") == text


def test_a_hand_edited_entry_stays_byte_for_byte_when_the_run_brings_nothing_it_can_hold(
        cli, tmp_path):
    """A run's values BibTeX has no field for (a venue's short name and year, the arXiv
    class of a card) are no reason to rewrite an entry the user edited: found trying it as a
    user, where a field the user had placed by hand moved."""
    refs = tmp_path / "refs.bib"
    args = ("convert", str(SAMPLE_LISTING.with_name("edge-cases.txt")), "--sync", str(refs),
            *ASOF)
    assert cli(*args).exit_code == 1  # the sample's broken card; the rest is written
    text = refs.read_text("utf-8")
    m = re.search(r"(@inproceedings\{[^,]+,\n)((?:  .*\n)+?)(  year )", text)
    assert m
    edited = text.replace(m.group(0), m.group(1) + m.group(2).replace(
        "booktitle     = {", "booktitle     = {The ", 1) + "  myfield       = {mine},\n"
        + m.group(3), 1)
    refs.write_text(edited, "utf-8")
    cli(*args)
    assert refs.read_text("utf-8") == edited
