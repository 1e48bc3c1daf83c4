"""Publishing an annual report: the director freezes the year's report as it stands, and the
institution's and its municipality's webhook subscribers hear `report.published`. A correction is
published as the next revision; every revision stays readable, the newest is `latest`.

A publication leaves the institution: what is frozen is the report as a reader outside the staff
sees it (api/privacy.py), figures resting on fewer than k persons withheld, so the municipality,
the webhook's receivers and the staff read the same published figures. Reports published before
that rule are withheld again when an outside reader reads them (api/reports/legacy.py)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import aliased, defer
from sqlmodel import Session, select

from api.audit.service import record as audit
from api.crud import flush_or_conflict
from api.errors import NotFound, ValidationFailed
from api.models import Institution, PublishedReport
from api.pagination import paginate
from api.privacy import Privacy
from api.reports.legacy import for_outside_reader
from api.reports.schemas import AnnualReport, PublishedReportPublic, PublishedReportSummary, ReportPublish
from api.reports.service import annual_report
from api.security.principal import Principal
from api.tenancy import get_or_404, scoped
from api.types import today, utcnow
from api.webhooks.outbox import emit

RESOURCE = "published_report"


def _latest_revisions(session: Session, rows: list[PublishedReport]) -> set[uuid.UUID]:
    """The ids among `rows` that are the newest revision of their institution's year."""
    if not rows:
        return set()
    keys = {(r.institution_id, r.year) for r in rows}
    newest = session.execute(
        sa.select(PublishedReport.institution_id, PublishedReport.year, sa.func.max(PublishedReport.revision))
        .where(PublishedReport.institution_id.in_({k[0] for k in keys}), PublishedReport.year.in_({k[1] for k in keys}))
        .group_by(PublishedReport.institution_id, PublishedReport.year)
    ).all()
    top = {(i, y): n for i, y, n in newest}
    return {r.id for r in rows if top.get((r.institution_id, r.year)) == r.revision}


def _summary(row: PublishedReport, latest: bool) -> PublishedReportSummary:
    return PublishedReportSummary(
        id=row.id,
        institution_id=row.institution_id,
        year=row.year,
        revision=row.revision,
        note=row.note,
        published_at=row.published_at,
        published_by_id=row.published_by_id,
        latest=latest,
    )


def _public(row: PublishedReport, latest: bool, report: AnnualReport | None = None) -> PublishedReportPublic:
    return PublishedReportPublic(
        **_summary(row, latest).model_dump(), report=report or AnnualReport.model_validate(row.content)
    )


def publish(session: Session, principal: Principal, data: ReportPublish, privacy: Privacy) -> PublishedReportPublic:
    institution = get_or_404(session, Institution, data.institution_id, principal, what="institution")
    if data.year > today().year:
        raise ValidationFailed.for_field(
            "body.year",
            "A report can be published for the current year or an earlier one, not for a year that has not begun.",
        )
    report = annual_report(session, principal, institution.id, data.year, privacy, outside=True)
    previous = session.exec(
        select(sa.func.max(PublishedReport.revision)).where(
            PublishedReport.institution_id == institution.id, PublishedReport.year == data.year
        )
    ).one()
    row = PublishedReport(
        institution_id=institution.id,
        year=data.year,
        revision=(previous or 0) + 1,
        note=data.note,
        content=report.model_dump(mode="json"),
        published_at=utcnow(),
        published_by_id=principal.subject_id,
    )
    session.add(row)
    flush_or_conflict(session, "Another revision of this report was published at the same moment; try again.")
    audit(
        session, principal, action="publish", resource_type=RESOURCE, resource_id=row.id, institution_id=institution.id
    )
    emit(
        session,
        "report.published",
        institution.id,
        {
            "report_id": str(row.id),
            "year": row.year,
            "revision": row.revision,
            "note": row.note,
            "published_at": row.published_at.isoformat(),
            "url": f"/api/v1/reports/published/{row.id}",
        },
    )
    return _public(row, latest=True)


def list_published(
    session: Session,
    principal: Principal,
    *,
    institution_id: uuid.UUID | None,
    year: int | None,
    latest_only: bool,
    sort: str,
    limit: int,
    cursor: str | None,
) -> tuple[list[PublishedReportSummary], str | None]:
    stmt = scoped(select(PublishedReport).options(defer(PublishedReport.content)), PublishedReport, principal)
    if institution_id is not None:
        stmt = stmt.where(PublishedReport.institution_id == institution_id)
    if year is not None:
        stmt = stmt.where(PublishedReport.year == year)
    if latest_only:
        newer = aliased(PublishedReport)
        stmt = stmt.where(
            ~sa.exists().where(
                newer.institution_id == PublishedReport.institution_id,
                newer.year == PublishedReport.year,
                newer.revision > PublishedReport.revision,
            )
        )
    rows, next_cursor = paginate(session, stmt, model=PublishedReport, sort=sort, limit=limit, cursor=cursor)
    latest = _latest_revisions(session, rows)
    return [_summary(r, r.id in latest) for r in rows], next_cursor


def read_published(
    session: Session, principal: Principal, report_id: uuid.UUID, privacy: Privacy
) -> PublishedReportPublic:
    try:
        row = get_or_404(session, PublishedReport, report_id, principal, what="published report")
    except NotFound:
        raise NotFound("No published report with this id.") from None
    report = for_outside_reader(
        session, AnnualReport.model_validate(row.content), privacy.view(principal, row.institution_id)
    )
    return _public(row, row.id in _latest_revisions(session, [row]), report)
