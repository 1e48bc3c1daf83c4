"""GET /api/v1/cycles/{institution_id}/{year}: the stage, the sections and the compliance calendar,
judged on fixed dates."""

from __future__ import annotations

from datetime import UTC, date, datetime

from api.models import (
    CarePlanKind,
    CarePlanStatus,
    ImprovementMeasure,
    ItemStatus,
    PlanApprovalRule,
    PlanKind,
    PlanReview,
    PlanStatus,
)
from api.security.scopes import Role
from tests.care.factories import make_plan as make_care_plan
from tests.care.factories import make_recipient, make_review
from tests.indicators.helpers import make_indicator, make_value
from tests.plans.helpers import make_item
from tests.plans.helpers import make_plan as make_activity_plan


def _url(world, tenant: str = "a", year: int = 2026) -> str:
    return f"/api/v1/cycles/{getattr(world, tenant).institution.id}/{year}"


def _by_code(view: dict) -> dict[str, dict]:
    return {o["code"]: o for o in view["calendar"]}


def test_indicator_reviews_twice_a_year_on_fixed_dates(client, world, session):
    make_activity_plan(session, world, status=PlanStatus.approved, items=0)  # so the year is past planning
    indicator = make_indicator(session, world.a.institution, periodicity="half_year")
    value = make_value(session, indicator, world.a.institution, "2026-H1", 80.0)
    value.published_at = datetime(2026, 3, 10, 9, tzinfo=UTC)
    session.add(value)
    session.commit()
    r = client.get(_url(world), params={"as_of": "2026-08-01"}, headers=world.headers(Role.director))
    assert r.status_code == 200, r.text
    view = r.json()
    assert view["stage"] == "delivery" and view["stage_lt"] == "paslaugų teikimas"
    cal = _by_code(view)
    assert cal["indicator_review_2026_h1"]["status"] == "done"
    assert cal["indicator_review_2026_h1"]["evidence"] == {"values_published": 1}
    assert cal["indicator_review_2026_h2"]["status"] == "upcoming"
    assert view["sections"]["indicators"] == {
        "available": True,
        "figures": {"values_published_for_year": 1, "published_first_half": 1, "published_second_half": 0},
    }
    # Judged after the year: the second half-year review was missed.
    r = client.get(_url(world), params={"as_of": "2027-01-15"}, headers=world.headers(Role.director))
    view = r.json()
    assert view["stage"] == "closed"
    assert _by_code(view)["indicator_review_2026_h2"]["status"] == "overdue"
    assert view["overdue"] == sum(1 for o in view["calendar"] if o["status"] == "overdue") >= 1
    assert [o["due_date"] for o in view["calendar"]] == sorted(o["due_date"] for o in view["calendar"])


def test_care_plan_reviews_and_monthly_ispp_renewal(client, world, session):
    recipient = make_recipient(session, world)
    late = make_care_plan(session, recipient, status=CarePlanStatus.active, next_review_date=date(2026, 3, 1))
    on_time = make_care_plan(
        session,
        make_recipient(session, world),
        status=CarePlanStatus.replaced,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 1, 31),
    )
    make_review(session, on_time, review_date=date(2026, 1, 20), due_date=date(2026, 1, 25))
    make_care_plan(
        session,
        recipient,
        kind=CarePlanKind.ispp,
        status=CarePlanStatus.replaced,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 1, 31),
    )
    session.commit()
    view = client.get(_url(world), params={"as_of": "2026-03-15"}, headers=world.headers(Role.director)).json()
    figures = view["sections"]["care_plans"]["figures"]
    assert figures["reviews_overdue_now"] == 1
    assert (figures["plans_reviewed_on_time"], figures["plans_with_reviews_due"]) == (1, 2)
    cal = _by_code(view)
    assert cal["care_plan_reviews_2026"]["status"] == "overdue"
    # The ISPP of January was there; February's and March's were not drawn up.
    assert cal["ispp_month_2026_01"]["status"] == "done"
    assert cal["ispp_month_2026_02"]["status"] == "overdue"
    assert cal["ispp_month_2026_03"]["status"] == "overdue"
    assert "ispp_month_2026_04" not in cal
    assert late.id  # the overdue plan is the one with next_review_date 2026-03-01


