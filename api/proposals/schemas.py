from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from api.models import ProposalCategory, ProposalChannel, ProposalSource, ProposalStatus
from api.plans.schemas import CarryingItem
from api.schemas import PublicModel, RequestModel
from api.types import Year


class ProposalCreate(RequestModel):
    text: str = Field(min_length=1, max_length=4000)
    category: ProposalCategory = ProposalCategory.other
    channel: ProposalChannel | None = Field(
        default=None,
        description=("How it reached the institution; by default `kiosk` for devices and `web` for people."),
    )
    source: ProposalSource | None = Field(
        default=None,
        description=(
            "Whose proposal it is. Recipients, guardians and devices submit their own (`recipient`, `guardian`, "
            "`suggestion_box`); staff may record one made at a meeting or by the institution council."
        ),
    )
    anonymous: bool = Field(
        default=False,
        description=(
            "Keep no record of who submitted it (proposals from devices always are). Follow it by its tracking code."
        ),
    )
    department_id: uuid.UUID | None = Field(default=None, description="The department it is addressed to.")
    plan_year: Year | None = Field(default=None, description="The plan year it is meant for.")


class ProposalUpdate(RequestModel):
    """Sorting a proposal while it is considered."""

    category: ProposalCategory | None = None
    department_id: uuid.UUID | None = None
    plan_year: Year | None = None


class AcceptRequest(RequestModel):
    plan_item_id: uuid.UUID = Field(description="The plan item that carries the proposal.")


class RejectRequest(RequestModel):
    reason: str = Field(min_length=1, max_length=2000, description="Why, in words the submitter understands.")


class ProposalPublic(PublicModel):
    id: uuid.UUID
    institution_id: uuid.UUID
    source: ProposalSource
    channel: ProposalChannel
    category: ProposalCategory
    text: str
    anonymous: bool
    submitted_by_id: uuid.UUID | None = Field(description="Null when anonymous or from a device.")
    device_id: uuid.UUID | None
    department_id: uuid.UUID | None
    plan_year: int | None
    tracking_code: str = Field(description="Follow the proposal with it, even when anonymous.")
    status: ProposalStatus
    decided_at: datetime | None
    decided_by_id: uuid.UUID | None
    rejection_reason: str | None
    plan_item_id: uuid.UUID | None = Field(description="The plan item (its first version) that took it up.")
    outcome: CarryingItem | None = Field(
        default=None, description=("Once accepted: the plan item carrying it, in the plan's current revision.")
    )
    version: int
    created_at: datetime
    updated_at: datetime
