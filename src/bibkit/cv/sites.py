"""Where researchers publish their publication lists, beside the CV layouts of bibkit.cv.layout:

- `jsonresume`: a JSON Resume document whose `publications` section the résumé themes and
  sites built on JSON Resume read (schema 1.3.1: `name`, `publisher`, `releaseDate`, `url`,
  `summary`);
- `al-folio`: the `_bibliography/papers.bib` of the Jekyll al-folio theme, BibTeX with the
  theme's own fields (`abbr` for the venue badge, `arxiv`, `code`, `website`, `pdf`,
  `selected`, `bibtex_show`), in UTF-8 since the theme renders it as HTML;
- `hugo`: Hugo Blox (Academic) publication pages, a folder per paper with `index.md` (YAML
  front matter: title, authors, date, publishDate, publication_types, publication,
  publication_short, abstract, doi, url_pdf, url_code, links, featured) and `cite.bib`.

The CV's selection options (--since, --exclude, --only, ...) apply to both.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from ..infer.identifiers import display_doi, is_web_url
from ..infer.names import OwnerMatcher, owner_matcher
from ..io.files import UsageError
from ..model.citation import Citation, arxiv_abs_url, evolve
from ..model.context import WriteContext
from ..tex import render as richtext
from ..tex.escape import escape_latex, safe_url
from .options import options_from, source_facts
from .select import choose, group, selector_hits

JSON_RESUME_SCHEMA = ("https://raw.githubusercontent.com/jsonresume/resume-schema/v1.3.1/"
                      "schema.json")


def _ordered(citations: Iterable[Citation], ctx: WriteContext, fmt: str
             ) -> tuple[list[Citation], tuple[str, ...]]:
    opts = options_from(fmt, ctx.options)
    citations = list(citations)  # read to the end: the listing's owner is known now
    profile, _ = source_facts(ctx)
    kept, excluded, names, _ = choose(citations, opts, profile, ctx.diags)
    ctx.results.update(shown=len(kept), excluded=excluded, owner_hidden=0)
    return group(kept, "none")[0][1], names


def _work_url(c: Citation) -> str:
    """Where the work is: its DOI, else its own page or arXiv page."""
    if c.ids.publisher_doi:  # never arXiv's DOI: the arXiv page says the same
        return f"https://doi.org/{display_doi(c.ids.publisher_doi)}"
    return c.ids.landing_url


def _arxiv_pdf(c: Citation) -> str:
    """The PDF of the arXiv version cited (without its version: the latest)."""
    return arxiv_abs_url(c.ids.arxiv_base).replace("/abs/", "/pdf/")


def _publisher(c: Citation) -> str:
    if c.venue.name:
        return richtext.plain(c.venue.name)
    return c.repository or c.venue.publisher


def publication(c: Citation) -> dict[str, str]:
    """One JSON Resume publication: the authors (as the listing showed them) are its
    summary, since the schema has no field for them."""
    item = {"name": richtext.plain(c.title)}
    publisher = _publisher(c)
    if publisher:
        item["publisher"] = publisher
    if c.cited_year is not None:
        item["releaseDate"] = c.cited_date.iso()  # a venue's year, else the day it went online
    url = safe_url(_work_url(c))
    if url and is_web_url(url):
        item["url"] = url
    people = [p.display() for p in c.authors] + (["et al."] if c.authors_truncated else [])
    if people:
        item["summary"] = ", ".join(people)
    return item


def write_jsonresume(citations: Iterable[Citation], out: TextIO, ctx: WriteContext) -> int:
    """Write a JSON Resume document with the publications section; returns how many. With
    `--sync` (ctx.existing) the résumé being updated keeps every other section, its
    `basics` and its order: only `publications` is bibkit's."""
    ordered, names = _ordered(citations, ctx, "jsonresume")
    doc: dict[str, Any] = {"$schema": JSON_RESUME_SCHEMA}
    if ctx.existing is not None:
        doc = resume_of(ctx.existing)  # as it is: no key added, none taken away
    basics = doc.get("basics")
    if names and not (isinstance(basics, dict) and basics.get("name")):
        doc["basics"] = {**(basics if isinstance(basics, dict) else {}), "name": names[0]}
    doc["publications"] = [publication(c) for c in ordered]
    out.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    return len(ordered)


def resume_of(text: str) -> dict[str, Any]:
    """The JSON Resume document a file holds (a usage error if it is none)."""
    try:
        doc = json.loads(text) if text.strip() else {}
    except ValueError as exc:
        raise UsageError(f"the résumé to update is not JSON ({exc}); bibkit leaves it as it "
                         "is") from None
    if not isinstance(doc, dict):
        raise UsageError("the résumé to update is not a JSON object; bibkit leaves it as it is")
    return doc


def holds_more_than_publications(text: str) -> bool:
    """Whether an existing JSON Resume has what bibkit does not write (work, education, an
    email...): replacing it would lose that."""
    try:
        doc = json.loads(text)
    except ValueError:
        return bool(text.strip())
    if not isinstance(doc, dict):
        return True
    basics = doc.get("basics", {})
    return bool(set(doc) - {"$schema", "basics", "publications"}) or not (
        isinstance(basics, dict) and set(basics) <= {"name"})


