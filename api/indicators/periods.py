"""Reporting periods: a periodicity and the first day of the period, with a canonical label.

Labels: "2026" (year), "2026-H1" (half year), "2026-Q3" (quarter), "2026-05" (month). A period's
end is its last day (inclusive).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from api.types import MAX_YEAR, MIN_YEAR


class Periodicity(StrEnum):
    year = "year"
    half_year = "half_year"
    quarter = "quarter"
    month = "month"


MONTHS_PER_PERIOD = {Periodicity.year: 12, Periodicity.half_year: 6, Periodicity.quarter: 3, Periodicity.month: 1}
PERIODS_PER_YEAR = {p: 12 // m for p, m in MONTHS_PER_PERIOD.items()}

_LABEL = re.compile(r"^(?P<year>\d{4})(?:-(?:H(?P<half>[12])|Q(?P<quarter>[1-4])|(?P<month>0[1-9]|1[0-2])))?$")


@dataclass(frozen=True, order=True)
class Period:
    periodicity: Periodicity
    start: date

    def __post_init__(self) -> None:
        # Rows hand the periodicity back as a plain string.
        object.__setattr__(self, "periodicity", Periodicity(self.periodicity))
        step = MONTHS_PER_PERIOD[self.periodicity]
        if self.start.day != 1 or (self.start.month - 1) % step:
            raise ValueError(f"{self.start.isoformat()} is not the first day of a {self.periodicity.value} period")

    @classmethod
    def parse(cls, label: str) -> Period:
        match = _LABEL.match(label.strip())
        if not match:
            raise ValueError("a period is written 2026, 2026-H1, 2026-Q3 or 2026-05")
        year = int(match["year"])
        if not MIN_YEAR <= year <= MAX_YEAR:  # the years requests may carry (api/types.py)
            raise ValueError(f"the year is out of range ({MIN_YEAR}-{MAX_YEAR})")
        if match["half"]:
            return cls(Periodicity.half_year, date(year, 1 + 6 * (int(match["half"]) - 1), 1))
        if match["quarter"]:
            return cls(Periodicity.quarter, date(year, 1 + 3 * (int(match["quarter"]) - 1), 1))
        if match["month"]:
            return cls(Periodicity.month, date(year, int(match["month"]), 1))
        return cls(Periodicity.year, date(year, 1, 1))

    @property
    def label(self) -> str:
        year, month = self.start.year, self.start.month
        if self.periodicity == Periodicity.half_year:
            return f"{year}-H{1 if month < 7 else 2}"
        if self.periodicity == Periodicity.quarter:
            return f"{year}-Q{(month - 1) // 3 + 1}"
        if self.periodicity == Periodicity.month:
            return f"{year}-{month:02d}"
        return str(year)

    @property
    def end(self) -> date:
        """The last day of the period."""
        return self.shift(1).start - timedelta(days=1)

    def shift(self, periods: int) -> Period:
        months = self.start.year * 12 + self.start.month - 1 + periods * MONTHS_PER_PERIOD[self.periodicity]
        return Period(self.periodicity, date(months // 12, months % 12 + 1, 1))

    def previous(self) -> Period:
        return self.shift(-1)

    def same_period_last_year(self) -> Period:
        return self.shift(-PERIODS_PER_YEAR[self.periodicity])

    def last(self, count: int) -> list[Period]:
        """This period and the `count - 1` before it, oldest first."""
        return [self.shift(-i) for i in range(count - 1, -1, -1)]


def previous_period(periodicity: Periodicity, start: date) -> Period:
    return Period(periodicity, start).previous()


def same_period_last_year(periodicity: Periodicity, start: date) -> Period:
    return Period(periodicity, start).same_period_last_year()


def period_label(periodicity: Periodicity | str, start: date) -> str:
    return Period(Periodicity(periodicity), start).label
