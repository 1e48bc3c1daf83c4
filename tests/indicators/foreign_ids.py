"""Ids of indicator resources of institution A (see tests/routes.py)."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from api.models import Indicator, IndicatorTarget, IndicatorValue
from tests.indicators.helpers import make_indicator, make_value

A_CODE = "A_OWN_INDICATOR"


def _a_indicator(world, session) -> Indicator:
    row = session.exec(select(Indicator).where(Indicator.code == A_CODE)).first()
    if row is None:
        row = make_indicator(session, world.a.institution, code=A_CODE)
        session.commit()
    return row


def _a_target(world, session):
    indicator = _a_indicator(world, session)
    row = session.exec(select(IndicatorTarget).where(IndicatorTarget.indicator_id == indicator.id)).first()
    if row is None:
        row = IndicatorTarget(
            institution_id=world.a.institution.id,
            indicator_id=indicator.id,
            period_start=date(2025, 1, 1),
            period_label="2025",
            target=90.0,
        )
        session.add(row)
        session.commit()
    return row.id


def _a_value(world, session):
    indicator = _a_indicator(world, session)
    row = session.exec(select(IndicatorValue).where(IndicatorValue.indicator_id == indicator.id)).first()
    if row is None:
        row = make_value(session, indicator, world.a.institution, "2025", 80.0)
        session.commit()
    return row.id


MAKERS = {
    "indicator_id": lambda world, session: _a_indicator(world, session).id,
    "indicator_code": lambda world, session: _a_indicator(world, session).code,
    "target_id": _a_target,
    "value_id": _a_value,
}

BODIES = {
    "update_platform_indicator": {"name_en": "Renamed"},
    "update_indicator": {"name_en": "Renamed"},
    "create_indicator_target": {"period": "2026", "target": 75},
    "update_indicator_target": {"target": 80},
    "enter_indicator_value": {"period": "2026", "value": 50},
    "recompute_indicator_value": {"period": "2026"},
    "recompute_platform_indicator": {"period": "2026"},
    "update_indicator_value": {"value": 10},
    "correct_indicator_value": {"value": 10, "reason": "typo"},
}
