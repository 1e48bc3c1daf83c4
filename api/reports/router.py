"""/api/v1/reports: the annual report, as JSON or as a printable HTML page."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from api.db import SessionDep
from api.errors import problem_responses
from api.reports import html, service
from api.reports.schemas import AnnualReport
from api.security.deps import Authorized
from api.security.scopes import Scope

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])


@router.get("/annual", summary="An institution's annual report", response_model=AnnualReport,
            responses={200: {"content": {"text/html": {"schema": {"type": "string"}}},
                             "description": "JSON, or a printable HTML page with `format=html`"},
                       **problem_responses(404)})
def read_annual_report(
    principal: Authorized[Scope.reports_read],
    session: SessionDep,
    institution_id: uuid.UUID,
    year: Annotated[int, Query(ge=2000, le=2100)],
    format: Annotated[Literal["json", "html"], Query(description="`html` for the printable page")] = "json",
) -> AnnualReport | HTMLResponse:
    """The year's cycle and compliance calendar, indicator trends against target and the peer
    median (inline SVG charts in HTML), plan execution, survey results (dimension means withheld
    under 5 respondents), improvement measures with their measured effects, and the SWOT.
    Aggregates only: a municipality reads its own institutions' reports."""
    report = service.annual_report(session, principal, institution_id, year)
    if format == "html":
        return HTMLResponse(html.render(report))
    return report
