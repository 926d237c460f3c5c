"""Readers: each finds the records of its format and reads one at a time. `RecordReader` is
the one failure boundary: it counts every block and converts each under one guard, so a
record's failure costs that record, whatever the format. Inference is the pipeline's."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ...model.citation import Citation
from ...model.context import ReadContext


@dataclass(frozen=True, slots=True)
class RecordReader:
    """A reader as the pipeline drives it. `records` finds the input's blocks and yields
    (line, key, data) for each; data None marks a block the reader could not even delimit and
    has already reported. `convert` makes a Citation of one block's data, or None after
    reporting why. An exception in `convert` costs that record only: the pipeline reports it
    under `code` and reads on."""

    records: Callable[[Iterable[str], ReadContext], Iterator[tuple[int, str, Any]]]
    convert: Callable[[int, Any, ReadContext], Citation | None]
    code: str  # the diagnostic code of a record that could not be read
    noun: str  # "entry", "record", "item", "card": how the format calls a record

    def __call__(self, lines: Iterable[str], ctx: ReadContext) -> Iterator[Citation]:
        """The citations of the input: every block counted (`ctx.blocks`), each converted
        under one guard, the same for every format."""
        convert = self.convert
        for line, key, data in self.records(lines, ctx):
            ctx.blocks += 1
            if data is None:
                continue
            try:
                citation = convert(line, data, ctx)
            except Exception as exc:  # a bug or a shape no rule foresaw: one record, reported
                ctx.diags.error(self.code, f"{self.noun} could not be read "
                                f"({type(exc).__name__}: {exc}); skipped", line=line, key=key)
                continue
            if citation is not None:
                yield citation
