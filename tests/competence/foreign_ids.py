"""Ids of competence needs of institution A (see tests/routes.py)."""

from __future__ import annotations

from api.models import CompetenceNeed, CompetenceNeedSource
from api.security.scopes import Role


def _need_id(world, session):
    row = CompetenceNeed(
        institution_id=world.a.institution.id,
        year=2026,
        user_id=world.user(Role.staff).id,
        source=CompetenceNeedSource.staff_request,
        topic="Krizių intervencija",
    )
    session.add(row)
    session.commit()
    return row.id


MAKERS = {"competence_need_id": _need_id}

BODIES = {"update_competence_need": {"topic": "Renamed"}}
