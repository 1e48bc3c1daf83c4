"""Ids of evaluation resources of institution A (see tests/routes.py)."""

from __future__ import annotations

from sqlmodel import select

from api.models import ImprovementMeasure, MeasureEvidence, MeasureStatus
from tests.evaluation.helpers import make_measure


def _measure(world, session) -> ImprovementMeasure:
    row = session.exec(select(ImprovementMeasure).where(
        ImprovementMeasure.institution_id == world.a.institution.id)).first()
    return row or make_measure(session, world.a.institution, status=MeasureStatus.proposed)


def _evidence_id(world, session):
    measure = _measure(world, session)
    row = MeasureEvidence(institution_id=measure.institution_id, measure_id=measure.id, kind="proposal",
                          summary="From the suggestion box")
    session.add(row)
    session.commit()
    return row.id


MAKERS = {
    "measure_id": lambda world, session: _measure(world, session).id,
    "evidence_id": _evidence_id,
}

BODIES = {
    "update_improvement_measure": {"title": "Renamed"},
    "add_improvement_measure_evidence": {"kind": "proposal", "ref_id": "0192f3b0-0000-7000-8000-000000000000"},
}
