"""Reviews: the annual plan monthly, the competence plan every six months (configurable per kind);
reviews due and overdue on fixed dates; the items as they stood at each review."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import select

from api.models import ItemStatus, Plan, PlanKind, PlanReviewItem, PlanStatus
from api.plans.periods import add_months
from api.security.scopes import Role
from api.types import today
from tests.plans.helpers import PLANS, if_match, make_item, make_plan

DUE = f"{PLANS}/reviews-due"
CADENCES = f"{PLANS}/review-cadences"


def approve(client, world, plan):
    d, q = world.headers(Role.director), world.headers(Role.quality_lead)
    assert client.post(f"{PLANS}/{plan.id}/submit", headers={**q, **if_match(plan.version)}).status_code == 200
    r = client.post(f"{PLANS}/{plan.id}/approve", headers={**d, **if_match(plan.version + 1)})
    assert r.status_code == 200, r.text
    return r.json()


def test_approval_schedules_the_first_review_by_the_kinds_cadence(client, world, session):
    year = today().year
    annual = approve(client, world, make_plan(session, world, period=str(year)))
    competence = approve(
        client, world, make_plan(session, world, kind=PlanKind.competence_development, period=str(year))
    )
    quarterly = approve(client, world, make_plan(session, world, kind=PlanKind.quarterly, period=f"{year}-Q4"))
    approved_on = date.fromisoformat(annual["approved_at"][:10])
    assert annual["next_review_due"] == (
        add_months(approved_on, 1).isoformat() if add_months(approved_on, 1).year == year else None
    )
    assert competence["next_review_due"] == (
        add_months(approved_on, 6).isoformat() if add_months(approved_on, 6).year == year else None
    )
    assert quarterly["next_review_due"] is None  # quarterly plans are not on a schedule by default


def test_reviews_due_and_overdue_on_fixed_dates(client, world, session):
    monthly_due = make_plan(session, world, status=PlanStatus.approved, next_review_due=date(2026, 3, 1))
    half_year_due = make_plan(
        session,
        world,
        kind=PlanKind.competence_development,
        status=PlanStatus.approved,
        next_review_due=date(2026, 3, 20),
    )
    make_plan(session, world, kind=PlanKind.department, status=PlanStatus.closed, next_review_due=date(2026, 3, 1))
    make_plan(session, world, "b", status=PlanStatus.approved, next_review_due=date(2026, 2, 1))
    h = world.headers(Role.staff)
    r = client.get(DUE, params={"as_of": "2026-03-10"}, headers=h)
    assert r.status_code == 200, r.text
    items = [(i["plan_id"], i["next_review_due"], i["overdue"], i["days_overdue"]) for i in r.json()["items"]]
    assert items == [(str(monthly_due.id), "2026-03-01", True, 9), (str(half_year_due.id), "2026-03-20", False, 0)]
    r = client.get(DUE, params={"as_of": "2026-03-10", "overdue_only": True}, headers=h)
    assert [i["plan_id"] for i in r.json()["items"]] == [str(monthly_due.id)]
    r = client.get(DUE, params={"as_of": "2026-03-10", "within_days": 5}, headers=h)
    assert [i["plan_id"] for i in r.json()["items"]] == [str(monthly_due.id)]
    r = client.get(DUE, params={"as_of": "2026-03-01", "within_days": 0}, headers=h)
    assert [(i["plan_id"], i["overdue"]) for i in r.json()["items"]] == [(str(monthly_due.id), False)]
    r = client.get(DUE, params={"as_of": "2026-03-10", "kind": "competence_development"}, headers=h)
    assert [i["plan_id"] for i in r.json()["items"]] == [str(half_year_due.id)]


def test_a_review_keeps_the_items_as_they_stood_and_schedules_the_next(client, world, session):
    plan = make_plan(
        session,
        world,
        status=PlanStatus.approved,
        items=0,
        next_review_due=date(2026, 3, 1),
        approved_at=datetime(2026, 2, 1, tzinfo=UTC),
    )
    done = make_item(
        session,
        plan,
        title="Mokymai",
        status=ItemStatus.done,
        completed_on=date(2026, 2, 20),
        due_date=date(2026, 3, 31),
    )
    open_ = make_item(
        session, plan, title="Projektas", status=ItemStatus.in_progress, progress=30, due_date=date(2026, 9, 30)
    )
    q = world.headers(Role.quality_lead)
    r = client.post(
        f"{PLANS}/{plan.id}/reviews", json={"review_date": "2026-03-04", "notes": "Aptarta susirinkime"}, headers=q
    )
    assert r.status_code == 201, r.text
    review = r.json()
    assert (review["due_date"], review["on_time"], review["reviewer_id"]) == (
        "2026-03-01",
        False,
        str(world.user(Role.quality_lead).id),
    )
    assert [(i["title"], i["status"], i["progress"]) for i in review["items"]] == [
        ("Mokymai", "done", 100),
        ("Projektas", "in_progress", 30),
    ]
    session.expire_all()
    assert session.get(Plan, plan.id).next_review_due == date(2026, 4, 4)
    # progress moves on; the review still shows what it saw
    r = client.patch(f"{PLANS}/{plan.id}/items/{open_.id}", json={"progress": 80}, headers={**q, **if_match(1)})
    assert r.status_code == 200
    r = client.post(f"{PLANS}/{plan.id}/reviews", json={"review_date": "2026-04-02"}, headers=q)
    assert (r.json()["due_date"], r.json()["on_time"]) == ("2026-04-04", True)
    listed = client.get(f"{PLANS}/{plan.id}/reviews", headers=world.headers(Role.staff)).json()["items"]
    assert [(x["review_date"], [i["progress"] for i in x["items"]]) for x in listed] == [
        ("2026-04-02", [100, 80]),
        ("2026-03-04", [100, 30]),
    ]
    assert len(session.exec(select(PlanReviewItem)).all()) == 4
    assert done.id


def test_who_reviews_and_when(client, world, session):
    draft = make_plan(session, world)
    approved = make_plan(
        session, world, period="2027", status=PlanStatus.approved, approved_at=datetime(2026, 2, 1, tzinfo=UTC)
    )
    department = make_plan(
        session,
        world,
        kind=PlanKind.department,
        status=PlanStatus.approved,
        approved_at=datetime(2026, 2, 1, tzinfo=UTC),
    )
    body = {"review_date": "2026-03-01"}
    q = world.headers(Role.quality_lead)
    assert client.post(f"{PLANS}/{draft.id}/reviews", json=body, headers=q).status_code == 409
    r = client.post(f"{PLANS}/{approved.id}/reviews", json={"review_date": "2026-01-15"}, headers=q)
    assert r.status_code == 422  # before the approval
    r = client.post(f"{PLANS}/{approved.id}/reviews", json={"review_date": "2999-01-15"}, headers=q)
    assert r.status_code == 422  # in the future
    h = world.headers(Role.department_head)
    assert client.post(f"{PLANS}/{approved.id}/reviews", json=body, headers=h).status_code == 403
    assert client.post(f"{PLANS}/{department.id}/reviews", json=body, headers=h).status_code == 201
    assert (
        client.post(f"{PLANS}/{approved.id}/reviews", json=body, headers=world.headers(Role.staff)).status_code == 403
    )


def test_cadences_are_configurable_per_kind(client, world, session):
    h = world.headers(Role.staff)
    cadences = {c["kind"]: c for c in client.get(CADENCES, headers=h).json()}
    assert (cadences["annual"]["interval_months"], cadences["annual"]["default"]) == (1, True)
    assert cadences["competence_development"]["interval_months"] == 6
    assert cadences["quarterly"]["interval_months"] is None
    plan = make_plan(
        session,
        world,
        kind=PlanKind.quarterly,
        period="2026-Q2",
        status=PlanStatus.approved,
        approved_at=datetime(2026, 4, 2, tzinfo=UTC),
    )
    q = world.headers(Role.quality_lead)
    assert (
        client.post(
            CADENCES, json={"kind": "quarterly", "interval_months": 1}, headers=world.headers(Role.department_head)
        ).status_code
        == 403
    )
    r = client.post(CADENCES, json={"kind": "quarterly", "interval_months": 1}, headers=q)
    assert r.status_code == 201, r.text
    cadence = r.json()
    assert (cadence["default"], cadence["version"]) == (False, 1)
    assert client.post(CADENCES, json={"kind": "quarterly", "interval_months": 2}, headers=q).status_code == 409
    session.expire_all()
    assert session.get(Plan, plan.id).next_review_due == date(2026, 5, 2)  # rescheduled
    url = f"{CADENCES}/{cadence['id']}"
    assert client.patch(url, json={"interval_months": 2}, headers=q).status_code == 428
    r = client.patch(url, json={"interval_months": 2}, headers={**q, **if_match(1)})
    assert r.status_code == 200 and r.json()["interval_months"] == 2
    session.expire_all()
    assert session.get(Plan, plan.id).next_review_due == date(2026, 6, 2)
    assert client.delete(url, headers={**q, **if_match(2)}).status_code == 204
    session.expire_all()
    assert session.get(Plan, plan.id).next_review_due is None
    cadences = {c["kind"]: c for c in client.get(CADENCES, headers=h).json()}
    assert cadences["quarterly"]["default"] is True
    assert client.get(CADENCES, headers=world.headers(Role.staff, "b")).json()[0]["default"] is True
