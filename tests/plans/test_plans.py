"""Plans: kinds and their periods, parents, departments, who drafts what, updates with If-Match."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlmodel import select

from api.models import AuditEvent, Plan, PlanEvent, PlanKind, PlanStatus
from api.security.scopes import Role
from tests.plans.helpers import PLANS, if_match, make_plan


def create(client, world, role=Role.quality_lead, tenant="a", **body):
    body = {"kind": "annual", "title": "Metinis veiklos planas", "period": "2026", **body}
    return client.post(PLANS, json=body, headers=world.headers(role, tenant))


class TestCreate:
    @pytest.mark.parametrize(
        ("kind", "period", "start", "end"),
        [
            ("strategic", "2026-2030", date(2026, 1, 1), date(2030, 12, 31)),
            ("annual", "2026", date(2026, 1, 1), date(2026, 12, 31)),
            ("half_year", "2026-H2", date(2026, 7, 1), date(2026, 12, 31)),
            ("quarterly", "2026-Q1", date(2026, 1, 1), date(2026, 3, 31)),
            ("monthly", "2026-02", date(2026, 2, 1), date(2026, 2, 28)),
            ("competence_development", "2026", date(2026, 1, 1), date(2026, 12, 31)),
            ("improvement", "2027", date(2027, 1, 1), date(2027, 12, 31)),
        ],
    )
    def test_each_kind_takes_its_own_period(self, client, world, session, kind, period, start, end):
        r = create(client, world, kind=kind, period=period)
        assert r.status_code == 201, r.text
        out = r.json()
        assert (out["kind"], out["period"], out["status"], out["revision"]) == (kind, period, "draft", 1)
        assert (out["period_start"], out["period_end"]) == (start.isoformat(), end.isoformat())
        assert out["series_id"] == out["id"] and r.headers["ETag"] == '"1"'
        assert r.headers["Location"] == f"{PLANS}/{out['id']}"
        stored = session.get(Plan, uuid.UUID(out["id"]))
        assert stored.institution_id == world.a.institution.id
        assert stored.created_by_id == world.user(Role.quality_lead).id
        event = session.exec(select(PlanEvent).where(PlanEvent.plan_id == stored.id)).one()
        assert (event.action, event.from_status, event.to_status) == ("create", None, "draft")

    @pytest.mark.parametrize(
        ("kind", "period"),
        [
            ("annual", "2026-Q1"),
            ("quarterly", "2026"),
            ("monthly", "2026-H1"),
            ("half_year", "2026-03"),
            ("strategic", "2026"),
            ("strategic", "2030-2026"),
            ("strategic", "2026-2040"),
            ("department", "2026-Q2"),
            ("annual", "0999"),
        ],
    )
    def test_a_period_that_does_not_suit_the_kind_is_422(self, client, world, session, kind, period):
        r = create(
            client,
            world,
            kind=kind,
            period=period,
            department_id=str(world.a.department.id) if kind == "department" else None,
        )
        assert r.status_code == 422, r.text
        assert r.json()["type"] == "urn:ciklas:problem:unprocessable"
        assert r.json()["errors"][0]["field"] == "body.period"
        assert session.exec(select(Plan)).first() is None

    def test_malformed_period_is_a_schema_error(self, client, world):
        r = create(client, world, period="next year")
        assert r.status_code == 422 and r.json()["type"] == "urn:ciklas:problem:validation-error"

    def test_department_plan_names_its_department(self, client, world):
        r = create(client, world, kind="department")
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.department_id"
        r = create(client, world, kind="department", department_id=str(world.b.department.id))
        assert r.status_code == 422  # another institution's department is unknown here
        r = create(client, world, department_id=str(world.a.department.id))
        assert r.status_code == 422  # the annual plan is the whole institution's
        r = create(client, world, kind="department", department_id=str(world.a.department.id))
        assert r.status_code == 201 and r.json()["department_id"] == str(world.a.department.id)
        r = create(client, world, kind="monthly", period="2026-03", department_id=str(world.a.department.id))
        assert r.status_code == 201

    def test_one_annual_plan_per_year_and_one_department_plan_per_department(self, client, world, session):
        assert create(client, world).status_code == 201
        r = create(client, world)
        assert r.status_code == 409 and "2026" in r.json()["detail"]
        assert create(client, world, period="2027").status_code == 201
        assert create(client, world, tenant="b").status_code == 201  # another institution's
        dept = str(world.a.department.id)
        assert create(client, world, kind="department", department_id=dept).status_code == 201
        assert create(client, world, kind="department", department_id=dept).status_code == 409
        assert create(client, world, kind="monthly", period="2026-01").status_code == 201
        assert create(client, world, kind="monthly", period="2026-01").status_code == 201  # several a month


class TestParents:
    def test_the_chain_annual_quarterly_monthly(self, client, world):
        strategic = create(client, world, kind="strategic", period="2025-2029").json()
        annual = create(client, world, parent_id=strategic["id"]).json()
        assert annual["parent_id"] == strategic["id"]
        quarter = create(client, world, kind="quarterly", period="2026-Q2", parent_id=annual["id"])
        assert quarter.status_code == 201
        month = create(client, world, kind="monthly", period="2026-05", parent_id=quarter.json()["id"])
        assert month.status_code == 201
        for kind in ("department", "competence_development", "improvement"):
            extra = {"department_id": str(world.a.department.id)} if kind == "department" else {}
            r = create(client, world, kind=kind, parent_id=annual["id"], **extra)
            assert r.status_code == 201, (kind, r.text)
        r = client.get(PLANS, params={"parent_id": annual["id"]}, headers=world.headers(Role.staff))
        assert {p["kind"] for p in r.json()["items"]} == {
            "quarterly",
            "department",
            "competence_development",
            "improvement",
        }

    @pytest.mark.parametrize(
        ("kind", "period", "parent"),
        [
            ("monthly", "2026-05", "strategic"),  # not under a strategic plan directly
            ("annual", "2026", "annual"),
            ("quarterly", "2027-Q1", "annual"),  # outside the parent's year
            ("strategic", "2026-2030", "annual"),  # a strategic plan has no parent
        ],
    )
    def test_wrong_parent_is_422(self, client, world, session, kind, period, parent):
        parent_plan = make_plan(
            session, world, kind=PlanKind(parent), period="2025-2029" if parent == "strategic" else "2026"
        )
        r = create(client, world, kind=kind, period=period, parent_id=str(parent_plan.id))
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["field"] == "body.parent_id"

    def test_a_foreign_or_superseded_parent_is_422(self, client, world, session):
        foreign = make_plan(session, world, "b")
        r = create(client, world, kind="quarterly", period="2026-Q1", parent_id=str(foreign.id))
        assert r.status_code == 422
        old = make_plan(session, world, status=PlanStatus.superseded)
        r = create(client, world, kind="quarterly", period="2026-Q1", parent_id=str(old.id))
        assert r.status_code == 422 and "superseded" in r.json()["detail"]


class TestWhoDrafts:
    @pytest.mark.parametrize("role", [Role.director, Role.quality_lead])
    def test_director_and_quality_lead_draft_any_kind(self, client, world, role):
        for kind, period in (("annual", "2026"), ("competence_development", "2026"), ("strategic", "2026-2028")):
            assert create(client, world, role, kind=kind, period=period).status_code == 201

    def test_department_head_drafts_only_their_departments_plan(self, client, world, session):
        own = str(world.a.department.id)
        r = create(client, world, Role.department_head, kind="department", department_id=own)
        assert r.status_code == 201
        other = make_plan(session, world, kind=PlanKind.department, period="2027")  # a department of A
        from tests.factories import make_department

        second = make_department(session, world.a.institution)
        session.commit()
        r = create(client, world, Role.department_head, kind="department", period="2027", department_id=str(second.id))
        assert r.status_code == 403
        for kind in ("annual", "competence_development", "quarterly"):
            r = create(
                client, world, Role.department_head, kind=kind, period="2026-Q1" if kind == "quarterly" else "2026"
            )
            assert r.status_code == 403, kind
            assert r.json()["type"] == "urn:ciklas:problem:forbidden"
        assert other.kind == "department"

    @pytest.mark.parametrize(
        "role",
        [
            Role.social_worker,
            Role.staff,
            Role.recipient,
            Role.guardian,
            Role.feedback_device,
            Role.municipality_analyst,
            Role.platform_admin,
        ],
    )
    def test_others_cannot_draft(self, client, world, session, role):
        r = create(client, world, role)
        assert r.status_code == 403
        assert session.exec(select(Plan)).first() is None


class TestReadAndUpdate:
    def test_every_staff_member_reads_the_institutions_plans(self, client, world, session):
        plan = make_plan(session, world)
        make_plan(session, world, "b")
        for role in (Role.staff, Role.social_worker, Role.department_head, Role.director):
            r = client.get(PLANS, headers=world.headers(role))
            assert [p["id"] for p in r.json()["items"]] == [str(plan.id)], role
            r = client.get(f"{PLANS}/{plan.id}", headers=world.headers(role))
            assert r.status_code == 200 and r.headers["ETag"] == '"1"'
        assert client.get(f"{PLANS}/{plan.id}", headers=world.headers(Role.staff, "b")).status_code == 404
        assert client.get(PLANS, headers=world.headers(Role.recipient)).status_code == 403

    def test_list_filters(self, client, world, session):
        annual = make_plan(session, world)
        quarter = make_plan(session, world, kind=PlanKind.quarterly, period="2026-Q1", status=PlanStatus.approved)
        make_plan(session, world, kind=PlanKind.annual, period="2025", status=PlanStatus.superseded)
        strategic = make_plan(session, world, kind=PlanKind.strategic, period="2024-2028")
        h = world.headers(Role.staff)

        def ids(**params):
            r = client.get(PLANS, params=params, headers=h)
            assert r.status_code == 200, r.text
            return {p["id"] for p in r.json()["items"]}

        assert ids() == {str(annual.id), str(quarter.id), str(strategic.id)}
        assert len(ids(include_superseded=True)) == 4
        assert ids(kind="quarterly") == {str(quarter.id)}
        assert ids(status="approved") == {str(quarter.id)}
        assert ids(year=2026) == {str(annual.id), str(quarter.id), str(strategic.id)}
        assert ids(year=2025) == {str(strategic.id)}
        assert len(ids(year=2025, include_superseded=True)) == 2

    def test_update_needs_if_match_and_a_draft(self, client, world, session):
        plan = make_plan(session, world)
        url, h = f"{PLANS}/{plan.id}", world.headers(Role.quality_lead)
        r = client.patch(url, json={"title": "Naujas"}, headers=h)
        assert r.status_code == 428
        r = client.patch(url, json={"title": "Naujas"}, headers={**h, **if_match(7)})
        assert r.status_code == 412
        r = client.patch(url, json={"title": "Naujas", "description": "Tikslai"}, headers={**h, **if_match(1)})
        assert r.status_code == 200 and r.json()["title"] == "Naujas" and r.headers["ETag"] == '"2"'
        r = client.patch(url, json={"title": None}, headers={**h, **if_match(2)})
        assert r.status_code == 422
        r = client.patch(url, json={"period": "2027"}, headers={**h, **if_match(2)})
        assert r.status_code == 422 and "outside" in r.json()["detail"]  # its item is due in 2026
        approved = make_plan(session, world, period="2027", status=PlanStatus.approved)
        r = client.patch(f"{PLANS}/{approved.id}", json={"title": "X"}, headers={**h, **if_match(1)})
        assert r.status_code == 409 and "amend" in r.json()["detail"]
        session.expire_all()
        assert session.get(Plan, approved.id).title == approved.title
        audit = session.exec(
            select(AuditEvent).where(AuditEvent.resource_id == plan.id, AuditEvent.action == "update")
        ).all()
        assert len(audit) == 1

    def test_a_period_change_keeps_the_plans_under_it_inside(self, client, world, session):
        annual = make_plan(session, world, items=0)
        make_plan(session, world, kind=PlanKind.quarterly, period="2026-Q1", parent_id=annual.id)
        r = client.patch(
            f"{PLANS}/{annual.id}", json={"period": "2027"}, headers=world.headers(Role.quality_lead, **if_match(1))
        )
        assert r.status_code == 422 and "under this one" in r.json()["detail"]

    def test_a_department_head_edits_only_their_departments_plan(self, client, world, session):
        annual = make_plan(session, world)
        dept = make_plan(session, world, kind=PlanKind.department)
        h = world.headers(Role.department_head, **if_match(1))
        assert client.patch(f"{PLANS}/{annual.id}", json={"title": "X"}, headers=h).status_code == 403
        r = client.patch(f"{PLANS}/{dept.id}", json={"title": "Dienos centro planas"}, headers=h)
        assert r.status_code == 200
        r = client.patch(
            f"{PLANS}/{dept.id}",
            json={"parent_id": str(annual.id)},
            headers=world.headers(Role.department_head, **if_match(2)),
        )
        assert r.status_code == 200 and r.json()["parent_id"] == str(annual.id)

    def test_discarding_a_draft(self, client, world, session):
        annual = make_plan(session, world)
        child = make_plan(session, world, kind=PlanKind.quarterly, period="2026-Q1", parent_id=annual.id)
        h = world.headers(Role.quality_lead, **if_match(1))
        r = client.delete(f"{PLANS}/{annual.id}", headers=h)
        assert r.status_code == 409
        assert client.delete(f"{PLANS}/{child.id}", headers=h).status_code == 204
        assert client.delete(f"{PLANS}/{annual.id}", headers=h).status_code == 204
        assert session.exec(select(Plan)).first() is None
        approved = make_plan(session, world, status=PlanStatus.approved)
        assert client.delete(f"{PLANS}/{approved.id}", headers=h).status_code == 409
