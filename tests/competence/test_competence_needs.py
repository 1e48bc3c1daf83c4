"""Competence needs: staff name training topics, appraisal conclusions are recorded, and the quality
lead turns them into items of the competence development plan, keeping the links."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import select

from api.models import CompetenceNeed, PlanKind
from api.security.scopes import Role
from tests.factories import make_department, make_user, token_for
from tests.plans.helpers import PLANS, if_match, make_plan

NEEDS = f"{PLANS}/competence-needs"
NEED = {"year": 2026, "topic": "Darbas su smurtą patyrusiais vaikais", "description": "Trūksta žinių"}


class TestSubmit:
    @pytest.mark.parametrize("role", [Role.staff, Role.social_worker, Role.department_head, Role.quality_lead])
    def test_staff_name_their_own_needs(self, client, world, session, role):
        r = client.post(NEEDS, json=NEED, headers=world.headers(role))
        assert r.status_code == 201, r.text
        out = r.json()
        assert (out["user_id"], out["recorded_by_id"], out["source"], out["status"]) == (
            str(world.user(role).id),
            str(world.user(role).id),
            "staff_request",
            "submitted",
        )
        assert (out["plan_item_id"], out["outcome"]) == (None, None)

    @pytest.mark.parametrize("role", [Role.recipient, Role.guardian, Role.feedback_device, Role.municipality_analyst])
    def test_people_outside_the_staff_do_not(self, client, world, role):
        assert client.post(NEEDS, json=NEED, headers=world.headers(role)).status_code == 403

    def test_appraisal_conclusions_are_recorded_by_managers(self, client, world, session):
        worker = str(world.user(Role.social_worker).id)
        body = {**NEED, "source": "appraisal", "user_id": worker, "description": "Rekomenduojama supervizija"}
        for role in (Role.staff, Role.department_head, Role.social_worker):
            assert client.post(NEEDS, json=body, headers=world.headers(role)).status_code == 403, role
        r = client.post(NEEDS, json={**NEED, "user_id": worker}, headers=world.headers(Role.staff))
        assert r.status_code == 403
        r = client.post(NEEDS, json=body, headers=world.headers(Role.quality_lead))
        assert r.status_code == 201
        assert (r.json()["user_id"], r.json()["recorded_by_id"]) == (worker, str(world.user(Role.quality_lead).id))
        r = client.post(NEEDS, json={**body, "source": "self_assessment"}, headers=world.headers(Role.director))
        assert r.status_code == 201
        for user_id in (world.user(Role.recipient).id, world.user(Role.staff, "b").id, uuid.uuid4()):
            r = client.post(NEEDS, json={**body, "user_id": str(user_id)}, headers=world.headers(Role.quality_lead))
            assert r.status_code == 422, user_id


class TestVisibilityAndChanges:
    def test_who_sees_which(self, client, world, session):
        other_dept = make_department(session, world.a.institution)
        outsider = make_user(session, Role.staff, world.a.institution, department=other_dept)
        session.commit()
        mine = client.post(NEEDS, json=NEED, headers=world.headers(Role.staff)).json()
        theirs = client.post(NEEDS, json=NEED, headers={"Authorization": f"Bearer {token_for(client.app, outsider)}"})
        head = client.post(NEEDS, json=NEED, headers=world.headers(Role.department_head)).json()

        def seen(role, tenant="a"):
            return {n["id"] for n in client.get(NEEDS, headers=world.headers(role, tenant)).json()["items"]}

        every = {mine["id"], theirs.json()["id"], head["id"]}
        assert seen(Role.quality_lead) == every and seen(Role.director) == every
        assert seen(Role.department_head) == {mine["id"], head["id"]}  # world.a's staff is in the department
        assert seen(Role.staff) == {mine["id"]}
        assert seen(Role.social_worker) == set()
        assert seen(Role.director, "b") == set()
        assert client.get(f"{NEEDS}/{mine['id']}", headers=world.headers(Role.social_worker)).status_code == 404

    def test_changing_and_withdrawing_ones_own_until_planned(self, client, world, session):
        need = client.post(NEEDS, json=NEED, headers=world.headers(Role.staff)).json()
        url, h = f"{NEEDS}/{need['id']}", world.headers(Role.staff)
        assert client.patch(url, json={"topic": "Mediacija"}, headers=h).status_code == 428
        r = client.patch(url, json={"topic": "Mediacija"}, headers={**h, **if_match(1)})
        assert r.status_code == 200 and r.json()["topic"] == "Mediacija"
        assert client.patch(url, json={"topic": None}, headers={**h, **if_match(2)}).status_code == 422
        r = client.patch(url, json={"topic": "X"}, headers=world.headers(Role.department_head, **if_match(2)))
        assert r.status_code == 403  # visible to the head, but not theirs to change
        assert client.delete(url, headers={**h, **if_match(2)}).status_code == 204
        assert session.exec(select(CompetenceNeed)).first() is None


def test_needs_become_items_of_the_competence_plan_keeping_the_links(client, world, session):
    staff, worker = world.headers(Role.staff), world.headers(Role.social_worker)
    first = client.post(NEEDS, json=NEED, headers=staff).json()
    second = client.post(NEEDS, json={**NEED, "topic": "Smurto atpažinimas"}, headers=worker).json()
    late = client.post(NEEDS, json={**NEED, "topic": "Vaiko teisės"}, headers=worker).json()
    plan = make_plan(session, world, kind=PlanKind.competence_development, items=0)
    annual = make_plan(session, world, items=0)
    q = world.headers(Role.quality_lead)
    item = {
        "title": "Mokymai: darbas su smurtą patyrusiais vaikais",
        "area": "competence",
        "due_date": "2026-04-30",
        "competence_need_ids": [first["id"], second["id"]],
    }
    # only into a competence development plan, and only by those who manage competence
    assert client.post(f"{PLANS}/{annual.id}/items", json=item, headers=q).status_code == 422
    dept_plan = make_plan(session, world, kind=PlanKind.department, items=0)
    r = client.post(f"{PLANS}/{dept_plan.id}/items", json=item, headers=world.headers(Role.department_head))
    assert r.status_code == 403
    r = client.post(f"{PLANS}/{plan.id}/items", json={**item, "competence_need_ids": [str(uuid.uuid4())]}, headers=q)
    assert r.status_code == 422
    r = client.post(f"{PLANS}/{plan.id}/items", json=item, headers=q)
    assert r.status_code == 201, r.text
    created = r.json()
    assert sorted(created["competence_need_ids"]) == sorted([first["id"], second["id"]])
    # a need is taken up once
    r = client.post(f"{PLANS}/{plan.id}/items", json={**item, "competence_need_ids": [first["id"]]}, headers=q)
    assert r.status_code == 409
    # a need named later joins the same item
    r = client.patch(
        f"{PLANS}/{plan.id}/items/{created['id']}",
        json={"competence_need_ids": [late["id"]]},
        headers={**q, **if_match(1)},
    )
    assert r.status_code == 200 and len(r.json()["competence_need_ids"]) == 3 and r.headers["ETag"] == '"2"'
    # the staff member sees where their need went, and no longer changes it
    mine = client.get(f"{NEEDS}/{first['id']}", headers=staff).json()
    assert (mine["status"], mine["plan_item_id"]) == ("planned", created["id"])
    assert (mine["outcome"]["plan_id"], mine["outcome"]["item_title"], mine["outcome"]["plan_kind"]) == (
        str(plan.id),
        item["title"],
        "competence_development",
    )
    r = client.patch(f"{NEEDS}/{first['id']}", json={"topic": "X"}, headers={**staff, **if_match(mine["version"])})
    assert r.status_code == 409
    # the item carrying needs stays in the plan
    r = client.delete(f"{PLANS}/{plan.id}/items/{created['id']}", headers={**q, **if_match(2)})
    assert r.status_code == 409
    listed = client.get(NEEDS, params={"status": "planned", "year": 2026}, headers=q).json()["items"]
    assert len(listed) == 3
