"""Plain factories for indicator tests: catalogue entries, institutions of a kind, values."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from api.indicators.periods import Period
from api.models import Indicator, IndicatorValue, Institution, ValueOrigin, ValueStatus


def make_indicator(session: Session, institution: Institution | None = None, **kw: Any) -> Indicator:
    source = kw.pop("source", {"kind": "manual"})
    row = Indicator(
        **{
            "code": f"IND_{uuid.uuid4().hex[:8].upper()}",
            "name_lt": "Rodiklis",
            "name_en": "Indicator",
            "unit": "percent",
            "direction": "higher_is_better",
            "periodicity": "year",
            "institution_id": institution.id if institution else None,
            "source_kind": source["kind"],
            "source": source,
            **kw,
        }
    )
    session.add(row)
    session.flush()
    return row


def make_value(
    session: Session,
    indicator: Indicator,
    institution: Institution,
    label: str,
    value: float | None,
    *,
    published: bool = True,
    respondents: int | None = None,
    records: int | None = None,
    persons: int | None = None,
    **kw: Any,
) -> IndicatorValue:
    """`respondents` (survey respondents) and `persons` are the same column: the persons behind it."""
    persons = persons if persons is not None else respondents
    period = Period.parse(label)
    row = IndicatorValue(
        institution_id=institution.id,
        indicator_id=indicator.id,
        periodicity=period.periodicity,
        period_start=period.start,
        period_end=period.end,
        period_label=period.label,
        value=value,
        status=ValueStatus.published if published else ValueStatus.draft,
        origin=ValueOrigin.computed if persons is not None else ValueOrigin.manual,
        persons=persons,
        records=records,
        published_at=datetime.now(UTC) if published else None,
        **kw,
    )
    session.add(row)
    session.flush()
    return row
