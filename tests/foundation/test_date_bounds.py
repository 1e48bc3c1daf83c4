"""The dates, instants and years requests may carry (api/types.py): 1900-01-01 to 2999-12-31, an
instant judged once converted to UTC, a naive instant read as UTC. Each value past the range here
answered 500 before the range existed (the UTC conversion or the date arithmetic overflowed)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from sqlmodel import func, select

from api.models import AuditEvent, Campaign, CarePlanStatus, PlanApprovalRule, PlanStatus
from api.security.scopes import Role
from tests.care.factories import make_plan as make_care_plan
from tests.care.factories import make_recipient
from tests.plans.helpers import make_plan
from tests.surveys.factories import make_campaign, make_questionnaire

#: 9999-12-31T23:59:59-23:59 is 10000-01-01T23:58:59Z, 0001-01-01T00:00:00+14:00 is 0000-12-31T10:00Z:
#: neither exists for Python once in UTC.
PAST_THE_END = "9999-12-31T23:59:59-23:59"
BEFORE_THE_START = "0001-01-01T00:00:00+14:00"


def assert_refused(r, field: str) -> None:
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["type"] == "urn:ciklas:problem:validation-error"
    assert [e["field"] for e in problem["errors"]] == [field], problem


def audit_event(session, world, at: datetime) -> AuditEvent:
    row = AuditEvent(
        occurred_at=at, institution_id=world.a.institution.id, actor_kind="user", action="read", resource_type="plan"
    )
    session.add(row)
    session.commit()
    return row


class TestAuditEvents:
    URL = "/api/v1/audit-events"

    def test_instants_past_either_end_in_utc_are_422(self, client, world):
        h = world.headers(Role.director)
        assert_refused(client.get(self.URL, params={"since": PAST_THE_END}, headers=h), "query.since")
        assert_refused(client.get(self.URL, params={"until": BEFORE_THE_START}, headers=h), "query.until")
        # Just outside the range once converted (3000-01-01T00:00:59Z, 1899-12-31T23:59:59Z).
        assert_refused(client.get(self.URL, params={"until": "2999-12-31T23:59:59-00:01"}, headers=h), "query.until")
        assert_refused(client.get(self.URL, params={"since": "1900-01-01T00:00:00+00:01"}, headers=h), "query.since")

    def test_the_ends_of_the_range_are_accepted(self, client, world, session):
        event = audit_event(session, world, datetime(2026, 3, 1, 10, tzinfo=UTC))
        r = client.get(
            self.URL,
            params={"since": "1900-01-01T00:00:00Z", "until": "2999-12-31T23:59:59Z"},
            headers=world.headers(Role.director),
        )
        assert r.status_code == 200, r.text
        assert [i["id"] for i in r.json()["items"]] == [str(event.id)]

    def test_offsets_are_compared_in_utc_and_naive_instants_are_utc(self, client, world, session):
        ten = audit_event(session, world, datetime(2026, 3, 1, 10, tzinfo=UTC))
        noon = audit_event(session, world, datetime(2026, 3, 1, 12, tzinfo=UTC))
        h = world.headers(Role.director)

        def ids(**params):
            r = client.get(self.URL, params=params, headers=h)
            assert r.status_code == 200, r.text
            return {i["id"] for i in r.json()["items"]}

        assert ids(since="2026-03-01T13:00:00+02:00") == {str(noon.id)}  # 11:00 UTC
        assert ids(until="2026-03-01T10:30:00") == {str(ten.id)}  # no offset: UTC
        assert ids(since="2026-02-28T23:30:00-23:59") == set()  # 2026-03-01T23:29 UTC


def test_indicator_pull_refuses_updated_since_past_the_end(client, world):
    r = client.get(
        "/api/v1/indicator-values",
        params={"updated_since": PAST_THE_END},
        headers=world.headers(Role.municipality_analyst),
    )
    assert_refused(r, "query.updated_since")


class TestCampaigns:
    URL = "/api/v1/surveys/campaigns"

    def body(self, session, world, **kw):
        version = make_questionnaire(session, world.a.institution)
        return {
            "version_id": str(version.id),
            "name": "Apklausa",
            "opens_at": "2026-05-01T08:00:00+03:00",
            "closes_at": "2026-06-01T00:00:00Z",
            **kw,
        }

    def count(self, session) -> int:
        return session.exec(select(func.count()).select_from(Campaign)).one()

    def test_closes_at_past_the_end_is_422_and_stores_nothing(self, client, world, session):
        r = client.post(
            self.URL, json=self.body(session, world, closes_at=PAST_THE_END), headers=world.headers(Role.director)
        )
        assert_refused(r, "body.closes_at")
        r = client.post(
            self.URL, json=self.body(session, world, opens_at=BEFORE_THE_START), headers=world.headers(Role.director)
        )
        assert_refused(r, "body.opens_at")
        assert self.count(session) == 0

    def test_an_instant_with_an_offset_is_kept_in_utc(self, client, world, session):
        r = client.post(
            self.URL,
            json=self.body(session, world, closes_at="2999-12-31T23:59:59Z"),
            headers=world.headers(Role.director),
        )
        assert r.status_code == 201, r.text
        stored = session.get(Campaign, uuid.UUID(r.json()["id"]))
        assert stored.opens_at == datetime(2026, 5, 1, 5, tzinfo=UTC)
        assert stored.closes_at == datetime(2999, 12, 31, 23, 59, 59, tzinfo=UTC)
        assert datetime.fromisoformat(r.json()["opens_at"]) == datetime(2026, 5, 1, 5, tzinfo=UTC)

    def test_update_past_the_end_is_422_and_changes_nothing(self, client, world, session):
        campaign = make_campaign(session, make_questionnaire(session, world.a.institution), world.a.institution)
        before = campaign.closes_at
        r = client.patch(
            f"{self.URL}/{campaign.id}",
            json={"closes_at": PAST_THE_END},
            headers=world.headers(Role.director, **{"If-Match": "*"}),
        )
        assert_refused(r, "body.closes_at")
        session.refresh(campaign)
        assert campaign.closes_at == before


class TestReviewsDue:
    def test_as_of_past_the_last_day_is_422(self, client, world):
        for url in ("/api/v1/care-plans/reviews-due", "/api/v1/plans/reviews-due"):
            assert_refused(
                client.get(url, params={"as_of": "9999-12-31"}, headers=world.headers(Role.director)), "query.as_of"
            )
            assert_refused(
                client.get(url, params={"as_of": "1899-12-31"}, headers=world.headers(Role.director)), "query.as_of"
            )

    def test_the_last_day_with_the_longest_window_is_served(self, client, world, session):
        plan = make_plan(session, world, status=PlanStatus.approved, next_review_due=date(2026, 3, 1))
        care_plan = make_care_plan(
            session, make_recipient(session, world), status=CarePlanStatus.active, next_review_date=date(2026, 3, 1)
        )
        h = world.headers(Role.director)
        params = {"as_of": "2999-12-31", "within_days": 366}
        r = client.get("/api/v1/plans/reviews-due", params=params, headers=h)
        assert r.status_code == 200, r.text
        assert [(i["plan_id"], i["days_overdue"]) for i in r.json()["items"]] == [
            (str(plan.id), (date(2999, 12, 31) - date(2026, 3, 1)).days)
        ]
        r = client.get("/api/v1/care-plans/reviews-due", params=params, headers=h)
        assert r.status_code == 200, r.text
        assert [i["care_plan_id"] for i in r.json()["items"]] == [str(care_plan.id)]


def test_cycle_as_of_past_the_last_day_is_422(client, world):
    r = client.get(
        f"/api/v1/cycles/{world.a.institution.id}/2026",
        params={"as_of": "9999-12-31"},
        headers=world.headers(Role.director),
    )
    assert_refused(r, "query.as_of")


def test_approval_rule_dates_and_years_within_the_range(client, world, session):
    url, h = "/api/v1/plans/approval-rules", world.headers(Role.director)
    r = client.post(
        url, json={"year": 2026, "budget_approved_on": "9999-12-31", "approve_within_months": 12}, headers=h
    )
    assert_refused(r, "body.budget_approved_on")
    assert_refused(client.post(url, json={"year": 9999, "approve_within_months": 1}, headers=h), "body.year")
    assert session.exec(select(func.count()).select_from(PlanApprovalRule)).one() == 0
    r = client.post(
        url, json={"year": 2999, "budget_approved_on": "2999-12-31", "approve_within_months": 12}, headers=h
    )
    assert r.status_code == 201, r.text
    assert r.json()["approval_due_date"] == "3000-12-31"


def test_the_contract_states_the_ranges(client):
    spec = client.app.openapi()
    since = next(p for p in spec["paths"]["/api/v1/audit-events"]["get"]["parameters"] if p["name"] == "since")
    assert "1900-01-01T00:00:00Z" in since["description"] and "2999-12-31T23:59:59Z" in since["description"]
    as_of = next(p for p in spec["paths"]["/api/v1/plans/reviews-due"]["get"]["parameters"] if p["name"] == "as_of")
    assert "From 1900-01-01 to 2999-12-31." in as_of["description"]
    assert as_of["schema"]["anyOf"][0]["formatMaximum"] == "2999-12-31"
    year = next(p for p in spec["paths"]["/api/v1/plans"]["get"]["parameters"] if p["name"] == "year")
    assert (year["schema"]["anyOf"][0]["minimum"], year["schema"]["anyOf"][0]["maximum"]) == (1900, 2999)
    answered_at = spec["components"]["schemas"]["ResponseSubmit"]["properties"]["answered_at"]
    assert answered_at["description"].startswith("When the respondent answered")
    assert "once converted to UTC" in answered_at["description"]
