"""Which period each kind of plan covers, which plan may be its parent, and month arithmetic.

Periods are written as the indicators write them (`2026`, `2026-H1`, `2026-Q3`, `2026-05`); a
strategic plan covers several whole years, written `2026-2030`.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from api.indicators.periods import Period, Periodicity
from api.models import PlanKind
from api.types import MAX_YEAR, MIN_YEAR

PERIOD_PATTERN = r"^\d{4}(-(H[12]|Q[1-4]|0[1-9]|1[0-2]|\d{4}))?$"
MAX_STRATEGIC_YEARS = 10
_YEARS = re.compile(r"^(?P<first>\d{4})-(?P<last>\d{4})$")

#: The periodicity of each kind's period (strategic plans span years instead).
KIND_PERIODICITY: dict[PlanKind, Periodicity] = {
    PlanKind.annual: Periodicity.year,
    PlanKind.half_year: Periodicity.half_year,
    PlanKind.quarterly: Periodicity.quarter,
    PlanKind.monthly: Periodicity.month,
    PlanKind.department: Periodicity.year,
    PlanKind.competence_development: Periodicity.year,
    PlanKind.improvement: Periodicity.year,
}
_EXAMPLES = {
    Periodicity.year: "2026",
    Periodicity.half_year: "2026-H1",
    Periodicity.quarter: "2026-Q1",
    Periodicity.month: "2026-01",
}

#: The kinds of plan a plan of each kind may hang under: annual → (half-year →) quarterly → monthly;
#: department, competence and improvement plans feed the annual plan; the annual plan serves the
#: strategic plan.
PARENT_KINDS: dict[PlanKind, frozenset[PlanKind]] = {
    PlanKind.strategic: frozenset(),
    PlanKind.annual: frozenset({PlanKind.strategic}),
    PlanKind.half_year: frozenset({PlanKind.annual}),
    PlanKind.quarterly: frozenset({PlanKind.annual, PlanKind.half_year}),
    PlanKind.monthly: frozenset({PlanKind.annual, PlanKind.half_year, PlanKind.quarterly}),
    PlanKind.department: frozenset({PlanKind.annual}),
    PlanKind.competence_development: frozenset({PlanKind.annual}),
    PlanKind.improvement: frozenset({PlanKind.annual}),
}

#: Kinds of which an institution has one plan per period (one per department for department plans).
ONE_PER_PERIOD = frozenset({PlanKind.strategic, PlanKind.annual, PlanKind.competence_development, PlanKind.department})


@dataclass(frozen=True)
class PlanPeriod:
    label: str
    start: date
    end: date

    def contains(self, other: PlanPeriod) -> bool:
        return self.start <= other.start and other.end <= self.end


def plan_period(kind: PlanKind, label: str) -> PlanPeriod:
    """The period `label` names, if it suits a plan of `kind` (ValueError otherwise)."""
    if kind is PlanKind.strategic:
        match = _YEARS.match(label)
        if not match:
            raise ValueError("a strategic plan covers several years, written like 2026-2030")
        first, last = int(match["first"]), int(match["last"])
        if first < MIN_YEAR or last > MAX_YEAR or not first < last <= first + MAX_STRATEGIC_YEARS - 1:
            raise ValueError(f"a strategic plan covers 2 to {MAX_STRATEGIC_YEARS} years, e.g. 2026-2030")
        return PlanPeriod(f"{first}-{last}", date(first, 1, 1), date(last, 12, 31))
    periodicity = KIND_PERIODICITY[kind]
    message = f"a {kind.value} plan's period is written like {_EXAMPLES[periodicity]}"
    try:
        period = Period.parse(label)
        end = period.end  # the year 9999 has no successor
    except ValueError as exc:
        raise ValueError(message) from exc
    if period.periodicity != periodicity:
        raise ValueError(message)
    return PlanPeriod(period.label, period.start, end)


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months, kept within the month (31 January + 1 month = 28/29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
