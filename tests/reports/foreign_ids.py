"""Ids of published reports of institution A (see tests/routes.py)."""

from __future__ import annotations

from sqlmodel import select

from api.models import PublishedReport


def _report_id(world, session):
    row = session.exec(select(PublishedReport).where(PublishedReport.institution_id == world.a.institution.id)).first()
    if row is None:
        row = PublishedReport(institution_id=world.a.institution.id, year=2025, revision=1, content={})
        session.add(row)
        session.commit()
    return row.id


MAKERS = {
    "report_id": _report_id,
}