def test_municipality_reads_its_institutions_cycle_only_as_aggregates(client, world, session):
    make_recipient(session, world)
    session.commit()
    r = client.get(_url(world), params={"as_of": "2026-01-10"}, headers=world.headers(Role.municipality_analyst))
    assert r.status_code == 200
    assert r.json()["stage"] == "planning"
    # Nothing but counts (no names, no ids of people), and no count resting on fewer than k persons:
    # with one recipient and no plans, every care-plan figure is withheld.
    withheld = {"value": None, "suppressed": True, "reason": "fewer than 5 persons"}
    for section in r.json()["sections"].values():
        assert all(
            v is None or isinstance(v, int | float | bool | str) or v == withheld for v in section["figures"].values()
        ), section
    assert all(v == withheld for v in r.json()["sections"]["care_plans"]["figures"].values())
    # Another municipality's institution is 404, like a missing one.
    r = client.get(_url(world, "c"), headers=world.headers(Role.municipality_analyst))
    assert r.status_code == 404 and r.json()["type"] == "urn:ciklas:problem:not-found"
    # Staff of another institution: 404 as well.
    assert client.get(_url(world, "b"), headers=world.headers(Role.director)).status_code == 404
    # A recipient has no cycles:read scope.
    assert client.get(_url(world), headers=world.headers(Role.recipient)).status_code == 403


def test_year_out_of_range_is_422(client, world):
    r = client.get(_url(world, year=1999), headers=world.headers(Role.director))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "path.year"


def test_planning_obligations_approval_after_budget_and_monthly_reviews(client, world, session):
    """Utena's rule: the director approves the annual plan within 2 months of the budget. The
    budget was approved on 15 January 2026, the plan on 1 February (on time); the annual plan was
    reviewed in February and April, not in March; the competence plan is not approved."""
    inst = world.a.institution
    session.add(
        PlanApprovalRule(
            institution_id=inst.id, year=2026, budget_approved_on=date(2026, 1, 15), approve_within_months=2
        )
    )
    annual = make_activity_plan(session, world, status=PlanStatus.approved, items=0)
    make_item(session, annual, due_date=date(2026, 3, 31), status=ItemStatus.done, completed_on=date(2026, 3, 20))
    make_item(session, annual, due_date=date(2026, 4, 10), status=ItemStatus.in_progress)
    for day in (date(2026, 2, 27), date(2026, 4, 28)):
        session.add(PlanReview(institution_id=inst.id, plan_id=annual.id, review_date=day, notes="Peržiūrėta"))
    session.add(
        ImprovementMeasure(
            institution_id=inst.id, year=2026, title="Mokymai", area="competence", due_date=date(2026, 4, 1)
        )
    )
    session.commit()
    view = client.get(_url(world), params={"as_of": "2026-05-10"}, headers=world.headers(Role.director)).json()
    assert view["stage"] == "delivery"
    cal = _by_code(view)
    approval = cal["annual_plan_approval_2026"]
    assert (approval["due_date"], approval["status"]) == ("2026-03-15", "done")
    assert approval["evidence"]["on_time"] is True and approval["evidence"]["approved_on"] == "2026-02-01"
    # Reviewed monthly from the month after approval: March missed, April held, May still open.
    months = {code: o["status"] for code, o in cal.items() if code.startswith("annual_plan_review_")}
    assert months == {
        "annual_plan_review_2026_03": "overdue",
        "annual_plan_review_2026_04": "done",
        "annual_plan_review_2026_05": "upcoming",
        **{f"annual_plan_review_2026_{m:02d}": "upcoming" for m in range(6, 13)},
    }
    assert not any(code.startswith("competence_plan_review_") for code in cal)
    plans = view["sections"]["plans"]["figures"]
    assert (plans["items_done_on_time"], plans["items_due"]) == (1, 2)
    assert plans["annual_plan_approved"] is True
    measures = view["sections"]["measures"]["figures"]
    assert (measures["measures"], measures["overdue"], measures["status_proposed"]) == (1, 1, 1)
    assert cal["improvement_measures_2026"]["status"] == "overdue"
    assert view["sections"]["surveys"]["available"] and view["sections"]["assessments"]["available"]
    assert cal["satisfaction_survey_2026"]["status"] == "upcoming"
    assert cal["self_assessment_2026"]["status"] == "upcoming"
    # Before the plan is approved the year is still in planning.
    view = client.get(_url(world), params={"as_of": "2026-01-20"}, headers=world.headers(Role.director)).json()
    assert view["stage"] == "planning" and _by_code(view)["annual_plan_approval_2026"]["status"] == "upcoming"
    assert annual.kind == PlanKind.annual
