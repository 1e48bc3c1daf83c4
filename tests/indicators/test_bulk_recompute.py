"""POST /api/v1/indicators/platform/{indicator_id}/values/recompute: the platform job computing a
platform indicator's period for every institution in one grouped aggregate."""

from __future__ import annotations

from sqlmodel import select

from api.models import IndicatorValue, ValueStatus
from api.security.scopes import Role
from api.types import today
from tests.indicators.helpers import make_indicator, make_value
from tests.surveys.factories import make_campaign, make_questionnaire
from tests.surveys.helpers import submit_known


def _url(indicator) -> str:
    return f"/api/v1/indicators/platform/{indicator.id}/values/recompute"


def test_recomputes_every_institution_and_keeps_published_values(client, world, session):
    submit_known(
        client, world, make_campaign(session, make_questionnaire(session, world.a.institution), world.a.institution)
    )
    submit_known(
        client,
        world,
        make_campaign(session, make_questionnaire(session, world.b.institution), world.b.institution),
        tenant="b",
        rows=[(1, 1, False)],
    )
    sat = make_indicator(
        session,
        code="SAT",
        source={"kind": "survey", "dimension_code": "SATISFACTION", "concept_code": None, "aggregation": "top_box"},
    )
    year = str(today().year)
    published = make_value(session, sat, world.c.institution, year, 42.0)
    session.commit()
    r = client.post(_url(sat), json={"period": year}, headers=world.headers(Role.platform_admin))
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["indicator_id"] == str(sat.id) and out["period"] == year
    assert out["published_kept"] == 1 and out["refreshed"] == 0 and out["created"] >= 2
    rows = {
        v.institution_id: v
        for v in session.exec(select(IndicatorValue).where(IndicatorValue.indicator_id == sat.id)).all()
    }
    session.expire_all()
    a, b = rows[world.a.institution.id], rows[world.b.institution.id]
    assert (a.value, a.persons, a.status) == (50.0, 4, ValueStatus.draft)
    assert (b.value, b.persons) == (0.0, 1)
    assert session.get(IndicatorValue, published.id).value == 42.0  # published: left alone
    assert len(rows) == out["created"] + out["published_kept"]  # one value per institution
    # Again: the drafts are refreshed, not duplicated.
    r = client.post(_url(sat), json={"period": year}, headers=world.headers(Role.platform_admin))
    assert r.json()["created"] == 0 and r.json()["refreshed"] == out["created"]
    assert len(session.exec(select(IndicatorValue).where(IndicatorValue.indicator_id == sat.id)).all()) == len(rows)


def test_refusals(client, world, session):
    manual = make_indicator(session, code="MANUAL")
    own = make_indicator(
        session,
        world.a.institution,
        code="OWN",
        source={"kind": "survey", "dimension_code": "SATISFACTION", "concept_code": None, "aggregation": "mean"},
    )
    survey = make_indicator(
        session,
        code="SURVEY",
        source={"kind": "survey", "dimension_code": "SATISFACTION", "concept_code": None, "aggregation": "mean"},
    )
    session.commit()
    admin = world.headers(Role.platform_admin)
    r = client.post(_url(manual), json={"period": "2025"}, headers=admin)
    assert r.status_code == 409 and r.json()["type"] == "urn:ciklas:problem:source-not-available"
    assert client.post(_url(own), json={"period": "2025"}, headers=admin).status_code == 404
    r = client.post(_url(survey), json={"period": "2025-Q1"}, headers=admin)
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "periodicity_mismatch"
    assert client.post(_url(survey), json={"period": "2025"}, headers=world.headers(Role.director)).status_code == 403
    assert session.exec(select(IndicatorValue)).first() is None