# --- al-folio --------------------------------------------------------------------------------


def alfolio_fields(c: Citation, selected: bool) -> tuple[tuple[str, str], ...]:
    """al-folio's fields for one entry, as `bibtex:` extras the BibTeX writer writes."""
    fields: list[tuple[str, str]] = []
    abbr = c.venue.short_name or c.repository
    if abbr:
        fields.append(("abbr", escape_latex(richtext.plain(abbr))))
    if c.ids.arxiv:
        fields.append(("arxiv", c.ids.arxiv_base))
    roles = {"code": "code", "project": "website", "pdf": "pdf"}
    for link in c.links:
        name = roles.get(link.role)
        url = safe_url(link.url)
        if name and is_web_url(url) and name not in dict(fields):
            fields.append((name, url))
    if "pdf" not in dict(fields) and c.ids.arxiv:
        fields.append(("pdf", _arxiv_pdf(c)))
    if selected:
        fields.append(("selected", "true"))
    fields.append(("bibtex_show", "true"))
    return tuple((f"bibtex:{name}", value) for name, value in fields)


def _themed(c: Citation, selected: bool) -> Citation:
    """The entry with al-folio's fields: each replaces a field of that name the entry already
    has (a file synced before holds last run's `abbr`, which a published version changes), and
    a link that became a button is not also written in `note` (the theme shows both)."""
    theme: dict[str, str | None] = dict(alfolio_fields(c, selected))
    buttons = {url for name, url in theme.items() if name in _BUTTONS}
    extra: list[tuple[str, str]] = []
    for name, own in c.extra:  # in the entry's own order, so a synced file stays put
        if name not in theme:
            extra.append((name, own))
        elif (themes := theme[name]) is not None:
            extra.append((name, themes))
            theme[name] = None  # said once
    extra += [(name, value) for name, value in theme.items() if value is not None]
    return evolve(c, extra=tuple(extra),
                  links=tuple(link for link in c.links if safe_url(link.url) not in buttons))


_BUTTONS = {"bibtex:code", "bibtex:website", "bibtex:pdf"}


def write_alfolio(citations: Iterable[Citation], out: TextIO, ctx: WriteContext) -> int:
    """Write al-folio's papers.bib; returns how many entries."""
    from ..formats.writers.bibtex import write as write_bibtex

    opts = options_from("al-folio", ctx.options)
    ordered, _ = _ordered(citations, ctx, "al-folio")
    themed = [_themed(c, selector_hits(c, opts.selected)) for c in ordered]
    # the theme renders the file as HTML: characters as they are, not LaTeX commands
    return write_bibtex(themed, out, dataclasses.replace(ctx, charset="utf8"))



# --- Hugo Blox ---------------------------------------------------------------------------------

# Hugo Blox's publication_types are CSL types; a preprint is "article"
_HUGO_FILES = ("index.md", "cite.bib")


def _yaml(value: Any) -> str:
    """A YAML value: JSON is YAML, and JSON's quoting keeps every character safe."""
    return json.dumps(value, ensure_ascii=False)


def front_matter(c: Citation, as_of: str, admin: str, is_owner: OwnerMatcher,
                 featured: bool) -> str:
    owner = is_owner.owner_in(c.authors) if admin else None
    authors = [admin if i == owner else p.display() for i, p in enumerate(c.authors)]
    # "et al." is no author: Hugo would make it a taxonomy term with a page of its own. The
    # truncation is said where Hugo Blox shows a note beside a name: the last one shown
    notes = ([""] * (len(authors) - 1) + ["et al. (the author list is truncated in the "
                                          "source)"]) if c.authors_truncated and authors else []
    day = c.cited_date.iso()
    date = {4: day + "-01-01", 7: day + "-01"}.get(len(day), day)  # Hugo wants a full date
    links = [{"name": link.label, "url": link.url} for link in c.links
             if link.role not in ("code", "pdf") and is_web_url(safe_url(link.url))]
    fields: list[tuple[str, Any]] = [
        ("title", richtext.plain(c.title).strip() or c.key),
        ("authors", authors),
        ("author_notes", notes),
        ("date", f"{date}T00:00:00Z" if date else ""),
        ("publishDate", f"{as_of}T00:00:00Z" if as_of else ""),
        ("publication_types", [c.kind.value]),
        ("publication", f"*{richtext.plain(c.venue.name)}*" if c.venue.name else
         c.repository),
        ("publication_short", richtext.plain(c.venue.short_name)),
        ("abstract", richtext.plain(c.abstract)),
        ("doi", display_doi(c.cited_doi) if c.cited_doi else ""),
        ("url_pdf", next((safe_url(link.url) for link in c.links if link.role == "pdf"), "")
         or (_arxiv_pdf(c) if c.ids.arxiv else "")),
        ("url_code", next((safe_url(link.url) for link in c.links if link.role == "code"), "")),
        ("links", links),
        ("featured", featured),
    ]
    body = "".join(f"{key}: {_yaml(value)}\n" for key, value in fields
                   if value not in ("", []) or key == "featured")
    return f"---\n{body}---\n"


