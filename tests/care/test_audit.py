"""Every read and change of care data writes an audit event in the request's transaction."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import select

from api.models import AuditEvent, CarePlan, CarePlanStatus
from api.security.scopes import Role
from tests.care.factories import make_goal, make_plan, make_recipient


def _events(session, **where):
    session.commit()  # end the read snapshot: see what the API committed since
    stmt = select(AuditEvent)
    for key, value in where.items():
        stmt = stmt.where(getattr(AuditEvent, key) == value)
    return session.exec(stmt.order_by(AuditEvent.occurred_at, AuditEvent.id)).all()


def _count(session) -> int:
    session.commit()
    return session.exec(select(sa.func.count(AuditEvent.id))).one()


def test_read_of_recipient_writes_an_event_with_actor_role_request_and_recipient(client, world, session):
    recipient = make_recipient(session, world)
    worker = world.user(Role.social_worker)
    r = client.get(
        f"/api/v1/recipients/{recipient.id}",
        headers=world.headers(Role.social_worker, **{"X-Request-ID": "req-care-000001"}),
    )
    assert r.status_code == 200
    [event] = _events(session, recipient_id=recipient.id)
    assert (event.actor_id, event.actor_role, event.action, event.resource_type, event.resource_id) == (
        worker.id,
        "social_worker",
        "read",
        "recipient",
        recipient.id,
    )
    assert event.institution_id == world.a.institution.id
    assert event.request_id == "req-care-000001"
    assert event.occurred_at is not None


def test_lists_write_one_event_per_row_served(client, world, session):
    first, second = make_recipient(session, world), make_recipient(session, world)
    make_plan(session, first)
    make_plan(session, second)
    assert client.get("/api/v1/care-plans", headers=world.headers(Role.director)).status_code == 200
    events = _events(session, resource_type="care_plan", action="list")
    assert sorted(e.recipient_id for e in events) == sorted([first.id, second.id])
    assert client.get("/api/v1/recipients", headers=world.headers(Role.director)).status_code == 200
    assert len(_events(session, resource_type="recipient", action="list")) == 2


def test_writes_are_audited(client, world, session):
    recipient = make_recipient(session, world)
    h = world.headers(Role.social_worker)
    r = client.post(
        "/api/v1/care-plans",
        json={"recipient_id": str(recipient.id), "kind": "ispp", "period_start": "2026-02-01"},
        headers=h,
    )
    assert r.status_code == 201, r.text
    plan_id = r.json()["id"]
    r = client.post(f"/api/v1/care-plans/{plan_id}/needs", json={"domain": "housing", "level": "high"}, headers=h)
    assert r.status_code == 201
    actions = [(e.action, e.resource_type) for e in _events(session, recipient_id=recipient.id)]
    assert actions == [("create", "care_plan"), ("add_need", "care_plan")]


def test_failed_request_leaves_no_audit_event(client, world, session):
    """The plan is read (and the read recorded) before the transition is refused: the 409 rolls both back."""
    recipient = make_recipient(session, world)
    plan = make_plan(session, recipient)  # a draft without goals cannot be activated
    before = _count(session)
    body = {"participation": {"participated": True, "participated_on": "2026-01-05"}, "next_review_date": "2026-03-01"}
    r = client.post(
        f"/api/v1/care-plans/{plan.id}/activate",
        json=body,
        headers=world.headers(Role.social_worker, **{"If-Match": '"1"'}),
    )
    assert r.status_code == 409, r.text
    assert _count(session) == before
    # A stale If-Match and a bad goal id in a review: also nothing written.
    make_goal(session, plan)
    r = client.post(
        f"/api/v1/care-plans/{plan.id}/activate",
        json=body,
        headers=world.headers(Role.social_worker, **{"If-Match": '"7"'}),
    )
    assert r.status_code == 412
    plan.status = CarePlanStatus.active
    session.add(plan)
    session.commit()
    r = client.post(
        f"/api/v1/care-plans/{plan.id}/reviews",
        headers=world.headers(Role.social_worker),
        json={"review_date": "2026-02-01", "goals": [{"goal_id": str(recipient.id), "attainment": "achieved"}]},
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "body.goals.0.goal_id"
    assert _count(session) == before
    session.commit()
    session.expire_all()
    assert session.get(CarePlan, plan.id).next_review_date is None


def test_audit_events_endpoint_for_director_and_quality_lead(client, world, session):
    recipient = make_recipient(session, world)
    client.get(f"/api/v1/recipients/{recipient.id}", headers=world.headers(Role.guardian))
    for role in (Role.director, Role.quality_lead):
        r = client.get("/api/v1/audit-events", params={"recipient_id": str(recipient.id)}, headers=world.headers(role))
        assert r.status_code == 200
        assert [e["actor_role"] for e in r.json()["items"]] == ["guardian"]
    for role in (Role.social_worker, Role.department_head, Role.recipient, Role.guardian):
        assert client.get("/api/v1/audit-events", headers=world.headers(role)).status_code == 403
    r = client.get("/api/v1/audit-events", headers=world.headers(Role.director, "b"))
    assert r.json()["items"] == []
