"""The reporting part of the yearly cycle (api/cycles): whether the year's annual report has been
published by the as_of day, in how many revisions, and when last."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from api.cycles.schemas import CycleSection, Obligation
from api.models import PublishedReport
from api.types import start_of_day_utc


def cycle_provider(ctx: Any) -> tuple[CycleSection, list[Obligation]]:
    until = start_of_day_utc(ctx.as_of + timedelta(days=1))
    revisions, last = ctx.session.execute(
        sa.select(sa.func.count(PublishedReport.id), sa.func.max(PublishedReport.published_at)).where(
            PublishedReport.institution_id == ctx.institution.id,
            PublishedReport.year == ctx.year,
            PublishedReport.published_at < until,
        )
    ).one()
    figures = {
        "annual_report_published": bool(revisions),
        "revisions": int(revisions),
        "last_published_at": last.isoformat() if last else None,
    }
    return CycleSection(available=True, figures=figures), []
