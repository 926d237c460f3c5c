"""Injection campaign: hostile strings x fields x carriers, into every consumer.

    python fuzz/injection.py            # prints one line a check and a total; exit 1 on a failure

Each hostile string is put in each field (title, author, venue, note, url) of a record in
each carrier (BibTeX, CSL-JSON, RIS), read by bibkit, and written in every format and every
CV layout; bibkit's own CSL-JSON carrier (custom.bibkit) takes them as exact TeX and as kept
.bib fields, and pdfTeX's primitives are among them. Each output is then checked the way it
is consumed: bibtexparser and bibtex + pdflatex (with hyperref) for BibTeX, biber's data
model check for BibLaTeX, the CSL-JSON schema, the MODS XSD, RIS read back, pdflatex for the
LaTeX CV, an HTML parser for the HTML CV (default layout and both CSL styles), and a byte
scan of every output for control characters. Each compiled PDF is searched (streams
decompressed) for a sentinel file's text and for JavaScript and launch actions, and a Hugo
export of hostile citekeys must write nothing outside -o. A record may be refused (its
carrier is broken by the string), but never lost: every record is an entry or an error
diagnostic. Needs pdflatex, bibtex and biber for the TeX checks (skipped, and said, where
missing).
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

from lxml import etree
from lxml import html as lhtml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from bibkit import dump, loads  # noqa: E402
from bibkit.cv.layout import render  # noqa: E402
from bibkit.cv.options import CvOptions  # noqa: E402
from bibkit.model.diagnostics import Severity  # noqa: E402
from bibkit.tex.safety import safe_tex  # noqa: E402

HOSTILE = [
    "}", "{", "}}}}{{", "@misc{evil, title={x}}", "@comment{", "\\input{/etc/passwd}",
    "\\immediate\\write18{touch pwned}", "\\catcode`\\{=12", "\\def\\x{y}\\x", "\\makeatletter",
    "\\csname end\\endcsname", "\\end{document}", "\\verb|x|", "^^5cinput^^7b/etc/passwd^^7d",
    "$$", "$x^2$", "\\", "%comment", "#1", "~", "_", "&", "\nER  - \nTY  - JOUR",
    "ER  - ", "TY  - BOOK", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
    "&lt;b&gt;", "<!--", "]]>", "javascript:alert(1)", "[x](javascript:1)", "![i](x.png)",
    "*b* _i_ `c` |t|", "\x1b[2J", "\u009b2J", "a\rFAKE", "\u202eevil", "\u2028", '"\'',
]
# pdfTeX reaches files and PDF actions under names no deny-list had: each must reach no PDF
SENTINEL_FILE, SENTINEL_TEXT = "bibkit-sentinel.txt", "SENTINEL7F3A"
PDFTEX = [
    f"\\pdfobj stream file {{{SENTINEL_FILE}}}\\pdfrefobj\\pdflastobj",
    "\\pdfcatalog{/OpenAction << /S /JavaScript /JS (app.alert(1)) >>}",
    "\\pdfstartlink user{/Subtype/Link /A << /S/Launch /F (calc) >>}x\\pdfendlink",
    "\\pdfximage{x.png}\\pdfrefximage\\pdflastximage", "\\loop\\iftrue\\repeat",
    f"\\input{{{SENTINEL_FILE}}}", "\\href{run:calc}{x}",
]
HOSTILE += PDFTEX
FIELDS = ["title", "author", "venue", "note", "url"]
# Keys a Hugo export must keep under -o, whatever they say
HOSTILE_KEYS = ["../../../victim", "/tmp/bibkit-abs", "DBLP:journals/corr/abs-1810-04805",
                ".hidden", "a\\b", "CON", "same", "SAME", "..", "."]
TAGS = {"li", "cite", "strong", "span", "a", "i", "b", "sup", "sub"}
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def bibtex_record(i: int, field: str, s: str) -> str:
    f = {"title": "T", "author": "Doe, Jane", "journal": "J", "note": "", "url": ""}
    f[{"venue": "journal"}.get(field, field)] = s if field != "author" else f"Doe{s}, Jane"
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in f.items() if v)
    return f"@article{{k{i},\n{body},\n  year = {{2020}}\n}}\n"


def csl_record(i: int, field: str, s: str) -> dict[str, object]:
    item: dict[str, object] = {"id": f"k{i}", "type": "article-journal", "title": "T",
                               "author": [{"family": "Doe", "given": "Jane"}],
                               "container-title": "J", "issued": {"date-parts": [[2020]]}}
    if field == "author":
        item["author"] = [{"family": f"Doe{s}", "given": "Jane"}]
    else:
        item[{"venue": "container-title", "url": "URL"}.get(field, field)] = s
    return item


def ris_record(i: int, field: str, s: str) -> str:
    tags = {"title": "TI", "author": "AU", "venue": "JO", "note": "N1", "url": "UR"}
    lines = {"TI": "T", "AU": "Doe, Jane", "JO": "J", "N1": "", "UR": ""}
    lines[tags[field]] = f"Doe{s}, Jane" if field == "author" else s
    body = "".join(f"{k}  - {v}\n" for k, v in lines.items() if v)
    return f"TY  - JOUR\nID  - k{i}\n{body}PY  - 2020\nER  - \n\n"


def custom_record(i: int, field: str, s: str) -> dict[str, object]:
    """bibkit's own CSL-JSON carrier: the exact TeX (custom.bibkit.text) and the kept .bib
    fields (custom.bibkit.extra), which a downloaded file can fill with anything."""
    item = csl_record(i, "title", "T")
    mine: dict[str, object] = {"extra": [["bibtex:note", s]]} if field == "note" else {
        "text": {"title" if field == "title" else "container-title": [{"tex": s}, " x"]}}
    item["custom"] = {"bibkit": mine}
    return item


def _payload(key: str) -> str:
    """The hostile string of the record a key came from (k12 is the 13th case)."""
    m = re.fullmatch(r"k(\d+)", key)
    cases = [s for _ in FIELDS for s in HOSTILE]
    return cases[int(m.group(1))] if m and int(m.group(1)) < len(cases) else ""


def carriers() -> dict[str, str]:
    cases = [(f, s) for f in FIELDS for s in HOSTILE]
    custom = [(f, s) for f in ("title", "venue", "note") for s in HOSTILE]
    return {
        "bibtex": "".join(bibtex_record(i, f, s) for i, (f, s) in enumerate(cases)),
        "csljson": json.dumps([csl_record(i, f, s) for i, (f, s) in enumerate(cases)]),
        "csljson-custom": json.dumps([custom_record(i, f, s)
                                      for i, (f, s) in enumerate(custom)]),
        "ris": "".join(ris_record(i, f, s) for i, (f, s) in enumerate(cases)),
    }


_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)
_ACTION = re.compile(rb"/S\s*/(JavaScript|Launch)\b")


def pdf_leaks(pdf: Path) -> str:
    """What a compiled PDF must not hold: the sentinel file's text (in any stream,
    decompressed), a JavaScript or a launch action (an /S entry in an object: outside
    streams, or in an object stream; a page's text may say "/S/Launch" harmlessly)."""
    if not pdf.exists():
        return ""
    data = pdf.read_bytes()
    everything, objects = [data], [_STREAM.sub(b"stream endstream", data)]
    for m in _STREAM.finditer(data):
        with contextlib.suppress(zlib.error):  # a stream that is not deflated
            body = zlib.decompress(m.group(1))
            everything.append(body)
            header = data[max(0, m.start() - 400):m.start()]
            if b"/ObjStm" in header[header.rfind(b" obj"):]:
                objects.append(body)
    found = ["the sentinel file's text"] if any(
        SENTINEL_TEXT.encode() in part for part in everything) else []
    found += sorted({f"a /{m.group(1).decode()} action" for part in objects
                     for m in _ACTION.finditer(part)})
    return ", ".join(found)


def hugo_keys() -> str:
    """Hostile keys in a Hugo export: nothing written outside -o."""
    bib = "".join(f"@misc{{{k}, title={{T{i}}}, author={{Doe, Jane}}, year=2020}}\n"
                  for i, k in enumerate(HOSTILE_KEYS))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        target = root / "site" / "content" / "publication"
        target.parent.mkdir(parents=True)
        (root / "in.bib").write_text(bib, encoding="utf-8")
        for _ in range(2):  # a new directory, then into an existing one
            result = run([sys.executable, "-m", "bibkit", "cv", "in.bib", "--format", "hugo",
                          "-o", str(target)], root)
            if result.returncode != 0:
                return f"exit {result.returncode}: {result.stderr[-200:]}"
        outside = [p for p in root.rglob("*") if p.is_file() and target not in p.parents
                   and p.name != "in.bib"]
        pages = len(list(target.glob("*/index.md")))
        if outside or pages != len(HOSTILE_KEYS) or Path("/tmp/bibkit-abs").exists():
            return f"{len(outside)} files outside -o, {pages}/{len(HOSTILE_KEYS)} pages"
    return ""


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    try:  # \\loop\\iftrue\\repeat reaching TeX would run until killed: a failure
        return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=180,
                              stdin=subprocess.DEVNULL, errors="replace")
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(args, 124, "timed out", "timed out")


