"""The care-plan lifecycle through the API: draw up, activate with participation, review, renew, close."""

from __future__ import annotations

import uuid
from datetime import date

from sqlmodel import select

from api.models import CareGoal, CarePlan, CarePlanKind, CarePlanStatus, CareReview
from api.security.scopes import Role
from tests.care.factories import make_goal, make_plan, make_recipient

PARTICIPATION = {
    "participated": True,
    "participated_on": "2026-02-02",
    "participants": ["recipient", "daughter"],
    "recipient_wishes": "Noriu daugiau vaikščioti sode. I want to walk in the garden more.",
}


def _fresh(session, model, id_):
    session.commit()
    session.expire_all()
    return session.get(model, uuid.UUID(str(id_)))


def _draw_up(client, world, recipient, kind="ispp", **extra):
    h = world.headers(Role.social_worker)
    r = client.post(
        "/api/v1/care-plans",
        json={"recipient_id": str(recipient.id), "kind": kind, "period_start": "2026-02-01", **extra},
        headers=h,
    )
    assert r.status_code == 201, r.text
    plan = r.json()
    need = client.post(
        f"/api/v1/care-plans/{plan['id']}/needs",
        headers=h,
        json={"domain": "daily_living", "level": "high", "description": "Walking"},
    ).json()
    goals = []
    for measure in ("Metres walked unaided", "Meals eaten at the table"):
        r = client.post(
            f"/api/v1/care-plans/{plan['id']}/goals",
            headers=h,
            json={
                "need_id": need["id"],
                "measure": measure,
                "baseline": "10",
                "target": "50",
                "due_date": "2026-02-28",
            },
        )
        assert r.status_code == 201, r.text
        goals.append(r.json())
    r = client.post(
        f"/api/v1/care-plans/{plan['id']}/services",
        headers=h,
        json={"description": "Physiotherapy", "provider": "Kineziterapeutas", "frequency": "2 times a week"},
    )
    assert r.status_code == 201
    read = client.get(f"/api/v1/care-plans/{plan['id']}", headers=h)
    return read.json(), read.headers["ETag"], goals


