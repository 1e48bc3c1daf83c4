"""Plain factories for evaluation tests."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session

from api.models import ImprovementMeasure, Institution, MeasureArea, MeasureStatus
from api.security.scopes import Role
from tests.indicators.helpers import make_indicator, make_value

MEASURES = "/api/v1/improvement-measures"


def empty_catalogue(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM indicators"))


def satisfaction(session: Session, institution: Institution, **kw):
    """An institution's yearly indicator with the 2025 value published (80)."""
    indicator = make_indicator(session, institution, code=kw.pop("code", "SAT_OWN"), **kw)
    make_value(session, indicator, institution, "2025", 80.0)
    session.commit()
    return indicator


def make_measure(
    session: Session, institution: Institution, *, status: MeasureStatus = MeasureStatus.proposed, **kw
) -> ImprovementMeasure:
    row = ImprovementMeasure(
        institution_id=institution.id,
        year=kw.pop("year", 2026),
        title=kw.pop("title", "More group activities"),
        area=kw.pop("area", MeasureArea.satisfaction),
        status=status,
        **kw,
    )
    session.add(row)
    session.commit()
    return row


def create(client, world, role=Role.quality_lead, **body):
    payload = {"year": 2026, "title": "Daugiau užimtumo veiklų", "area": "satisfaction", **body}
    r = client.post(MEASURES, json=payload, headers=world.headers(role))
    assert r.status_code == 201, r.text
    return r.json()


def act(client, world, measure, action, role=Role.quality_lead, expect=200):
    r = client.post(
        f"{MEASURES}/{measure['id']}/{action}", headers=world.headers(role, **{"If-Match": f'"{measure["version"]}"'})
    )
    assert r.status_code == expect, r.text
    return r.json()