def tex_bibtex(bib: str, work: Path) -> str:
    (work / "refs.bib").write_text(bib, encoding="utf-8")
    (work / "doc.tex").write_text("\\documentclass{article}\\usepackage{hyperref}\n"
                                  "\\begin{document}\\nocite{*}\\bibliographystyle{plain}"
                                  "\\bibliography{refs}\\end{document}\n", encoding="utf-8")
    run(["pdflatex", "-interaction=nonstopmode", "doc.tex"], work)
    if run(["bibtex", "doc"], work).returncode != 0:
        return "bibtex failed"
    final = run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"], work)
    if final.returncode != 0:
        return "pdflatex failed: " + final.stdout[-300:]
    leaks = pdf_leaks(work / "doc.pdf")
    return f"the PDF holds {leaks}" if leaks else ""


def tex_biber(bib: str, work: Path) -> str:
    (work / "refs.bib").write_text(bib, encoding="utf-8")
    result = run(["biber", "--tool", "--validate-datamodel", "--output-file", "out.bib",
                  "refs.bib"], work)
    # a record whose title is only markup or space really has no title: that is the data
    bad = [ln for ln in result.stdout.splitlines() if ("WARN" in ln or "ERROR" in ln)
           and "Missing mandatory field" not in ln and "WARNINGS:" not in ln]
    return "" if result.returncode == 0 and not bad else "biber: " + "; ".join(bad[:3])


