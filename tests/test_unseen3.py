"""Unseen data, round 3: every letter pdflatex can set is set, decomposed input composed,
stacked accents decoded whole (issue 28). The pdflatex check itself is in test_clients."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata

import pytest

from bibkit import dump, loads
from bibkit.model.citation import Citation, Person
from bibkit.model.diagnostics import Diagnostics


@pytest.mark.parametrize(("tex", "text"), [
    (r"Nguy{\~{\^e}}n", "Nguyễn"),
    (r"Nguy\~{\^e}n", "Nguyễn"),
    (r"Tr{\`{\^a}}n", "Trần"),
    (r"Tr\`{\^a}n", "Trần"),
    (r"{\^{\d{o}}}", "ộ"),
    (r"Ph{\d{a}}m", "Phạm"),
    (r"{\'{\"u}}", "ǘ"),
    (r"{\'{\o}}", "ǿ"),
])
def test_stacked_accents_decode_whole_in_titles_and_names(tex, text):
    bib = f"@article{{k, author = {{{tex}, A.}}, title = {{{tex}}}, journal = {{J}}, year = 2020}}"
    c = loads(bib, "bibtex")[0]
    assert c.title == text and c.authors[0].family == text


def test_a_vietnamese_name_goes_out_as_commands_and_comes_back_the_same():
    name = Person(family="Nguyễn", given="Thị Ánh Ngọc")
    written = dump([Citation(key="k", title="Đặng", authors=(name,))], "bibtex") or ""
    assert "Nguy{\\~{\\^e}}n, Th{\\d i} Ánh Ng{\\d o}c" in written
    assert "{\\u{\\d a}}" in written  # ặ: a breve over a dot below
    back = loads(written, "bibtex")[0]
    assert back.authors == (name,) and back.title == "Đặng"


def test_letters_no_standard_pdflatex_sets_are_kept_and_what_to_load_is_named():
    diags = Diagnostics()
    written = dump([Citation(key="k", title="Dương Lưu ả 李娜 Ħal")], "bibtex",
                   diagnostics=diags) or ""
    assert "Dương Lưu ả 李娜 Ħal" in written  # kept exactly as written
    said = [d for d in diags if d.code == "BK405"]
    assert all(d.severity.name == "WARNING" for d in said)  # at normal verbosity
    messages = " | ".join(d.message for d in said)
    assert "ơưả" in messages and "T5" in messages and "vntex" in messages
    assert "李" in messages and "娜" in messages and "CJKutf8" in messages
    assert "Ħ" in messages and "XeLaTeX" in messages
    assert len(said) == 3  # once a kind, not once a character


def test_decomposed_input_is_composed_and_said_once(tmp_path):
    from bibkit import load

    decomposed = unicodedata.normalize("NFD", "Trần Văn Nguyễn")
    # a CJK compatibility ideograph and the Ångström sign: NFC would change them; they stay
    keep = "\uf900 \u212b"
    path = tmp_path / "nfd.bib"
    path.write_text(f"@article{{a, author = {{{decomposed}}}, title = {{{keep}}},\n"
                    f"  journal = {{J}}, year = 2020}}\n@misc{{b, title = {{{decomposed}}}}}\n",
                    encoding="utf-8")
    lib = load(path)
    assert lib[0].authors[0].display() == "Trần Văn Nguyễn"
    assert lib[1].title == "Trần Văn Nguyễn" and lib[0].title == keep
    said = [d for d in lib.diagnostics if d.code == "BK309"]
    assert len(said) == 1 and said[0].line == 1 and "2 line(s)" in said[0].message


@pytest.mark.parametrize(("written", "family", "given"), [
    ("Li Na (李娜)", "Li", "Na"),  # the original's order: family name first
    ("Wang, Wei (王伟)", "Wang", "Wei"),
    ("Wei Wang (王伟)", "Wang", "Wei"),  # given name first: Wei is no family name here
    ("Kim Min-jun (김민준)", "Kim", "Min-jun"),
])
def test_a_name_with_its_original_script_is_one_person_and_the_original_is_kept(
        written, family, given):
    bib = f"@article{{k, author = {{{written} and Smith, John}}, title = {{T}}, year = 2020}}"
    ris = f"TY  - JOUR\nAU  - {written}\nAU  - Smith, John\nTI  - T\nER  - \n"
    for text, fmt in ((bib, "bibtex"), (ris, "ris")):
        c = loads(text, fmt)[0]
        assert (c.authors[0].family, c.authors[0].given) == (family, given), fmt
        assert not any("(" in p.display() for p in c.authors)
        kept = [p.evidence for p in c.provenance if p.rule == "original-script"]
        assert kept == [written], fmt
        csl = dump([c], "csljson") or ""
        assert written in csl  # the original form travels with the citation (custom.bibkit)


def test_ieee_xplore_ris_names_given_first_are_people_and_organisations_stay_literal():
    ris = ("TY  - CONF\nAU  - J. K. Rowling\nAU  - Jan van der Berg\n"
           "AU  - IEEE Computer Society\nAU  - World Health Organization\nTI  - T\nER  - \n")
    c = loads(ris, "ris")[0]
    assert [(p.family, p.given, p.particle) for p in c.authors[:2]] == [
        ("Rowling", "J. K.", ""), ("Berg", "Jan", "van der")]
    assert [p.literal for p in c.authors[2:]] == ["IEEE Computer Society",
                                                  "World Health Organization"]


def test_a_dblp_escaped_url_is_the_url_it_stands_for():
    bib = (r"@inproceedings{DBLP:conf/nips/X20, title = {T}, booktitle = {NeurIPS}, "
           r"year = 2020, url = {http://papers.nips.cc/paper\_files/paper/2020/a\%20b\#c}, "
           r"doi = {10.5555/a\_b}}")
    c = loads(bib, "bibtex")[0]
    assert c.ids.url == "http://papers.nips.cc/paper_files/paper/2020/a%20b#c"
    assert c.ids.doi == "10.5555/a_b"
    assert "paper\\\\_files" not in (dump([c], "csljson") or "")
    # a file path keeps its backslashes: only URLs are never TeX
    win = loads(r"@misc{k, title = {T}, file = {C:\\papers\_x.pdf}}", "bibtex")[0]
    assert any("\\" in v for n, v in win.extra if n == "bibtex:file")


def _card(sentence: str, year: int = 2020) -> str:
    return ("Ann Author\n\nLG\n\n1 Papers\n\n"
            f"LGMar 1, {year}\nA Paper on Things\n\nAnn Author, Bob Builder\n\n"
            f"We study things. {sentence}\n")


def _one(sentence: str, year: int = 2020):
    from bibkit.model.diagnostics import Diagnostics

    diags = Diagnostics()
    c = loads(_card(sentence, year), "listing", as_of=dt.date(2026, 11, 27),
              diagnostics=diags)[0]
    return c, [d.code for d in diags]


@pytest.mark.parametrize(("sentence", "name", "short", "year"), [
    ("Accepted to Findings of EMNLP 2023.",
     "Findings of the Association for Computational Linguistics: EMNLP 2023",
     "Findings of EMNLP", 2023),
    ("Accepted at the NeurIPS 2023 Workshop on Distribution Shifts (DistShift).",
     "NeurIPS Workshop on Distribution Shifts", "DistShift", 2023),
    ("Presented at the ICML 2023 Workshop on Structured Probabilistic Inference.",
     "ICML Workshop on Structured Probabilistic Inference", "ICML Workshop", 2023),
    ("To appear in the Proceedings of the 37th Conference on Uncertainty in Artificial "
     "Intelligence (UAI) 2021.", "Conference on Uncertainty in Artificial Intelligence",
     "UAI", 2021),
    ("Oral at ICML 2023.", "International Conference on Machine Learning", "ICML", 2023),
])
def test_venue_phrases_of_round_3(sentence, name, short, year):
    c, _ = _one(sentence)
    assert (c.venue.name, c.venue.short_name, c.cited_year) == (name, short, year)


def test_a_journal_not_in_the_table_is_read_as_written_and_said():
    c, codes = _one("Appears in Biometrika 110(2), 2023.")
    assert c.kind.value == "article-journal" and c.venue.name == "Biometrika"
    assert (c.venue.volume, c.venue.issue, c.cited_year) == ("110", "2", 2023)
    assert "BK205" in codes
    c, codes = _one("Published in Nature Communications 15, 123 (2024). "
                    "DOI: 10.1038/s41467-024-12345-6")
    assert c.venue.name == "Nature Communications"  # not Nature
    assert (c.venue.volume, c.venue.pages) == ("15", "123")
    assert c.ids.doi == "10.1038/s41467-024-12345-6"  # the DOI the text states for it


@pytest.mark.parametrize("sentence", [
    "This work extends our earlier work (arXiv:2104.01234) to graphs.",
    "See also arXiv:2104.01234 for the proofs.",
    "The conference version (doi:10.1145/3292500.3330701) has fewer experiments.",
    "Code and data are available at https://doi.org/10.5281/zenodo.1234567.",
])
def test_identifiers_given_for_another_work_are_not_this_entrys(sentence):
    c, _ = _one(sentence)
    assert not c.ids.arxiv and not c.ids.doi and not c.links


def test_google_scholars_old_style_arxiv_preprint_journal_gives_the_id():
    bib = ("@article{w, title = {T}, author = {Witten, Edward}, year = {1999},\n"
           "  journal = {arXiv preprint hep-th/9901001}}")
    c = loads(bib, "bibtex")[0]
    assert c.ids.arxiv == "hep-th/9901001" and c.kind.value == "article"


def test_a_code_that_is_no_category_is_said_and_written_nowhere_as_a_class():
    from bibkit.model.diagnostics import Diagnostics

    diags = Diagnostics()
    bib = ("@misc{b, title = {T}, author = {Doe, Jane}, year = 2023, eprint = {2301.00002},\n"
           "  archivePrefix = {arXiv}, primaryClass = {cs.XYZ}}")
    c = loads(bib, "bibtex", diagnostics=diags)[0]
    assert [d.code for d in diags] == ["BK206"] and c.ids.arxiv_class == ""
    for fmt in ("bibtex", "biblatex", "ris", "mods"):
        assert "cs.XYZ" not in (dump([c], fmt) or ""), fmt
    csl = dump([c], "csljson") or ""  # kept as written, apart: never as "arxiv-class"
    assert '"arxiv-class"' not in csl and '["arxiv-category-as-written", "cs.XYZ"]' in csl


def test_a_hugo_page_lists_no_et_al_author_and_says_the_list_is_truncated(cli, tmp_path):
    import json as _json

    from conftest import SAMPLE_LISTING

    out = tmp_path / "publication"
    assert cli("cv", str(SAMPLE_LISTING), "--format", "hugo", "-o", str(out), "--as-of",
               "2026-11-27").exit_code == 0
    page = (out / "zhu2023combating" / "index.md").read_text(encoding="utf-8")
    front = dict(line.split(": ", 1) for line in page.splitlines()[1:-1])
    authors, notes = _json.loads(front["authors"]), _json.loads(front["author_notes"])
    assert "et al." not in authors and len(notes) == len(authors)
    assert notes[-1].startswith("et al.") and not any(notes[:-1])


@pytest.mark.parametrize(("url", "label"), [
    ("https://huggingface.co/meta-llama/Llama-2-7b", "Model"),
    ("https://huggingface.co/datasets/openai/gsm8k", "Data"),
    ("https://huggingface.co/spaces/org/demo", "Demo"),
    ("https://www.youtube.com/watch?v=abc", "Video"),
    ("https://github.com/org/repo", "Code"),
    ("https://my-lab.github.io/paper", "Project page"),
])
def test_a_links_label_says_what_it_is(url, label):
    c, _ = _one(f"Resources: {url}")
    assert [link.label for link in c.links] == [label]
    back = loads(dump([c], "bibtex") or "", "bibtex")[0]  # and reads back so
    assert [(link.label, link.url) for link in back.links] == [(label, url)]


def test_a_withdrawn_paper_is_cited_as_withdrawn_in_every_format_that_can_say_so():
    c, codes = _one("This paper has been withdrawn by the authors due to an error.")
    assert c.status.value == "withdrawn" and "BK207" in codes
    assert "pubstate     = {withdrawn}" in (dump([c], "biblatex") or "")
    assert '"status": "withdrawn"' in (dump([c], "csljson") or "")
    for fmt, said in (("bibtex", "note          = {This paper has been withdrawn"),
                      ("ris", "N1  - This paper has been withdrawn"),
                      ("mods", "<note>This paper has been withdrawn</note>")):
        assert said in (dump([c], fmt) or ""), fmt
    for fmt in ("bibtex", "biblatex", "csljson", "ris"):  # and reads back so, once
        written = dump([c], fmt) or ""
        back = loads(written, fmt)[0]
        assert back.status.value == "withdrawn", fmt
        assert dump([back], fmt) == written, fmt  # the note is not said twice


def test_math_in_csljson_is_csl_rich_text_where_it_has_an_exact_rendering():
    c, _ = _one(r"On $\ell_2$ norms in $O(n \log n)$ time over $\mathbb{R}^d$ and $\frac{a}{b}$.")
    c = evolve_title(c, r"Sparse $\ell_0$ Recovery")
    item = json.loads(dump([c], "csljson") or "")[0]
    assert item["title"] == 'Sparse <span class="nocase">ℓ<sub>0</sub></span> Recovery'
    assert "ℓ<sub>2</sub>" in item["abstract"] and "nocase" not in item["abstract"]
    assert "<i>O</i>(<i>n</i> log <i>n</i>)" in item["abstract"]
    assert "ℝ<sup><i>d</i></sup>" in item["abstract"]
    assert r"$\frac{a}{b}$" in item["abstract"]  # no exact rendering: the source
    back = loads(dump([c], "csljson") or "", "csljson")[0]
    assert (back.title, back.abstract) == (c.title, c.abstract)  # the TeX comes back


def evolve_title(c, tex):
    from bibkit.model.citation import evolve
    from bibkit.tex.decode import from_web

    return evolve(c, title=from_web(tex))


def test_math_kept_as_source_in_csljson_is_said():
    from bibkit.model.diagnostics import Diagnostics

    c, _ = _one(r"With $\frac{a}{b}$ and $\ell_2$.")
    diags = Diagnostics()
    dump([c], "csljson", diagnostics=diags)
    said = [d.message for d in diags if d.code == "BK413"]
    assert len(said) == 1 and r"$\frac{a}{b}$" in said[0] and "ell" not in said[0]


@pytest.mark.parametrize(("tex", "csl"), [
    (r"$\hat{\theta}$", "θ̂"), (r"$\tilde{O}(\sqrt{T})$", "<i>Õ</i>(√<i>T</i>)"),
    (r"$\bar{x}_i$", "<i>x̄</i><sub><i>i</i></sub>"), (r"$\vec v$", "<i>v⃗</i>"),
    (r"$\hat{xy}$", None), (r"$\frac{1}{2}$", None)])
def test_a_math_accent_over_one_letter_is_that_letter_accented(tex, csl):
    from bibkit.tex.mathcsl import math_to_csl

    assert math_to_csl(tex) == csl
    c = loads("@misc{k, title={Bounds with " + tex + "}}", "bibtex")[0]
    item = json.loads(dump([c], "csljson") or "")[0]
    assert (csl in item["title"]) if csl else (tex in item["title"])
    assert loads(dump([c], "csljson") or "", "csljson")[0].title == c.title  # TeX comes back


def test_math_holding_a_dollar_stays_its_source_and_comes_back():
    # hypothesis found it: "$3 $\alpha$" on a card is one web-math span with a "$" inside
    from bibkit.tex.mathcsl import math_to_csl

    assert math_to_csl(r"$3 $\alpha$") is None


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex", "ris", "mods"])
def test_a_names_original_script_left_out_by_a_format_is_said(fmt):
    lib = loads("TY  - JOUR\nTI  - A title\nAU  - Li Na (李娜)\nPY  - 2020\nT2  - Nature\n"
                "ER  - \n", "ris")
    diags = Diagnostics()
    text = dump(lib, fmt, diagnostics=diags) or ""
    assert "李娜" not in text
    said = [d for d in diags if d.code == "BK402" and "李娜" in d.message]
    assert len(said) == 1 and fmt in said[0].message
    kept = Diagnostics()
    assert "李娜" in (dump(lib, "csljson", diagnostics=kept) or "")
    assert not [d for d in kept if d.code == "BK402"]
