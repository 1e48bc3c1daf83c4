from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from api.models import CompetenceNeedSource, CompetenceNeedStatus
from api.plans.schemas import CarryingItem
from api.schemas import PublicModel, RequestModel
from api.types import Year


class CompetenceNeedCreate(RequestModel):
    year: Year = Field(description="The year of the competence development plan.")
    topic: str = Field(min_length=1, max_length=300, description="The training topic or competence area.")
    description: str | None = Field(
        default=None,
        max_length=4000,
        description=("Why, in the staff member's words, or the appraisal's or self-assessment's conclusion."),
    )
    source: CompetenceNeedSource = Field(
        default=CompetenceNeedSource.staff_request,
        description=(
            "`staff_request`: a staff member's own; `appraisal` and `self_assessment` conclusions are recorded by "
            "the director or the quality lead (`competence:manage`)."
        ),
    )
    user_id: uuid.UUID | None = Field(
        default=None,
        description=("The staff member it concerns; yourself by default. Others' only with `competence:manage`."),
    )


class CompetenceNeedUpdate(RequestModel):
    year: Year | None = None
    topic: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=4000)


class CompetenceNeedPublic(PublicModel):
    id: uuid.UUID
    institution_id: uuid.UUID
    year: int
    user_id: uuid.UUID | None
    recorded_by_id: uuid.UUID | None
    source: CompetenceNeedSource
    topic: str
    description: str | None
    status: CompetenceNeedStatus
    plan_item_id: uuid.UUID | None = Field(description="The competence-plan item (its first version) taking it up.")
    outcome: CarryingItem | None = Field(
        default=None, description=("Once planned: the item carrying it, in the competence plan's current revision.")
    )
    version: int
    created_at: datetime
    updated_at: datetime
