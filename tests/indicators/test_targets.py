"""Targets per institution, indicator and period."""

from __future__ import annotations

import uuid

from sqlmodel import select

from api.models import IndicatorTarget
from api.security.scopes import Role
from tests.indicators.helpers import make_indicator


def _path(indicator, target_id=None):
    base = f"/api/v1/indicators/{indicator.id}/targets"
    return f"{base}/{target_id}" if target_id else base


def test_quality_lead_sets_a_target_on_a_platform_indicator(client, world, session):
    indicator = make_indicator(session, code="SAT", periodicity="half_year")
    session.commit()
    r = client.post(
        _path(indicator),
        json={"period": "2026-H1", "target": 85, "comment": "Metinis planas"},
        headers=world.headers(Role.quality_lead),
    )
    assert r.status_code == 201, r.text
    out = r.json()
    assert (out["period"], out["period_start"], out["target"]) == ("2026-H1", "2026-01-01", 85.0)
    stored = session.get(IndicatorTarget, uuid.UUID(out["id"]))
    assert stored.institution_id == world.a.institution.id
    # One per period: a second one is 409 and stores nothing.
    r = client.post(_path(indicator), json={"period": "2026-H1", "target": 90}, headers=world.headers(Role.director))
    assert r.status_code == 409
    assert len(session.exec(select(IndicatorTarget)).all()) == 1
    # Another institution has its own target for the same period.
    r = client.post(
        _path(indicator), json={"period": "2026-H1", "target": 70}, headers=world.headers(Role.director, "b")
    )
    assert r.status_code == 201


def test_period_must_match_the_periodicity(client, world, session):
    indicator = make_indicator(session, code="SAT", periodicity="year")
    session.commit()
    for period in ("2026-Q1", "2026-13", "soon"):
        r = client.post(_path(indicator), json={"period": period, "target": 1}, headers=world.headers(Role.director))
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["field"].startswith("body.period")
    assert session.exec(select(IndicatorTarget)).first() is None


def test_list_update_delete(client, world, session):
    indicator = make_indicator(session, code="SAT")
    session.commit()
    director = world.headers(Role.director)
    ids = [
        client.post(_path(indicator), json={"period": p, "target": t}, headers=director).json()["id"]
        for p, t in (("2025", 80), ("2026", 85))
    ]
    client.post(_path(indicator), json={"period": "2026", "target": 50}, headers=world.headers(Role.director, "b"))
    r = client.get(_path(indicator), headers=world.headers(Role.staff))
    assert [t["period"] for t in r.json()["items"]] == ["2025", "2026"]
    r = client.get(_path(indicator), headers=world.headers(Role.municipality_analyst))
    assert len(r.json()["items"]) == 3
    target_path = _path(indicator, ids[1])
    assert client.patch(target_path, json={"target": 88}, headers=world.headers(Role.director)).status_code == 428
    r = client.patch(target_path, json={"target": 88}, headers=world.headers(Role.director, **{"If-Match": '"1"'}))
    assert r.status_code == 200 and r.json()["target"] == 88.0 and r.headers["etag"] == '"2"'
    r = client.patch(target_path, json={"target": None}, headers=world.headers(Role.director, **{"If-Match": '"2"'}))
    assert r.status_code == 422
    r = client.delete(target_path, headers=world.headers(Role.director, **{"If-Match": '"1"'}))
    assert r.status_code == 412
    r = client.delete(target_path, headers=world.headers(Role.director, **{"If-Match": '"2"'}))
    assert r.status_code == 204
    session.expire_all()
    assert session.get(IndicatorTarget, uuid.UUID(ids[1])) is None
    assert client.get(target_path, headers=world.headers(Role.director)).status_code == 404


def test_staff_cannot_set_targets_and_foreign_indicator_is_404(client, world, session):
    b_own = make_indicator(session, world.b.institution, code="B_OWN")
    platform = make_indicator(session, code="SAT")
    session.commit()
    assert (
        client.post(
            _path(platform), json={"period": "2026", "target": 1}, headers=world.headers(Role.staff)
        ).status_code
        == 403
    )
    assert (
        client.post(
            _path(b_own), json={"period": "2026", "target": 1}, headers=world.headers(Role.director)
        ).status_code
        == 404
    )
