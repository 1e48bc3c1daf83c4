"""/api/v1/reports: the annual report, as JSON or as a printable HTML page."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import HTMLResponse

from api.db import SessionDep
from api.errors import problem_responses
from api.pagination import CursorQuery, LimitQuery, Page, sort_query
from api.privacy import PrivacyDep
from api.reports import html, publishing, service
from api.reports.schemas import AnnualReport, PublishedReportPublic, PublishedReportSummary, ReportPublish
from api.security.deps import Authorized
from api.security.scopes import Scope

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])


@router.get(
    "/annual",
    summary="An institution's annual report",
    response_model=AnnualReport,
    responses={
        200: {
            "content": {"text/html": {"schema": {"type": "string"}}},
            "description": "JSON, or a printable HTML page with `format=html`",
        },
        **problem_responses(404),
    },
)
def read_annual_report(
    principal: Authorized[Scope.reports_read],
    session: SessionDep,
    privacy: PrivacyDep,
    institution_id: uuid.UUID,
    year: Annotated[int, Query(ge=2000, le=2100)],
    format: Annotated[Literal["json", "html"], Query(description="`html` for the printable page")] = "json",
) -> AnnualReport | HTMLResponse:
    """The year's cycle and compliance calendar, indicator trends against target and the
    institution's rank among its peers (inline SVG charts in HTML), plan execution, survey results,
    improvement measures with their measured effects, and the SWOT. Aggregates only: a
    municipality reads its own institutions' reports. For every reader outside the institution's
    staff (`view: outside`) a figure resting on fewer than k persons (`CIKLAS_PRIVACY_K`, default
    5) is withheld: indicator values, a campaign's responses, response rate and dimension means,
    the cycle's care-plan and survey figures, a measure's effect on such a value."""
    report = service.annual_report(session, principal, institution_id, year, privacy)
    if format == "html":
        return HTMLResponse(html.render(report))
    return report


_HTML = {
    200: {
        "content": {"text/html": {"schema": {"type": "string"}}},
        "description": "JSON, or a printable HTML page with `format=html`",
    }
}
FormatQuery = Annotated[Literal["json", "html"], Query(description="`html` for the printable page")]


@router.post(
    "/annual/publish",
    summary="Publish an institution's annual report",
    status_code=status.HTTP_201_CREATED,
    response_model=PublishedReportPublic,
    responses=problem_responses(404, 409),
)
def publish_annual_report(
    principal: Authorized[Scope.reports_publish],
    session: SessionDep,
    body: ReportPublish,
    response: Response,
    privacy: PrivacyDep,
) -> PublishedReportPublic:
    """The director freezes the year's report as it stands now, as readers outside the staff see
    it (`view: outside`: figures resting on fewer than k persons withheld). Publishing the same
    year again (a correction) adds the next `revision`; earlier revisions stay readable.
    Subscribers of the institution and of its municipality receive `report.published` with the
    report's id and URL."""
    published = publishing.publish(session, principal, body, privacy)
    response.headers["Location"] = f"/api/v1/reports/published/{published.id}"
    return published


@router.get("/published", summary="List published annual reports", response_model=Page[PublishedReportSummary])
def list_published_reports(
    principal: Authorized[Scope.reports_read],
    session: SessionDep,
    institution_id: uuid.UUID | None = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    latest: Annotated[bool, Query(description="Only the newest revision of each institution's year")] = False,
    sort: Annotated[str, sort_query(["published_at", "year"], "-published_at")] = "-published_at",
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[PublishedReportSummary]:
    """Your institution's, or a municipality's institutions'. Without the content; read one for it."""
    items, next_cursor = publishing.list_published(
        session,
        principal,
        institution_id=institution_id,
        year=year,
        latest_only=latest,
        sort=sort,
        limit=limit,
        cursor=cursor,
    )
    return Page(items=items, next_cursor=next_cursor, limit=limit)


@router.get(
    "/published/{report_id}",
    summary="Read a published annual report",
    response_model=PublishedReportPublic,
    responses={**_HTML, **problem_responses(404)},
)
def read_published_report(
    principal: Authorized[Scope.reports_read],
    session: SessionDep,
    report_id: uuid.UUID,
    privacy: PrivacyDep,
    format: FormatQuery = "json",
) -> PublishedReportPublic | HTMLResponse:
    """The report exactly as published, whatever has changed since: as readers outside the staff
    see it. A report published before the privacy rule recorded persons (`view` null) is read by
    them with its person-derived figures withheld again."""
    published = publishing.read_published(session, principal, report_id, privacy)
    if format == "html":
        line = (
            f"Paskelbta / published {published.published_at:%Y-%m-%d %H:%M} UTC, leidimas / revision "
            f"{published.revision}"
            + ("" if published.latest else " — yra naujesnis / superseded")
            + (f". {published.note}" if published.note else "")
        )
        return HTMLResponse(html.render(published.report, published=line))
    return published
