"""The annual plan's approval deadline, judged on fixed dates: budget approval + N months."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from api.models import PlanApprovalRule, PlanKind, PlanStatus
from api.plans.deadlines import approval_deadline
from api.plans.periods import add_months
from api.security.scopes import Role
from tests.plans.helpers import PLANS, if_match, make_plan

RULES = f"{PLANS}/approval-rules"


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 15), 1, date(2026, 2, 15)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 12, 20), 2, date(2027, 2, 20)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


def rule(budget, months):
    return PlanApprovalRule(year=budget.year, budget_approved_on=budget, approve_within_months=months)


class TestApprovalDeadline:
    """Palanga approves within one month after the budget, Utena within two."""

    def test_palanga_one_month(self):
        palanga = rule(date(2026, 1, 20), 1)
        on_time = approval_deadline(palanga, datetime(2026, 2, 20, 15, tzinfo=UTC), as_of=date(2026, 6, 1))
        assert (on_time.due_date, on_time.overdue, on_time.days_overdue) == (date(2026, 2, 20), False, 0)
        late = approval_deadline(palanga, datetime(2026, 2, 23, tzinfo=UTC), as_of=date(2026, 6, 1))
        assert (late.overdue, late.days_overdue) == (True, 3)
        pending = approval_deadline(palanga, None, as_of=date(2026, 2, 20))
        assert (pending.overdue, pending.days_overdue) == (False, 0)
        pending = approval_deadline(palanga, None, as_of=date(2026, 3, 2))
        assert (pending.overdue, pending.days_overdue) == (True, 10)

    def test_utena_two_months(self):
        utena = rule(date(2026, 1, 20), 2)
        assert approval_deadline(utena, None, as_of=date(2026, 3, 20)).overdue is False
        late = approval_deadline(utena, None, as_of=date(2026, 3, 21))
        assert (late.due_date, late.overdue, late.days_overdue) == (date(2026, 3, 20), True, 1)
        on_time = approval_deadline(utena, datetime(2026, 3, 10, tzinfo=UTC), as_of=date(2026, 12, 1))
        assert on_time.overdue is False

    def test_no_budget_date_no_deadline(self):
        assert approval_deadline(PlanApprovalRule(year=2026, approve_within_months=1), None, date(2026, 1, 1)) is None
        assert approval_deadline(None, None, date(2026, 1, 1)) is None


class TestApprovalRulesApi:
    def test_record_the_rule_and_the_budget_date(self, client, world, session):
        q = world.headers(Role.quality_lead)
        r = client.post(RULES, json={"year": 2020, "approve_within_months": 2}, headers=q)
        assert r.status_code == 201, r.text
        out = r.json()
        assert (out["budget_approved_on"], out["approval_due_date"]) == (None, None)
        assert client.post(RULES, json={"year": 2020, "approve_within_months": 1}, headers=q).status_code == 409
        plan = make_plan(session, world, period="2020")
        assert client.get(f"{PLANS}/{plan.id}", headers=q).json()["approval"] is None
        url = f"{RULES}/{out['id']}"
        assert client.patch(url, json={"budget_approved_on": "2020-01-31"}, headers=q).status_code == 428
        r = client.patch(url, json={"budget_approved_on": "2020-01-31"}, headers={**q, **if_match(1)})
        assert r.status_code == 200 and r.json()["approval_due_date"] == "2020-03-31"
        # the 2020 plan was never approved, and 31 March 2020 is long past
        approval = client.get(f"{PLANS}/{plan.id}", headers=world.headers(Role.staff)).json()["approval"]
        assert approval["due_date"] == "2020-03-31" and approval["overdue"] is True
        assert approval["days_overdue"] > 2000
        r = client.get(RULES, headers=world.headers(Role.staff))
        assert [x["year"] for x in r.json()["items"]] == [2020]
        assert client.get(RULES, headers=world.headers(Role.staff, "b")).json()["items"] == []
        assert client.get(url, headers=world.headers(Role.staff, "b")).status_code == 404

    def test_only_the_director_and_quality_lead_set_rules(self, client, world):
        body = {"year": 2026, "budget_approved_on": "2026-01-15", "approve_within_months": 1}
        assert client.post(RULES, json=body, headers=world.headers(Role.department_head)).status_code == 403
        assert client.post(RULES, json=body, headers=world.headers(Role.staff)).status_code == 403
        r = client.post(RULES, json=body, headers=world.headers(Role.director))
        assert r.status_code == 201
        r = client.patch(
            f"{RULES}/{r.json()['id']}",
            json={"approve_within_months": 2},
            headers=world.headers(Role.department_head, **if_match(1)),
        )
        assert r.status_code == 403

    def test_plans_show_their_deadline_on_fixed_dates(self, client, world, session):
        for year, budget, months in (
            (2019, date(2019, 2, 1), 1),
            (2020, date(2020, 2, 1), 2),
            (2999, date(2999, 1, 10), 1),
        ):
            session.add(
                PlanApprovalRule(
                    institution_id=world.a.institution.id,
                    year=year,
                    budget_approved_on=budget,
                    approve_within_months=months,
                )
            )
        session.commit()
        on_time = make_plan(
            session, world, period="2019", status=PlanStatus.approved, approved_at=datetime(2019, 3, 1, 9, tzinfo=UTC)
        )
        late = make_plan(
            session, world, period="2020", status=PlanStatus.closed, approved_at=datetime(2020, 4, 6, 9, tzinfo=UTC)
        )
        future = make_plan(session, world, period="2999")
        department = make_plan(session, world, kind=PlanKind.department, period="2019")
        h = world.headers(Role.staff)

        def approval(plan):
            return client.get(f"{PLANS}/{plan.id}", headers=h).json()["approval"]

        assert approval(on_time) == {
            "due_date": "2019-03-01",
            "budget_approved_on": "2019-02-01",
            "approve_within_months": 1,
            "overdue": False,
            "days_overdue": 0,
        }
        assert (approval(late)["due_date"], approval(late)["overdue"], approval(late)["days_overdue"]) == (
            "2020-04-01",
            True,
            5,
        )
        assert (approval(future)["due_date"], approval(future)["overdue"]) == ("2999-02-10", False)
        assert approval(department) is None  # the rule is the annual plan's
        listed = {
            p["id"]: p["approval"]
            for p in client.get(PLANS, params={"include_superseded": True}, headers=h).json()["items"]
        }
        assert listed[str(late.id)]["overdue"] is True and listed[str(on_time.id)]["overdue"] is False

    def test_an_amendment_does_not_restart_the_clock(self, client, world, session):
        session.add(
            PlanApprovalRule(
                institution_id=world.a.institution.id,
                year=2019,
                budget_approved_on=date(2019, 2, 1),
                approve_within_months=1,
            )
        )
        session.commit()
        first = make_plan(
            session, world, period="2019", status=PlanStatus.approved, approved_at=datetime(2019, 2, 20, tzinfo=UTC)
        )
        r = client.post(f"{PLANS}/{first.id}/amendments", headers=world.headers(Role.quality_lead, **if_match(1)))
        assert r.status_code == 201
        assert r.json()["approval"]["overdue"] is False  # judged by the first revision's approval
