"""items_done_on_time(): the plan-execution indicator's numerator and denominator, in SQL."""

from __future__ import annotations

from datetime import date

from api.models import ItemStatus, PlanKind, PlanStatus
from api.plans.aggregates import items_done_on_time
from api.security.scopes import Role
from tests.plans.helpers import PLANS, if_match, make_item, make_plan

H1 = (date(2026, 1, 1), date(2026, 6, 30))


def test_counts_items_due_in_the_period_done_by_their_due_date(world, session):
    plan = make_plan(session, world, status=PlanStatus.approved, items=0)
    make_item(session, plan, due_date=date(2026, 1, 1), status=ItemStatus.done, completed_on=date(2025, 12, 20))
    make_item(session, plan, due_date=date(2026, 6, 30), status=ItemStatus.done, completed_on=date(2026, 6, 30))
    make_item(session, plan, due_date=date(2026, 3, 31), status=ItemStatus.done, completed_on=date(2026, 4, 1))
    make_item(session, plan, due_date=date(2026, 4, 30), status=ItemStatus.in_progress)
    make_item(session, plan, due_date=date(2026, 5, 31), status=ItemStatus.postponed)
    make_item(session, plan, due_date=date(2026, 5, 31), status=ItemStatus.cancelled)  # left out
    make_item(session, plan, due_date=date(2026, 7, 1), status=ItemStatus.done, completed_on=date(2026, 6, 1))
    assert items_done_on_time(session, world.a.institution.id, *H1) == (2, 5)
    assert items_done_on_time(session, world.a.institution.id, date(2026, 7, 1), date(2026, 12, 31)) == (1, 1)
    assert items_done_on_time(session, world.b.institution.id, *H1) == (0, 0)


def test_only_plans_in_force_or_closed_count(world, session):
    for status, on_time in (
        (PlanStatus.approved, True),
        (PlanStatus.closed, True),
        (PlanStatus.draft, True),
        (PlanStatus.submitted, True),
        (PlanStatus.returned, True),
        (PlanStatus.superseded, False),
    ):
        plan = make_plan(session, world, kind=PlanKind.monthly, period="2026-02", status=status, items=0)
        make_item(
            session,
            plan,
            due_date=date(2026, 2, 27),
            status=ItemStatus.done,
            completed_on=date(2026, 2, 1) if on_time else date(2026, 3, 5),
        )
    assert items_done_on_time(session, world.a.institution.id, *H1) == (2, 2)


def test_progress_reported_through_the_api_counts(client, world, session):
    plan = make_plan(session, world, status=PlanStatus.approved, items=0)
    item = make_item(session, plan, due_date=date(2026, 3, 31))
    make_item(session, plan, due_date=date(2026, 3, 31))
    assert items_done_on_time(session, world.a.institution.id, *H1) == (0, 2)
    r = client.patch(
        f"{PLANS}/{plan.id}/items/{item.id}",
        json={"status": "done", "completed_on": "2026-03-15"},
        headers=world.headers(Role.quality_lead, **if_match(1)),
    )
    assert r.status_code == 200, r.text
    assert items_done_on_time(session, world.a.institution.id, *H1) == (1, 2)
