"""Dates as listings show them ("Mar 1, 2023", "May 30") and their resolution."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from ..model.citation import PartialDate

# English, whatever the locale (calendar's names follow LC_TIME): listings and .bib files
# write months in English
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")
MONTHS = {name[:3].lower(): i for i, name in enumerate(MONTH_NAMES, 1)}
MONTHS.update({name.lower(): i for i, name in enumerate(MONTH_NAMES, 1)})
MONTHS["sept"] = 9
MONTH_MACROS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


class DateError(ValueError):
    pass


_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def days_in_month(year: int, month: int) -> int:
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _DAYS[month - 1]


@lru_cache(maxsize=8192)  # listings repeat dates; PartialDate is immutable
def make_date(year: int, month: int, day: int | None) -> PartialDate:
    """A checked PartialDate; raises DateError for a day the month does not have."""
    if not 1 <= month <= 12:
        raise DateError(f"month {month} does not exist")
    if day is not None and not 1 <= day <= days_in_month(year, month):
        raise DateError(f"{MONTH_NAMES[month - 1][:3]} {day}, {year} does not exist")
    return PartialDate(year, month, day)


def resolve_yearless(month: int, day: int, as_of: dt.date) -> PartialDate:
    """The latest date with this month and day that is not after `as_of`.

    A listing shows dates of the current year without the year; the capture happened on
    `as_of` or later, so the year is the latest one that does not put the date in the future.
    Feb 29 goes back to the latest leap year.

    >>> resolve_yearless(5, 30, dt.date(2026, 11, 27))
    PartialDate(year=2026, month=5, day=30, year_inferred=True)
    >>> resolve_yearless(12, 24, dt.date(2026, 11, 27)).year
    2025
    """
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        raise DateError(f"month {month}, day {day} does not exist")
    for year in range(as_of.year, as_of.year - 9, -1):
        if day <= days_in_month(year, month) and dt.date(year, month, day) <= as_of:
            return PartialDate(year, month, day, year_inferred=True)
    raise DateError(f"{MONTH_NAMES[month - 1][:3]} {day} does not exist")


_ISO = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


def parse_iso(text: str) -> PartialDate | None:
    """ "2023", "2023-03", "2023-03-01" (the start of an EDTF or ISO date); None if it is
    not one; raises DateError for a month or day that does not exist."""
    m = _ISO.match(text.strip())
    if not m:
        return None
    year = int(m.group(1))
    if not m.group(2):
        return PartialDate(year)
    month = int(m.group(2))
    if not m.group(3):
        if not 1 <= month <= 12:
            raise DateError(f"month {month} does not exist")
        return PartialDate(year, month)
    return make_date(year, month, int(m.group(3)))
