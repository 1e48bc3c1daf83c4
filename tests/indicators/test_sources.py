"""Computed values: formulas over other indicators (in SQL), and the survey, care-plan and plan
sources through their domains' aggregates.

The survey source is computed from responses submitted through the API and the plan source from
real plan items; the care-plan source is checked against a stand-in aggregate module with the
agreed signature (its aggregates have tests of their own in tests/care).
"""

from __future__ import annotations

import sys
import types
import uuid
from datetime import date

from sqlmodel import select

from api.care_plans.aggregates import Share
from api.models import IndicatorValue, ItemStatus, PlanKind, PlanStatus
from api.security.scopes import Role
from api.types import today
from tests.indicators.helpers import make_indicator, make_value
from tests.plans.helpers import make_item, make_plan
from tests.surveys.factories import make_campaign, make_questionnaire
from tests.surveys.helpers import submit_known


def recompute(client, world, indicator, period="2026", role=Role.quality_lead, tenant="a"):
    return client.post(
        f"/api/v1/indicators/{indicator.id}/values/recompute",
        json={"period": period},
        headers=world.headers(role, tenant),
    )


def formula(session, world, numerator, denominator=None, factor=100.0, **kw):
    return make_indicator(
        session,
        world.a.institution,
        code=kw.pop("code", "RATE"),
        source={"kind": "formula", "numerator": numerator, "denominator": denominator, "factor": factor},
        **kw,
    )


class TestFormula:
    def test_numerator_over_denominator_times_factor(self, client, world, session):
        num = make_indicator(session, code="FALLS", unit="count")
        den = make_indicator(session, world.a.institution, code="BED_DAYS", unit="count")
        rate = formula(session, world, "FALLS", "BED_DAYS", 1000.0)
        make_value(session, num, world.a.institution, "2026", 3.0, published=False, records=3)
        make_value(session, den, world.a.institution, "2026", 1200.0)
        make_value(session, num, world.b.institution, "2026", 50.0)  # another institution's: not used
        session.commit()
        r = recompute(client, world, rate)
        assert r.status_code == 201, r.text
        out = r.json()
        assert out["value"] == 2.5  # 3 / 1200 * 1000
        assert (out["origin"], out["status"], out["records"]) == ("computed", "draft", 2)
        assert out["inputs"]["numerator"] == {"code": "FALLS", "value": 3.0, "records": 3, "persons": None}
        assert out["inputs"]["denominator"]["value"] == 1200.0 and out["inputs"]["factor"] == 1000.0
        assert out["computed_at"]
        stored = session.get(IndicatorValue, uuid.UUID(out["id"]))
        assert (stored.value, stored.records, stored.period_start) == (2.5, 2, date(2026, 1, 1))

    def test_recompute_refreshes_a_draft_and_refuses_a_published_value(self, client, world, session):
        num = make_indicator(session, world.a.institution, code="HOURS")
        rate = formula(session, world, "HOURS", factor=0.5)
        hours = make_value(session, num, world.a.institution, "2026", 10.0, published=False)
        session.commit()
        first = recompute(client, world, rate).json()
        assert first["value"] == 5.0
        hours.value = 30.0
        session.add(hours)
        session.commit()
        r = recompute(client, world, rate)
        assert r.status_code == 200 and r.json()["value"] == 15.0 and r.json()["id"] == first["id"]
        assert r.json()["version"] == 2
        r = client.post(
            f"/api/v1/indicator-values/{first['id']}/publish",
            headers=world.headers(Role.director, **{"If-Match": '"2"'}),
        )
        assert r.status_code == 200
        r = recompute(client, world, rate)
        assert r.status_code == 409
        session.expire_all()
        assert session.get(IndicatorValue, uuid.UUID(first["id"])).value == 15.0

    def test_missing_inputs_and_zero_denominator_are_409(self, client, world, session):
        num = make_indicator(session, code="FALLS")
        den = make_indicator(session, code="RESIDENTS")
        rate = formula(session, world, "FALLS", "RESIDENTS")
        make_value(session, num, world.b.institution, "2026", 3.0)
        make_value(session, den, world.b.institution, "2026", 30.0)
        session.commit()
        r = recompute(client, world, rate)
        assert r.status_code == 409
        assert r.json()["type"] == "urn:ciklas:problem:indicator-inputs-missing"
        assert r.json()["missing"] == ["FALLS", "RESIDENTS"]
        make_value(session, num, world.a.institution, "2026", 3.0)
        make_value(session, den, world.a.institution, "2026", 0.0)
        session.commit()
        r = recompute(client, world, rate)
        assert r.status_code == 409 and r.json()["missing"] == ["RESIDENTS"]
        assert session.exec(select(IndicatorValue).where(IndicatorValue.indicator_id == rate.id)).first() is None

    def test_respondents_of_survey_inputs_carry_over_to_suppression(self, client, world, session):
        sat = make_indicator(
            session, code="SAT", source={"kind": "survey", "dimension_code": "SATISFACTION", "aggregation": "top_box"}
        )
        scaled = formula(session, world, "SAT", factor=0.01, code="SAT_SHARE")
        make_value(session, sat, world.a.institution, "2026", 75.0, respondents=4, records=4)
        session.commit()
        out = recompute(client, world, scaled).json()
        assert (out["value"], out["respondents"]) == (0.75, 4)
        client.post(
            f"/api/v1/indicator-values/{out['id']}/publish", headers=world.headers(Role.director, **{"If-Match": '"1"'})
        )
        seen = client.get(f"/api/v1/indicator-values/{out['id']}", headers=world.headers(Role.municipality_analyst))
        assert (seen.json()["value"], seen.json()["suppressed"]) == (None, True)

    def test_period_must_fit_and_foreign_indicator_is_404(self, client, world, session):
        rate = formula(session, world, "X_NONE")
        b_rate = make_indicator(session, world.b.institution, code="B_RATE")
        session.commit()
        assert recompute(client, world, rate, period="2026-Q1").status_code == 422
        assert recompute(client, world, b_rate).status_code == 404
        assert recompute(client, world, rate, role=Role.staff).status_code == 403


