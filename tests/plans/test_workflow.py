"""The workflow: every transition from every status, by every role; amendments as revisions."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlmodel import func, select

from api.models import ItemStatus, Plan, PlanEvent, PlanGoal, PlanItem, PlanKind, PlanStatus
from api.security.scopes import Role
from tests.plans.helpers import PLANS, if_match, make_item, make_plan

S = PlanStatus
#: action -> (statuses it starts from, the status it leads to, the body it takes)
ACTIONS = {
    "submit": ({S.draft, S.returned}, S.submitted, {}),
    "return": ({S.submitted}, S.returned, {"comment": "Papildykite bendradarbiavimo priemones."}),
    "approve": ({S.submitted}, S.approved, {}),
    "close": ({S.approved}, S.closed, {}),
    "amendments": ({S.approved}, S.draft, {"comment": "Naujas projektas"}),
}
#: Who may take each action on an annual plan (the department head only on their department's plan).
MAY = {
    "submit": {Role.director, Role.quality_lead},
    "return": {Role.director},
    "approve": {Role.director},
    "close": {Role.director, Role.quality_lead},
    "amendments": {Role.director, Role.quality_lead},
}
ROLES = [
    Role.director,
    Role.quality_lead,
    Role.department_head,
    Role.social_worker,
    Role.staff,
    Role.recipient,
    Role.guardian,
    Role.feedback_device,
    Role.municipality_analyst,
    Role.platform_admin,
]


def state(session, plan_id):
    session.expire_all()
    plan = session.get(Plan, plan_id)
    plans = session.exec(select(func.count()).select_from(Plan)).one()
    events = session.exec(select(func.count()).select_from(PlanEvent)).one()
    return plan.status, plan.version, plans, events


@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_transition_from_every_status_by_every_role(client, world, session, action):
    sources, target, body = ACTIONS[action]
    for status in PlanStatus:
        for role in ROLES:
            plan = make_plan(session, world, status=status, period=str(2000 + len(session.exec(select(Plan)).all())))
            before = state(session, plan.id)
            r = client.post(
                f"{PLANS}/{plan.id}/{action}", json=body, headers=world.headers(role, **if_match(plan.version))
            )
            where = f"{role.value} {action} a {status.value} plan: {r.status_code} {r.text[:200]}"
            if role not in MAY[action]:
                assert r.status_code == 403, where
            elif status not in sources:
                assert r.status_code == 409, where
                assert r.json()["type"] == "urn:ciklas:problem:invalid-transition", where
            else:
                assert r.status_code == (201 if action == "amendments" else 200), where
                assert r.json()["status"] == target.value, where
                continue
            assert state(session, plan.id) == before, f"{where}: something changed"


def test_department_head_takes_their_department_plan_through_submit_and_close(client, world, session):
    plan = make_plan(session, world, kind=PlanKind.department)
    h = world.headers(Role.department_head)
    r = client.post(f"{PLANS}/{plan.id}/submit", headers={**h, **if_match(1)})
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    r = client.post(f"{PLANS}/{plan.id}/approve", headers={**h, **if_match(2)})
    assert r.status_code == 403  # only the director approves
    r = client.post(f"{PLANS}/{plan.id}/approve", headers=world.headers(Role.director, **if_match(2)))
    assert r.status_code == 200
    r = client.post(f"{PLANS}/{plan.id}/amendments", headers={**h, **if_match(3)})
    assert r.status_code == 201
    r = client.post(f"{PLANS}/{plan.id}/close", headers={**h, **if_match(3)})
    assert r.status_code == 409  # not while an amendment is being prepared
    other = make_plan(session, world, "a", kind=PlanKind.annual)
    assert client.post(f"{PLANS}/{other.id}/submit", headers={**h, **if_match(1)}).status_code == 403


def test_transitions_need_if_match(client, world, session):
    plan = make_plan(session, world)
    h = world.headers(Role.quality_lead)
    assert client.post(f"{PLANS}/{plan.id}/submit", headers=h).status_code == 428
    assert client.post(f"{PLANS}/{plan.id}/submit", headers={**h, **if_match(2)}).status_code == 412
    assert state(session, plan.id)[0] == "draft"


def test_an_empty_plan_is_not_submitted(client, world, session):
    plan = make_plan(session, world, items=0)
    r = client.post(f"{PLANS}/{plan.id}/submit", headers=world.headers(Role.quality_lead, **if_match(1)))
    assert r.status_code == 409 and "goal or item" in r.json()["detail"]


def test_returned_for_changes_with_a_comment_then_resubmitted_and_approved(client, world, session):
    plan = make_plan(session, world)
    url, q, d = f"{PLANS}/{plan.id}", world.headers(Role.quality_lead), world.headers(Role.director)
    assert client.post(f"{url}/submit", json={"comment": "Teikiu"}, headers={**q, **if_match(1)}).status_code == 200
    r = client.post(f"{url}/return", json={}, headers={**d, **if_match(2)})
    assert r.status_code == 422  # a return carries a comment
    r = client.post(f"{url}/return", json={"comment": "Trūksta partnerystės priemonių."}, headers={**d, **if_match(2)})
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["return_comment"]) == ("returned", "Trūksta partnerystės priemonių.")
    r = client.patch(url, json={"description": "Papildyta"}, headers={**q, **if_match(3)})
    assert r.status_code == 200
    assert client.post(f"{url}/submit", headers={**q, **if_match(4)}).status_code == 200
    r = client.post(f"{url}/approve", headers={**d, **if_match(5)})
    assert r.status_code == 200
    out = r.json()
    assert out["status"] == "approved" and out["approved_by_id"] == str(world.user(Role.director).id)
    assert out["approved_at"] and out["submitted_at"]
    r = client.get(f"{url}/history", headers=world.headers(Role.staff))
    steps = [(e["action"], e["from_status"], e["to_status"], e["comment"], e["actor_role"]) for e in r.json()["items"]]
    assert steps == [
        ("submit", "draft", "submitted", "Teikiu", "quality_lead"),
        ("return", "submitted", "returned", "Trūksta partnerystės priemonių.", "director"),
        ("submit", "returned", "submitted", None, "quality_lead"),
        ("approve", "submitted", "approved", None, "director"),
    ]


class TestAmendments:
    def approved_plan(self, session, world):
        plan = make_plan(session, world, status=PlanStatus.approved, items=0)
        goal = PlanGoal(
            id=uuid.uuid4(),
            institution_id=plan.institution_id,
            plan_id=plan.id,
            title="Kokybė",
            quality_policy_objective="Paslaugų gavėjų gyvenimo kokybė",
        )
        goal.series_id = goal.id
        session.add(goal)
        session.commit()
        kept = make_item(
            session, plan, title="Mokymai", goal_id=goal.id, due_date=date(2026, 3, 31), status=ItemStatus.in_progress
        )
        dropped = make_item(session, plan, title="Išvyka", due_date=date(2026, 6, 30))
        return plan, goal, kept, dropped

    def test_an_amendment_is_a_new_revision_and_the_approved_one_stays_readable(self, client, world, session):
        plan, goal, kept, dropped = self.approved_plan(session, world)
        q, d = world.headers(Role.quality_lead), world.headers(Role.director)
        r = client.post(
            f"{PLANS}/{plan.id}/amendments", json={"comment": "Pridedame projektą"}, headers={**q, **if_match(1)}
        )
        assert r.status_code == 201, r.text
        new = r.json()
        assert (new["revision"], new["status"], new["series_id"], new["previous_revision_id"]) == (
            2,
            "draft",
            str(plan.id),
            str(plan.id),
        )
        assert r.headers["Location"] == f"{PLANS}/{new['id']}"
        assert [g["title"] for g in new["goals"]] == ["Kokybė"] and new["goals"][0]["series_id"] == str(goal.id)
        # a second amendment at the same time is refused
        assert client.post(f"{PLANS}/{plan.id}/amendments", headers={**q, **if_match(1)}).status_code == 409
        items = client.get(f"{PLANS}/{new['id']}/items", headers=q).json()["items"]
        assert [(i["title"], i["series_id"]) for i in items] == [("Mokymai", str(kept.id)), ("Išvyka", str(dropped.id))]
        copied_goal = new["goals"][0]["id"]
        assert items[0]["goal_id"] == copied_goal
        # the amendment is edited; the approved revision meanwhile reports progress
        copy_of_dropped = items[1]
        r = client.delete(f"{PLANS}/{new['id']}/items/{copy_of_dropped['id']}", headers={**q, **if_match(1)})
        assert r.status_code == 204
        r = client.post(
            f"{PLANS}/{new['id']}/items",
            json={"title": "Projektas", "area": "project", "due_date": "2026-11-30"},
            headers=q,
        )
        assert r.status_code == 201
        r = client.patch(
            f"{PLANS}/{plan.id}/items/{kept.id}",
            json={"status": "done", "completed_on": "2026-03-20"},
            headers={**q, **if_match(1)},
        )
        assert r.status_code == 200, r.text
        assert client.post(f"{PLANS}/{new['id']}/submit", headers={**q, **if_match(1)}).status_code == 200
        r = client.post(f"{PLANS}/{new['id']}/approve", headers={**d, **if_match(2)})
        assert r.status_code == 200 and r.json()["status"] == "approved"
        # the old revision is superseded, unchanged in content and still readable
        old = client.get(f"{PLANS}/{plan.id}", headers=q).json()
        assert (old["status"], old["revision"]) == ("superseded", 1)
        old_items = client.get(f"{PLANS}/{plan.id}/items", headers=q).json()["items"]
        assert [i["title"] for i in old_items] == ["Mokymai", "Išvyka"]
        # the new revision took over the progress reported meanwhile
        new_items = client.get(f"{PLANS}/{new['id']}/items", headers=q).json()["items"]
        assert [(i["title"], i["status"], i["completed_on"]) for i in new_items] == [
            ("Mokymai", "done", "2026-03-20"),
            ("Projektas", "planned", None),
        ]
        revisions = client.get(f"{PLANS}/{new['id']}/revisions", headers=q).json()
        assert [(p["revision"], p["status"]) for p in revisions] == [(1, "superseded"), (2, "approved")]
        history = client.get(f"{PLANS}/{plan.id}/history", headers=q).json()["items"]
        assert [(e["revision"], e["action"]) for e in history] == [
            (2, "amend"),
            (2, "submit"),
            (1, "supersede"),
            (2, "approve"),
        ]
        listed = client.get(PLANS, headers=q).json()["items"]
        assert [p["id"] for p in listed] == [new["id"]]
        # the superseded revision is history: it is neither edited nor moved on
        r = client.patch(f"{PLANS}/{plan.id}/items/{kept.id}", json={"progress": 50}, headers={**q, **if_match(2)})
        assert r.status_code == 409
        assert client.post(f"{PLANS}/{plan.id}/close", headers={**q, **if_match(old["version"])}).status_code == 409

    def test_a_discarded_amendment_leaves_the_approved_plan_as_it_was(self, client, world, session):
        plan, *_ = self.approved_plan(session, world)
        q = world.headers(Role.quality_lead)
        new = client.post(f"{PLANS}/{plan.id}/amendments", headers={**q, **if_match(1)}).json()
        assert client.delete(f"{PLANS}/{new['id']}", headers={**q, **if_match(1)}).status_code == 204
        assert state(session, plan.id)[:2] == ("approved", 1)
        assert session.exec(select(func.count()).select_from(PlanItem)).one() == 2
        assert client.post(f"{PLANS}/{plan.id}/amendments", headers={**q, **if_match(1)}).status_code == 201
