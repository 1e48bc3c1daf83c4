"""The planning part of the yearly cycle view, judged on fixed dates."""

from __future__ import annotations

from datetime import UTC, date, datetime

from api.models import ItemStatus, PlanApprovalRule, PlanKind, PlanReview, PlanStatus
from api.security.scopes import Role
from tests.plans.helpers import make_item, make_plan
from tests.proposals.helpers import make_proposal


def cycle(client, world, as_of, role=Role.director):
    r = client.get(
        f"/api/v1/cycles/{world.a.institution.id}/2026", params={"as_of": as_of}, headers=world.headers(role)
    )
    assert r.status_code == 200, r.text
    return r.json()


def test_the_annual_plan_approval_and_reviews_on_fixed_dates(client, world, session):
    session.add(
        PlanApprovalRule(
            institution_id=world.a.institution.id,
            year=2026,
            budget_approved_on=date(2026, 1, 20),
            approve_within_months=2,
        )
    )
    session.commit()
    view = cycle(client, world, "2026-03-25")
    assert "annual_plan_approved" not in view["sections"]["plans"]["figures"]  # no annual plan yet
    cal = {o["code"]: o for o in view["calendar"]}
    assert (cal["annual_plan_approval_2026"]["due_date"], cal["annual_plan_approval_2026"]["status"]) == (
        "2026-03-20",
        "overdue",
    )
    annual = make_plan(
        session, world, status=PlanStatus.approved, items=0, approved_at=datetime(2026, 3, 10, tzinfo=UTC)
    )
    make_item(session, annual, due_date=date(2026, 3, 31), status=ItemStatus.done, completed_on=date(2026, 3, 30))
    make_item(session, annual, due_date=date(2026, 4, 30))
    session.add(PlanReview(institution_id=annual.institution_id, plan_id=annual.id, review_date=date(2026, 4, 28)))
    make_proposal(session, world, plan_year=2026)
    session.commit()
    view = cycle(client, world, "2026-06-15")
    assert view["stage"] == "delivery"
    figures = view["sections"]["plans"]["figures"]
    assert view["sections"]["plans"]["available"] is True
    assert (figures["annual_plan_approved"], figures["items_due"], figures["items_done_on_time"]) == (True, 2, 1)
    assert (figures["proposals"], figures["proposals_open"]) == (1, 1)
    cal = {o["code"]: o for o in view["calendar"]}
    assert cal["annual_plan_approval_2026"]["status"] == "done"
    assert cal["annual_plan_approval_2026"]["evidence"]["on_time"] is True
    assert "annual_plan_review_2026_03" not in cal  # reviews start the month after approval
    assert (
        cal["annual_plan_review_2026_04"]["status"],
        cal["annual_plan_review_2026_05"]["status"],
        cal["annual_plan_review_2026_06"]["status"],
    ) == ("done", "overdue", "upcoming")
    # municipalities read the same counts
    municipality = cycle(client, world, "2026-06-15", Role.municipality_analyst)
    assert municipality["sections"]["plans"] == view["sections"]["plans"]


def test_the_competence_plan_is_reviewed_in_each_half_year(client, world, session):
    plan = make_plan(session, world, kind=PlanKind.competence_development, status=PlanStatus.approved)
    session.add(PlanReview(institution_id=plan.institution_id, plan_id=plan.id, review_date=date(2026, 5, 5)))
    session.commit()
    cal = {o["code"]: o for o in cycle(client, world, "2027-01-10")["calendar"]}
    assert (cal["competence_plan_review_2026_h1"]["status"], cal["competence_plan_review_2026_h2"]["status"]) == (
        "done",
        "overdue",
    )


def test_the_year_stays_in_planning_while_the_annual_plan_is_not_approved(client, world, session):
    make_plan(session, world, status=PlanStatus.submitted)
    view = cycle(client, world, "2026-05-01")
    assert (view["stage"], view["sections"]["plans"]["figures"]["annual_plan_approved"]) == ("planning", False)