def test_ispp_defaults_to_its_month_and_isgp_requires_a_period_end(client, world, session):
    recipient = make_recipient(session, world)
    plan, _etag, _goals = _draw_up(client, world, recipient)
    assert (plan["status"], plan["period_start"], plan["period_end"]) == ("draft", "2026-02-01", "2026-02-28")
    assert len(plan["needs"]) == 1 and len(plan["goals"]) == 2 and len(plan["services"]) == 1
    r = client.post(
        "/api/v1/care-plans",
        json={"recipient_id": str(recipient.id), "kind": "isgp", "period_start": "2026-02-01"},
        headers=world.headers(Role.social_worker),
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.period_end"
    r = client.post(
        "/api/v1/care-plans",
        json={
            "recipient_id": str(recipient.id),
            "kind": "isgp",
            "period_start": "2026-02-01",
            "period_end": "2026-01-01",
        },
        headers=world.headers(Role.social_worker),
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.period_end"


def test_goal_must_belong_to_a_need_of_the_plan(client, world, session):
    recipient = make_recipient(session, world)
    other = make_plan(session, recipient)
    foreign_goal = make_goal(session, other)
    plan, _etag, _goals = _draw_up(client, world, recipient)
    r = client.post(
        f"/api/v1/care-plans/{plan['id']}/goals",
        headers=world.headers(Role.social_worker),
        json={
            "need_id": str(foreign_goal.need_id),
            "measure": "m",
            "baseline": "1",
            "target": "2",
            "due_date": "2026-02-28",
        },
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.need_id"


def test_activation_records_participation_and_replaces_the_earlier_plan(client, world, session):
    recipient = make_recipient(session, world)
    earlier = make_plan(
        session,
        recipient,
        kind=CarePlanKind.ispp,
        status=CarePlanStatus.active,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 1, 31),
    )
    plan, etag, _goals = _draw_up(client, world, recipient)
    url = f"/api/v1/care-plans/{plan['id']}/activate"
    body = {"participation": PARTICIPATION, "next_review_date": "2026-02-20"}
    h = world.headers(Role.social_worker)
    assert client.post(url, json=body, headers=h).status_code == 428
    assert client.post(url, json=body, headers={**h, "If-Match": '"99"'}).status_code == 412
    bad = {"participation": {"participated": False}, "next_review_date": "2026-02-20"}
    r = client.post(url, json=bad, headers={**h, "If-Match": etag})
    assert r.status_code == 422 and r.json()["type"] == "urn:ciklas:problem:unprocessable"
    assert r.json()["errors"][0]["field"] == "body.participation.non_participation_reason"
    bad = {"participation": {"participated": True}, "next_review_date": "2026-02-20"}
    r = client.post(url, json=bad, headers={**h, "If-Match": etag})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.participation.participated_on"
    assert _fresh(session, CarePlan, plan["id"]).status == CarePlanStatus.draft
    assert _fresh(session, CarePlan, earlier.id).status == CarePlanStatus.active
    r = client.post(url, json=body, headers={**h, "If-Match": etag})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["status"] == "active" and out["participated"] is True
    assert out["participants"] == ["recipient", "daughter"]
    assert out["recipient_wishes"].startswith("Noriu")
    assert r.headers["ETag"] != etag
    stored = _fresh(session, CarePlan, plan["id"])
    assert stored.participated_on.isoformat() == "2026-02-02" and stored.activated_at is not None
    assert _fresh(session, CarePlan, earlier.id).status == CarePlanStatus.replaced
    # Activating again is an illegal transition and changes nothing.
    r = client.post(url, json=body, headers={**h, "If-Match": r.headers["ETag"]})
    assert r.status_code == 409 and r.json()["type"] == "urn:ciklas:problem:invalid-transition"


def test_review_records_attainment_and_the_due_list_follows(client, world, session):
    recipient = make_recipient(session, world)
    plan, etag, goals = _draw_up(client, world, recipient)
    h = world.headers(Role.social_worker)
    client.post(
        f"/api/v1/care-plans/{plan['id']}/activate",
        headers={**h, "If-Match": etag},
        json={"participation": PARTICIPATION, "next_review_date": "2026-02-20"},
    )
    due = client.get("/api/v1/care-plans/reviews-due", params={"as_of": "2026-02-10"}, headers=h).json()["items"]
    assert [(d["care_plan_id"], d["overdue"]) for d in due] == [(plan["id"], False)]
    assert client.get("/api/v1/care-plans/reviews-due", params={"as_of": "2026-02-01"}, headers=h).json()["items"] == []
    late = client.get(
        "/api/v1/care-plans/reviews-due", params={"as_of": "2026-02-23", "overdue_only": True}, headers=h
    ).json()["items"]
    assert late[0]["overdue"] is True and late[0]["days_overdue"] == 3
    # The director sees it, but not among the recipients assigned to them.
    director = world.headers(Role.director)
    assert (
        len(
            client.get("/api/v1/care-plans/reviews-due", params={"as_of": "2026-02-23"}, headers=director).json()[
                "items"
            ]
        )
        == 1
    )
    assert (
        client.get(
            "/api/v1/care-plans/reviews-due", params={"as_of": "2026-02-23", "assigned_to_me": True}, headers=director
        ).json()["items"]
        == []
    )
    assert (
        len(
            client.get(
                "/api/v1/care-plans/reviews-due", params={"as_of": "2026-02-23", "assigned_to_me": True}, headers=h
            ).json()["items"]
        )
        == 1
    )
    # Unassigned staff do not see it in their list.
    assert (
        client.get(
            "/api/v1/care-plans/reviews-due",
            params={"as_of": "2026-02-23"},
            headers=world.headers(Role.social_worker, "b"),
        ).json()["items"]
        == []
    )
    r = client.post(
        f"/api/v1/care-plans/{plan['id']}/reviews",
        headers=h,
        json={
            "review_date": "2026-02-19",
            "participants": ["recipient", "social worker"],
            "next_review_date": "2026-03-20",
            "goals": [
                {"goal_id": goals[0]["id"], "attainment": "achieved", "measured_value": "55"},
                {"goal_id": goals[1]["id"], "attainment": "progressing", "measured_value": "20"},
            ],
        },
    )
    assert r.status_code == 201, r.text
    review = r.json()
    assert review["on_time"] is True and review["due_date"] == "2026-02-20"
    assert _fresh(session, CareGoal, goals[0]["id"]).attainment == "achieved"
    assert _fresh(session, CarePlan, plan["id"]).next_review_date.isoformat() == "2026-03-20"
    assert client.get("/api/v1/care-plans/reviews-due", params={"as_of": "2026-02-23"}, headers=h).json()["items"] == []
    listed = client.get(f"/api/v1/care-plans/{plan['id']}/reviews", headers=world.headers(Role.guardian)).json()
    assert [g["attainment"] for g in listed["items"][0]["goals"]] in (
        ["achieved", "progressing"],
        ["progressing", "achieved"],
    )


def test_review_of_a_draft_is_refused(client, world, session):
    recipient = make_recipient(session, world)
    plan, _etag, _goals = _draw_up(client, world, recipient)
    r = client.post(
        f"/api/v1/care-plans/{plan['id']}/reviews",
        headers=world.headers(Role.social_worker),
        json={"review_date": "2026-02-10"},
    )
    assert r.status_code == 409
    session.commit()
    assert session.exec(select(CareReview)).all() == []


def test_ispp_monthly_renewal_copies_open_goals(client, world, session):
    recipient = make_recipient(session, world)
    plan, etag, goals = _draw_up(client, world, recipient)
    h = world.headers(Role.social_worker)
    etag = client.post(
        f"/api/v1/care-plans/{plan['id']}/activate",
        headers={**h, "If-Match": etag},
        json={"participation": PARTICIPATION, "next_review_date": "2026-02-20"},
    ).headers["ETag"]
    r = client.post(
        f"/api/v1/care-plans/{plan['id']}/reviews",
        headers=h,
        json={
            "review_date": "2026-02-20",
            "goals": [
                {"goal_id": goals[0]["id"], "attainment": "achieved"},
                {"goal_id": goals[1]["id"], "attainment": "progressing", "measured_value": "20"},
            ],
        },
    )
    etag = client.get(f"/api/v1/care-plans/{plan['id']}", headers=h).headers["ETag"]
    r = client.post(f"/api/v1/care-plans/{plan['id']}/renew", headers={**h, "If-Match": etag})
    assert r.status_code == 201, r.text
    new = r.json()
    assert (new["kind"], new["status"], new["period_start"], new["period_end"]) == (
        "ispp",
        "draft",
        "2026-03-01",
        "2026-03-31",
    )
    assert new["previous_plan_id"] == plan["id"]
    assert [(g["measure"], g["carried_from_id"], g["baseline"], g["due_date"]) for g in new["goals"]] == [
        ("Meals eaten at the table", goals[1]["id"], "20", "2026-03-31")
    ]
    assert len(new["needs"]) == 1 and len(new["services"]) == 1
    assert _fresh(session, CarePlan, plan["id"]).status == CarePlanStatus.replaced
    assert _fresh(session, CareGoal, goals[1]["id"]).carried_forward is True
    assert _fresh(session, CareGoal, goals[0]["id"]).carried_forward is False
    # The replaced plan cannot be renewed again nor changed.
    etag = client.get(f"/api/v1/care-plans/{plan['id']}", headers=h).headers["ETag"]
    assert client.post(f"/api/v1/care-plans/{plan['id']}/renew", headers={**h, "If-Match": etag}).status_code == 409
    r = client.post(f"/api/v1/care-plans/{plan['id']}/needs", headers=h, json={"domain": "other", "level": "low"})
    assert r.status_code == 409


def test_only_an_active_ispp_is_renewed_and_close(client, world, session):
    recipient = make_recipient(session, world)
    isgp = make_plan(session, recipient, status=CarePlanStatus.active)
    h = world.headers(Role.department_head, **{"If-Match": '"1"'})
    r = client.post(f"/api/v1/care-plans/{isgp.id}/renew", headers=h)
    assert r.status_code == 409 and "ISPP" in r.json()["detail"]
    r = client.post(f"/api/v1/care-plans/{isgp.id}/close", headers=h)
    assert r.status_code == 200 and r.json()["status"] == "closed"
    r = client.post(f"/api/v1/care-plans/{isgp.id}/close", headers={**h, "If-Match": r.headers["ETag"]})
    assert r.status_code == 409
    assert _fresh(session, CarePlan, isgp.id).status == CarePlanStatus.closed


def test_update_plan_requires_if_match_and_an_editable_plan(client, world, session):
    recipient = make_recipient(session, world)
    plan = make_plan(session, recipient)
    h = world.headers(Role.social_worker)
    url = f"/api/v1/care-plans/{plan.id}"
    assert client.patch(url, json={"period_end": "2026-11-30"}, headers=h).status_code == 428
    r = client.patch(url, json={"period_end": "2026-11-30"}, headers={**h, "If-Match": '"1"'})
    assert r.status_code == 200 and r.json()["period_end"] == "2026-11-30"
    assert (
        client.patch(url, json={"period_end": "2025-01-01"}, headers={**h, "If-Match": r.headers["ETag"]}).status_code
        == 422
    )
    assert client.patch(url, json={"period_end": "2026-10-31"}, headers={**h, "If-Match": '"1"'}).status_code == 412
    assert _fresh(session, CarePlan, plan.id).period_end.isoformat() == "2026-11-30"


def test_update_goal_is_guarded_by_the_plan_etag(client, world, session):
    recipient = make_recipient(session, world)
    plan = make_plan(session, recipient)
    goal = make_goal(session, plan)
    other_goal = make_goal(session, make_plan(session, recipient))
    h = world.headers(Role.social_worker)
    url = f"/api/v1/care-plans/{plan.id}/goals/{goal.id}"
    assert client.patch(url, json={"target": "60"}, headers=h).status_code == 428
    assert client.patch(url, json={"target": "60"}, headers={**h, "If-Match": '"9"'}).status_code == 412
    assert client.patch(url, json={"target": None}, headers={**h, "If-Match": '"1"'}).status_code == 422
    r = client.patch(url, json={"target": "60", "due_date": "2026-09-30"}, headers={**h, "If-Match": '"1"'})
    assert r.status_code == 200, r.text
    assert (r.json()["target"], r.json()["due_date"]) == ("60", "2026-09-30") and r.headers["ETag"] == '"2"'
    assert client.get(f"/api/v1/care-plans/{plan.id}", headers=h).headers["ETag"] == '"2"'
    stored = session.get(CareGoal, goal.id)
    session.refresh(stored)
    assert stored.target == "60"
    r = client.patch(
        f"/api/v1/care-plans/{plan.id}/goals/{other_goal.id}", json={"target": "1"}, headers={**h, "If-Match": '"2"'}
    )
    assert r.status_code == 404
    stored_plan = _fresh(session, CarePlan, plan.id)
    stored_plan.status = CarePlanStatus.closed
    session.add(stored_plan)
    session.commit()
    version = stored_plan.version
    r = client.patch(url, json={"target": "70"}, headers={**h, "If-Match": f'"{version}"'})
    assert r.status_code == 409


def test_vocabulary_carries_lithuanian_and_english_labels(client, world):
    r = client.get("/api/v1/care-plans/vocabulary", headers=world.headers(Role.guardian))
    assert r.status_code == 200
    body = r.json()
    assert [d["value"] for d in body["need_domains"]] == [
        "health",
        "daily_living",
        "social_relations",
        "occupation_education",
        "housing",
        "finances",
        "safety",
        "emotional_wellbeing",
        "other",
    ]
    achieved = next(a for a in body["attainments"] if a["value"] == "achieved")
    assert (achieved["lt"], achieved["en"]) == ("Pasiekta", "Achieved")
    assert (
        client.get("/api/v1/care-plans/vocabulary", headers=world.headers(Role.municipality_analyst)).status_code == 403
    )
