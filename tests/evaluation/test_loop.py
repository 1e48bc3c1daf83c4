"""The whole loop in one test: evidence → improvement measure → an item of next year's plan →
the evaluation period's published value → the effect computed, never typed in."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlmodel import select

from api.models import ImprovementMeasure, IndicatorTarget, MeasureStatus, PlanItem, PlanStatus
from api.security.scopes import Role
from tests.evaluation.helpers import MEASURES, act, create, empty_catalogue, make_measure, satisfaction
from tests.indicators.helpers import make_value
from tests.plans.helpers import make_plan


@pytest.fixture(autouse=True)
def _no_seeded_catalogue(db_engine):
    empty_catalogue(db_engine)


def _stored(session, model, id_):
    session.commit()
    session.expire_all()
    return session.get(model, uuid.UUID(str(id_)))


def _publish(client, world, indicator, period, value):
    h = world.headers(Role.director)
    r = client.post(f"/api/v1/indicators/{indicator.id}/values", json={"period": period, "value": value}, headers=h)
    assert r.status_code == 201, r.text
    r = client.post(
        f"/api/v1/indicator-values/{r.json()['id']}/publish",
        headers=world.headers(Role.director, **{"If-Match": f'"{r.json()["version"]}"'}),
    )
    assert r.status_code == 200, r.text


def test_evidence_measure_next_years_plan_item_published_value_effect(client, world, session):
    # Evidence: satisfaction was 80 in 2025 against a target of 85.
    indicator = satisfaction(session, world.a.institution)
    session.add(
        IndicatorTarget(
            institution_id=world.a.institution.id,
            indicator_id=indicator.id,
            period_start=date(2025, 1, 1),
            period_label="2025",
            target=85.0,
        )
    )
    make_value(session, indicator, world.a.institution, "2024", 78.0)
    session.commit()
    owner = world.user(Role.department_head)
    measure = create(
        client,
        world,
        year=2025,
        owner_id=str(owner.id),
        due_date="2025-12-31",
        expected_effect={"indicator_code": "SAT_OWN", "target": 88, "evaluation_period": "2026"},
    )
    r = client.post(
        f"{MEASURES}/{measure['id']}/evidence",
        headers=world.headers(Role.quality_lead),
        json={
            "kind": "indicator_comparison",
            "indicator_code": "SAT_OWN",
            "period": "2025",
            "summary": "Pasitenkinimas žemiau tikslo",
        },
    )
    assert r.status_code == 201 and r.json()["snapshot"]["value"] == 80.0
    measure = client.get(f"{MEASURES}/{measure['id']}", headers=world.headers(Role.staff)).json()
    measure = act(client, world, measure, "approve", Role.director)
    measure = act(client, world, measure, "start")

    # The year ends with the measure still in progress: next year's plan carries it on.
    this_year = make_plan(session, world, period="2025", status=PlanStatus.draft, items=0)
    next_year = make_plan(session, world, period="2026", status=PlanStatus.draft, items=0)
    url = f"{MEASURES}/{measure['id']}/carry-into-plan"
    r = client.post(url, json={"plan_id": str(this_year.id)}, headers=world.headers(Role.quality_lead))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.plan_id"
    r = client.post(url, json={"plan_id": str(next_year.id)}, headers=world.headers(Role.quality_lead))
    assert r.status_code == 201, r.text
    item = r.json()
    assert (item["plan_id"], item["improvement_measure_id"], item["title"]) == (
        str(next_year.id),
        measure["id"],
        measure["title"],
    )
    assert (item["due_date"], item["target_value"], item["responsible_user_id"]) == ("2026-12-31", 88.0, str(owner.id))
    stored = _stored(session, ImprovementMeasure, measure["id"])
    assert stored.carried_into_plan_item_id == uuid.UUID(item["series_id"])
    assert _stored(session, PlanItem, item["id"]).improvement_measure_id == stored.id
    # Carried once only; the plan keeps one item.
    r = client.post(url, json={"plan_id": str(next_year.id)}, headers=world.headers(Role.quality_lead))
    assert r.status_code == 409
    assert len(session.exec(select(PlanItem).where(PlanItem.plan_id == next_year.id)).all()) == 1

    # Delivered in 2026; the 2026 value is published; the effect is computed from it.
    measure = client.get(f"{MEASURES}/{measure['id']}", headers=world.headers(Role.staff)).json()
    measure = act(client, world, measure, "complete")
    _publish(client, world, indicator, "2026", 90.5)
    measure = act(client, world, measure, "evaluate")
    assert measure["status"] == "effective"
    assert measure["effect"] == {
        **measure["effect"],
        "state": "measured",
        "baseline_value": 80.0,
        "measured_value": 90.5,
        "change": 10.5,
        "target_reached": True,
    }
    stored = _stored(session, ImprovementMeasure, measure["id"])
    assert (stored.status, stored.measured_change) == (MeasureStatus.effective, 10.5)


def test_an_item_naming_a_measure_is_checked_and_carries_it(client, world, session):
    effective = make_measure(session, world.a.institution, status=MeasureStatus.effective, year=2025)
    foreign = make_measure(session, world.b.institution, status=MeasureStatus.in_progress, year=2025)
    open_one = make_measure(session, world.a.institution, status=MeasureStatus.not_effective, year=2025)
    plan = make_plan(session, world, period="2026", status=PlanStatus.draft, items=0)
    url = f"/api/v1/plans/{plan.id}/items"
    body = {"title": "Tęsti", "area": "services", "due_date": "2026-06-30"}
    h = world.headers(Role.quality_lead)
    r = client.post(url, json={**body, "improvement_measure_id": str(foreign.id)}, headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.improvement_measure_id"
    r = client.post(url, json={**body, "improvement_measure_id": str(effective.id)}, headers=h)
    assert r.status_code == 409
    r = client.post(url, json={**body, "improvement_measure_id": str(open_one.id)}, headers=h)
    assert r.status_code == 201, r.text
    assert _stored(session, ImprovementMeasure, open_one.id).carried_into_plan_item_id == uuid.UUID(
        r.json()["series_id"]
    )
    assert len(session.exec(select(PlanItem).where(PlanItem.plan_id == plan.id)).all()) == 1
    # A foreign measure's carry is 404, like a missing one.
    r = client.post(f"{MEASURES}/{foreign.id}/carry-into-plan", json={"plan_id": str(plan.id)}, headers=h)
    assert r.status_code == 404
