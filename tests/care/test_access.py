"""Who may see and change a recipient's data: every role, including an unassigned social worker."""

from __future__ import annotations

import pytest
from sqlmodel import select

from api.models import CarePlanComment
from api.security.scopes import Role
from tests.care.factories import make_goal, make_plan, make_recipient
from tests.factories import auth, make_department, make_user, token_for


@pytest.fixture
def case(world, session):
    """A recipient of institution A in department A with the world's social worker as key worker, a
    second social worker on the team, the world's recipient user and guardian linked; and outsiders."""
    a = world.a
    team_worker = make_user(session, Role.social_worker, a.institution, department=a.department)
    unassigned = make_user(session, Role.social_worker, a.institution, department=a.department)
    other_dept = make_department(session, a.institution)
    other_head = make_user(session, Role.department_head, a.institution, department=other_dept)
    other_recipient = make_user(session, Role.recipient, a.institution)
    other_guardian = make_user(session, Role.guardian, a.institution)
    session.commit()
    recipient = make_recipient(session, world, team=(team_worker,))
    plan = make_plan(session, recipient)
    make_goal(session, plan)
    tok = {
        name: token_for(world.app, u)
        for name, u in {
            "team_worker": team_worker,
            "unassigned": unassigned,
            "other_head": other_head,
            "other_recipient": other_recipient,
            "other_guardian": other_guardian,
        }.items()
    }
    return {"recipient": recipient, "plan": plan, "tokens": tok, "unassigned": unassigned}


def _callers(world, case):
    headers = {
        r.value: world.headers(r)
        for r in (
            Role.director,
            Role.quality_lead,
            Role.department_head,
            Role.social_worker,
            Role.staff,
            Role.recipient,
            Role.guardian,
            Role.platform_admin,
            Role.municipality_analyst,
        )
    }
    headers.update({name: auth(t) for name, t in case["tokens"].items()})
    headers["director_b"] = world.headers(Role.director, "b")
    headers["social_worker_b"] = world.headers(Role.social_worker, "b")
    return headers


EXPECTED_READ = {
    "director": 200,
    "quality_lead": 200,
    "department_head": 200,
    "social_worker": 200,
    "team_worker": 200,
    "recipient": 200,
    "guardian": 200,
    "unassigned": 404,
    "other_head": 404,
    "other_recipient": 404,
    "other_guardian": 404,
    "director_b": 404,
    "social_worker_b": 404,
    "staff": 403,
    "platform_admin": 403,
    "municipality_analyst": 403,
}


def test_read_recipient_and_plan_by_every_role(client, world, session, case):
    headers = _callers(world, case)
    rid, pid = case["recipient"].id, case["plan"].id
    for name, expected in EXPECTED_READ.items():
        for path in (
            f"/api/v1/recipients/{rid}",
            f"/api/v1/care-plans/{pid}",
            f"/api/v1/care-plans/{pid}/reviews",
            f"/api/v1/care-plans/{pid}/comments",
        ):
            r = client.get(path, headers=headers[name])
            assert r.status_code == expected, f"{name} GET {path}: {r.status_code} {r.text}"
            if expected == 404:
                assert r.json()["type"] == "urn:ciklas:problem:not-found"
        listed = client.get("/api/v1/care-plans", headers=headers[name])
        if expected == 403:
            assert listed.status_code == 403
            continue
        assert listed.status_code == 200, listed.text
        ids = [p["id"] for p in listed.json()["items"]]
        assert ids == ([str(pid)] if expected == 200 else []), name
        recipients = client.get("/api/v1/recipients", headers=headers[name]).json()["items"]
        assert [r["id"] for r in recipients] == ([str(rid)] if expected == 200 else []), name


