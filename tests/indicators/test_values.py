"""Values: manual entry, draft → published by the director, corrections as revisions, what
municipalities see."""

from __future__ import annotations

import uuid

from sqlmodel import select

from api.models import AuditEvent, IndicatorValue, IndicatorValueRevision
from api.security.scopes import Role
from tests.indicators.helpers import make_indicator, make_value

VALUES = "/api/v1/indicator-values"


def _enter(client, world, indicator, period="2026", value=12.5, role=Role.quality_lead, tenant="a", **kw):
    return client.post(
        f"/api/v1/indicators/{indicator.id}/values",
        json={"period": period, "value": value, **kw},
        headers=world.headers(role, tenant),
    )


def test_enter_a_manual_value_as_draft(client, world, session):
    indicator = make_indicator(session, code="TRAINING", unit="ratio")
    session.commit()
    r = _enter(client, world, indicator, comment="Iš mokymų žurnalo")
    assert r.status_code == 201, r.text
    out = r.json()
    assert (out["status"], out["origin"], out["value"], out["period"], out["revision"]) == (
        "draft",
        "manual",
        12.5,
        "2026",
        1,
    )
    assert out["period_end"] == "2026-12-31" and out["comment"] == "Iš mokymų žurnalo"
    stored = session.get(IndicatorValue, uuid.UUID(out["id"]))
    assert stored.institution_id == world.a.institution.id and stored.entered_by == world.user(Role.quality_lead).id
    assert _enter(client, world, indicator).status_code == 409
    assert _enter(client, world, indicator, period="2026-Q1").status_code == 422
    assert len(session.exec(select(IndicatorValue)).all()) == 1


def test_computed_indicators_are_not_entered_by_hand(client, world, session):
    indicator = make_indicator(
        session, code="SAT", source={"kind": "survey", "dimension_code": "SATISFACTION", "aggregation": "mean"}
    )
    session.commit()
    r = _enter(client, world, indicator)
    assert r.status_code == 409
    assert r.json()["type"] == "urn:ciklas:problem:invalid-transition"
    assert session.exec(select(IndicatorValue)).first() is None


def test_draft_is_edited_then_published_by_the_director_only(client, world, session):
    indicator = make_indicator(session, code="TRAINING")
    session.commit()
    value_id = _enter(client, world, indicator).json()["id"]
    path = f"{VALUES}/{value_id}"
    r = client.patch(
        path,
        json={"value": 14, "comment": "pataisyta"},
        headers=world.headers(Role.quality_lead, **{"If-Match": '"1"'}),
    )
    assert r.status_code == 200 and r.json()["value"] == 14.0
    assert (
        client.post(f"{path}/publish", headers=world.headers(Role.quality_lead, **{"If-Match": '"2"'})).status_code
        == 403
    )
    assert client.post(f"{path}/publish", headers=world.headers(Role.director)).status_code == 428
    assert (
        client.post(f"{path}/publish", headers=world.headers(Role.director, **{"If-Match": '"1"'})).status_code == 412
    )
    r = client.post(f"{path}/publish", headers=world.headers(Role.director, **{"If-Match": '"2"'}))
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "published" and r.json()["published_at"]
    session.expire_all()
    stored = session.get(IndicatorValue, uuid.UUID(value_id))
    assert stored.status == "published" and stored.published_by == world.user(Role.director).id
    # Publishing twice and editing a published value are illegal transitions that change nothing.
    r = client.post(f"{path}/publish", headers=world.headers(Role.director, **{"If-Match": '"3"'}))
    assert r.status_code == 409
    r = client.patch(path, json={"value": 1}, headers=world.headers(Role.director, **{"If-Match": '"3"'}))
    assert r.status_code == 409
    session.expire_all()
    assert (session.get(IndicatorValue, uuid.UUID(value_id)).value, stored.version) == (14.0, 3)
    actions = {e.action for e in session.exec(select(AuditEvent).where(AuditEvent.resource_id == stored.id))}
    assert {"create", "update", "publish"} <= actions


def test_correcting_a_published_value_makes_a_revision(client, world, session):
    indicator = make_indicator(session, code="TRAINING")
    row = make_value(session, indicator, world.a.institution, "2025", 10.0, comment="first")
    session.commit()
    path = f"{VALUES}/{row.id}"
    r = client.post(
        f"{path}/corrections",
        json={"value": 11, "reason": "Neįtraukti gruodžio mokymai"},
        headers=world.headers(Role.quality_lead, **{"If-Match": '"1"'}),
    )
    assert r.status_code == 403
    r = client.post(
        f"{path}/corrections", json={"value": 11}, headers=world.headers(Role.director, **{"If-Match": '"1"'})
    )
    assert r.status_code == 422  # a reason is required
    r = client.post(
        f"{path}/corrections",
        json={"value": 11, "reason": "Neįtraukti gruodžio mokymai"},
        headers=world.headers(Role.director, **{"If-Match": '"1"'}),
    )
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["value"], out["revision"], out["status"]) == (11.0, 2, "published")
    revisions = session.exec(select(IndicatorValueRevision)).all()
    assert [(x.revision, x.value, x.comment, x.reason) for x in revisions] == [
        (1, 10.0, "first", "Neįtraukti gruodžio mokymai")
    ]
    r = client.get(f"{path}/revisions", headers=world.headers(Role.staff))
    assert [(x["revision"], x["value"]) for x in r.json()] == [(1, 10.0)]
    r = client.get(f"{path}/revisions", headers=world.headers(Role.municipality_analyst))
    assert r.status_code == 200 and r.json()[0]["comment"] is None


