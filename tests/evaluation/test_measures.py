"""Improvement measures: evidence, the workflow, and the effect computed from published values."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlmodel import select

from api.models import (
    AuditEvent,
    ImprovementMeasure,
    IndicatorTarget,
    IndicatorValue,
    MeasureEvidence,
    MeasureStatus,
)
from api.security.scopes import Role
from tests.evaluation.helpers import MEASURES, act, create, empty_catalogue, make_measure, satisfaction
from tests.indicators.helpers import make_value


@pytest.fixture(autouse=True)
def _no_seeded_catalogue(db_engine):
    empty_catalogue(db_engine)


V1, V2 = '"1"', '"2"'


def _stored(session, measure_id) -> ImprovementMeasure:
    session.commit()
    session.expire_all()
    return session.get(ImprovementMeasure, uuid.UUID(str(measure_id)))


def _publish(client, world, indicator, period, value):
    h = world.headers(Role.director)
    r = client.post(f"/api/v1/indicators/{indicator.id}/values", json={"period": period, "value": value}, headers=h)
    assert r.status_code == 201, r.text
    r = client.post(
        f"/api/v1/indicator-values/{r.json()['id']}/publish",
        headers=world.headers(Role.director, **{"If-Match": f'"{r.json()["version"]}"'}),
    )
    assert r.status_code == 200, r.text


class TestTheLoop:
    def test_evidence_measure_published_value_effect(self, client, world, session):
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
        measure = create(
            client,
            world,
            owner_id=str(world.user(Role.department_head).id),
            due_date="2026-09-30",
            expected_effect={"indicator_code": "SAT_OWN", "target": 88, "evaluation_period": "2026"},
        )
        assert measure["status"] == "proposed"
        assert measure["effect"] == {**measure["effect"], "state": "awaiting_value", "target": 88.0}
        r = client.post(
            f"{MEASURES}/{measure['id']}/evidence",
            headers=world.headers(Role.quality_lead),
            json={
                "kind": "indicator_comparison",
                "indicator_code": "SAT_OWN",
                "period": "2025",
                "summary": "Satisfaction below target",
            },
        )
        assert r.status_code == 201, r.text
        snap = r.json()["snapshot"]
        assert (snap["value"], snap["target"], snap["previous_period"], snap["previous_value"]) == (
            80.0,
            85.0,
            "2024",
            78.0,
        )
        assert snap["peer_median"] is None and snap["peers"] == 0  # too few peers: suppressed
        r = client.post(
            f"{MEASURES}/{measure['id']}/evidence",
            headers=world.headers(Role.quality_lead),
            json={"kind": "survey_result", "ref_id": str(uuid.uuid4()), "summary": "62% satisfied"},
        )
        assert r.status_code == 201, r.text

        measure = client.get(f"{MEASURES}/{measure['id']}", headers=world.headers(Role.staff)).json()
        assert len(measure["evidence"]) == 2
        assert measure["effect"]["baseline_value"] == 80.0
        measure = act(client, world, measure, "approve", Role.director)
        measure = act(client, world, measure, "start")
        # Not completed yet: next year's plan would carry it.
        r = client.get(MEASURES, params={"carryable": True, "year": 2026}, headers=world.headers(Role.staff))
        assert [m["id"] for m in r.json()["items"]] == [measure["id"]]
        measure = act(client, world, measure, "complete")
        assert measure["completed_at"]
        # Nothing published for 2026 yet: the effect cannot be judged.
        r = client.post(
            f"{MEASURES}/{measure['id']}/evaluate",
            headers=world.headers(Role.quality_lead, **{"If-Match": f'"{measure["version"]}"'}),
        )
        assert r.status_code == 409 and r.json()["type"] == "urn:ciklas:problem:invalid-transition"
        assert _stored(session, measure["id"]).status == MeasureStatus.completed
        # A draft value does not count either.
        make_value(session, indicator, world.a.institution, "2026", 99.0, published=False)
        session.commit()
        effect = client.get(f"{MEASURES}/{measure['id']}/effect", headers=world.headers(Role.staff)).json()
        assert effect["state"] == "awaiting_value"
        draft = session.exec(select(IndicatorValue).where(IndicatorValue.period_label == "2026")).one()
        session.delete(draft)
        session.commit()
        _publish(client, world, indicator, "2026", 90.5)
        effect = client.get(f"{MEASURES}/{measure['id']}/effect", headers=world.headers(Role.staff)).json()
        assert effect == {
            "state": "measured",
            "indicator_code": "SAT_OWN",
            "evaluation_period": "2026",
            "target": 88.0,
            "baseline_period": "2025",
            "baseline_value": 80.0,
            "measured_value": 90.5,
            "change": 10.5,
            "improved": True,
            "target_reached": True,
        }
        measure = act(client, world, measure, "evaluate")
        assert measure["status"] == "effective"
        stored = _stored(session, measure["id"])
        assert (stored.measured_value, stored.measured_baseline, stored.measured_change, stored.target_reached) == (
            90.5,
            80.0,
            10.5,
            True,
        )
        r = client.get(MEASURES, params={"carryable": True}, headers=world.headers(Role.staff))
        assert r.json()["items"] == []
        actions = {
            e.action
            for e in session.exec(select(AuditEvent).where(AuditEvent.resource_type == "improvement_measure")).all()
        }
        assert {"create", "add_evidence", "approve", "start", "complete", "evaluate"} <= actions

    def test_target_missed_is_not_effective_and_carryable(self, client, world, session):
        indicator = satisfaction(session, world.a.institution)
        measure = create(
            client, world, expected_effect={"indicator_code": "SAT_OWN", "target": 90, "evaluation_period": "2026"}
        )
        client.post(
            f"{MEASURES}/{measure['id']}/evidence",
            headers=world.headers(Role.quality_lead),
            json={"kind": "indicator_comparison", "indicator_code": "SAT_OWN"},
        )
        measure = client.get(f"{MEASURES}/{measure['id']}", headers=world.headers(Role.staff)).json()
        for action, role in (("approve", Role.director), ("start", Role.quality_lead), ("complete", Role.quality_lead)):
            measure = act(client, world, measure, action, role)
        _publish(client, world, indicator, "2026", 84.0)
        measure = act(client, world, measure, "evaluate")
        assert measure["status"] == "not_effective"
        assert measure["effect"]["change"] == 4.0 and measure["effect"]["improved"] is True
        assert measure["effect"]["target_reached"] is False
        r = client.get(MEASURES, params={"carryable": True}, headers=world.headers(Role.staff))
        assert [m["id"] for m in r.json()["items"]] == [measure["id"]]
        # A correction of the published value is what the effect is judged by from then on.
        value = session.exec(select(IndicatorValue).where(IndicatorValue.period_label == "2026")).one()
        r = client.post(
            f"/api/v1/indicator-values/{value.id}/corrections",
            json={"value": 91, "reason": "late forms"},
            headers=world.headers(Role.director, **{"If-Match": f'"{value.version}"'}),
        )
        assert r.status_code == 200, r.text
        effect = client.get(f"{MEASURES}/{measure['id']}/effect", headers=world.headers(Role.staff)).json()
        assert (effect["measured_value"], effect["change"], effect["target_reached"]) == (91.0, 11.0, True)

    def test_carrying_into_a_plan_item(self, client, world, session):
        from api.db import open_session
        from api.measures.service import carryable_measures, mark_carried_into_plan
        from api.security.principal import Principal

        measure = make_measure(session, world.a.institution, status=MeasureStatus.in_progress)
        done = make_measure(session, world.a.institution, status=MeasureStatus.effective)
        director = world.user(Role.director)
        principal = Principal.build(
            subject_id=director.id,
            kind="user",
            role=Role.director,
            institution_id=world.a.institution.id,
            municipality_id=None,
        )
        item_id = uuid.uuid4()
        with open_session(client.app.state.engine, write=True) as s:
            assert [m.id for m in carryable_measures(s, world.a.institution.id, 2026)] == [measure.id]
            mark_carried_into_plan(s, principal, measure.id, item_id)
            from api.errors import InvalidTransition

            with pytest.raises(InvalidTransition):
                mark_carried_into_plan(s, principal, done.id, item_id)
            s.commit()
        assert _stored(session, measure.id).carried_into_plan_item_id == item_id
        r = client.get(f"{MEASURES}/{measure.id}", headers=world.headers(Role.staff))
        assert r.json()["carried_into_plan_item_id"] == str(item_id)


class TestTransitions:
    @pytest.mark.parametrize(
        ("status", "action"),
        [
            (MeasureStatus.proposed, "start"),
            (MeasureStatus.proposed, "complete"),
            (MeasureStatus.proposed, "evaluate"),
            (MeasureStatus.approved, "approve"),
            (MeasureStatus.approved, "complete"),
            (MeasureStatus.in_progress, "approve"),
            (MeasureStatus.in_progress, "evaluate"),
            (MeasureStatus.completed, "start"),
            (MeasureStatus.effective, "evaluate"),
            (MeasureStatus.not_effective, "complete"),
        ],
    )
    def test_illegal_transition_is_409_and_changes_nothing(self, client, world, session, status, action):
        measure = make_measure(session, world.a.institution, status=status)
        r = client.post(f"{MEASURES}/{measure.id}/{action}", headers=world.headers(Role.director, **{"If-Match": V1}))
        assert r.status_code == 409, r.text
        assert r.json()["type"] == "urn:ciklas:problem:invalid-transition"
        stored = _stored(session, measure.id)
        assert (stored.status, stored.version) == (status, 1)

    @pytest.mark.parametrize(
        ("status", "action", "after"),
        [
            (MeasureStatus.proposed, "approve", "approved"),
            (MeasureStatus.approved, "start", "in_progress"),
            (MeasureStatus.in_progress, "complete", "completed"),
        ],
    )
    def test_each_legal_transition(self, client, world, session, status, action, after):
        measure = make_measure(session, world.a.institution, status=status)
        r = client.post(f"{MEASURES}/{measure.id}/{action}", headers=world.headers(Role.director, **{"If-Match": V1}))
        assert r.status_code == 200, r.text
        assert r.json()["status"] == after and r.headers["ETag"] == '"2"'
        assert _stored(session, measure.id).status == after

    def test_only_the_director_approves(self, client, world, session):
        measure = make_measure(session, world.a.institution)
        for role in (Role.quality_lead, Role.department_head):
            r = client.post(f"{MEASURES}/{measure.id}/approve", headers=world.headers(role, **{"If-Match": '"1"'}))
            assert r.status_code == 403
        assert _stored(session, measure.id).status == MeasureStatus.proposed

    def test_no_expected_effect_cannot_be_evaluated(self, client, world, session):
        measure = make_measure(session, world.a.institution, status=MeasureStatus.completed)
        r = client.post(f"{MEASURES}/{measure.id}/evaluate", headers=world.headers(Role.director, **{"If-Match": "*"}))
        assert r.status_code == 409

    def test_stale_and_missing_if_match(self, client, world, session):
        measure = make_measure(session, world.a.institution)
        r = client.post(f"{MEASURES}/{measure.id}/approve", headers=world.headers(Role.director))
        assert r.status_code == 428
        r = client.post(f"{MEASURES}/{measure.id}/approve", headers=world.headers(Role.director, **{"If-Match": '"7"'}))
        assert r.status_code == 412
        assert _stored(session, measure.id).status == MeasureStatus.proposed


class TestCrud:
    def test_create_validates_references(self, client, world, session):
        satisfaction(session, world.a.institution)
        h = world.headers(Role.quality_lead)
        base = {"year": 2026, "title": "T", "area": "services"}
        r = client.post(
            MEASURES,
            headers=h,
            json={**base, "expected_effect": {"indicator_code": "NOPE", "target": 1, "evaluation_period": "2026"}},
        )
        assert r.status_code == 422 and r.json()["type"] == "urn:ciklas:problem:unprocessable"
        r = client.post(
            MEASURES,
            headers=h,
            json={
                **base,
                "expected_effect": {"indicator_code": "SAT_OWN", "target": 1, "evaluation_period": "2026-Q1"},
            },
        )
        assert r.status_code == 422 and r.json()["errors"][0]["code"] == "periodicity_mismatch"
        r = client.post(MEASURES, headers=h, json={**base, "owner_id": str(world.user(Role.staff, "b").id)})
        assert r.status_code == 422
        r = client.post(MEASURES, headers=h, json={**base, "measured_value": 5})  # never typed in
        assert r.status_code == 422 and r.json()["type"] == "urn:ciklas:problem:validation-error"
        assert session.exec(select(ImprovementMeasure)).all() == []

    def test_update_delete_and_tenancy(self, client, world, session):
        measure = create(client, world)
        r = client.patch(
            f"{MEASURES}/{measure['id']}",
            json={"title": "Renamed", "due_date": "2026-12-01"},
            headers=world.headers(Role.department_head, **{"If-Match": '"1"'}),
        )
        assert r.status_code == 200 and r.json()["title"] == "Renamed" and r.headers["ETag"] == '"2"'
        r = client.get(f"{MEASURES}/{measure['id']}", headers=world.headers(Role.director, "b"))
        assert r.status_code == 404
        assert client.get(MEASURES, headers=world.headers(Role.staff, "b")).json()["items"] == []
        r = client.delete(f"{MEASURES}/{measure['id']}", headers=world.headers(Role.quality_lead, **{"If-Match": V2}))
        assert r.status_code == 204
        assert _stored(session, measure["id"]) is None

    def test_started_measure_is_not_deleted_and_completed_not_edited(self, client, world, session):
        started = make_measure(session, world.a.institution, status=MeasureStatus.in_progress)
        r = client.delete(f"{MEASURES}/{started.id}", headers=world.headers(Role.director, **{"If-Match": "*"}))
        assert r.status_code == 409
        done = make_measure(session, world.a.institution, status=MeasureStatus.completed)
        r = client.patch(
            f"{MEASURES}/{done.id}", json={"title": "x"}, headers=world.headers(Role.director, **{"If-Match": "*"})
        )
        assert r.status_code == 409 and _stored(session, done.id).title == "More group activities"

    def test_list_filters_sort_and_pages(self, client, world, session):
        for i in range(3):
            make_measure(session, world.a.institution, title=f"M{i}", year=2025 + (i % 2))
        h = world.headers(Role.staff)
        r = client.get(MEASURES, params={"limit": 2, "sort": "created_at"}, headers=h)
        page = r.json()
        assert [m["title"] for m in page["items"]] == ["M0", "M1"] and page["next_cursor"]
        r = client.get(MEASURES, params={"limit": 2, "sort": "created_at", "cursor": page["next_cursor"]}, headers=h)
        assert [m["title"] for m in r.json()["items"]] == ["M2"]
        r = client.get(MEASURES, params={"year": 2026}, headers=h)
        assert [m["title"] for m in r.json()["items"]] == ["M1"]
        make_measure(
            session, world.a.institution, title="Late", due_date=date(2020, 1, 1), status=MeasureStatus.in_progress
        )
        make_measure(
            session, world.a.institution, title="Done late", due_date=date(2020, 1, 1), status=MeasureStatus.completed
        )
        r = client.get(MEASURES, params={"overdue": True}, headers=h)
        assert [m["title"] for m in r.json()["items"]] == ["Late"]
        r = client.get(MEASURES, params={"overdue": False, "sort": "created_at"}, headers=h)
        assert [m["title"] for m in r.json()["items"]] == ["M0", "M1", "M2", "Done late"]

    def test_vocabulary(self, client, world):
        r = client.get(f"{MEASURES}/vocabulary", headers=world.headers(Role.staff))
        assert r.status_code == 200
        areas = {a["value"]: a for a in r.json()["areas"]}
        assert areas["quality_of_life"]["lt"] == "Gyvenimo kokybė"


class TestEvidence:
    def test_reference_rules(self, client, world, session):
        measure = make_measure(session, world.a.institution)
        url, h = f"{MEASURES}/{measure.id}/evidence", world.headers(Role.quality_lead)
        for body in (
            {"kind": "proposal"},
            {"kind": "indicator_comparison"},
            {"kind": "assessment_finding", "ref_id": str(uuid.uuid4())},
            {"kind": "swot_item", "ref_id": str(uuid.uuid4())},
            {"kind": "indicator_comparison", "indicator_code": "NOPE"},
        ):
            r = client.post(url, json=body, headers=h)
            assert r.status_code == 422, (body, r.text)
            assert r.json()["type"] == "urn:ciklas:problem:unprocessable"
        r = client.post(
            url, json={"kind": "proposal", "ref_id": str(uuid.uuid4()), "summary": "From the box"}, headers=h
        )
        assert r.status_code == 201
        evidence_id = r.json()["id"]
        r = client.delete(f"{url}/{uuid.uuid4()}", headers=h)
        assert r.status_code == 404
        r = client.delete(f"{url}/{evidence_id}", headers=h)
        assert r.status_code == 204
        assert session.exec(select(MeasureEvidence)).all() == []
