"""Arranging proposals directly in the database."""

from __future__ import annotations

import secrets
from typing import Any

from sqlmodel import Session

from api.models import Proposal, ProposalCategory, ProposalChannel, ProposalSource, ProposalStatus
from api.security.scopes import Role
from tests.factories import World

PROPOSALS = "/api/v1/proposals"


def make_proposal(
    session: Session,
    world: World,
    tenant: str = "a",
    *,
    by: Role | None = Role.staff,
    status: ProposalStatus = ProposalStatus.received,
    **kw: Any,
) -> Proposal:
    t = getattr(world, tenant)
    row = Proposal(
        **{
            "institution_id": t.institution.id,
            "source": ProposalSource.staff,
            "channel": ProposalChannel.web,
            "category": ProposalCategory.activities,
            "text": "Daugiau išvykų į gamtą",
            "submitted_by_id": t.users[by].id if by else None,
            "status": status,
            "tracking_code": "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(10)),
            **kw,
        }
    )
    session.add(row)
    session.commit()
    return row