def test_a_draft_is_not_corrected(client, world, session):
    indicator = make_indicator(session, code="TRAINING")
    row = make_value(session, indicator, world.a.institution, "2025", 10.0, published=False)
    session.commit()
    r = client.post(
        f"{VALUES}/{row.id}/corrections",
        json={"value": 11, "reason": "x"},
        headers=world.headers(Role.director, **{"If-Match": '"1"'}),
    )
    assert r.status_code == 409
    assert session.exec(select(IndicatorValueRevision)).first() is None


def test_municipality_sees_published_values_only_and_no_comments(client, world, session):
    indicator = make_indicator(session, code="TRAINING")
    published = make_value(session, indicator, world.a.institution, "2025", 10.0, comment="internal note")
    draft = make_value(session, indicator, world.a.institution, "2026", 12.0, published=False)
    other = make_value(session, indicator, world.c.institution, "2025", 9.0)
    session.commit()
    analyst = world.headers(Role.municipality_analyst)
    r = client.get(f"/api/v1/indicators/{indicator.id}/values", headers=analyst)
    assert [(v["id"], v["comment"]) for v in r.json()["items"]] == [(str(published.id), None)]
    assert client.get(f"{VALUES}/{draft.id}", headers=analyst).status_code == 404
    assert client.get(f"{VALUES}/{other.id}", headers=analyst).status_code == 404
    assert client.get(f"{VALUES}/{published.id}", headers=analyst).json()["value"] == 10.0
    r = client.get(f"/api/v1/indicators/{indicator.id}/values", headers=world.headers(Role.staff))
    assert [v["period"] for v in r.json()["items"]] == ["2026", "2025"]
    r = client.get(
        f"/api/v1/indicators/{indicator.id}/values", params={"status": "draft"}, headers=world.headers(Role.staff)
    )
    assert [v["period"] for v in r.json()["items"]] == ["2026"]


def test_small_survey_values_are_suppressed_for_municipalities(client, world, session):
    indicator = make_indicator(
        session, code="SAT", source={"kind": "survey", "dimension_code": "SATISFACTION", "aggregation": "mean"}
    )
    few = make_value(
        session, indicator, world.a.institution, "2025", 4.5, respondents=4, records=4, inputs={"respondents": 4}
    )
    enough = make_value(session, indicator, world.a.institution, "2026", 4.1, respondents=5, records=5)
    session.commit()
    analyst = world.headers(Role.municipality_analyst)
    out = client.get(f"{VALUES}/{few.id}", headers=analyst).json()
    assert (out["value"], out["suppressed"], out["inputs"]) == (None, True, None)
    out = client.get(f"{VALUES}/{enough.id}", headers=analyst).json()
    assert (out["value"], out["suppressed"]) == (4.1, False)
    # The institution itself sees its own figure.
    out = client.get(f"{VALUES}/{few.id}", headers=world.headers(Role.staff)).json()
    assert (out["value"], out["suppressed"]) == (4.5, False)


def test_an_inactive_indicator_takes_no_new_values(client, world, session):
    indicator = make_indicator(session, world.a.institution, code="OLD", active=False)
    session.commit()
    r = _enter(client, world, indicator)
    assert r.status_code == 409
    assert session.exec(select(IndicatorValue)).first() is None
    r = client.patch(
        f"/api/v1/indicators/{indicator.id}",
        json={"active": True},
        headers=world.headers(Role.director, **{"If-Match": '"1"'}),
    )
    assert r.status_code == 200
    assert _enter(client, world, indicator).status_code == 201


def test_a_draft_is_deleted_a_published_value_is_not(client, world, session):
    indicator = make_indicator(session, code="TRAINING")
    draft = make_value(session, indicator, world.a.institution, "2026", 1.0, published=False)
    published = make_value(session, indicator, world.a.institution, "2025", 2.0)
    session.commit()
    headers = world.headers(Role.quality_lead, **{"If-Match": '"1"'})
    assert client.delete(f"{VALUES}/{draft.id}", headers=world.headers(Role.quality_lead)).status_code == 428
    assert client.delete(f"{VALUES}/{published.id}", headers=headers).status_code == 409
    assert (
        client.delete(f"{VALUES}/{draft.id}", headers=world.headers(Role.staff, **{"If-Match": '"1"'})).status_code
        == 403
    )
    assert client.delete(f"{VALUES}/{draft.id}", headers=headers).status_code == 204
    session.expire_all()
    remaining = session.exec(select(IndicatorValue)).all()
    assert [v.id for v in remaining] == [published.id]
