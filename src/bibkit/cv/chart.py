"""The HTML page around a CV: its stylesheet and the publications-per-year chart."""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Sequence

from ..model.citation import (
    Citation,
    Kind,
)
from .markup import KIND_COLOURS, KIND_HEADINGS, OTHER_COLOUR

# --- HTML page and chart ---------------------------------------------------------------------

STYLESHEET = """
:root { color-scheme: light; --fg: #1d1d1f; --muted: #5f6368; --accent: #7570b3; }
body { font: 16px/1.55 Georgia, "Times New Roman", serif; color: var(--fg); margin: 0; }
main { max-width: 52rem; margin: 2.5rem auto; padding: 0 1.25rem; }
h1 { font-size: 2rem; margin: 0 0 .25rem; }
p.summary { color: var(--muted); margin: 0 0 1.5rem; }
figure { margin: 0 0 2rem; }
figcaption { color: var(--muted); font-size: .85rem; }
h2 { font-size: 1.3rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; margin-top: 2rem; }
ol.pubs { padding-left: 2.6rem; }
ol.pubs.plain { list-style: none; padding-left: 0; }
ol.pubs li { margin: .55rem 0; }
cite { font-style: italic; }
.owner { font-weight: 700; }
.venue { color: #333; }
.links a { font: .8rem/1 system-ui, sans-serif; color: var(--accent); text-decoration: none;
           border: 1px solid currentColor; border-radius: .25rem; padding: 0 .3rem; }
@media print {
  main { max-width: none; margin: 0; }
  figure { display: none; }
  .links a { border: none; padding: 0; color: inherit; }
  .links a::after { content: " <" attr(href) ">"; font-size: .7rem; }
  h2 { break-after: avoid; }
  li { break-inside: avoid; }
}
"""


_LABEL_EM = 6.5  # a generous width a character of 11 px Georgia takes


def _tick_step(tallest: int) -> int:
    """An axis step of 1, 2 or 5 times a power of ten giving at most five ticks: 0, 1, 2, 3
    for 3 (never 0, 1, 3)."""
    step = 1
    while tallest / step > 4:
        step = _next_nice(step)
    return step


def _next_nice(step: int) -> int:
    """1 -> 2 -> 5 -> 10 -> 20 -> ..."""
    lead = int(str(step)[0])
    scale = 10 ** (len(str(step)) - 1)
    return {1: 2, 2: 5, 5: 10}[lead] * scale


def chart_svg(citations: Sequence[Citation]) -> str:
    """Publications per year as stacked bars by kind: an inline SVG, no script, no assets."""
    counts: Counter[tuple[int, Kind]] = Counter()
    for c in citations:
        year = c.cited_year
        if year is not None:
            counts[(year, c.kind)] += 1
    if not counts:
        return ""
    years = list(range(min(y for y, _ in counts), max(y for y, _ in counts) + 1))
    kinds = sorted({k for _, k in counts}, key=lambda k: list(KIND_HEADINGS).index(k))
    tallest = max(sum(counts[(y, k)] for k in kinds) for y in years)
    step = _tick_step(tallest)
    axis_top = -(-tallest // step) * step  # the tallest bar, rounded up to a tick
    bar, gap, left, top, height = 28, 10, 36, 12, 150
    labels = [KIND_HEADINGS[k] for k in kinds]
    # the legend is one row a kind, under the bars: every label inside the chart
    legend_width = left + 14 + max(_LABEL_EM * len(label) for label in labels)
    width = max(left + len(years) * (bar + gap) + 10, round(legend_width) + 10)
    full_height = top + height + 30 + 16 * len(kinds) + 6
    scale = height / axis_top
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
        f'height="{full_height}" viewBox="0 0 {width} {full_height}" '
        'aria-labelledby="chart-title">',
        '<title id="chart-title">Publications per year, by kind</title>',
        f'<line x1="{left}" y1="{top + height}" x2="{width - 6}" y2="{top + height}" '
        'stroke="#999"/>',
    ]
    for tick in range(0, axis_top + 1, step):
        y = top + height - tick * scale
        out.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="#5f6368">{tick}</text>'
        )
    for i, year in enumerate(years):
        x = left + i * (bar + gap) + gap / 2
        base = float(top + height)
        for k in kinds:
            n = counts[(year, k)]
            if not n:
                continue
            h = n * scale
            base -= h
            out.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar}" height="{h:.1f}" '
                f'fill="{KIND_COLOURS.get(k, OTHER_COLOUR)}">'
                f"<title>{year}: {n} {html.escape(KIND_HEADINGS[k].lower())}</title>"
                "</rect>"
            )
        out.append(
            f'<text x="{x + bar / 2:.1f}" y="{top + height + 14}" font-size="11" '
            f'text-anchor="middle" fill="#5f6368">{year}</text>'
        )
    out += _legend(kinds, left, top + height + 30)
    out.append("</svg>")
    return "\n".join(out)


def _legend(kinds: list[Kind], left: int, first_row: int) -> list[str]:
    """One row a kind under the bars: its colour and its heading."""
    out = []
    for row, k in enumerate(kinds):
        y = first_row + 16 * row
        out.append(
            f'<rect x="{left}" y="{y}" width="10" height="10" '
            f'fill="{KIND_COLOURS.get(k, OTHER_COLOUR)}"/>'
        )
        out.append(f'<text x="{left + 14}" y="{y + 9}" font-size="11" fill="#333">'
                   f"{html.escape(KIND_HEADINGS[k])}</text>")
    return out


def html_page(body: str, citations: Sequence[Citation], owner: str, total: int) -> str:
    who = html.escape(owner)
    title = f"Publications of {who}" if who else "Publications"
    chart = chart_svg(citations)
    figure = (
        (f"<figure>\n{chart}\n<figcaption>Publications per year, by kind</figcaption>\n</figure>\n")
        if chart
        else ""
    )
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>{STYLESHEET}</style>\n</head>\n<body>\n<main>\n"
        f'<h1>{title}</h1>\n<p class="summary">{total} publications</p>\n'
        f"{figure}{body}</main>\n</body>\n</html>\n"
    )
