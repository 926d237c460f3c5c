"""The CV publications section: highlighting, selection, grouping, numbering, escaping, and
the outputs checked the way they are used (pdflatex, pandoc, an HTML parser, Chromium)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import html as lhtml

from bibkit import load
from bibkit.cv.layout import render
from bibkit.cv.options import CvOptions
from bibkit.infer.names import owner_matcher
from bibkit.model.citation import Citation, Kind, PartialDate, Person, Venue
from bibkit.testing import INJECTIONS, citations
from bibkit.tex.spans import tex_span
from conftest import AS_OF, ROOT, SAMPLE_LISTING, SAMPLES


@pytest.fixture(scope="module")
def sample():
    return load(SAMPLE_LISTING, as_of=AS_OF)


def cv(lib, **kw):
    return render(lib.citations, CvOptions(**kw), lib.profile)


# --- the owner's name ----------------------------------------------------------------------


@pytest.mark.parametrize(("author", "matches"), [
    (Person("Han", "Bo"), True),
    (Person("Han", "B."), True),
    (Person("Han", "B"), True),
    (Person("Bo", "Han"), True),  # East Asian order: family name first
    (Person("HAN", "Bo"), True),
    (Person("Han", "Bin"), False),
    (Person("Han", "Y."), False),
    (Person("Hanson", "Bo"), False),
    (Person(literal="Bo Han"), True),
])
def test_owner_name_variants(author, matches):
    assert owner_matcher(["Bo Han"])(author) is matches


def test_owner_with_initials_and_particles():
    is_owner = owner_matcher(["Diederik P. Kingma", "Jan van der Berg"])
    assert is_owner(Person("Kingma", "D. P."))
    assert is_owner(Person("Kingma", "D."))
    assert is_owner(Person("Berg", "J.", "van der"))
    assert not is_owner(Person("Kingma", "Durk"))


def test_owner_is_highlighted_where_shown_and_counted_where_hidden(sample):
    result = cv(sample, fmt="markdown")
    assert "**Bo Han**" in result.text
    shown = [c for c in sample if any(owner_matcher(["Bo Han"])(p) for p in c.authors)]
    assert result.text.count("**Bo Han**") == len(shown) == 7
    hidden = [c for c in sample if c.authors_truncated and c not in shown]
    assert result.owner_hidden == len(hidden)
    # never an invented position: a hidden owner leaves "et al." as the source had it
    assert "Jianing Zhu, Jiangchao Yao, Tongliang Liu, et al. *Combating" in result.text


# --- selection, grouping, numbering ----------------------------------------------------------


def test_exclude_and_only_by_every_kind_of_id():
    lib = load(SAMPLES / "listing/edge-cases.txt", as_of=AS_OF)
    base = cv(lib, fmt="text").shown
    assert base == 8
    for selector in ("obrien2023gnns", "2305.01234", "2305.01234v2", "10.48550/arxiv.2201.00001",
                     "leap day"):
        assert cv(lib, fmt="text", exclude=(selector,)).shown == base - 1, selector
    only = cv(lib, fmt="text", only=("Quantum",))
    assert only.shown == 1 and only.excluded == 7


def test_since_until_and_kinds(sample):
    assert cv(sample, fmt="text", since=2026).shown == 3
    until = cv(sample, fmt="text", until=2022)
    assert until.shown == sum(1 for c in sample if c.issued.year <= 2022) == 24
    assert until.excluded == 26
    lib = load(SAMPLES / "listing/edge-cases.txt", as_of=AS_OF)
    assert cv(lib, fmt="text", kinds=("paper-conference",)).shown == 4
    assert cv(lib, fmt="text", kinds=("Preprints",)).shown == 3


def test_numbering_newest_gets_the_highest_number(sample):
    text = cv(sample, fmt="text").text
    numbers = [int(n) for n in re.findall(r"^\[(\d+)\]", text, re.M)]
    assert numbers == list(range(50, 0, -1))
    asc = cv(sample, fmt="text", numbering="asc").text
    assert [int(n) for n in re.findall(r"^\[(\d+)\]", asc, re.M)] == list(range(1, 51))
    assert not re.search(r"^\[\d+\]", cv(sample, fmt="text", numbering="none").text, re.M)


def test_grouping(sample):
    years = re.findall(r"^## (\d{4})$", cv(sample, fmt="markdown").text, re.M)
    assert years == sorted(years, reverse=True) and years[0] == "2026"
    lib = load(SAMPLES / "listing/edge-cases.txt", as_of=AS_OF)
    kinds = re.findall(r"^## (.+)$", cv(lib, fmt="markdown", group_by="kind").text, re.M)
    assert kinds == ["Journal articles", "Conference papers", "Preprints"]
    venues = re.findall(r"^## (.+)$", cv(lib, fmt="markdown", group_by="venue").text, re.M)
    assert venues[-1] == "Preprints" and "ICLR" in venues
    assert "##" not in cv(lib, fmt="markdown", group_by="none").text


def test_venue_text():
    lib = load(SAMPLES / "listing/edge-cases.txt", as_of=AS_OF)
    text = cv(lib, fmt="text").text
    assert "ICLR 2023." in text and "arXiv preprint arXiv:2305.01234, 2023." in text
    assert "Preprint, 2021." in text


def test_csl_styles(sample):
    # a truncated list reads as one, "et al." where the style joins its last name (issue 28,
    # 18), never a complete-looking list with a remark after it
    apa = cv(sample, fmt="text", csl="apa").text
    assert "Zhu, J., Yao, J., Liu, T., et al. (2023)." in apa
    assert "truncated in the source" not in apa and "& Liu, T. (2023)" not in apa
    ieee = cv(sample, fmt="html", csl="ieee").text
    assert "J. Zhu, J. Yao, T. Liu, et al., “Combating" in ieee
    assert "and T. Liu" not in ieee


@pytest.mark.parametrize("fmt", ["markdown", "html", "text", "latex"])
def test_a_numbered_style_shows_the_lists_number_once(sample, fmt):
    # IEEE labels its entries "[1]": the CV's number is the one shown, never the style's
    text = cv(sample, fmt=fmt, csl="ieee").text
    assert "[1]X." not in text and "\\[1\\]" not in text and ">[1]" not in text
    assert text.count("[1]") == (1 if fmt in ("markdown", "text") else 0)  # the list's own
    bare = cv(sample, fmt="text", csl="ieee", numbering="none").text
    assert not re.search(r"^\[\d+\]", bare, re.MULTILINE)


@pytest.mark.parametrize("fmt", ["markdown", "html", "text", "latex"])
@pytest.mark.parametrize("csl", [None, "apa", "ieee"])
def test_no_doubled_punctuation_after_a_question_mark(sample, fmt, csl):
    text = cv(sample, fmt=fmt, csl=csl).text
    assert "Learnable?" in text
    assert not re.search(r"[?!]((?:</?[a-z]+>|[*}”\"])*)\.", text)


def test_markdown_leaves_parentheses_alone(sample):
    text = render(load(SAMPLES / "listing/edge-cases.txt", as_of=AS_OF).citations,
                  CvOptions(fmt="markdown")).text
    assert "*Leap Day Title (ICML 2024)*" in text and "\\(" not in text


def test_chart_labels_fit_and_ticks_are_even():
    from bibkit.cv.chart import chart_svg

    kinds = [Kind.JOURNAL_ARTICLE, Kind.CONFERENCE_PAPER, Kind.PREPRINT]
    cs = [Citation(title=f"t{i}", kind=kinds[i % 3], issued=PartialDate(2020 + i % 2))
          for i in range(5)]
    svg = lhtml.fromstring(chart_svg(cs))
    width = float(svg.get("width"))
    for text in svg.iter("text"):
        # 6.5 px a character at 11 px is a generous estimate of Georgia's widths
        assert float(text.get("x")) + 6.5 * len(text.text or "") <= width or text.get(
            "text-anchor") in ("middle", "end")
    ticks = [int(t.text) for t in svg.iter("text") if t.get("text-anchor") == "end"]
    assert ticks == [0, 1, 2, 3]


def test_cv_format_from_the_output_suffix_merge_and_unmatched_selectors(cli, tmp_path):
    out = tmp_path / "pubs.html"
    res = cli("cv", str(SAMPLE_LISTING), "-o", str(out), "--as-of", "2026-11-27",
              "--exclude", "2302.08885")
    assert res.exit_code == 0 and out.read_text("utf-8").startswith("<!DOCTYPE html>")
    assert "warning[BK802] --exclude '2302.08885' matches no entry" in res.stderr
    library = tmp_path / "mine.bib"
    library.write_text("@inproceedings{zhu,\n  author = {Zhu, Jianing and Yao, Jiangchao and "
                       "Liu, Tongliang and Han, Bo},\n  title = {Combating Exacerbated "
                       "Heterogeneity for Robust Models in Federated Learning},\n  booktitle = "
                       "{ICLR},\n  year = {2023},\n}\n", encoding="utf-8")
    res = cli("cv", str(SAMPLE_LISTING), "--format", "md", "--merge", str(library),
              "--as-of", "2026-11-27", "--only", "Combating")
    assert res.exit_code == 0
    merged = next(line for line in res.stdout.splitlines() if "Combating Exacerbated" in line)
    assert "Tongliang Liu, **Bo Han**. *Combating Exacerbated" in merged
    assert "ICLR, 2023" in merged


def test_a_cv_from_bibkits_csljson_knows_the_owner(cli, tmp_path):
    refs = tmp_path / "refs.json"
    assert cli("convert", str(SAMPLE_LISTING), "--to", "csljson", "-o", str(refs),
               "--as-of", "2026-11-27").exit_code == 0
    res = cli("cv", str(refs), "--format", "markdown", "--as-of", "2026-11-27")
    assert res.exit_code == 0 and "**Bo Han**" in res.stdout and "BK801" not in res.stderr


# --- pybtex's BibTeX styles ------------------------------------------------------------------


def test_alpha_style_labels_every_entry(sample):
    text = cv(sample, fmt="text", style="alpha").text
    labels = re.findall(r"^\[([A-Za-z+]+\d{2}[a-z]?)\] ", text, re.MULTILINE)
    assert len(labels) == 50 and len(set(labels)) == 50
    assert "[ZYL+23a]" in text and ", et al." in text and "and others" not in text


@pytest.mark.parametrize("fmt", ["markdown", "html", "latex", "text"])
@pytest.mark.parametrize("style", ["plain", "unsrt", "alpha", "unsrtalpha"])
def test_pybtex_styles_render_every_format_with_the_owner_marked(sample, fmt, style):
    text = cv(sample, fmt=fmt, style=style).text
    name = r"Bo(?: |~|&nbsp;)Han"  # as the style's backend joins a name
    marked = {"markdown": rf"\*\*{name}\*\*", "html": rf'<strong class="owner">{name}</strong>',
              "latex": rf"\\textbf\{{{name}\}}", "text": name}[fmt]
    assert len(re.findall(marked, text)) == 7  # entries whose shown authors include the owner
    assert "Code: " not in text  # links follow the entry once, not inside the style's note


def test_pybtex_styled_latex_compiles(sample, tmp_path):
    result = _pdflatex(cv(sample, fmt="latex", style="alpha", standalone=True).text, tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]


def test_csl_and_style_together_are_a_usage_error(cli):
    res = cli("cv", str(SAMPLE_LISTING), "--csl", "apa", "--style", "alpha")
    assert res.exit_code == 2 and "give one" in res.stderr


# --- templates (Jinja2) -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["markdown", "latex", "html", "text"])
@pytest.mark.parametrize("group_by", ["year", "kind", "none"])
@pytest.mark.parametrize("listing", [SAMPLE_LISTING, SAMPLES / "listing/edge-cases.txt",
                                     SAMPLES / "bibtex/real-world.bib"], ids=lambda p: p.name)
def test_the_built_in_templates_are_the_built_in_layouts(fmt, group_by, listing):
    lib = load(listing, as_of=AS_OF)
    template = ROOT / "formats/cv/templates" / f"{fmt}.j2"
    built_in = render(lib.citations, CvOptions(fmt=fmt, group_by=group_by), lib.profile).text
    templated = render(lib.citations, CvOptions(fmt=fmt, group_by=group_by,
                                                template=str(template)), lib.profile).text
    # markupsafe writes an apostrophe as &#39;, the html module as &#x27;: the same text
    assert templated.replace("&#39;", "&#x27;") == built_in


def test_a_users_template_gets_the_documented_context(sample, tmp_path):
    template = tmp_path / "mine.md.j2"
    template.write_text(
        "{{ owner }} ({{ generated }}), {{ total }}: {% for g in groups %}[{{ g.title }}:"
        "{{ g.entries|length }}]{% endfor %}{{ '\\n' }}{% for e in entries %}"
        "{{ e.number }}|{{ e.key }}|"
        "{{ e.title|markdown }}|{{ e.year }}|{{ e.venue }}|{{ e.kind }}|"
        "{% for a in e.authors %}{{ '*' if a.is_owner }}{{ a.name }}{{ ';' if not loop.last }}"
        "{% endfor %}|{% for link in e.links %}{{ link.label }}={{ link.url }} {% endfor %}|"
        "{{ e.doi }}|{{ e.arxiv }}|{{ e.note }}\n{% endfor %}", encoding="utf-8")
    out = render(sample.citations, CvOptions(fmt="markdown", template=str(template)),
                 sample.profile, as_of="2026-11-27").text
    head, *lines = out.splitlines()
    assert head.startswith("Bo Han (2026-11-27), 50: [2026:3]")
    assert len(lines) == 50 and lines[0].startswith("50|pang2026deliberate|Deliberate Evolution")
    assert sum("*Bo Han" in line for line in lines) == 7  # the owner marked where shown


def test_html_templates_escape_whatever_the_format_says(tmp_path):
    template = tmp_path / "page.html.j2"
    template.write_text("{% for e in entries %}<p>{{ e.title }}</p>{% endfor %}",
                        encoding="utf-8")
    hostile = Citation(key="k", title="<img src=x onerror=alert(1)> and " + tex_span("$\\ell_0$"),
                       issued=PartialDate(2024))
    out = render([hostile], CvOptions(fmt="markdown", template=str(template))).text
    assert "<img" not in out and "&lt;img src=x onerror=alert(1)&gt; and ℓ₀" in out


def test_template_errors_are_one_line(cli, tmp_path):
    broken = tmp_path / "broken.j2"
    broken.write_text("{% for e in entries %}{{ e.nope }}{% endfor %}", encoding="utf-8")
    res = cli("cv", str(SAMPLE_LISTING), "--template", str(broken), "--as-of", "2026-11-27")
    assert res.exit_code == 2 and "--template" in res.stderr and "nope" in res.stderr
    assert "Traceback" not in res.stderr
    res = cli("cv", "--print-template", "latex")
    assert res.exit_code == 0 and "\\providecommand{\\bibkitlink}" in res.stdout


# --- where researchers publish: JSON Resume, al-folio ---------------------------------------


def test_jsonresume_validates_against_the_schema(cli):
    import json

    import jsonschema

    schema = json.loads((ROOT / "tests/schemas/jsonresume-schema-1.3.1.json").read_text("utf-8"))
    for listing in (SAMPLE_LISTING, SAMPLES / "listing/edge-cases.txt"):
        res = cli("cv", str(listing), "--format", "jsonresume", "--as-of", "2026-11-27")
        doc = json.loads(res.stdout)
        jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).validate(doc)
        assert doc["basics"]["name"] and doc["publications"]
    doc = json.loads(cli("cv", str(SAMPLE_LISTING), "--format", "jsonresume", "--as-of",
                         "2026-11-27").stdout)
    assert len(doc["publications"]) == 50
    first = doc["publications"][0]
    assert first["publisher"] == "arXiv" and first["releaseDate"] == "2026-06-03"
    assert first["summary"].endswith(", et al.")


def test_alfolio_bib_parses_with_pybtex_and_carries_the_themes_fields(cli, tmp_path):
    from pybtex.database import parse_string

    out = tmp_path / "papers.bib"
    res = cli("cv", str(SAMPLES / "listing/edge-cases.txt"), "--format", "al-folio", "-o",
              str(out), "--as-of", "2026-11-27", "--selected", "king2022published")
    assert res.exit_code == 1  # the sample's card without a title
    bib = parse_string(out.read_text("utf-8"), "bibtex")
    king = bib.entries["king2022published"].fields
    assert (king["abbr"], king["arxiv"], king["selected"]) == ("NeurIPS", "2201.00001", "true")
    assert king["pdf"] == "https://arxiv.org/pdf/2201.00001"
    gnn = bib.entries["obrien2023gnns"].fields
    assert gnn["code"] == "https://github.com/obrien/gnn-scale" and gnn["abbr"] == "ICLR"
    assert "selected" not in gnn and gnn["bibtex_show"] == "true"
    assert bib.entries["muller2023yearless"].fields["website"] == (
        "https://obrien.github.io/yearless/")


def test_hugo_writes_a_page_folder_a_paper(cli, tmp_path):
    import yaml
    from pybtex.database import parse_file

    site = tmp_path / "content"
    site.mkdir()
    out = site / "publication"
    res = cli("cv", str(SAMPLE_LISTING), "--format", "hugo", "-o", str(out), "--as-of",
              "2026-11-27", "--hugo-admin", "admin", "--selected", "zhu2023combating")
    assert res.exit_code == 0, res.stderr
    folders = sorted(p for p in out.iterdir())
    assert len(folders) == 50 and oct(out.stat().st_mode & 0o777) != oct(0o700)
    keys = {"title", "authors", "date", "publishDate", "publication_types", "featured"}
    for folder in folders:
        text = (folder / "index.md").read_text("utf-8")
        front = yaml.safe_load(text.split("---\n")[1])
        assert keys <= front.keys(), folder.name
        assert parse_file(str(folder / "cite.bib"), "bibtex").entries
    zhu = yaml.safe_load((out / "zhu2023combating/index.md").read_text("utf-8").split("---\n")[1])
    assert zhu["featured"] is True and zhu["url_code"] == "https://github.com/ZFancy/SFAT"
    assert zhu["publication_types"] == ["article"] and zhu["publication"] == "arXiv"
    owned = [yaml.safe_load((f / "index.md").read_text("utf-8").split("---\n")[1])["authors"]
             for f in folders]
    assert sum("admin" in a for a in owned) == 7 and not any("Bo Han" in a for a in owned)
    # again, into the site that now exists: the pages are replaced, a file of the user's stays
    (out / "zhu2023combating" / "featured.png").write_bytes(b"png")
    res = cli("cv", str(SAMPLE_LISTING), "--format", "hugo", "-o", str(out), "--as-of",
              "2026-11-27")
    assert res.exit_code == 0 and (out / "zhu2023combating" / "featured.png").exists()
    assert not [p for p in site.iterdir() if p.name.startswith(".bibkit")]
    res = cli("cv", str(SAMPLE_LISTING), "--format", "hugo", "--as-of", "2026-11-27")
    assert res.exit_code == 2 and "-o DIR" in res.stderr


# --- outputs as they are used ---------------------------------------------------------------


def test_html_is_a_complete_page_with_a_chart(sample):
    page = cv(sample, fmt="html").text
    doc = lhtml.document_fromstring(page)
    assert len(doc.xpath('//ol[contains(@class, "pubs")]/li')) == 50
    assert doc.xpath("//svg") and not doc.xpath("//script")
    assert not re.search(r"(src|href)=\"(?!https?://)", page)  # no external or local assets
    assert [li.get("value") for li in doc.xpath("//li")][:2] == ["50", "49"]
    assert page.startswith("<!DOCTYPE html>") and "@media print" in page


def test_markdown_converts_with_pandoc(sample, tmp_path):
    try:
        import pypandoc
    except ImportError:
        pytest.skip("pypandoc-binary is not installed")
    md = tmp_path / "cv.md"
    md.write_text(cv(sample, fmt="markdown").text, encoding="utf-8")
    out = subprocess.run([pypandoc.get_pandoc_path(), "-f", "markdown", "-t", "html", str(md)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    doc = lhtml.fragment_fromstring(out.stdout, create_parent="div")
    assert len(doc.xpath("//ul/li")) == 50
    assert len(doc.xpath("//strong[text()='Bo Han']")) == 7


def _pdflatex(tex: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    pdflatex = shutil.which("pdflatex")
    if pdflatex is None:
        if os.environ.get("BIBKIT_REQUIRE_CLIENTS"):
            pytest.fail("pdflatex is required in CI")
        pytest.skip("pdflatex is not installed")
    (tmp_path / "doc.tex").write_text(tex, encoding="utf-8")
    return subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("preamble", ["", "\\usepackage{hyperref}\n"])
@pytest.mark.parametrize("listing", ["profile-listing.txt", "edge-cases.txt"])
def test_latex_fragment_compiles_in_a_plain_article(preamble, listing, tmp_path):
    lib = load(SAMPLES / "listing" / listing, as_of=AS_OF)
    (tmp_path / "pubs.tex").write_text(cv(lib, fmt="latex").text, encoding="utf-8")
    result = _pdflatex(f"\\documentclass{{article}}\n{preamble}\\begin{{document}}\n"
                       "\\input{pubs}\n\\end{document}\n", tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]


def test_latex_standalone_compiles(sample, tmp_path):
    result = _pdflatex(cv(sample, fmt="latex", standalone=True).text, tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]
    # no line sticks out into the margin (long hyphenated titles, long URLs)
    assert "Overfull \\hbox" not in (tmp_path / "doc.log").read_text("latin-1")


# --- hostile text stays text -----------------------------------------------------------------

ALLOWED_COMMANDS = {"subsection", "begin", "end", "item", "emph", "textbf", "bibkitlink",
                    "setlength", "emergencystretch",
                    "providecommand", "ifdefined", "href", "else", "fi", "textbackslash",
                    "textbraceleft", "textbraceright", "textasciitilde", "textasciicircum",
                    "textless", "textgreater", "textbar"}


def _hostile(draw_text: str) -> Citation:
    return Citation(key="k", kind=Kind.CONFERENCE_PAPER, title=draw_text,
                    authors=(Person("Han", "Bo"), Person(draw_text or "X", draw_text)),
                    issued=PartialDate(2024), venue=Venue(name=draw_text, short_name=draw_text))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(citations(), min_size=1, max_size=3), st.sampled_from(INJECTIONS))
def test_no_text_becomes_markup_or_a_command(cs, injection):
    cs = [*cs, _hostile(injection)]
    page = render(cs, CvOptions(fmt="html", highlight=("Bo Han",))).text
    doc = lhtml.document_fromstring(page)
    assert len(doc.xpath('//ol[contains(@class, "pubs")]/li')) == len(cs)
    assert not doc.xpath("//script") and not doc.xpath("//body//*[@onerror or @onload]")
    assert all(a.get("href", "").startswith(("http://", "https://")) for a in doc.xpath("//a"))
    tex = render(cs, CvOptions(fmt="latex", highlight=("Bo Han",))).text
    code = re.sub(r"(?<!\\)%.*", "", tex)  # comments are not commands
    commands = set(re.findall(r"\\([A-Za-z@]+)", code))
    assert not commands & DANGEROUS, commands & DANGEROUS
    # every command is the layout's own or one that prints a character (\textbackslash,
    # \'{e}, \texttwosuperior ...): nothing from the text can open or close an environment
    assert commands - ALLOWED_COMMANDS <= _character_commands(commands)
    assert code.count("\\begin{") == code.count("\\end{") == len(
        {str(c.venue.year or c.issued.year or "Undated") for c in cs})
    md = render(cs, CvOptions(fmt="markdown", highlight=("Bo Han",))).text
    assert md.count("\n- [") == len(cs)


# what a CV entry may hold: the layout's own elements and citeproc's formatting
ENTRY_TAGS = {"li", "cite", "strong", "span", "a", "i", "b", "sup", "sub", "em"}


@pytest.mark.parametrize("style", [None, "apa", "ieee", "pybtex:plain", "pybtex:alpha"])
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cs=st.lists(citations(), min_size=1, max_size=2), injection=st.sampled_from(INJECTIONS))
def test_every_html_path_keeps_hostile_text_as_text(style, cs, injection):
    """The default layout, both CSL styles and pybtex's styles: a title, name or venue
    holding markup is text in the DOM (citeproc-py's HTML formatter does not escape
    variables itself)."""
    cs = [*cs, _hostile(injection)]
    bst = style.removeprefix("pybtex:") if style and style.startswith("pybtex:") else None
    opts = CvOptions(fmt="html", csl=None if bst else style, style=bst, highlight=("Bo Han",))
    page = render(cs, opts).text
    doc = lhtml.document_fromstring(page)
    items = doc.xpath('//ol[contains(@class, "pubs")]/li')
    assert len(items) == len(cs)
    assert {el.tag for li in items for el in li.iter()} <= ENTRY_TAGS
    assert not doc.xpath("//body//*[@*[starts-with(name(), 'on')]]")
    if injection.startswith("<"):
        assert any(injection in li.text_content() for li in items)


DANGEROUS = {"input", "include", "write", "immediate", "openout", "openin", "read",
             "catcode", "def", "edef", "gdef", "let", "newcommand", "renewcommand", "csname",
             "expandafter", "usepackage", "documentclass", "makeatletter", "special"}


def _character_commands(commands: set[str]) -> set[str]:
    """Commands that only print a character: accents, and pylatexenc's named characters."""
    from pylatexenc.latexencode import get_builtin_uni2latex_dict

    named = {m for v in get_builtin_uni2latex_dict().values()
             for m in re.findall(r"\\([A-Za-z]+)", v)}
    return {c for c in commands if len(c) <= 2 or c in named}


