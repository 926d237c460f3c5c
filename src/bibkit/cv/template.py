"""`bibkit cv --template FILE`: the publications section through a Jinja2 template, so a
researcher restyles the CV without forking bibkit (`bibkit cv --print-template html` prints
a built-in layout as a template to start from).

Text reaches a template as `RichText`: a `str` of the plain text (math as its TeX source)
that also knows how to show itself in each output. HTML templates are autoescaped, and
RichText renders itself there (math in Unicode where exact, italics as `<i>`); LaTeX and
Markdown templates escape with the `latex` and `markdown` filters (`{{ entry.title|latex }}`),
URLs with `latex_url` and `markdown_url`. No title or name can add markup or a command.

The context (documented in the README):
- `entries`: every entry in output order; `groups`: each with `title` and `entries`;
- an entry: `number` (None without numbering), `key`, `title`, `title_stop` (".", or ""
  after a title's own "?" or "!"), `year`, `venue` (as the CV
  writes it: "ICLR 2023", "arXiv preprint arXiv:..."), `kind` ("Conference papers"), `kind_id`
  (the CSL type), `authors` (each `name`, `is_owner`), `authors_truncated`, `owner_hidden`,
  `links` (each `label`, `url`), `doi`, `arxiv`, `note`;
- `owner` (the highlighted name, "" if none), `generated` (the --as-of date), `total`,
  `format`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..data import formats_dir
from ..formats.registry import CV_LAYOUTS
from ..infer.identifiers import display_doi
from ..infer.names import OwnerMatcher
from ..io.files import UsageError
from ..model.citation import Citation
from ..tex import render as richtext
from .chart import STYLESHEET, chart_svg
from .markup import KIND_HEADINGS, display, links_of, title_stop, url_for, venue_text
from .options import CvOptions
from .select import number_of

TEMPLATES = CV_LAYOUTS  # one built-in template a layout


class RichText(str):
    """Model text in a template: str() is its plain text; `__html__`, which autoescaping
    uses, and the latex / markdown filters render it for their output."""

    model: str  # the model text, spans and all (str subclasses cannot have slots)

    def __new__(cls, model: str) -> RichText:
        obj = super().__new__(cls, richtext.plain(model))
        obj.model = model
        return obj

    def __html__(self) -> str:
        return display(self.model, "html")


def _for(fmt: str) -> Callable[[Any], str]:
    def escape(value: Any) -> str:
        return display(value.model if isinstance(value, RichText) else str(value), fmt)

    return escape


def _url_for(fmt: str) -> Callable[[Any], str]:
    return lambda value: url_for(str(value), fmt) or ""


def template_source(fmt: str) -> str:
    """A built-in layout as a Jinja2 template (formats/cv/templates/FORMAT.j2)."""
    if fmt not in TEMPLATES:
        raise UsageError(f"no built-in template {fmt!r} (there are: {', '.join(TEMPLATES)})")
    return (formats_dir() / "cv" / "templates" / f"{fmt}.j2").read_text(encoding="utf-8")


def _entry(c: Citation, number: int | None, is_owner: OwnerMatcher) -> dict[str, Any]:
    owner = is_owner.owner_in(c.authors)
    authors = [{"name": RichText(p.display()), "is_owner": i == owner}
               for i, p in enumerate(c.authors)]
    return {
        "number": number, "key": c.key, "title": RichText(c.title.rstrip(".")),
        "title_stop": title_stop(c.title.rstrip(".")),
        "year": c.cited_year, "venue": RichText(venue_text(c)),
        "kind": KIND_HEADINGS[c.kind], "kind_id": c.kind.value, "authors": authors,
        "authors_truncated": c.authors_truncated,
        "owner_hidden": c.authors_truncated and not any(a["is_owner"] for a in authors),
        "links": [{"label": label, "url": url} for label, url in links_of(c)
                  if url_for(url, "text") is not None],
        "doi": display_doi(c.ids.doi) if c.ids.doi else "", "arxiv": c.ids.arxiv_base,
        "note": RichText(c.note),
    }


def render_template(opts: CvOptions, groups: list[tuple[str, list[Citation]]],
                    names: tuple[str, ...], is_owner: OwnerMatcher,
                    as_of: str) -> tuple[str, int]:
    """(the rendered text, how many entries hide the owner in "et al.")."""
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment
    from markupsafe import Markup

    path = Path(opts.template or "")
    try:
        source = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"--template {path}: {exc.strerror or exc}") from None
    # templates are files people share: sandboxed, so `cycler.__init__.__globals__` and
    # other ways to Python's internals end in a SecurityError, reported as a usage error
    env = ImmutableSandboxedEnvironment(
        # an HTML template is escaped whatever --format says (page.html, page.html.j2)
        autoescape=opts.fmt == "html" or bool({".html", ".htm"} & {
            suffix.lower() for suffix in path.suffixes}),
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
        trim_blocks=True, lstrip_blocks=True)
    env.filters.update({"latex": _for("latex"), "markdown": _for("markdown"), "text": _for("text"),
                        "latex_url": _url_for("latex"), "markdown_url": _url_for("markdown")})
    total = sum(len(g) for _, g in groups)
    entries, grouped, n = [], [], 0
    for title, members in groups:
        these = []
        for c in members:
            n += 1
            these.append(_entry(c, number_of(n, total, opts.numbering), is_owner))
        entries += these
        grouped.append({"title": title, "entries": these})
    kept = [c for _, members in groups for c in members]
    try:
        text = env.from_string(source).render(
            entries=entries, groups=grouped, owner=names[0] if names else "",
            generated=as_of, total=total, format=opts.fmt, numbering=opts.numbering,
            chart=Markup(chart_svg(kept)), stylesheet=Markup(STYLESHEET))
    except jinja2.TemplateError as exc:
        line = getattr(exc, "lineno", None)
        where = f", line {line}" if line else ""
        raise UsageError(f"--template {path}{where}: {exc}") from None
    return text, sum(e["owner_hidden"] for e in entries)