class TestDomainSources:
    def test_manual_indicator_is_not_computable(self, client, world, session):
        manual = make_indicator(session, code="TRAINING")
        session.commit()
        r = recompute(client, world, manual)
        assert r.status_code == 409 and r.json()["type"] == "urn:ciklas:problem:source-not-available"

    def test_sources_of_unmerged_domains_answer_409(self, client, world, session, monkeypatch):
        for name in ("api.surveys.aggregates", "api.care_plans.aggregates", "api.plans.aggregates"):
            monkeypatch.setitem(sys.modules, name, None)  # importing it raises ImportError
        sources = [
            {"kind": "survey", "dimension_code": "SATISFACTION", "aggregation": "mean"},
            {"kind": "care_plans", "measure": "goals_achieved"},
            {"kind": "plans", "measure": "items_done_on_time"},
        ]
        for i, source in enumerate(sources):
            indicator = make_indicator(session, code=f"SRC_{i}", source=source)
            session.commit()
            r = recompute(client, world, indicator)
            assert r.status_code == 409, r.text
            assert r.json()["type"] == "urn:ciklas:problem:source-not-available"
            assert "not available" in r.json()["detail"]
        assert session.exec(select(IndicatorValue)).first() is None

    def test_survey_source_computes_from_submitted_responses(self, client, world, session):
        version = make_questionnaire(session, world.a.institution)
        submit_known(client, world, make_campaign(session, version, world.a.institution))
        b_version = make_questionnaire(session, world.b.institution)
        submit_known(
            client, world, make_campaign(session, b_version, world.b.institution), tenant="b", rows=[(1, 1, False)]
        )
        by_dimension = make_indicator(
            session,
            code="SAT",
            periodicity="half_year",
            source={"kind": "survey", "dimension_code": "SATISFACTION", "concept_code": None, "aggregation": "top_box"},
        )
        by_concept = make_indicator(
            session,
            code="SAFE",
            source={"kind": "survey", "dimension_code": None, "concept_code": "Q_SAT", "aggregation": "mean"},
        )
        session.commit()
        year = today().year
        half = f"{year}-H{1 if today().month <= 6 else 2}"
        r = recompute(client, world, by_dimension, period=half)
        assert r.status_code == 201, r.text
        out = r.json()
        assert (out["value"], out["respondents"], out["records"]) == (50.0, 4, 4)
        assert out["inputs"] == {"dimension_code": "SATISFACTION", "aggregation": "top_box", "respondents": 4}
        out = recompute(client, world, by_concept, period=str(year)).json()
        assert (out["value"], out["respondents"]) == (3.5, 4)
        out = recompute(client, world, by_concept, period=str(year - 1)).json()
        assert (out["value"], out["respondents"]) == (None, 0)

    def test_care_plan_sources_are_shares(self, client, world, session, monkeypatch):
        monkeypatch.setitem(
            sys.modules,
            "api.care_plans.aggregates",
            types.SimpleNamespace(
                goals_achieved=lambda s, i, start, end: Share(9, 12, persons=6),
                plans_reviewed_on_time=lambda s, i, start, end: Share(0, 0, persons=0),
                plans_with_participation=lambda s, i, start, end: Share(10, 10, persons=10),
            ),
        )
        expected = {"goals_achieved": (75.0, 12, 6), "reviewed_on_time": (None, 0, 0), "participation": (100.0, 10, 10)}
        for measure, (value, records, persons) in expected.items():
            indicator = make_indicator(
                session, code=f"CP_{measure.upper()}", source={"kind": "care_plans", "measure": measure}
            )
            session.commit()
            out = recompute(client, world, indicator).json()
            assert (out["value"], out["records"], out["persons"]) == (value, records, persons), measure
            assert out["inputs"]["denominator"] == records

    def test_a_care_plan_source_that_counts_no_persons_is_not_available(self, client, world, session, monkeypatch):
        monkeypatch.setitem(
            sys.modules,
            "api.care_plans.aggregates",
            types.SimpleNamespace(goals_achieved=lambda s, i, start, end: (9, 12)),
        )
        indicator = make_indicator(session, code="CP_GOALS", source={"kind": "care_plans", "measure": "goals_achieved"})
        session.commit()
        r = recompute(client, world, indicator)
        assert r.status_code == 409 and r.json()["type"] == "urn:ciklas:problem:source-not-available"
        assert session.exec(select(IndicatorValue)).first() is None

    def test_plan_source_is_the_share_of_items_done_on_time(self, client, world, session):
        """Items of institution A's approved plans due in the first half of 2026: one done on time,
        one done late, one still open; a cancelled one, a draft plan's and institution B's do not count."""
        approved = make_plan(session, world, status=PlanStatus.approved, items=0)
        make_item(session, approved, due_date=date(2026, 3, 31), status=ItemStatus.done, completed_on=date(2026, 3, 30))
        make_item(session, approved, due_date=date(2026, 5, 31), status=ItemStatus.done, completed_on=date(2026, 6, 2))
        make_item(session, approved, due_date=date(2026, 6, 30), status=ItemStatus.in_progress)
        make_item(session, approved, due_date=date(2026, 6, 30), status=ItemStatus.cancelled)
        make_item(session, approved, due_date=date(2026, 9, 30), status=ItemStatus.done, completed_on=date(2026, 9, 1))
        draft = make_plan(session, world, kind=PlanKind.quarterly, period="2026-Q1", items=0)
        make_item(session, draft, due_date=date(2026, 3, 31), status=ItemStatus.done, completed_on=date(2026, 3, 1))
        other = make_plan(session, world, "b", status=PlanStatus.approved, items=0)
        make_item(session, other, due_date=date(2026, 3, 31), status=ItemStatus.done, completed_on=date(2026, 3, 1))
        plans = make_indicator(
            session,
            code="PLAN_EXEC",
            periodicity="half_year",
            source={"kind": "plans", "measure": "items_done_on_time"},
        )
        session.commit()
        r = recompute(client, world, plans, period="2026-H1")
        assert r.status_code == 201, r.text
        out = r.json()
        assert (out["value"], out["records"]) == (33.3333, 3)
        assert out["inputs"] == {"measure": "items_done_on_time", "numerator": 1, "denominator": 3}
        out = recompute(client, world, plans, period="2026-H2").json()
        assert (out["value"], out["records"]) == (100.0, 1)