# --- a look at the page ---------------------------------------------------------------------


def test_html_page_screenshot(sample, tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        if os.environ.get("BIBKIT_REQUIRE_CLIENTS"):
            pytest.fail("chromium is required in CI")
        pytest.skip("Chromium is not installed (CI installs Debian's chromium)")
    page = tmp_path / "cv.html"
    page.write_text(cv(sample, fmt="html").text, encoding="utf-8")
    artifacts = ROOT / "tests/artifacts"
    artifacts.mkdir(exist_ok=True)
    shot = artifacts / "cv.png"
    shot.unlink(missing_ok=True)
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'p'}",
                    f"--screenshot={shot}", "--window-size=1000,1400", page.as_uri()],
                   capture_output=True, timeout=120, stdin=subprocess.DEVNULL)
    assert shot.exists() and shot.stat().st_size > 20_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- the command ----------------------------------------------------------------------------


def test_cv_command_options(cli, tmp_path):
    listing = str(SAMPLES / "listing/edge-cases.txt")
    exclude = tmp_path / "not-mine.txt"
    exclude.write_text("# papers of namesakes\nobrien2023gnns\n2305.01234\n", encoding="utf-8")
    res = cli("cv", listing, "--format", "text", "--as-of", "2026-11-27",
              "--exclude-file", str(exclude), "--no-links")
    assert res.exit_code == 1  # the sample's card without a title is an error
    assert "6 entries in the CV, 2 excluded" in res.stderr
    assert "http" not in res.stdout and "GNNs at Scale" not in res.stdout
    out = tmp_path / "cv.html"
    res = cli("cv", str(SAMPLE_LISTING), "--format", "html", "-o", str(out), "--as-of",
              "2026-11-27", "--highlight", "Jianing Zhu", "--group-by", "kind")
    assert res.exit_code == 0 and res.stdout == ""
    page = out.read_text("utf-8")
    assert '<strong class="owner">Jianing Zhu</strong>' in page and "<h2>Preprints</h2>" in page