_NOT_IN_FOLDER_NAME = re.compile(r"[^\w-]+")
# names Windows will not give a file or folder, whatever the extension
_RESERVED = frozenset(["CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                       *(f"LPT{i}" for i in range(1, 10))])


def page_folder(key: str, taken: set[str]) -> str:
    """A page folder's name for `key`: one path component that stays under the target
    (`../../victim` and `/etc/x` are names, not paths), no leading dot (Hugo skips hidden
    folders), unique in `taken` without regard to case (macOS and Windows file systems
    ignore it), which it joins.

    >>> taken = set()
    >>> [page_folder(k, taken) for k in ["DBLP:journals/corr/abs-1810-04805",
    ...                                  "../../../victim", "a2020", "A2020", ".hidden", "NUL"]]
    ['DBLP-journals-corr-abs-1810-04805', 'victim', 'a2020', 'A2020-2', 'hidden', 'NUL-page']
    """
    name = _NOT_IN_FOLDER_NAME.sub("-", key).strip("-_") or "paper"
    if name.upper() in _RESERVED:
        name += "-page"
    unique, n = name, 1
    while unique.casefold() in taken:
        n += 1
        unique = f"{name}-{n}"
    taken.add(unique.casefold())
    return unique


def write_hugo(citations: Iterable[Citation], target: Path, ctx: WriteContext) -> int:
    """Write a Hugo Blox page folder per paper under `target` (content/publication/);
    returns how many. A new target is made whole in a temporary directory and renamed into
    place; into an existing one each paper's two files are replaced one by one. No file
    bibkit did not write is deleted."""
    ordered, names = _ordered(citations, ctx, "hugo")
    is_owner = owner_matcher(names)
    opts = options_from("hugo", ctx.options)
    _, as_of = source_facts(ctx)
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target}: is a file; hugo writes a directory of pages")
    parent = target.absolute().parent
    if not parent.is_dir():
        raise UsageError(f"{parent}: no such directory")
    if ctx.sync:  # a first --sync makes the folder: what bibkit wrote is remembered from now
        target.mkdir(exist_ok=True)
        return _synced(ordered, target, ctx, opts, as_of, is_owner)
    taken: set[str] = set()
    folders = [folder_for(c, taken, ctx) for c in ordered]
    # staged beside the target, in its parent: a new target is renamed into place whole
    staging = Path(tempfile.mkdtemp(prefix=".bibkit-hugo-", dir=parent))
    umask = os.umask(0)
    os.umask(umask)
    try:
        staging.chmod(0o777 & ~umask)  # as a directory made by mkdir (mkdtemp makes 0700)
        for c, name in zip(ordered, folders, strict=True):
            folder = staging / name
            folder.mkdir()  # the umask's mode, as Hugo's own folders
            index, cite = _page_files(c, ctx, opts, as_of, is_owner)
            (folder / "index.md").write_text(index, encoding="utf-8")
            (folder / "cite.bib").write_text(cite, encoding="utf-8")
        if not target.exists():
            os.replace(staging, target)  # the whole directory at once
            return len(ordered)
        for name in folders:
            (target / name).mkdir(exist_ok=True)
            for file in _HUGO_FILES:
                os.replace(staging / name / file, target / name / file)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return len(ordered)


def _page_files(c: Citation, ctx: WriteContext, opts: Any, as_of: str,
                is_owner: OwnerMatcher) -> tuple[str, str]:
    """A paper's two files: index.md (front matter) and cite.bib."""
    from ..formats.writers.bibtex import write as write_bibtex

    if not richtext.plain(c.title).strip():
        ctx.diags.warning("BK409", "no title to show: the page's title is its citekey",
                          line=c.origin.line, key=c.key)
    index = front_matter(c, as_of, opts.hugo_admin, is_owner, selector_hits(c, opts.selected))
    bib = io.StringIO()
    write_bibtex([c], bib, dataclasses.replace(ctx, charset="utf8"))
    return index, bib.getvalue()


def folder_for(c: Citation, taken: set[str], ctx: WriteContext) -> str:
    """The page folder of a new page (page_folder), a name other than its key said."""
    name = page_folder(c.key, taken)
    if name != c.key:
        ctx.diags.info("BK408", f"page folder {name!r} for citekey {c.key!r} (a folder name "
                       "is one path component, unique)", line=c.origin.line, key=c.key)
    return name


def _synced(ordered: list[Citation], target: Path, ctx: WriteContext, opts: Any, as_of: str,
            is_owner: OwnerMatcher) -> int:
    """`--sync DIR`: the pages updated in place (cv/hugosync); a new page's folder is named
    apart from every folder already there."""
    from .hugosync import HugoSync, Page

    run = HugoSync(target, ctx.diags)
    taken = {p.name.casefold() for p in target.iterdir()}
    run.plan([Page(c.key, *_page_files(c, ctx, opts, as_of, is_owner), c) for c in ordered],
             lambda c: folder_for(c, taken, ctx))
    run.commit()
    return len(ordered)
