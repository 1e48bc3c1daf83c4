"""Recipients: registration, assignment, discharge and anonymisation after the retention period."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlmodel import select

from api.care_plans.aggregates import goals_achieved, plans_reviewed_on_time, plans_with_participation
from api.models import (
    Attainment,
    CareGoal,
    CareNeed,
    CarePlan,
    CarePlanComment,
    CarePlanStatus,
    CareReview,
    Recipient,
    RecipientGuardian,
    RecipientStatus,
)
from api.security.scopes import Role
from api.types import today
from tests.care.factories import activated, make_goal, make_plan, make_recipient, make_review

BODY = {
    "first_name": "Jonas",
    "last_name": "Jonaitis",
    "birth_date": "1938-03-04",
    "personal_code": "33803040000",
    "admission_date": "2026-01-05",
}


def _fresh(session, id_):
    session.commit()
    session.expire_all()
    return session.get(Recipient, uuid.UUID(str(id_)))


def test_social_worker_registers_and_becomes_key_worker(client, world, session):
    links = {"user_id": str(world.user(Role.recipient).id), "guardian_ids": [str(world.user(Role.guardian).id)]}
    # Linking accounts is the director's or the quality lead's (tests/care/test_need_to_know.py).
    r = client.post("/api/v1/recipients", json={**BODY, **links}, headers=world.headers(Role.social_worker))
    assert r.status_code == 403
    r = client.post("/api/v1/recipients", json=BODY, headers=world.headers(Role.social_worker))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["key_worker_id"] == str(world.user(Role.social_worker).id)
    assert body["status"] == "active" and body["guardian_ids"] == []
    assert r.headers["Location"] == f"/api/v1/recipients/{body['id']}"
    stored = _fresh(session, body["id"])
    assert stored.institution_id == world.a.institution.id and stored.personal_code == "33803040000"
    r = client.patch(
        f"/api/v1/recipients/{body['id']}", json=links, headers=world.headers(Role.quality_lead, **{"If-Match": '"1"'})
    )
    assert r.status_code == 200 and r.json()["guardian_ids"] == [str(world.user(Role.guardian).id)]
    assert client.get(f"/api/v1/recipients/{body['id']}", headers=world.headers(Role.recipient)).status_code == 200


def test_department_head_registers_into_their_department(client, world, session):
    r = client.post("/api/v1/recipients", json=BODY, headers=world.headers(Role.department_head))
    assert r.status_code == 201
    assert r.json()["department_id"] == str(world.a.department.id) and r.json()["key_worker_id"] is None


def test_links_must_be_people_of_the_institution_with_the_right_role(client, world, session):
    h = world.headers(Role.director)
    cases = {
        "key_worker_id": str(world.user(Role.social_worker, "b").id),
        "user_id": str(world.user(Role.guardian).id),
        "department_id": str(world.b.department.id),
    }
    for field, value in cases.items():
        r = client.post("/api/v1/recipients", json={**BODY, field: value}, headers=h)
        assert r.status_code == 422, field
        assert r.json()["errors"][0]["field"] == f"body.{field}"
    r = client.post("/api/v1/recipients", json={**BODY, "guardian_ids": [str(world.user(Role.staff).id)]}, headers=h)
    assert r.status_code == 422
    r = client.post("/api/v1/recipients", json={**BODY, "institution_id": str(world.b.institution.id)}, headers=h)
    assert r.status_code == 422
    session.commit()
    assert session.exec(select(Recipient)).all() == []


def test_update_discharge_and_guardians(client, world, session):
    recipient = make_recipient(session, world)
    active_plan = make_plan(session, recipient, status=CarePlanStatus.active, next_review_date=date(2026, 3, 1))
    draft_plan = make_plan(session, recipient)
    url = f"/api/v1/recipients/{recipient.id}"
    h = world.headers(Role.social_worker)
    assert client.patch(url, json={"discharge_date": "2026-03-01"}, headers=h).status_code == 428
    r = client.patch(url, json={"discharge_date": "2024-01-01"}, headers={**h, "If-Match": '"1"'})
    assert r.status_code == 422  # before admission
    # Unlinking the guardians is the director's or the quality lead's (tests/care/test_need_to_know.py).
    r = client.patch(url, json={"discharge_date": "2026-03-01", "guardian_ids": []}, headers={**h, "If-Match": '"1"'})
    assert r.status_code == 403
    r = client.patch(
        url,
        json={"discharge_date": "2026-03-01", "guardian_ids": []},
        headers=world.headers(Role.director, **{"If-Match": '"1"'}),
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "discharged" and r.json()["guardian_ids"] == []
    assert client.patch(url, json={"first_name": "X"}, headers={**h, "If-Match": '"1"'}).status_code == 412
    stored = _fresh(session, recipient.id)
    assert stored.status == RecipientStatus.discharged and stored.version == 2
    assert session.exec(select(RecipientGuardian)).all() == []
    # Discharge ends the active plan (it leaves the reviews-due lists); a draft stays a draft.
    closed = session.get(CarePlan, active_plan.id)
    session.refresh(closed)
    assert (closed.status, closed.next_review_date, closed.version) == (CarePlanStatus.closed, None, 2)
    assert session.get(CarePlan, draft_plan.id).status == CarePlanStatus.draft
    goal = make_goal(session, draft_plan)
    r = client.post(
        f"/api/v1/care-plans/{goal.care_plan_id}/activate",
        headers={**h, "If-Match": '"1"'},
        json={
            "participation": {"participated": True, "participated_on": "2026-02-02"},
            "next_review_date": "2026-03-01",
        },
    )
    assert r.status_code == 409
    # A discharged recipient gets no new plan.
    r = client.post(
        "/api/v1/care-plans",
        json={"recipient_id": str(recipient.id), "kind": "ispp", "period_start": "2026-04-01"},
        headers=h,
    )
    assert r.status_code == 409


def _stats(session, institution_id):
    start, end = date(2026, 1, 1), date(2026, 12, 31)
    return (
        goals_achieved(session, institution_id, start, end),
        plans_reviewed_on_time(session, institution_id, start, end, as_of=date(2027, 1, 1)),
        plans_with_participation(session, institution_id, start, end),
    )


def test_anonymisation_after_retention_keeps_the_statistics(client, world, session, monkeypatch):
    monkeypatch.setattr(client.app.state.settings, "recipient_retention_days", 30)
    discharged = today() - timedelta(days=31)
    recipient = make_recipient(session, world, discharge_date=discharged, status=RecipientStatus.discharged)
    plan = make_plan(
        session,
        recipient,
        status=CarePlanStatus.closed,
        next_review_date=None,
        activated_at=activated(date(2026, 1, 2)),
        participated=True,
        participants=["Jonas"],
        recipient_wishes="Noriu namo. I want to go home.",
    )
    make_goal(session, plan, attainment=Attainment.achieved, description="Ona walks to her daughter's house")
    make_goal(session, plan, attainment=Attainment.not_achieved)
    make_review(session, plan, review_date=date(2026, 2, 1), due_date=date(2026, 2, 5))
    session.add(
        CarePlanComment(
            institution_id=plan.institution_id,
            care_plan_id=plan.id,
            author_role="recipient",
            body="Mano dukra Rūta ...",
        )
    )
    session.commit()
    before = _stats(session, world.a.institution.id)
    assert before == ((1, 2), (1, 1), (1, 1))
    url = f"/api/v1/recipients/{recipient.id}/anonymise"
    # Only the director holds recipients:erase.
    assert client.post(url, headers=world.headers(Role.quality_lead, **{"If-Match": '"1"'})).status_code == 403
    r = client.post(url, headers=world.headers(Role.director, **{"If-Match": '"1"'}))
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["status"] == "anonymised" and out["first_name"] is None and out["personal_code"] is None
    assert out["birth_date"] is None and out["user_id"] is None and out["guardian_ids"] == []
    stored = _fresh(session, recipient.id)
    assert (stored.first_name, stored.last_name, stored.birth_date) == (None, None, None)
    stored_plan = session.get(CarePlan, plan.id)
    session.refresh(stored_plan)
    assert stored_plan.recipient_wishes is None and stored_plan.participants is None
    assert stored_plan.participated is True
    assert session.exec(select(CarePlanComment)).all() == []
    goals = session.exec(select(CareGoal)).all()
    # The measure may name the person too (tests/care/test_erasure.py): it is redacted, the attainment stays.
    assert [g.description for g in goals] == [None, None] and {g.measure for g in goals} == {"[ištrinta / erased]"}
    assert sorted(g.attainment for g in goals) == [Attainment.achieved, Attainment.not_achieved]
    assert {n.description for n in session.exec(select(CareNeed)).all()} == {None}
    assert [rv.notes for rv in session.exec(select(CareReview)).all()] == [None]
    assert _stats(session, world.a.institution.id) == before
    # The recipient's account no longer reaches the record: it is deactivated, so its token is dead
    # (401, tokens follow their account); a second erasure is a conflict.
    assert client.get(f"/api/v1/recipients/{recipient.id}", headers=world.headers(Role.recipient)).status_code == 401
    r = client.post(url, headers=world.headers(Role.director, **{"If-Match": f'"{stored.version}"'}))
    assert r.status_code == 409
    patch = client.patch(
        f"/api/v1/recipients/{recipient.id}",
        json={"first_name": "Back"},
        headers=world.headers(Role.director, **{"If-Match": f'"{stored.version}"'}),
    )
    assert patch.status_code == 409


def test_anonymisation_refused_before_discharge_and_retention(client, world, session):
    active = make_recipient(session, world)
    h = world.headers(Role.director, **{"If-Match": '"1"'})
    r = client.post(f"/api/v1/recipients/{active.id}/anonymise", headers=h)
    assert r.status_code == 409
    recent = make_recipient(
        session, world, discharge_date=today() - timedelta(days=10), status=RecipientStatus.discharged
    )
    r = client.post(f"/api/v1/recipients/{recent.id}/anonymise", headers=h)
    assert r.status_code == 409
    assert r.json()["erasable_from"] == (recent.discharge_date + timedelta(days=3650)).isoformat()
    assert _fresh(session, recent.id).first_name == "Ona"
