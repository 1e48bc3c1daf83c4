"""Goals and items: content while drafting, progress while approved, completion dates."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlmodel import select

from api.models import ItemStatus, PlanGoal, PlanItem, PlanKind, PlanStatus
from api.security.scopes import Role
from api.types import today
from tests.evaluation.helpers import make_measure
from tests.indicators.helpers import make_indicator
from tests.plans.helpers import PLANS, if_match, make_item, make_plan

ITEM = {"title": "Darbuotojų mokymai apie įgalinimą", "area": "competence", "due_date": "2026-06-30"}


class TestGoals:
    def test_goals_tie_to_the_quality_policy_and_the_strategic_plan(self, client, world, session):
        strategic = make_plan(
            session, world, kind=PlanKind.strategic, period="2025-2029", status=PlanStatus.approved, items=0
        )
        plan = make_plan(session, world, parent_id=strategic.id)
        q = world.headers(Role.quality_lead)
        r = client.post(f"{PLANS}/{strategic.id}/goals", json={"title": "X"}, headers=q)
        assert r.status_code == 409  # the approved strategic plan is amended, not edited
        sgoal = PlanGoal(
            id=uuid.uuid4(), institution_id=strategic.institution_id, plan_id=strategic.id, title="Gyvenimo kokybė"
        )
        sgoal.series_id = sgoal.id
        session.add(sgoal)
        session.commit()
        body = {
            "title": "Didinti paslaugų gavėjų įgalinimą",
            "quality_policy_objective": "Įgalinimas",
            "strategic_goal_id": str(sgoal.id),
        }
        r = client.post(f"{PLANS}/{plan.id}/goals", json=body, headers=q)
        assert r.status_code == 201, r.text
        goal = r.json()
        assert (goal["quality_policy_objective"], goal["strategic_goal_id"]) == ("Įgalinimas", str(sgoal.id))
        read = client.get(f"{PLANS}/{plan.id}", headers=world.headers(Role.staff)).json()
        assert [g["id"] for g in read["goals"]] == [goal["id"]]
        # a goal of a non-strategic plan, or of another institution, is not a strategic goal
        r = client.post(f"{PLANS}/{plan.id}/goals", json={"title": "Y", "strategic_goal_id": goal["id"]}, headers=q)
        assert r.status_code == 422
        foreign = make_plan(session, world, "b", kind=PlanKind.strategic, period="2025-2029")
        fgoal = PlanGoal(id=uuid.uuid4(), institution_id=foreign.institution_id, plan_id=foreign.id, title="F")
        fgoal.series_id = fgoal.id
        session.add(fgoal)
        session.commit()
        r = client.post(f"{PLANS}/{plan.id}/goals", json={"title": "Y", "strategic_goal_id": str(fgoal.id)}, headers=q)
        assert r.status_code == 422
        url = f"{PLANS}/{plan.id}/goals/{goal['id']}"
        assert client.patch(url, json={"title": "Z"}, headers=q).status_code == 428
        r = client.patch(url, json={"title": "Z"}, headers={**q, **if_match(1)})
        assert r.status_code == 200 and r.json()["version"] == 2
        # the strategic goal is served by another plan's goal: it stays
        r = client.delete(f"{PLANS}/{strategic.id}/goals/{sgoal.id}", headers={**q, **if_match(1)})
        assert r.status_code == 409
        assert client.delete(url, headers={**q, **if_match(2)}).status_code == 204
        assert session.get(PlanGoal, uuid.UUID(goal["id"])) is None


class TestContent:
    def test_add_item_with_everything(self, client, world, session):
        plan = make_plan(session, world, items=0)
        indicator = make_indicator(session, code="PLAN_EXECUTION_X")
        goal = PlanGoal(id=uuid.uuid4(), institution_id=plan.institution_id, plan_id=plan.id, title="G")
        goal.series_id = goal.id
        session.add(goal)
        session.commit()
        measure = make_measure(session, world.a.institution, year=2026).id  # the same year: a link, not a carry
        body = {
            **ITEM,
            "description": "Du seminarai",
            "goal_id": str(goal.id),
            "responsible_user_id": str(world.user(Role.department_head).id),
            "department_id": str(world.a.department.id),
            "indicator": "Apmokytų darbuotojų dalis",
            "indicator_id": str(indicator.id),
            "target_value": 80,
            "improvement_measure_id": str(measure),
        }
        r = client.post(f"{PLANS}/{plan.id}/items", json=body, headers=world.headers(Role.quality_lead))
        assert r.status_code == 201, r.text
        out = r.json()
        assert out["series_id"] == out["id"] and out["status"] == "planned" and out["progress"] == 0
        assert (out["target_value"], out["improvement_measure_id"]) == (80.0, str(measure))
        assert (out["proposal_ids"], out["competence_need_ids"]) == ([], [])
        assert r.headers["Location"] == f"{PLANS}/{plan.id}/items/{out['id']}"
        r = client.get(f"{PLANS}/{plan.id}/items/{out['id']}", headers=world.headers(Role.staff))
        assert r.status_code == 200 and r.json()["title"] == ITEM["title"]

    def test_references_stay_inside_the_plan_and_institution(self, client, world, session):
        plan = make_plan(session, world, items=0)
        other = make_plan(session, world, period="2027", items=0)
        goal = PlanGoal(id=uuid.uuid4(), institution_id=other.institution_id, plan_id=other.id, title="G")
        goal.series_id = goal.id
        session.add(goal)
        session.commit()
        b_indicator = make_indicator(session, world.b.institution, code="B_ONLY")
        session.commit()
        q = world.headers(Role.quality_lead)
        for field, value in (
            ("goal_id", goal.id),
            ("responsible_user_id", world.user(Role.staff, "b").id),
            ("department_id", world.b.department.id),
            ("indicator_id", b_indicator.id),
            ("due_date", "2027-01-15"),
        ):
            r = client.post(f"{PLANS}/{plan.id}/items", json={**ITEM, field: str(value)}, headers=q)
            assert r.status_code == 422, (field, r.text)
            assert r.json()["errors"][0]["field"] == f"body.{field}"
        assert session.exec(select(PlanItem)).first() is None

    def test_content_changes_only_while_drafting(self, client, world, session):
        plan = make_plan(session, world, items=0)
        q = world.headers(Role.quality_lead)
        item = client.post(f"{PLANS}/{plan.id}/items", json=ITEM, headers=q).json()
        url = f"{PLANS}/{plan.id}/items/{item['id']}"
        assert client.patch(url, json={"title": "Naujas"}, headers=q).status_code == 428
        assert client.patch(url, json={"title": "Naujas"}, headers={**q, **if_match(5)}).status_code == 412
        r = client.patch(url, json={"title": "Naujas", "due_date": "2026-09-30"}, headers={**q, **if_match(1)})
        assert r.status_code == 200 and r.headers["ETag"] == '"2"'
        assert client.patch(url, json={"title": None}, headers={**q, **if_match(2)}).status_code == 422
        # progress is not reported on a draft
        r = client.patch(url, json={"status": "done"}, headers={**q, **if_match(2)})
        assert r.status_code == 409
        approved = make_plan(session, world, period="2027", status=PlanStatus.approved)
        approved_item = session.exec(select(PlanItem).where(PlanItem.plan_id == approved.id)).one()
        r = client.post(f"{PLANS}/{approved.id}/items", json={**ITEM, "due_date": "2027-06-30"}, headers=q)
        assert r.status_code == 409
        r = client.patch(
            f"{PLANS}/{approved.id}/items/{approved_item.id}", json={"title": "X"}, headers={**q, **if_match(1)}
        )
        assert r.status_code == 409
        r = client.delete(f"{PLANS}/{approved.id}/items/{approved_item.id}", headers={**q, **if_match(1)})
        assert r.status_code == 409
        session.expire_all()
        assert session.get(PlanItem, approved_item.id).title == approved_item.title

    def test_department_head_adds_items_to_their_department_plan_only(self, client, world, session):
        dept = make_plan(session, world, kind=PlanKind.department, items=0)
        annual = make_plan(session, world, items=0)
        h = world.headers(Role.department_head)
        assert client.post(f"{PLANS}/{dept.id}/items", json=ITEM, headers=h).status_code == 201
        assert client.post(f"{PLANS}/{annual.id}/items", json=ITEM, headers=h).status_code == 403
        assert (
            client.post(f"{PLANS}/{annual.id}/items", json=ITEM, headers=world.headers(Role.staff)).status_code == 403
        )


class TestProgress:
    def test_done_records_the_completion_date(self, client, world, session):
        plan = make_plan(session, world, status=PlanStatus.approved, period=str(today().year), items=0)
        item = make_item(session, plan)
        url, q = f"{PLANS}/{plan.id}/items/{item.id}", world.headers(Role.quality_lead)
        r = client.patch(
            url, json={"status": "in_progress", "progress": 40, "status_note": "Vyksta"}, headers={**q, **if_match(1)}
        )
        assert r.status_code == 200, r.text
        assert (r.json()["status"], r.json()["progress"], r.json()["completed_on"]) == ("in_progress", 40, None)
        r = client.patch(url, json={"status": "done"}, headers={**q, **if_match(2)})
        assert (r.json()["status"], r.json()["progress"], r.json()["completed_on"]) == (
            "done",
            100,
            today().isoformat(),
        )
        earlier = (today() - timedelta(days=3)).isoformat()
        r = client.patch(url, json={"completed_on": earlier, "actual_value": 75}, headers={**q, **if_match(3)})
        assert r.status_code == 200 and (r.json()["completed_on"], r.json()["actual_value"]) == (earlier, 75.0)
        future = (today() + timedelta(days=1)).isoformat()
        assert client.patch(url, json={"completed_on": future}, headers={**q, **if_match(4)}).status_code == 422
        r = client.patch(url, json={"status": "in_progress"}, headers={**q, **if_match(4)})
        assert r.json()["completed_on"] is None
        r = client.patch(url, json={"completed_on": earlier}, headers={**q, **if_match(5)})
        assert r.status_code == 422  # only a done item has a completion date
        session.expire_all()
        stored = session.get(PlanItem, item.id)
        assert (stored.status, stored.completed_on, stored.version) == (ItemStatus.in_progress, None, 5)

    def test_department_head_reports_on_items_of_their_department_or_charge(self, client, world, session):
        plan = make_plan(session, world, status=PlanStatus.approved, period=str(today().year), items=0)
        theirs = make_item(session, plan, department_id=world.a.department.id)
        charged = make_item(session, plan, responsible_user_id=world.user(Role.department_head).id)
        other = make_item(session, plan)
        h = world.headers(Role.department_head, **if_match(1))
        for item in (theirs, charged):
            r = client.patch(f"{PLANS}/{plan.id}/items/{item.id}", json={"progress": 30}, headers=h)
            assert r.status_code == 200, r.text
        assert client.patch(f"{PLANS}/{plan.id}/items/{other.id}", json={"progress": 30}, headers=h).status_code == 403
        r = client.patch(
            f"{PLANS}/{plan.id}/items/{theirs.id}",
            json={"title": "X"},
            headers=world.headers(Role.department_head, **if_match(2)),
        )
        assert r.status_code == 403  # the content is the annual plan's drafters'

    def test_list_filters_and_order(self, client, world, session):
        plan = make_plan(session, world, status=PlanStatus.approved, items=0)
        late = make_item(
            session, plan, title="B", due_date=date(2026, 9, 30), status=ItemStatus.done, completed_on=date(2026, 9, 1)
        )
        early = make_item(session, plan, title="A", due_date=date(2026, 3, 31), department_id=world.a.department.id)
        h = world.headers(Role.staff)

        def titles(**params):
            r = client.get(f"{PLANS}/{plan.id}/items", params=params, headers=h)
            assert r.status_code == 200, r.text
            return [i["title"] for i in r.json()["items"]]

        assert titles() == ["A", "B"]
        assert titles(sort="-due_date") == ["B", "A"]
        assert titles(status="done") == ["B"]
        assert titles(department_id=str(world.a.department.id)) == ["A"]
        assert titles(due_from="2026-04-01") == ["B"]
        assert titles(due_to="2026-04-01") == ["A"]
        assert titles(limit=1) == ["A"]
        assert late.id and early.id
