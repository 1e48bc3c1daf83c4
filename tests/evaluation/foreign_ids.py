"""Ids of evaluation resources of institution A (see tests/routes.py)."""

from __future__ import annotations

from sqlmodel import select

from api.indicators.periods import Period
from api.models import (
    Assessment,
    AssessmentCriterion,
    AssessmentTemplate,
    ImprovementMeasure,
    MeasureEvidence,
    MeasureStatus,
    SwotItem,
    WebhookSubscription,
)
from tests.evaluation.helpers import make_measure


def _measure(world, session) -> ImprovementMeasure:
    row = session.exec(
        select(ImprovementMeasure).where(ImprovementMeasure.institution_id == world.a.institution.id)
    ).first()
    return row or make_measure(session, world.a.institution, status=MeasureStatus.proposed)


def _evidence_id(world, session):
    measure = _measure(world, session)
    row = MeasureEvidence(
        institution_id=measure.institution_id, measure_id=measure.id, kind="proposal", summary="From the suggestion box"
    )
    session.add(row)
    session.commit()
    return row.id


def _template(world, session) -> AssessmentTemplate:
    row = session.exec(
        select(AssessmentTemplate).where(AssessmentTemplate.institution_id == world.a.institution.id)
    ).first()
    if row is None:
        row = AssessmentTemplate(
            institution_id=world.a.institution.id, code="A_OWN", kind="custom", name_lt="A", name_en="A"
        )
        session.add(row)
        session.flush()
        session.add(AssessmentCriterion(template_id=row.id, position=1, code="C1", text_lt="a", text_en="a"))
        session.commit()
    return row


def _assessment_id(world, session):
    template = _template(world, session)
    row = session.exec(select(Assessment).where(Assessment.template_id == template.id)).first()
    if row is None:
        row = Assessment(
            institution_id=world.a.institution.id,
            template_id=template.id,
            period="2026",
            period_start=Period.parse("2026").start,
        )
        session.add(row)
        session.commit()
    return row.id


def _swot_item_id(world, session):
    row = SwotItem(institution_id=world.a.institution.id, year=2026, quadrant="strength", text="A's strength")
    session.add(row)
    session.commit()
    return row.id


def _webhook_id(world, session):
    row = WebhookSubscription(
        institution_id=world.a.institution.id,
        url="https://example.org/a",
        events=["measure.completed"],
        secret="s" * 64,
    )
    session.add(row)
    session.commit()
    return row.id


MAKERS = {
    "webhook_id": _webhook_id,
    "template_id": lambda world, session: _template(world, session).id,
    "assessment_id": _assessment_id,
    "swot_item_id": _swot_item_id,
    "measure_id": lambda world, session: _measure(world, session).id,
    "evidence_id": _evidence_id,
}

BODIES = {
    "carry_improvement_measure_into_plan": {"plan_id": "0192f3b0-0000-7000-8000-000000000000"},
    "update_webhook": {"active": False},
    "rotate_webhook_secret": {"overlap_hours": 1},
    "update_assessment": {"summary": "x"},
    "rate_assessment_criterion": {"criterion_id": "0192f3b0-0000-7000-8000-000000000000", "score": 1},
    "add_assessment_finding": {"kind": "strength", "text": "x"},
    "update_swot_item": {"text": "x"},
    "update_improvement_measure": {"title": "Renamed"},
    "add_improvement_measure_evidence": {"kind": "proposal", "ref_id": "0192f3b0-0000-7000-8000-000000000000"},
}
