"""Injection campaign: hostile strings x fields x carriers, into every consumer.

    python fuzz/injection.py            # prints one line a check and a total; exit 1 on a failure

Each hostile string is put in each field (title, author, venue, note, url) of a record in
each carrier (BibTeX, CSL-JSON, RIS), read by bibkit, and written in every format and every
CV layout. Each output is then checked the way it is consumed: bibtexparser and bibtex +
pdflatex (with hyperref) for BibTeX, biber's data model check for BibLaTeX, the CSL-JSON
schema, the MODS XSD, RIS read back, pdflatex for the LaTeX CV, an HTML parser for the HTML
CV (default layout and both CSL styles), and a byte scan of every output for control
characters. A record may be refused (its carrier is broken by the string), but never lost:
every record is an entry or an error diagnostic. Needs pdflatex, bibtex and biber for the
TeX checks (skipped, and said, where missing).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from lxml import etree
from lxml import html as lhtml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from bibkit import dump, loads  # noqa: E402
from bibkit.cv import CvOptions, render  # noqa: E402
from bibkit.diagnostics import Severity  # noqa: E402

HOSTILE = [
    "}", "{", "}}}}{{", "@misc{evil, title={x}}", "@comment{", "\\input{/etc/passwd}",
    "\\immediate\\write18{touch pwned}", "\\catcode`\\{=12", "\\def\\x{y}\\x", "\\makeatletter",
    "\\csname end\\endcsname", "\\end{document}", "\\verb|x|", "^^5cinput^^7b/etc/passwd^^7d",
    "$$", "$x^2$", "\\", "%comment", "#1", "~", "_", "&", "\nER  - \nTY  - JOUR",
    "ER  - ", "TY  - BOOK", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
    "&lt;b&gt;", "<!--", "]]>", "javascript:alert(1)", "[x](javascript:1)", "![i](x.png)",
    "*b* _i_ `c` |t|", "\x1b[2J", "\u009b2J", "a\rFAKE", "\u202eevil", "\u2028", '"\'',
]
FIELDS = ["title", "author", "venue", "note", "url"]
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


def carriers() -> dict[str, str]:
    cases = [(f, s) for f in FIELDS for s in HOSTILE]
    return {
        "bibtex": "".join(bibtex_record(i, f, s) for i, (f, s) in enumerate(cases)),
        "csljson": json.dumps([csl_record(i, f, s) for i, (f, s) in enumerate(cases)]),
        "ris": "".join(ris_record(i, f, s) for i, (f, s) in enumerate(cases)),
    }


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=600,
                          stdin=subprocess.DEVNULL, errors="replace")


def tex_bibtex(bib: str, work: Path) -> str:
    (work / "refs.bib").write_text(bib, encoding="utf-8")
    (work / "doc.tex").write_text("\\documentclass{article}\\usepackage{hyperref}\n"
                                  "\\begin{document}\\nocite{*}\\bibliographystyle{plain}"
                                  "\\bibliography{refs}\\end{document}\n", encoding="utf-8")
    run(["pdflatex", "-interaction=nonstopmode", "doc.tex"], work)
    if run(["bibtex", "doc"], work).returncode != 0:
        return "bibtex failed"
    final = run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"], work)
    return "" if final.returncode == 0 else "pdflatex failed: " + final.stdout[-300:]


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
    return "" if result.returncode == 0 else "pdflatex failed: " + result.stdout[-300:]


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
    records = len(FIELDS) * len(HOSTILE)
    for carrier, text in carriers().items():
        lib = loads(text, carrier)
        errors = sum(1 for d in lib.diagnostics if d.severity is Severity.ERROR)
        results: dict[str, str] = {
            # ">=": in RIS a string holding "\nER  - \nTY  - JOUR" really is more records
            "nothing lost": "" if len(lib) + errors >= records
            else f"{len(lib)} entries + {errors} errors for {records} records",
        }
        outputs = {fmt: dump(lib.citations, fmt) for fmt in
                   ("bibtex", "biblatex", "csljson", "ris", "mods")}
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
                results["bibtex: bibtex + pdflatex"] = tex_bibtex(outputs["bibtex"], work)
                results["biblatex: biber data model"] = tex_biber(outputs["biblatex"], work)
                results["cv-latex: pdflatex"] = tex_cv(outputs["cv-latex"], work)
                if (work / "pwned").exists():
                    results["no command ran"] = "pwned exists"
        for check, problem in results.items():
            checks += 1
            failures += bool(problem)
            print(f"{'FAIL' if problem else 'ok  '} {carrier}: {check} {problem}".rstrip())
        print(f"     {carrier}: {records} records, {len(lib)} entries, {errors} errors")
    if not have_tex:
        print("note: pdflatex, bibtex or biber missing: TeX checks skipped")
    print(f"{checks - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
