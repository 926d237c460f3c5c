"""One run, one answer (issue 25): the CLI, `-O` and the API agree on the CV's rules,
`--merge` reads its libraries as of the run's date, `dump` keeps a Library's owner, and a
keyword no reader takes is refused."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

import bibkit
from bibkit.testing import citations
from conftest import AS_OF, SAMPLE_LISTING

LIBRARY = """@inproceedings{{zhu2023combating,
  author = {{Zhu, Jianing and Yao, Jiangchao and Liu, Tongliang and Wang, Quanming and Han, Bo}},
  title = {{Combating Exacerbated Heterogeneity for Robust Models in Federated Learning}},
  booktitle = {{International Conference on Learning Representations}},
  year = {{{year}}},
  pubstate = {{inpress}},
}}
"""


@pytest.mark.parametrize("year,as_of,inpress", [
    (2024, "2024-06-01", True),   # accepted, and the run is before the venue's year ends
    (2024, "2026-06-01", False),  # the venue's year has passed: published
    (2027, "2028-06-01", False),  # read today it is still accepted; as of 2028 it is not
])
def test_merge_follows_as_of(cli, tmp_path, year, as_of, inpress):
    lib = tmp_path / "mine.bib"
    lib.write_text(LIBRARY.format(year=year))
    res = cli("convert", str(SAMPLE_LISTING), "--merge", str(lib), "--as-of", as_of,
              "--to", "biblatex")
    assert res.exit_code == 0, res.stderr
    entry = res.stdout.split("\n}\n")[0]
    assert "International Conference on Learning Representations" in entry
    assert ("pubstate     = {inpress}" in entry) is inpress


# each pair: `bibkit cv` flags, the same as -O pairs for `convert --to cv-FORMAT`
CV_RULES = [
    ("jsonresume", ["--style", "alpha"], ["style=alpha"]),
    ("jsonresume", ["--csl", "apa"], ["csl=apa"]),
    ("hugo", ["--standalone"], ["standalone=yes"]),
    ("markdown", ["--csl", "apa", "--style", "alpha"], ["csl=apa", "style=alpha"]),
    ("html", ["--standalone"], ["standalone=yes"]),
    ("markdown", ["--since", "2026", "--until", "2020"], ["since=2026", "until=2020"]),
    ("markdown", ["--only", "x", "--exclude", "x"], ["only=x", "exclude=x"]),
    ("markdown", ["--hugo-admin", "admin"], ["hugo_admin=admin"]),
]


@pytest.mark.parametrize("fmt,flags,pairs", CV_RULES)
def test_cv_rules_are_the_writers_so_flags_and_o_agree(cli, tmp_path, fmt, flags, pairs):
    out = tmp_path / "out"
    by_flags = cli("cv", str(SAMPLE_LISTING), "--format", fmt, *flags, "-o", str(out))
    by_o = cli("convert", str(SAMPLE_LISTING), "--to", f"cv-{fmt}", "-o", str(out),
               *[arg for pair in pairs for arg in ("-O", pair)])
    assert by_flags.exit_code == by_o.exit_code == 2, (by_flags.stderr, by_o.stderr)
    with pytest.raises(bibkit.io.files.UsageError):
        bibkit.convert(SAMPLE_LISTING, to=f"cv-{fmt}", as_of=AS_OF,
                       **dict(p.split("=", 1) for p in pairs))  # type: ignore[arg-type]


def test_good_cv_options_give_the_same_cv_by_flags_and_by_o(cli):
    by_flags = cli("cv", str(SAMPLE_LISTING), "--as-of", "2026-11-27", "--since", "2024",
                   "--group-by", "kind", "--numbering", "asc", "--no-links")
    by_o = cli("convert", str(SAMPLE_LISTING), "--as-of", "2026-11-27", "--to", "cv-markdown",
               "-O", "since=2024", "-O", "group_by=kind", "-O", "numbering=asc",
               "-O", "links=no")
    assert by_flags.exit_code == by_o.exit_code == 0
    assert by_flags.stdout == by_o.stdout


def test_dump_keeps_the_librarys_owner():
    lib = bibkit.load(SAMPLE_LISTING, as_of=AS_OF)
    dumped = bibkit.dump(lib, "cv-markdown")
    converted = bibkit.convert(SAMPLE_LISTING, to="cv-markdown", as_of=AS_OF)
    assert dumped == converted
    assert dumped is not None and dumped.count("**Bo Han**") == 7  # bolded nobody before


@pytest.mark.parametrize("call", [
    lambda: bibkit.load(SAMPLE_LISTING, typo=1),
    lambda: bibkit.loads("@misc{a, title={T}}", "bibtex", typo=1),
])
def test_a_keyword_no_reader_takes_is_refused(call):
    with pytest.raises(TypeError, match=r"'typo' is not an option of the \w+ reader"):
        call()


def test_the_stages_are_one_list_and_a_user_transform_runs_in_it():
    from bibkit.model.citation import evolve
    from bibkit.model.context import ReadContext
    from bibkit.model.diagnostics import Diagnostics
    from bibkit.pipeline import Outcome, Run, stages

    def shout(c):
        return evolve(c, title=c.title.upper())

    spec = Run(source="x", merge=("lib.bib",), select=bool, transforms=(shout,))
    ctx = ReadContext(Diagnostics(), AS_OF)
    names = [n for n, _ in stages(spec, ctx, [("index", "lib")], Outcome(0, "", None,
                                                                          ctx.diags, ctx))]
    assert names == ["merge", "settle", "keys", "duplicates", "select", "shout", "keys"]
    text = bibkit.convert(SAMPLE_LISTING, to="bibtex", as_of=AS_OF, transforms=[shout])
    assert "EXACERBATED HETEROGENEITY" in (text or "").replace("{", "").replace("}", "")


# --- the cited form: one definition on the model, every writer agrees ------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(c=citations(full=True))
def test_every_writer_cites_the_models_year_and_repository(c):
    """BibTeX year, BibLaTeX date, CSL issued, RIS PY, MODS dateIssued: each read back is
    the model's cited year; an arXiv preprint's repository is arXiv in every format that
    has a publisher."""
    import re

    for fmt in ("bibtex", "biblatex", "csljson", "ris", "mods"):
        text = bibkit.dump([c], fmt) or ""
        year = {"bibtex": r"year\s*=\s*\{(\d{4})\}", "biblatex": r"date\s*=\s*\{(\d{4})",
                "csljson": r'"date-parts": \[\[(\d+)', "ris": r"PY  - (\d{4})",
                "mods": r"<dateIssued[^>]*>(\d{4})"}[fmt]
        found = re.search(year, text)
        assert (int(found.group(1)) if found else None) == c.cited_year, (fmt, text)
        if c.repository and fmt in ("csljson", "ris", "mods") and not c.venue.publisher:
            assert "arXiv" in text, (fmt, text)


# --- every CV option: the same through its flag and through -O -------------------------------

_SAMPLES = {"highlight": "Bo Han", "since": "2025", "until": "2024", "kinds": "Preprints",
            "exclude": "zhu2023combating", "only": "zhu2023combating", "csl": "apa",
            "selected": "zhu2023combating", "hugo_admin": "admin"}


def _option_cases():
    from bibkit.formats.registry import CV_OPTIONS

    for key, choices in CV_OPTIONS.items():
        if key == "template":
            continue  # a file: its own tests
        values = choices or (_SAMPLES[key],)
        for value in values:
            for fmt in ("markdown", "latex", "jsonresume", "al-folio"):
                yield fmt, key, value


@pytest.mark.parametrize("fmt,key,value", list(_option_cases()))
def test_each_cv_option_means_the_same_as_a_flag_and_through_o(cli, fmt, key, value):
    flag = f"--{key.replace('_', '-')}"
    if value in ("yes", "no") and key != "links":
        flags = [flag] if value == "yes" else []
    elif key == "links":
        flags = ["--links" if value == "yes" else "--no-links"]
    else:
        flags = [flag, value]
    common = ("--as-of", "2026-11-27")
    by_flag = cli("cv", str(SAMPLE_LISTING), "--format", fmt, *flags, *common)
    by_o = cli("convert", str(SAMPLE_LISTING), "--to", f"cv-{fmt}", "-O", f"{key}={value}",
               *common)
    assert by_flag.exit_code == by_o.exit_code, (by_flag.stderr, by_o.stderr)
    assert by_flag.stdout == by_o.stdout