def test_unassigned_social_worker_cannot_change_anything(client, world, session, case):
    h = auth(case["tokens"]["unassigned"], **{"If-Match": '"1"'})
    rid, pid = case["recipient"].id, case["plan"].id
    assert client.patch(f"/api/v1/recipients/{rid}", json={"first_name": "X"}, headers=h).status_code == 404
    assert (
        client.post(
            "/api/v1/care-plans",
            json={"recipient_id": str(rid), "kind": "ispp", "period_start": "2026-02-01"},
            headers=h,
        ).status_code
        == 404
    )
    assert (
        client.post(f"/api/v1/care-plans/{pid}/needs", json={"domain": "health", "level": "low"}, headers=h).status_code
        == 404
    )
    # Assigning them to the team (by the director) opens the door.
    current = client.get(f"/api/v1/recipients/{rid}", headers=world.headers(Role.director))
    team = current.json()["team_member_ids"]
    d = world.headers(Role.director, **{"If-Match": current.headers["ETag"]})
    r = client.patch(
        f"/api/v1/recipients/{rid}", json={"team_member_ids": [*team, str(case["unassigned"].id)]}, headers=d
    )
    assert r.status_code == 200, r.text
    assert str(case["unassigned"].id) in r.json()["team_member_ids"]
    assert client.get(f"/api/v1/care-plans/{pid}", headers=h).status_code == 200


def test_recipient_and_guardian_read_and_comment_but_never_write(client, world, session, case):
    rid, pid = case["recipient"].id, case["plan"].id
    for role in (Role.recipient, Role.guardian):
        h = world.headers(role, **{"If-Match": '"1"'})
        assert client.patch(f"/api/v1/recipients/{rid}", json={"first_name": "X"}, headers=h).status_code == 403
        assert (
            client.post(
                f"/api/v1/care-plans/{pid}/needs", json={"domain": "health", "level": "low"}, headers=h
            ).status_code
            == 403
        )
        r = client.post(f"/api/v1/care-plans/{pid}/comments", json={"body": f"Comment by the {role.value}"}, headers=h)
        assert r.status_code == 201, r.text
        assert r.json()["author_role"] == role.value
    other = auth(case["tokens"]["other_guardian"])
    assert client.post(f"/api/v1/care-plans/{pid}/comments", json={"body": "x"}, headers=other).status_code == 404
    assert (
        client.post(
            f"/api/v1/care-plans/{pid}/comments", json={"body": "x"}, headers=world.headers(Role.social_worker)
        ).status_code
        == 403
    )
    stored = session.exec(select(CarePlanComment).where(CarePlanComment.care_plan_id == pid)).all()
    assert sorted(c.author_role for c in stored) == ["guardian", "recipient"]
    listed = client.get(f"/api/v1/care-plans/{pid}/comments", headers=world.headers(Role.social_worker))
    assert [c["body"] for c in listed.json()["items"]] == ["Comment by the recipient", "Comment by the guardian"]


def test_access_log_for_recipient_guardian_director_and_quality_lead_only(client, world, session, case):
    rid = case["recipient"].id
    assert client.get(f"/api/v1/recipients/{rid}", headers=world.headers(Role.social_worker)).status_code == 200
    for role in (Role.recipient, Role.guardian, Role.director, Role.quality_lead):
        r = client.get(f"/api/v1/recipients/{rid}/access-log", headers=world.headers(role))
        assert r.status_code == 200, r.text
        entries = r.json()["items"]
        worker = world.user(Role.social_worker)
        read = [e for e in entries if e["actor_id"] == str(worker.id)]
        assert read and read[0]["actor_role"] == "social_worker" and read[0]["actor_name"] == worker.full_name
        assert read[0]["action"] == "read" and read[0]["resource_type"] == "recipient"
    r = client.get(f"/api/v1/recipients/{rid}/access-log", headers=world.headers(Role.social_worker))
    assert r.status_code == 403
    r = client.get(f"/api/v1/recipients/{rid}/access-log", headers=auth(case["tokens"]["other_guardian"]))
    assert r.status_code == 404
