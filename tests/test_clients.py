"""The output as LaTeX users consume it: bibtex with plain.bst, pdflatex, and biber's data
model validation. Skipped with a reason where the client is not installed; CI installs them
(Debian texlive-latex-base, texlive-bibtex-extra, biber)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from bibkit import dump, load, loads
from bibkit.model.diagnostics import Diagnostics
from bibkit.tex.spans import parse as parse_spans
from conftest import AS_OF, ROOT, SAMPLES

pytestmark = pytest.mark.client

LISTINGS = sorted((SAMPLES / "listing").glob("*.txt"))
# and the sample after enrichment (fake services): venues, pages, DOIs, full author lists
LIBRARIES = [*LISTINGS, "enriched"]


def _library(which: Path | str) -> Any:
    if which != "enriched":
        return load(which, as_of=AS_OF)
    from bibkit.api import Library
    from bibkit.enrich.enricher import RESOLVERS
    from bibkit.enrich.http import RateLimiter
    from bibkit.enrich.session import EnrichSettings, enrich_citations
    from bibkit.model.diagnostics import Diagnostics
    from fakeservices import FakeServices

    lib = load(SAMPLES / "listing" / "profile-listing.txt", as_of=AS_OF)
    fake = FakeServices()
    try:
        settings = EnrichSettings(services=list(RESOLVERS), use_cache=False,
                                  endpoints=fake.endpoints(),
                                  limiters={n: RateLimiter(0.0) for n in RESOLVERS})
        out = enrich_citations(lib.citations, settings, Diagnostics(), lib.profile)
    finally:
        fake.close()
    assert sum(c.kind.value != "article" for c in out.citations) == 44
    return Library(out.citations, lib.profile, lib.diagnostics)


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        if os.environ.get("BIBKIT_REQUIRE_CLIENTS"):  # set by .ci/run: never skip in CI
            pytest.fail(f"{tool} is required (BIBKIT_REQUIRE_CLIENTS is set) but missing")
        pytest.skip(f"{tool} is not installed (CI installs it with apt-get)")
    return path


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, errors="replace",
                          timeout=300,
                          stdin=subprocess.DEVNULL)


# The preamble of a paper with math: UTF-8 input (LaTeX's default), T1 fonts, amsmath and
# amssymb. bibkit's default output must compile in it with pdflatex.
PREAMBLE = r"""\documentclass{article}
\usepackage[T1]{fontenc}
\usepackage{amsmath,amssymb}
\usepackage{url}
"""
BIBTEX_DOC = PREAMBLE + r"""
\begin{document}
\nocite{*}
\bibliographystyle{plain}
\bibliography{refs}
\end{document}
"""


@pytest.mark.parametrize("listing", LIBRARIES, ids=[getattr(p, "name", p) for p in LIBRARIES])
def test_bibtex_plain_bst_runs_without_warnings_and_the_document_compiles(listing, tmp_path):
    pdflatex, bibtex = need("pdflatex"), need("bibtex")
    lib = _library(listing)
    (tmp_path / "refs.bib").write_text(dump(lib, "bibtex"), encoding="utf-8")
    (tmp_path / "doc.tex").write_text(BIBTEX_DOC, encoding="utf-8")
    first = run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"], tmp_path)
    assert first.returncode == 0, first.stdout[-2000:]
    result = run([bibtex, "doc"], tmp_path)
    blg = (tmp_path / "doc.blg").read_text(encoding="utf-8", errors="replace")
    assert result.returncode == 0, blg
    assert "Warning--" not in blg and "error message" not in blg, blg
    assert (tmp_path / "doc.bbl").read_text(encoding="utf-8").count(r"\bibitem") == len(lib)
    for _ in range(2):
        final = run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                    tmp_path)
        assert final.returncode == 0, final.stdout[-3000:]
    log = (tmp_path / "doc.log").read_text(encoding="utf-8", errors="replace")
    assert "Citation" not in re.findall(r"LaTeX Warning: (\w+)", log)


@pytest.mark.parametrize("listing", LIBRARIES, ids=[getattr(p, "name", p) for p in LIBRARIES])
def test_biber_validates_the_biblatex_data_model(listing, tmp_path):
    biber = need("biber")
    lib = _library(listing)
    (tmp_path / "refs.bib").write_text(dump(lib, "biblatex"), encoding="utf-8")
    result = run([biber, "--tool", "--validate-datamodel", "refs.bib"], tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    problems = [line for line in output.splitlines() if line.startswith(("WARN", "ERROR"))]
    assert problems == []
    # biber's own re-serialisation keeps every entry
    tool_out = (tmp_path / "refs_bibertool.bib").read_text(encoding="utf-8")
    assert tool_out.count("@") >= len(lib)


# --- pandoc (from the pypandoc-binary wheel, a test dependency) -----------------------------

PANDOC_FORMATS = {"bibtex": "bibtex", "biblatex": "biblatex", "csljson": "csljson", "ris": "ris"}


def pandoc_path() -> str:
    try:
        import pypandoc
    except ImportError:
        if os.environ.get("BIBKIT_REQUIRE_CLIENTS"):
            pytest.fail("pypandoc-binary is required in CI")
        pytest.skip("pypandoc-binary is not installed (pip install -e '.[test]')")
    return pypandoc.get_pandoc_path()


def _plain(title: str) -> str:
    """Titles as compared: markup gone, case folded (pandoc sentence-cases BibTeX titles);
    a command citation.js does not know ({\\TeX}) it prints with its backslash."""
    return " ".join(re.sub(r"<[^>]+>", "", title).replace("\\", "").casefold().split())


def _name_key(name: dict) -> str:
    # an organisation with a comma ("Barnes and Noble, Inc.") is a literal in BibTeX and
    # CSL-JSON, but RIS has no way to say so: compare up to the comma. pandoc also makes
    # apostrophes typographic (O'Brien -> O’Brien).
    # citation.js keeps a particle in the family name when reading RIS ("van der Berg")
    text = name.get("family") or name.get("literal") or ""
    words = text.split(",")[0].replace("’", "'").split()
    while len(words) > 1 and words[0][:1].islower():
        words.pop(0)
    return " ".join(words)


def _summary(items: list[dict]) -> list[tuple[str, list[str], int | None]]:
    out = []
    for item in items:
        # pandoc reads BibTeX's "and others" as a name "others"; ours says so in custom
        families = [k for k in map(_name_key, item.get("author", [])) if k != "others"]
        parts = item.get("issued", {}).get("date-parts", [[None]])
        out.append((_plain(item.get("title", "")), families, int(parts[0][0]) if parts[0][0]
                    else None))
    return out


# tex-text samples hold TeX math, which pandoc and citation.js render their own way (pandoc
# in Unicode, citation.js as TeX without dollars): their titles cannot compare as text
SAMPLE_INPUTS = [(d.name, p) for d in sorted(SAMPLES.iterdir()) if d.is_dir()
                 for p in sorted(d.iterdir()) if p.is_file() and d.name in
                 ("listing", "bibtex", "ris", "csljson") and not p.name.startswith("tex-text")]


@pytest.mark.parametrize("fmt", list(PANDOC_FORMATS))
@pytest.mark.parametrize(("reader", "path"), SAMPLE_INPUTS, ids=[p.name for _, p in SAMPLE_INPUTS])
def test_pandoc_reads_our_output_the_same_way(reader, path, fmt, tmp_path):
    pandoc = pandoc_path()
    import json

    lib = load(path, reader, as_of=AS_OF)
    ours = json.loads(dump(lib, "csljson"))
    out = tmp_path / f"refs.{fmt}"
    out.write_text(dump(lib, fmt), encoding="utf-8", newline="")
    result = run([pandoc, "-f", PANDOC_FORMATS[fmt], "-t", "csljson", str(out)], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "[WARNING]" not in result.stderr, result.stderr
    theirs = json.loads(result.stdout)
    assert len(theirs) == len(ours)
    # pandoc orders CSL-JSON output as read; compare record by record
    assert _summary(theirs) == _summary(ours)


ALL_INPUTS = [(d.name, p) for d in sorted(SAMPLES.iterdir()) if d.is_dir()
              for p in sorted(d.iterdir()) if p.is_file()]


@pytest.mark.parametrize(("reader", "path"), ALL_INPUTS, ids=[p.name for _, p in ALL_INPUTS])
def test_every_sample_compiles_and_validates_without_errors(reader, path, tmp_path):
    """Inputs from other people's libraries may lack what a style wants (a journal, an
    integer volume): those are warnings about the data. Errors are never allowed."""
    pdflatex, bibtex, biber = need("pdflatex"), need("bibtex"), need("biber")
    lib = load(path, reader, as_of=AS_OF)
    (tmp_path / "refs.bib").write_text(dump(lib, "bibtex"), encoding="utf-8")
    (tmp_path / "doc.tex").write_text(BIBTEX_DOC, encoding="utf-8")
    assert run([pdflatex, "-interaction=nonstopmode", "doc.tex"], tmp_path).returncode == 0
    result = run([bibtex, "doc"], tmp_path)
    assert result.returncode in (0, 1), result.stdout  # 1: warnings only
    assert "error message" not in result.stdout
    final = run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"], tmp_path)
    assert final.returncode == 0, final.stdout[-3000:]
    (tmp_path / "b.bib").write_text(dump(lib, "biblatex"), encoding="utf-8")
    checked = run([biber, "--tool", "--validate-datamodel", "b.bib"], tmp_path)
    assert checked.returncode == 0
    assert not [ln for ln in (checked.stdout + checked.stderr).splitlines()
                if ln.startswith("ERROR")]
    # biblatex + biber compile it too, and the PDF shows every title's text
    (tmp_path / "bl.tex").write_text(BIBLATEX_DOC, encoding="utf-8")
    assert run([pdflatex, "-interaction=nonstopmode", "bl.tex"], tmp_path).returncode == 0
    assert run([biber, "bl"], tmp_path).returncode == 0
    final = run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", "bl.tex"], tmp_path)
    assert final.returncode == 0, final.stdout[-3000:]
    pdftotext = shutil.which("pdftotext")
    if pdftotext or os.environ.get("BIBKIT_REQUIRE_CLIENTS"):
        shown = run([need("pdftotext"), "bl.pdf", "-"], tmp_path).stdout
        words = [w for c in lib for w in re.findall(
            r"[A-Za-z]{4,}", "".join(n for n in parse_spans(c.title) if isinstance(n, str)))[:3]]
        missing = [w for w in words if _squeezed(w) not in _squeezed(shown)]
        # bitmap T1 fonts lose some glyphs to pdftotext: allow a few, never many
        assert len(missing) <= len(words) // 20, missing


ACCENTED = ("@article{a,\n  author = {Erd\u0151s, P\u00e1l and \u017bak, Zofia and "
            "\u0141\u0105cki, \u010cedomir and Pe\u00f1a, \u015eule and "
            "\u0160\u016fra, Tom\u00e1\u0161},\n"
            "  title = {Caf\u00e9 \u2013 Na\u00efve}, journal = {J}, year = {2020},\n}\n")


def test_ascii_output_compiles_and_prints_every_accented_letter(tmp_path):
    # --ascii writes accents as commands, in the form Zotero reads too ({\H o}, {\.Z})
    pdflatex, bibtex = need("pdflatex"), need("bibtex")
    lib = loads(ACCENTED, "bibtex")
    text = dump(lib, "bibtex", charset="ascii") or ""
    assert text.isascii() and "{\\H o}" in text and "{\\.Z}" in text
    (tmp_path / "refs.bib").write_text(text, encoding="utf-8")
    (tmp_path / "doc.tex").write_text(BIBTEX_DOC, encoding="utf-8")
    run([pdflatex, "-interaction=nonstopmode", "doc.tex"], tmp_path)
    assert run([bibtex, "doc"], tmp_path).returncode == 0
    final = run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"], tmp_path)
    assert final.returncode == 0, final.stdout[-3000:]
    # bibtex kept every accent command whole in the names it formatted (pdftotext cannot
    # check the PDF: without cm-super, T1's bitmap fonts give it no Unicode for these glyphs)
    bbl = (tmp_path / "doc.bbl").read_text("utf-8")
    for name in ("Erd{\\H o}s", "{\\.Z}ak", "{\\L}{\\k a}cki", "Pe{\\~n}a", "{\\v S}{\\r u}ra"):
        assert name in bbl, (name, bbl)


def _squeezed(text: str) -> str:
    """Letters only, lower case, without the letter pairs T1 fonts set as ligatures: PDF
    text extraction breaks lines, drops hyphens, and loses ligature glyphs of bitmap fonts."""
    return re.sub(r"ff|fi|fl|[^a-z]", "", text.lower())


BIBLATEX_DOC = PREAMBLE.replace(r"\usepackage{url}", r"\usepackage[backend=biber]{biblatex}") + r"""
\addbibresource{b.bib}
\begin{document}
\nocite{*}
\printbibliography
\end{document}
"""


# --- citation.js (npm; `npm install` in benchmarks/js, which .ci/run does) --------------------

CITATION_JS = ROOT / "benchmarks/js"
CJS_INPUT_TYPES = {"bibtex": "@biblatex/text", "biblatex": "@biblatex/text",
                   "csljson": "@csl/list+object", "ris": "@ris/file"}


def citation_js() -> str:
    node = shutil.which("node")
    if node is None or not (CITATION_JS / "node_modules/@citation-js/core").is_dir():
        if os.environ.get("BIBKIT_REQUIRE_CLIENTS") and node is not None:
            pytest.fail("citation.js is required in CI (npm install in benchmarks/js)")
        pytest.skip("citation.js is not installed: run `npm install` in benchmarks/js")
    return node


@pytest.mark.parametrize("fmt", list(CJS_INPUT_TYPES))
@pytest.mark.parametrize(("reader", "path"), SAMPLE_INPUTS, ids=[p.name for _, p in SAMPLE_INPUTS])
def test_citation_js_reads_our_output_the_same_way(reader, path, fmt, tmp_path):
    node = citation_js()
    import json

    lib = load(path, reader, as_of=AS_OF)
    ours = json.loads(dump(lib, "csljson"))
    out = tmp_path / f"refs.{fmt}"
    out.write_text(dump(lib, fmt), encoding="utf-8", newline="")
    result = run([node, str(CITATION_JS / "convert.js"), str(out), "csl",
                  CJS_INPUT_TYPES[fmt]], tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    theirs = json.loads(result.stdout)
    assert len(theirs) == len(ours)
    assert _summary(theirs) == _summary(ours)


# --- injection: hostile text stays text, for the consumers that would execute it ------------

HOSTILE = ["}", "@misc{evil, title={x}}", "\\input{/etc/passwd}",
           "\\immediate\\write18{touch pwned}", "\\catcode`\\{=12", "\\def\\x{y}", "^^5cinput",
           "\nER  - \nTY  - JOUR",
           "<script>alert(1)</script>", "javascript:alert(1)", "[x](javascript:1)", "]]>",
           "%comment", "\\", "{", "$x^2$", "#1", "~", "_"]


# URLs as hostile as titles: TeX's ^^ notation (^^5c is a backslash, ^^7b a brace), LaTeX
# specials, markup, a script scheme, and text that is no URI at all
HOSTILE_URLS = ["https://x.org/^^5cinput^^7b/etc/passwd^^7d",
                "https://x.org/^^5cimmediate^^5cwrite18^^7btouch^^20pwned^^7d",
                "https://x.org/a%20b#c{d}\\e^f", "https://x.org/~u/a_b?c=1&d=%20",
                "]]> <x>", "javascript:alert(1)", "https://x.org/\"><script>x</script>"]


def hostile_citations():
    from bibkit.model.citation import Citation, Identifiers, Link, PartialDate, Person

    return [Citation(key=f"k{i}", title=f"Title {text} end", abstract=f"A {text} B",
                     note=f"N {text}", authors=(Person(f"Fam{text}", "Given"),),
                     issued=PartialDate(2020),
                     ids=Identifiers(url=HOSTILE_URLS[i % len(HOSTILE_URLS)]),
                     links=(Link("code", HOSTILE_URLS[(i + 1) % len(HOSTILE_URLS)]),))
            for i, text in enumerate(HOSTILE)]


def pdf_link_targets(pdf: Path) -> list[str]:
    """The URI of every link annotation in a PDF (pdfTeX compresses them into object
    streams: every stream is inflated and searched)."""
    import zlib

    data = pdf.read_bytes()
    texts = [data]
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            texts.append(zlib.decompress(m.group(1)))
        except zlib.error:
            continue
    return [u.decode("latin-1") for t in texts for u in re.findall(rb"/URI\((.*?)\)>>", t)]


def test_hostile_text_in_bibtex_compiles_inert_with_pdflatex(tmp_path):
    pdflatex, bibtex = need("pdflatex"), need("bibtex")
    cs = hostile_citations()
    (tmp_path / "refs.bib").write_text(dump(cs, "bibtex"), encoding="utf-8")
    (tmp_path / "doc.tex").write_text(BIBTEX_DOC, encoding="utf-8")
    assert run([pdflatex, "-interaction=nonstopmode", "doc.tex"], tmp_path).returncode == 0
    result = run([bibtex, "doc"], tmp_path)
    assert result.returncode == 0, result.stdout
    final = run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"], tmp_path)
    assert final.returncode == 0, final.stdout[-3000:]
    assert not (tmp_path / "pwned").exists()
    log = (tmp_path / "doc.log").read_text(encoding="utf-8", errors="replace")
    assert "runsystem" not in log and "/etc/passwd" not in log.split("bbl")[0][-200:]
    bbl = (tmp_path / "doc.bbl").read_text(encoding="utf-8")
    assert bbl.count("\\bibitem") == len(cs)


def test_hostile_text_is_intact_inside_its_field_for_every_consumer():
    import bibtexparser
    import pybtex.database
    from lxml import etree

    from bibkit.tex import render
    from bibkit.tex.decode import to_plain
    from bibkit.tex.text import squash

    cs = hostile_citations()
    lib = bibtexparser.parse_string(dump(cs, "bibtex"))
    assert not lib.failed_blocks and len(lib.entries) == len(cs)
    # BibTeX and RIS values are one line: white space runs fold to one space, text stays
    one_line = [squash(c.title) for c in cs]
    assert [to_plain(e.fields_dict["title"].value) for e in lib.entries] == one_line
    db = pybtex.database.parse_string(dump(cs, "biblatex"), "bibtex")
    assert [to_plain(db.entries[c.key].fields["title"]) for c in cs] == one_line
    ris = loads(dump(cs, "ris"), "ris")
    assert [" ".join(render.plain(c.title).split()) for c in ris] == one_line
    mods = etree.fromstring(dump(cs, "mods").encode("utf-8"))
    ns = {"m": "http://www.loc.gov/mods/v3"}
    titles = [t.text for t in mods.findall("m:mods/m:titleInfo/m:title", ns)]
    assert titles == [c.title for c in cs]
    import json

    assert [item["title"] for item in json.loads(dump(cs, "csljson"))] == [c.title for c in cs]


def test_hostile_text_in_the_cv_compiles_inert_with_pdflatex(tmp_path):
    pdflatex = need("pdflatex")
    from bibkit.cv.layout import render
    from bibkit.cv.options import CvOptions

    tex = render(hostile_citations(), CvOptions(fmt="latex", standalone=True,
                                                highlight=("Given Fam}",))).text
    (tmp_path / "cv.tex").write_text(tex, encoding="utf-8")
    result = run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", "cv.tex"], tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]
    assert not (tmp_path / "pwned").exists()
    assert "runsystem" not in (tmp_path / "cv.log").read_text(encoding="utf-8", errors="replace")
    # every web URL is a link to the same address, ^ \\ { } percent-encoded; no other link
    targets = set(pdf_link_targets(tmp_path / "cv.pdf"))
    assert "https://x.org/%5E%5E5cinput%5E%5E7b/etc/passwd%5E%5E7d" in targets
    assert "https://x.org/a%20b#c%7Bd%7D%5Ce%5Ef" in targets
    assert "https://x.org/~u/a_b?c=1&d=%20" in targets
    assert all(t.startswith("https://x.org/") and "^" not in t and "\\" not in t
               for t in targets), targets


def test_hostile_urls_in_bibtex_notes_compile_as_links(tmp_path):
    """A link travels in `note` as \\url{...}, which LaTeX reads as an argument: ^^ must not
    turn into a command there either."""
    pdflatex, bibtex = need("pdflatex"), need("bibtex")
    cs = hostile_citations()
    (tmp_path / "refs.bib").write_text(dump(cs, "bibtex"), encoding="utf-8")
    (tmp_path / "doc.tex").write_text(BIBTEX_DOC.replace("{url}", "{hyperref}"),
                                      encoding="utf-8")
    run([pdflatex, "-interaction=nonstopmode", "doc.tex"], tmp_path)
    assert run([bibtex, "doc"], tmp_path).returncode == 0
    final = run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"], tmp_path)
    assert final.returncode == 0, final.stdout[-3000:]
    assert not (tmp_path / "pwned").exists()
    targets = set(pdf_link_targets(tmp_path / "doc.pdf"))
    assert "https://x.org/%5E%5E5cimmediate%5E%5E5cwrite18%5E%5E7btouch%5E%5E20pwned%5E%5E7d" \
        in targets
    assert "https://x.org/a%20b#c%7Bd%7D%5Ce%5Ef" in targets
    assert all(t.startswith("https://x.org/") and "^" not in t and "\\" not in t
               for t in targets), targets


def test_mods_with_hostile_text_and_urls_is_valid_against_the_xsd():
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(ROOT / "tests/schemas/mods-3-7.xsd")))
    doc = etree.fromstring(dump(hostile_citations(), "mods").encode("utf-8"))
    assert schema.validate(doc), schema.error_log.last_error
    ns = {"m": "http://www.loc.gov/mods/v3"}
    urls = [u.text for u in doc.findall("m:mods/m:location/m:url", ns)]
    notes = [n.text for n in doc.findall("m:mods/m:note", ns)]
    # what is no URI is not lost: it travels as a note
    assert "]]> <x>" not in urls and "URL: ]]> <x>" in notes
    assert "https://x.org/~u/a_b?c=1&d=%20" in urls


# Every precomposed Latin letter (Latin-1 Supplement, Extended-A and -B, Latin Extended
# Additional: Vietnamese, Polish, Czech, Turkish, Icelandic, Romanian...) and names as
# people write them.
LATIN_LETTERS = [chr(c) for block in (range(0xC0, 0x250), range(0x1E00, 0x1F00))
                 for c in block if unicodedata.category(chr(c)) in ("Lu", "Ll")]
NAMES_OF_THE_WORLD = [("Nguyễn", "Thị Ánh"), ("Trần", "Đình Thắng"), ("Phạm", "Ngọc Huyền"),
                      ("Łukasiewicz", "Jan"), ("Dvořák", "Antonín"), ("Şahin", "Gülşen"),
                      ("Guðmundsdóttir", "Björk"), ("Țiriac", "Ștefan"), ("Erdős", "Pál")]


def test_every_latin_letter_pdflatex_can_set_is_set_and_the_rest_is_reported(tmp_path):
    """Written as pdflatex sets it (as is under T1, or as accent commands, stacked: ễ is
    `\\~{\\^e}`), or kept and reported once with what would set it (T5 for the Vietnamese
    horn and hook-above letters): the .bib of the letters not reported compiles with
    pdflatex and bibtex, and reads back as the same letters."""
    from bibkit import loads
    from bibkit.model.citation import Citation, Person

    pdflatex, bibtex = need("pdflatex"), need("bibtex")
    from bibkit.tex.chars import CharEncoder

    diags = Diagnostics()
    dump([Citation(key="probe", title="".join(LATIN_LETTERS))], "bibtex", diagnostics=diags)
    kept = "".join(d.message for d in diags if d.code == "BK405")
    assert "T5" in kept and "vntex" in kept  # ơ ư ả ...: what to load is named
    encoder = CharEncoder()
    encoder.encode("".join(LATIN_LETTERS))
    reported = encoder.kept
    assert all(ch in kept for ch in "ơưả")
    settable = [ch for ch in LATIN_LETTERS if ch not in reported]
    assert len(settable) > 400 and "ễ" in settable and "ộ" in settable and "ơ" in reported
    title = " ".join("".join(settable[i:i + 20]) for i in range(0, len(settable), 20))
    authors = tuple(Person(family=f, given=g) for f, g in NAMES_OF_THE_WORLD)
    citation = Citation(key="names", title=title, authors=authors)
    written = dump([citation], "bibtex") or ""
    assert "Nguy{\\~{\\^e}}n" in written and "Ph{\\d a}m" in written
    read = loads(written, "bibtex")[0]
    assert read.title == title and read.authors == authors
    (tmp_path / "refs.bib").write_text(written, encoding="utf-8")
    (tmp_path / "doc.tex").write_text(BIBTEX_DOC, encoding="utf-8")
    assert run([pdflatex, "-interaction=nonstopmode", "doc.tex"], tmp_path).returncode == 0
    assert run([bibtex, "doc"], tmp_path).returncode == 0
    final = run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"], tmp_path)
    assert final.returncode == 0, final.stdout[-3000:]


@pytest.mark.parametrize("bib", sorted((SAMPLES / "bibtex").glob("*.bib")), ids=lambda p: p.name)
def test_biber_validates_the_biblatex_of_every_bib_sample_silently(bib, tmp_path):
    """Real exports (DBLP with a @proceedings parent before its child, ACM's address on an
    @article, IEEE's ISSN on a paper, a @misc with a number and a publisher) as biblatex's
    data model allows them: what a type does not allow is left out and said (BK402)."""
    biber = need("biber")
    (tmp_path / "refs.bib").write_text(dump(load(bib, as_of=AS_OF), "biblatex"),
                                       encoding="utf-8")
    result = run([biber, "--tool", "--validate-datamodel", "refs.bib"], tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert [line for line in output.splitlines() if line.startswith(("WARN", "ERROR"))] == []


def test_pandoc_reads_a_truncated_author_list_from_bibkits_csljson_as_truncated(tmp_path):
    """pandoc writes BibTeX's "and others" as a last literal name "others" and its citeproc
    prints "et al." for it: bibkit's CSL-JSON does the same (issue 28, 18); with
    `-O names=zotero` it does not (Zotero would import "others" as a person)."""
    bib = "@article{a, author={Bai, Yu and Yang, Li and Wang, Wei and others}, title={T}, " \
          "journal={J}, year=2020}"
    lib = loads(bib, "bibtex")
    (tmp_path / "refs.json").write_text(dump(lib, "csljson") or "", encoding="utf-8")
    (tmp_path / "doc.md").write_text('---\nnocite: "@*"\n---\n', encoding="utf-8")
    out = run([pandoc_path(), "doc.md", "--citeproc", "--bibliography", "refs.json", "-t",
               "plain"], tmp_path)
    assert out.returncode == 0, out.stderr
    assert "Bai, Yu, Li Yang, Wei Wang, et al. 2020." in out.stdout
    assert loads(dump(lib, "csljson") or "", "csljson")[0].authors_truncated
    assert '"others"' not in (dump(lib, "csljson", names="zotero") or "")
