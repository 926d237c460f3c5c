"""Identifiers found in free text: arXiv ids, DOIs and URLs, normalised and classified."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ..model.citation import TRAILING_PUNCTUATION, Link, arxiv_base

_NEW_ID = r"\d{4}\.\d{4,5}(?:v\d+)?"
_OLD_ID = r"[a-z]+(?:-[a-z]+)?(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?"
_ARXIV_ID = rf"(?:{_NEW_ID}|{_OLD_ID})"

# Where an arXiv id shows itself: an arXiv URL, "arXiv:ID", or the arXiv DOI.
_ARXIV_RE = re.compile(
    rf"(?:arxiv\.org/(?:abs|pdf|html)/(?P<url>{_ARXIV_ID})"
    rf"|arXiv:\s?(?P<prefixed>{_ARXIV_ID})"
    rf"|10\.48550/arXiv\.(?P<doi>{_ARXIV_ID}))",
    re.IGNORECASE,
)

_URL_RE = re.compile(r"https?://[^\s<>\"{}\\]+")
_CODE_HOSTS = (
    "github.com",
    "gitlab.com",
    "bitbucket.org",
    "codeberg.org",
    "sourceforge.net",
    "git.sr.ht",
)


_ID_MONTH = re.compile(r"(?:^|/)(\d{2})(\d{2})")


def arxiv_id_month(arxiv_id: str) -> tuple[int, int] | None:
    """(year, month) an arXiv id was assigned in: 2305.01234 -> (2023, 5); old-style
    hep-th/9901001 -> (1999, 1). None when the id says no such month.

    >>> arxiv_id_month("2305.01234v2"), arxiv_id_month("hep-th/9901001")
    ((2023, 5), (1999, 1))
    """
    m = _ID_MONTH.search(arxiv_id)
    if m is None or not 1 <= int(m[2]) <= 12:
        return None
    yy = int(m[1])
    return (1900 + yy if yy >= 91 else 2000 + yy), int(m[2])  # arXiv began in 1991


def find_arxiv_id(text: str) -> str:
    """The first arXiv id in the text, version kept ("" when there is none).

    >>> find_arxiv_id("see https://arxiv.org/abs/2303.01234v2.")
    '2303.01234v2'
    >>> find_arxiv_id("DOI 10.48550/arXiv.hep-th/9901001")
    'hep-th/9901001'
    """
    if "rxiv" not in text and "rXiv" not in text and "RXIV" not in text and "48550" not in text:
        return ""
    m = _ARXIV_RE.search(text)
    if not m:
        return ""
    return m.group("url") or m.group("prefixed") or m.group("doi") or ""


# Zotero's (and older bibkit's) note of an arXiv item: "arXiv:2303.01234 [cs.LG]", "arXiv:ID",
# "arXiv [cs]"; the id and the class are both optional, not both absent
_ARXIV_NOTE = re.compile(r"arXiv(?::(\S+))?(?: \[([^\]]+)\])?")


def arxiv_note(line: str) -> tuple[str, str] | None:
    """(arXiv id, class) of a note line that is only Zotero's arXiv note, else None.

    >>> arxiv_note("arXiv:1706.03762 [cs]"), arxiv_note("arXiv [cs.LG]"), arxiv_note("arXiv")
    (('1706.03762', 'cs'), ('', 'cs.LG'), None)
    """
    m = _ARXIV_NOTE.fullmatch(line.strip())
    if not m or not (m.group(1) or m.group(2)):
        return None
    return m.group(1) or "", m.group(2) or ""


# Words that, in the sentence before an identifier, say it names another work: an earlier
# or later version, a companion paper ("extends our earlier work (arXiv:2104.01234)", "see
# also arXiv:...", "the conference version (doi:...)")
_ANOTHER_WORK = re.compile(
    r"\b(?:earlier|previous|prior|preliminary|conference|journal|short|shorter|extended|"
    r"longer|original|companion|full)\s+(?:work|version|paper|article)s?\b"
    r"|\bextend(?:s|ed|ing)?\b|\bextension\s+of\b|\bsee\s+also\b|\bbased\s+on\b"
    r"|\bbuild(?:s|ing)?\s+on\b|\bfollow[- ]?up\b|\bsupersed|\breplaced\s+by\b"
    r"|\bcf\.|\bprevious(?:ly)?\b",
    re.IGNORECASE)
_SENTENCE_BREAK = re.compile(r"[.;!?]\s")


def _sentence_start(text: str, pos: int) -> int:
    """Where the sentence holding `pos` starts (looked for at most 200 characters back)."""
    return max((m.end() for m in _SENTENCE_BREAK.finditer(text, max(0, pos - 200), pos)),
               default=max(0, pos - 200))


def about_another_work(text: str, pos: int) -> bool:
    """Whether the identifier at `pos` is given for another work, by the words before it in
    its sentence."""
    return _ANOTHER_WORK.search(text, _sentence_start(text, pos), pos) is not None


def find_own_arxiv_id(text: str) -> str:
    """The first arXiv id in prose that is not given for another work ("" if none).

    >>> find_own_arxiv_id("This extends our earlier work (arXiv:2104.01234).")
    ''
    >>> find_own_arxiv_id("Our earlier work: arXiv:2104.01234. This one: arXiv:2301.00001v2.")
    '2301.00001v2'
    """
    if "rxiv" not in text and "rXiv" not in text and "RXIV" not in text and "48550" not in text:
        return ""
    for m in _ARXIV_RE.finditer(text):
        if not about_another_work(text, m.start()):
            return m.group("url") or m.group("prefixed") or m.group("doi") or ""
    return ""


# A DOI a text states: "DOI: 10.1038/...", "doi:10.1109/...", "https://doi.org/10...."
_STATED_DOI = re.compile(
    r"(?:\bdoi\s*:?\s*|https?://(?:dx\.)?doi\.org/)(?P<doi>10\.\d{4,9}/[^\s\"<>{}]+)",
    re.IGNORECASE)


def find_stated_doi(text: str) -> str:
    """The first DOI the text states for itself (not arXiv's, not another work's), its
    trailing punctuation left out ("" if none).

    >>> find_stated_doi("Published in Nature Communications (2024). DOI: 10.1038/s41467-024-1.")
    '10.1038/s41467-024-1'
    """
    if "10." not in text:
        return ""
    for m in _STATED_DOI.finditer(text):
        doi = m.group("doi").rstrip(".,;:)]")
        if doi.lower().startswith(_NOT_THE_PAPERS) or about_another_work(text, m.start()):
            continue
        if not _DATA_OR_CODE.search(text, _sentence_start(text, m.start()), m.start()):
            return doi
    return ""


# DOIs of arXiv (the preprint's, derivable) and of data and software repositories (Zenodo,
# figshare, Dryad, Mendeley Data, OSF, Code Ocean): not the paper's own
_NOT_THE_PAPERS = ("10.48550/", "10.5281/", "10.6084/", "10.5061/", "10.17632/", "10.17605/",
                   "10.24433/")
_DATA_OR_CODE = re.compile(r"\b(?:data(?:set)?s?|code|software|available|repository|"
                           r"supplement(?:ary)?)\b", re.IGNORECASE)


def arxiv_doi(arxiv_id: str) -> str:
    """The DOI arXiv registers for every paper: the id without its version."""
    return "10.48550/arxiv." + arxiv_base(arxiv_id).lower()


def display_doi(doi: str) -> str:
    """A DOI as its registrant writes it where bibkit knows (arXiv's 10.48550/arXiv.ID);
    DOIs are case-insensitive, so this changes how it looks, not what it names."""
    if doi.lower().startswith("10.48550/arxiv."):
        return "10.48550/arXiv." + doi[len("10.48550/arxiv.") :]
    return doi


def clean_url(url: str) -> str:
    """Strip punctuation that ends a sentence rather than the URL; keep balanced brackets."""
    while url and url[-1] in TRAILING_PUNCTUATION:
        last = url[-1]
        opener = {")": "(", "]": "["}.get(last)
        if opener and url.count(opener) >= url.count(last):
            break
        url = url[:-1]
    return url


# An absolute URI by RFC 3986 (an IRI: non-ASCII letters allowed): a scheme; an authority
# whose user part holds no "@", whose host is a name or a bracketed IP literal and whose port,
# if any, is digits; then only the characters a URI may hold (square brackets only around an
# IP literal: libxml2's anyURI, which MODS's schema checks, refuses them in a query), "%"
# only before two hex digits, at most one "#".
_URI_CHAR = r"[A-Za-z0-9\-._~:/?@!$&'()*+,;=]|%[0-9A-Fa-f]{2}|[^\x00-\x7f\s]"
_URI_RE = re.compile(
    r"[A-Za-z][A-Za-z0-9+.\-]*:"
    r"(?://(?:(?:[A-Za-z0-9\-._~!$&'()*+,;=:]|%[0-9A-Fa-f]{2}|[^\x00-\x7f\s])*@)?"
    r"(?:\[[0-9A-Fa-f:.]+\]|(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2}|[^\x00-\x7f\s])*)"
    r"(?::[0-9]+)?(?=[/?#]|\Z)|(?!//))"
    rf"(?:{_URI_CHAR})*"
    rf"(?:#(?:{_URI_CHAR})*)?"
)


def is_uri(text: str) -> bool:
    """Whether `text` is an absolute URI, as a schema's `anyURI` or a link target needs.

    >>> is_uri("https://example.org/a?b=c#d"), is_uri("]]> <x>"), is_uri("https://a.b/c d")
    (True, False, False)
    >>> is_uri("https://a.org:abc/"), is_uri("https://a@@b.org/"), is_uri("https://[::1]:80/")
    (False, False, True)
    """
    return len(text) > 1 and _URI_RE.fullmatch(text) is not None


def is_web_url(text: str) -> bool:
    """An http(s) URI: what bibkit makes a link of (never `javascript:`, `data:`, `file:`)."""
    return text[:8].lower().startswith(("http://", "https://")) and is_uri(text)


def find_urls(text: str) -> list[str]:
    if "http" not in text:
        return []
    seen: dict[str, None] = {}
    for m in _URL_RE.finditer(text):
        url = clean_url(m.group())
        if len(url) > len("https://x.y"):
            seen.setdefault(url, None)
    return list(seen)


def classify_url(url: str) -> str:
    """What a link is by its host and path: `code`, `data`, `model`, `demo`, `video`, `pdf`,
    else `project`; "" for URLs that are identifiers (arXiv, doi.org)."""
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    if host in ("arxiv.org", "export.arxiv.org", "doi.org", "dx.doi.org"):
        return ""
    if host in _CODE_HOSTS:
        return "code"
    if host in _HOSTED_ROLE:
        return _HOSTED_ROLE[host](urlsplit(url).path)
    if url.lower().endswith(".pdf"):
        return "pdf"
    return "project"


def _hugging_face(path: str) -> str:
    """huggingface.co/datasets/… is data, /spaces/… a demo, /org/name a model; the site's own
    pages (/docs, /blog, /papers) are links."""
    first = path.strip("/").split("/", 1)[0]
    if first == "datasets":
        return "data"
    if first == "spaces":
        return "demo"
    if first in ("docs", "blog", "papers", "learn", "collections", "") or path.count("/") < 2:
        return "other"
    return "model"


# Hosts whose links say what they are by their host and path (a Hugging Face model is no
# project page)
_HOSTED_ROLE = {
    "huggingface.co": _hugging_face,
    "hf.co": _hugging_face,
    "zenodo.org": lambda path: "data",
    "kaggle.com": lambda path: "data" if path.startswith("/datasets") else "other",
    "youtube.com": lambda path: "video",
    "youtu.be": lambda path: "video",
    "vimeo.com": lambda path: "video",
    "colab.research.google.com": lambda path: "code",
}


def links_from_text(text: str) -> tuple[Link, ...]:
    links = []
    for url in find_urls(text):
        role = classify_url(url)
        if role:
            links.append(Link(role, url))
    return tuple(links)
