"""GET /api/v1/cycles/{institution_id}/{year}: the stage, the sections and the compliance calendar,
judged on fixed dates."""

from __future__ import annotations

from datetime import UTC, date, datetime

from api.models import CarePlanKind, CarePlanStatus
from api.security.scopes import Role
from tests.care.factories import make_plan, make_recipient, make_review
from tests.indicators.helpers import make_indicator, make_value


def _url(world, tenant: str = "a", year: int = 2026) -> str:
    return f"/api/v1/cycles/{getattr(world, tenant).institution.id}/{year}"


def _by_code(view: dict) -> dict[str, dict]:
    return {o["code"]: o for o in view["calendar"]}


def test_indicator_reviews_twice_a_year_on_fixed_dates(client, world, session):
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
    assert view["sections"]["indicators"] == {"available": True, "figures": {
        "values_published_for_year": 1, "published_first_half": 1, "published_second_half": 0}}
    # Judged after the year: the second half-year review was missed.
    r = client.get(_url(world), params={"as_of": "2027-01-15"}, headers=world.headers(Role.director))
    view = r.json()
    assert view["stage"] == "closed"
    assert _by_code(view)["indicator_review_2026_h2"]["status"] == "overdue"
    assert view["overdue"] == sum(1 for o in view["calendar"] if o["status"] == "overdue") >= 1
    assert [o["due_date"] for o in view["calendar"]] == sorted(o["due_date"] for o in view["calendar"])


def test_care_plan_reviews_and_monthly_ispp_renewal(client, world, session):
    recipient = make_recipient(session, world)
    late = make_plan(session, recipient, status=CarePlanStatus.active, next_review_date=date(2026, 3, 1))
    on_time = make_plan(session, make_recipient(session, world), status=CarePlanStatus.replaced,
                        period_start=date(2026, 1, 1), period_end=date(2026, 1, 31))
    make_review(session, on_time, review_date=date(2026, 1, 20), due_date=date(2026, 1, 25))
    make_plan(session, recipient, kind=CarePlanKind.ispp, status=CarePlanStatus.replaced,
              period_start=date(2026, 1, 1), period_end=date(2026, 1, 31))
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
    # Nothing but counts: no names, no ids of people.
    for section in r.json()["sections"].values():
        assert all(isinstance(v, int | bool) for v in section["figures"].values()), section
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
