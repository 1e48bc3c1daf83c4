"""/api/v1/cycles: the yearly plan → deliver → evaluate → improve cycle of an institution."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.cycles import service
from api.cycles.schemas import CycleView
from api.db import SessionDep
from api.errors import problem_responses
from api.privacy import PrivacyDep
from api.security.deps import Authorized
from api.security.scopes import Scope
from api.types import ApiDate, today

router = APIRouter(prefix="/api/v1/cycles", tags=["cycles"])


@router.get(
    "/{institution_id}/{year}",
    summary="An institution's yearly cycle and compliance calendar",
    response_model=CycleView,
    responses=problem_responses(404),
)
def read_cycle(
    principal: Authorized[Scope.cycles_read],
    session: SessionDep,
    privacy: PrivacyDep,
    institution_id: uuid.UUID,
    year: Annotated[int, Path(ge=2000, le=2100)],
    as_of: Annotated[ApiDate | None, Query(description="Judge the cycle as of this day; default today.")] = None,
) -> CycleView:
    """The stage of the year and, per domain, what is done and what is overdue: plans approved and
    reviewed, care-plan reviews on time, surveys run, indicators published, self-assessments,
    improvement measures. The calendar lists the obligations of the institutions' procedures (plan
    approval after the budget, monthly plan reviews, competence plan reviews twice a year, monthly
    ISPP renewal, indicator review twice a year) with due dates and status. Aggregates only: a
    municipality reads the cycles of its own institutions. For every reader outside the
    institution's staff, a figure derived from persons (care-plan goals, reviews and participation;
    survey responses) that rests on fewer than k persons (`CIKLAS_PRIVACY_K`, default 5) is given as
    `{"value": null, "suppressed": true, "reason": "fewer than 5 persons"}`, in the sections and in
    the obligations' evidence."""
    return service.cycle_view(session, principal, institution_id, year, as_of or today(), privacy)
