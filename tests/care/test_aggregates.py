"""The SQL aggregates the indicators issue builds on, over fixtures with known answers."""

from __future__ import annotations

from datetime import UTC, date, datetime

from api.care_plans.aggregates import goals_achieved, plans_reviewed_on_time, plans_with_participation
from api.models import Attainment, CarePlanKind, CarePlanStatus
from tests.care.factories import activated, make_goal, make_plan, make_recipient, make_review

START, END = date(2026, 1, 1), date(2026, 6, 30)
ACTIVE, DRAFT = CarePlanStatus.active, CarePlanStatus.draft


def test_goals_achieved(world, session):
    a = make_recipient(session, world)
    p1 = make_plan(session, a, status=ACTIVE)
    make_goal(session, p1, due_date=date(2026, 2, 1), attainment=Attainment.achieved)
    make_goal(session, p1, due_date=date(2026, 3, 1), attainment=Attainment.not_achieved)
    make_goal(session, p1, due_date=date(2026, 4, 1), attainment=Attainment.discontinued)
    make_goal(session, p1, due_date=date(2026, 8, 1), attainment=Attainment.achieved)  # after the period
    make_goal(session, make_plan(session, a, status=DRAFT), due_date=date(2026, 2, 1), attainment=Attainment.achieved)
    old = make_plan(session, a, kind=CarePlanKind.ispp, status=CarePlanStatus.replaced)
    carried = make_goal(
        session, old, due_date=date(2026, 1, 31), attainment=Attainment.progressing, carried_forward=True
    )
    new = make_plan(session, a, kind=CarePlanKind.ispp, status=ACTIVE)
    make_goal(session, new, due_date=date(2026, 2, 28), attainment=Attainment.achieved, carried_from_id=carried.id)
    b = make_recipient(session, world, "b")
    make_goal(session, make_plan(session, b, status=ACTIVE), due_date=date(2026, 2, 1), attainment=Attainment.achieved)
    assert goals_achieved(session, world.a.institution.id, START, END) == (2, 3)
    assert goals_achieved(session, world.b.institution.id, START, END) == (1, 1)
    assert goals_achieved(session, world.c.institution.id, START, END) == (0, 0)


def test_plans_reviewed_on_time(world, session):
    r = make_recipient(session, world)
    on_time = make_plan(session, r, status=CarePlanStatus.closed)
    make_review(session, on_time, review_date=date(2026, 1, 30), due_date=date(2026, 2, 1))
    make_review(session, on_time, review_date=date(2026, 3, 1), due_date=date(2026, 3, 1))
    late = make_plan(session, r, status=ACTIVE, next_review_date=date(2026, 9, 1))
    make_review(session, late, review_date=date(2026, 1, 20), due_date=date(2026, 1, 25))
    make_review(session, late, review_date=date(2026, 2, 10), due_date=date(2026, 2, 1))
    make_plan(session, r, status=ACTIVE, next_review_date=date(2026, 5, 1))  # pending, missed by July
    make_plan(session, r, status=ACTIVE, next_review_date=date(2026, 9, 1))  # nothing due in the period
    outside = make_plan(session, r, status=CarePlanStatus.closed)
    make_review(session, outside, review_date=date(2025, 12, 20), due_date=date(2025, 12, 1))
    institution = world.a.institution.id
    assert plans_reviewed_on_time(session, institution, START, END, as_of=date(2026, 7, 1)) == (1, 3)
    # On 15 April the review due on 1 May is not missed yet.
    assert plans_reviewed_on_time(session, institution, START, END, as_of=date(2026, 4, 15)) == (1, 2)
    assert plans_reviewed_on_time(session, world.b.institution.id, START, END) == (0, 0)


def test_plans_with_participation(world, session):
    r = make_recipient(session, world)
    make_plan(session, r, status=ACTIVE, activated_at=activated(date(2026, 1, 15)), participated=True)
    make_plan(
        session,
        r,
        status=ACTIVE,
        activated_at=activated(date(2026, 3, 1)),
        participated=False,
        non_participation_reason="Hospitalised",
    )
    make_plan(session, r, status=ACTIVE, activated_at=datetime(2026, 6, 30, 23, 0, tzinfo=UTC), participated=True)
    make_plan(session, r, status=ACTIVE, activated_at=activated(date(2025, 12, 31)), participated=True)
    make_plan(session, r, status=DRAFT)
    b = make_recipient(session, world, "b")
    make_plan(session, b, status=ACTIVE, activated_at=activated(date(2026, 2, 1)), participated=True)
    assert plans_with_participation(session, world.a.institution.id, START, END) == (2, 3)
    assert plans_with_participation(session, world.b.institution.id, START, END) == (1, 1)