def test_cv_unknown_style_is_a_usage_error(cli):
    res = cli("cv", str(SAMPLE_LISTING), "--csl", "chicago-fantasy", "--as-of", "2026-11-27")
    assert res.exit_code == 2 and "CSL style 'chicago-fantasy' not found" in res.stderr


def test_a_thesis_report_or_book_shows_what_it_is_and_its_publisher():
    from bibkit.cv.markup import venue_text

    thesis = Citation(kind=Kind.THESIS, title="T", genre="PhD thesis",
                      venue=Venue(publisher="MIT"), issued=PartialDate(2018))
    assert venue_text(thesis) == "PhD thesis, MIT, 2018"
    book = Citation(kind=Kind.BOOK, title="B", venue=Venue(publisher="AW"),
                    issued=PartialDate(1984))
    assert venue_text(book) == "AW, 1984"
    assert venue_text(Citation(kind=Kind.DOCUMENT, issued=PartialDate(2020))) == "2020"


def test_an_entry_has_one_owner_the_closest_match():
    from bibkit.infer.names import owner_matcher
    from bibkit.model.citation import Profile

    matcher = owner_matcher(["Bo Han"])
    authors = (Person("Hanson", "Bo"), Person("Bo", "Han"), Person("Han", "B."),
               Person("Han", "Bo"))
    assert [matcher(p) for p in authors] == [False, True, True, True]  # each could be
    assert matcher.owner_in(authors) == 3  # the name as written wins
    assert matcher.owner_in(authors[:3]) == 1  # then the swapped order, then initials
    assert matcher.owner_in(authors[:1]) is None
    paper = Citation(key="p", kind=Kind.PREPRINT, title="P", authors=authors[:3],
                     issued=PartialDate(2022))
    for style in ("", "plain"):
        text = render([paper], CvOptions(fmt="markdown", style=style or None),
                      Profile(name="Bo Han")).text
        assert text.count("**") == 2, (style, text)  # one name in bold
    # each entry its own owner, none of another's: "B. Han" is the owner only where no closer
    # match signs (pybtex's Markdown writes "B\\. Han")
    alone = Citation(key="q", kind=Kind.PREPRINT, title="Q", issued=PartialDate(2021),
                     authors=(Person("Liu", "Yang"), Person("Han", "B.")))
    both = Citation(key="r", kind=Kind.PREPRINT, title="R", issued=PartialDate(2022),
                    authors=(Person("Han", "Bo"), Person("Han", "B.")))
    text = render([both, alone], CvOptions(fmt="markdown", style="plain"),
                  Profile(name="Bo Han")).text
    assert "**Bo Han** and B\\. Han" in text and "Yang Liu and **B\\. Han**" in text