def tex_cv(tex: str, work: Path) -> str:
    (work / "cv.tex").write_text(tex, encoding="utf-8")
    result = run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "cv.tex"], work)
    if result.returncode != 0:
        return "pdflatex failed: " + result.stdout[-300:]
    leaks = pdf_leaks(work / "cv.pdf")
    return f"the PDF holds {leaks}" if leaks else ""


def html_dom(page: str, n: int) -> str:
    doc = lhtml.document_fromstring(page)
    items = doc.xpath('//ol[contains(@class, "pubs")]/li')
    extra = {el.tag for li in items for el in li.iter()} - TAGS
    handlers = doc.xpath("//body//*[@*[starts-with(name(), 'on')]]")
    hrefs = [a.get("href", "") for a in doc.xpath("//a")]
    if len(items) != n or extra or handlers or not all(h.startswith("http") for h in hrefs):
        return f"{len(items)}/{n} items, elements {extra}, {len(handlers)} handlers"
    return ""


def main() -> int:
    have_tex = all(shutil.which(t) for t in ("pdflatex", "bibtex", "biber"))
    schema = json.loads((ROOT / "tests/schemas/csl-data.json").read_text())
    mods_xsd = etree.XMLSchema(etree.parse(str(ROOT / "tests/schemas/mods-3-7.xsd")))
    import jsonschema

    failures = checks = 0
    for carrier, text in carriers().items():
        records = (3 if carrier == "csljson-custom" else len(FIELDS)) * len(HOSTILE)
        lib = loads(text, carrier.split("-")[0])
        errors = sum(1 for d in lib.diagnostics if d.severity is Severity.ERROR)
        results: dict[str, str] = {
            # ">=": in RIS a string holding "\nER  - \nTY  - JOUR" really is more records
            "nothing lost": "" if len(lib) + errors >= records
            else f"{len(lib)} entries + {errors} errors for {records} records",
        }
        outputs = {fmt: dump(lib.citations, fmt) for fmt in
                   ("bibtex", "biblatex", "csljson", "ris", "mods")}
        # a .bib's own TeX goes back into BibTeX as it was (the user's file, which compiles
        # or fails the same): what the allow-list refuses is left out of the .bib's compile;
        # every other carrier's, and every CV's, is held to the checks
        own = [c for c in lib.citations if carrier != "bibtex" or safe_tex(_payload(c.key))]
        compiled = {fmt: dump(own, fmt) for fmt in ("bibtex", "biblatex")}
        layouts = [CvOptions(fmt=fmt, standalone=fmt == "latex", highlight=("Jane Doe",))
                   for fmt in ("markdown", "latex", "html", "text")]
        layouts += [CvOptions(fmt="html", csl=style, highlight=("Jane Doe",))
                    for style in ("apa", "ieee")]
        for opts in layouts:
            name = f"cv-{opts.fmt}" + (f"-{opts.csl}" if opts.csl else "")
            outputs[name] = render(lib.citations, opts).text
        for name, out in outputs.items():
            m = CONTROL.search(out.replace("\r\n", "\n"))
            results[f"{name}: no control character"] = f"{m.group()!r}" if m else ""
        import bibtexparser

        parsed = bibtexparser.parse_string(outputs["bibtex"])
        results["bibtex: bibtexparser"] = (
            "" if not parsed.failed_blocks and len(parsed.entries) == len(lib) else
            f"{len(parsed.failed_blocks)} failed blocks")
        errs = [e.message for item in json.loads(outputs["csljson"])
                for e in jsonschema.Draft7Validator(schema).iter_errors([item])]
        results["csljson: schema"] = "; ".join(errs[:3])
        ok = mods_xsd.validate(etree.fromstring(outputs["mods"].encode("utf-8")))
        results["mods: XSD"] = "" if ok else str(mods_xsd.error_log.last_error)
        back = loads(outputs["ris"], "ris")
        results["ris: read back"] = "" if len(back) == len(lib) else f"{len(back)} of {len(lib)}"
        for name in ("cv-html", "cv-html-apa", "cv-html-ieee"):
            results[f"{name}: DOM"] = html_dom(outputs[name], len(lib))
        if have_tex:
            with tempfile.TemporaryDirectory() as tmp:
                work = Path(tmp)
                (work / SENTINEL_FILE).write_text(SENTINEL_TEXT + "\n", encoding="utf-8")
                results["bibtex: bibtex + pdflatex"] = tex_bibtex(compiled["bibtex"], work)
                results["biblatex: biber data model"] = tex_biber(compiled["biblatex"], work)
                results["cv-latex: pdflatex"] = tex_cv(outputs["cv-latex"], work)
                if (work / "pwned").exists():
                    results["no command ran"] = "pwned exists"
        for check, problem in results.items():
            checks += 1
            failures += bool(problem)
            print(f"{'FAIL' if problem else 'ok  '} {carrier}: {check} {problem}".rstrip())
        print(f"     {carrier}: {records} records, {len(lib)} entries, {errors} errors")
    problem = hugo_keys()
    checks += 1
    failures += bool(problem)
    print(f"{'FAIL' if problem else 'ok  '} hugo: {len(HOSTILE_KEYS)} hostile keys stay under "
          f"-o {problem}".rstrip())
    if not have_tex:
        print("note: pdflatex, bibtex or biber missing: TeX checks skipped")
    print(f"{checks - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
