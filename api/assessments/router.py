"""Self-assessments (įsivertinimai): templates of criteria, ratings with evidence, findings."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.assessments import service
from api.assessments.schemas import (
    AssessmentCreate,
    AssessmentPublic,
    AssessmentSummary,
    AssessmentUpdate,
    FindingCreate,
    FindingPublic,
    RatingPut,
    TemplateCreate,
    TemplatePublic,
)
from api.assessments.vocabulary import AssessmentVocabulary, vocabulary
from api.concurrency import IfMatch, set_etag
from api.db import SessionDep
from api.errors import problem_responses
from api.models import AssessmentStatus, FindingKind, TemplateKind
from api.pagination import CursorQuery, LimitQuery, Page, sort_query
from api.security.deps import Authorized
from api.security.scopes import Scope

router = APIRouter(prefix="/api/v1/assessments", tags=["self-assessments"])
_TRANSITION = problem_responses(409, 412, 428)


@router.get("/templates", summary="List self-assessment templates", response_model=Page[TemplatePublic])
def list_assessment_templates(
    principal: Authorized[Scope.assessments_read],
    session: SessionDep,
    kind: TemplateKind | None = None,
    sort: Annotated[str, sort_query(["code", "created_at"], "code")] = "code",
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[TemplatePublic]:
    """The platform's templates (care-norm compliance, the social workers' self-assessment tool,
    EQUASS-style) and your institution's own, with their criteria."""
    rows, next_cursor = service.list_templates(session, principal, kind=kind, sort=sort, limit=limit, cursor=cursor)
    return Page(items=[service.template_public(session, r) for r in rows], next_cursor=next_cursor, limit=limit)


@router.post(
    "/templates",
    summary="Create your institution's own template",
    status_code=status.HTTP_201_CREATED,
    response_model=TemplatePublic,
    responses=problem_responses(409),
)
def create_assessment_template(
    principal: Authorized[Scope.assessments_write],
    session: SessionDep,
    body: TemplateCreate,
) -> TemplatePublic:
    """Criteria in the order given, a score scale (409 when your institution has the code already)."""
    return service.create_template(session, principal, body)


@router.get("/templates/{template_id}", summary="Read a self-assessment template", response_model=TemplatePublic)
def read_assessment_template(
    principal: Authorized[Scope.assessments_read],
    session: SessionDep,
    template_id: uuid.UUID,
) -> TemplatePublic:
    """The template with its criteria."""
    return service.template_public(session, service.get_template(session, principal, template_id))


@router.get(
    "/vocabulary", summary="Labels of the self-assessment and SWOT enumerations", response_model=AssessmentVocabulary
)
def read_assessment_vocabulary(principal: Authorized[Scope.assessments_read]) -> AssessmentVocabulary:
    """Lithuanian and English labels for template kinds, statuses, finding kinds and SWOT quadrants."""
    return vocabulary()


@router.get("/findings", summary="List self-assessment findings", response_model=Page[FindingPublic])
def list_assessment_findings(
    principal: Authorized[Scope.assessments_read],
    session: SessionDep,
    assessment_id: uuid.UUID | None = None,
    kind: FindingKind | None = None,
    sort: Annotated[str, sort_query(["created_at"], "-created_at")] = "-created_at",
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[FindingPublic]:
    """Strengths and areas for improvement across your institution's self-assessments — the
    evidence improvement measures cite."""
    items, next_cursor = service.list_findings(
        session, principal, assessment_id=assessment_id, kind=kind, sort=sort, limit=limit, cursor=cursor
    )
    return Page(items=items, next_cursor=next_cursor, limit=limit)


@router.get("", summary="List self-assessments", response_model=Page[AssessmentSummary])
def list_assessments(
    principal: Authorized[Scope.assessments_read],
    session: SessionDep,
    template_id: uuid.UUID | None = None,
    period: Annotated[str | None, Query(max_length=10)] = None,
    status_: Annotated[AssessmentStatus | None, Query(alias="status")] = None,
    sort: Annotated[str, sort_query(["period_start", "created_at"], "-period_start")] = "-period_start",
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[AssessmentSummary]:
    """Your institution's self-assessments."""
    items, next_cursor = service.list_assessments(
        session,
        principal,
        template_id=template_id,
        period=period,
        status=status_,
        sort=sort,
        limit=limit,
        cursor=cursor,
    )
    return Page(items=items, next_cursor=next_cursor, limit=limit)


@router.post(
    "",
    summary="Start a self-assessment",
    status_code=status.HTTP_201_CREATED,
    response_model=AssessmentPublic,
    responses=problem_responses(409),
)
def create_assessment(
    principal: Authorized[Scope.assessments_write],
    session: SessionDep,
    body: AssessmentCreate,
    response: Response,
) -> AssessmentPublic:
    """One per template and period (409 for a second)."""
    assessment = service.create_assessment(session, principal, body)
    set_etag(response, assessment.version)
    response.headers["Location"] = f"/api/v1/assessments/{assessment.id}"
    return assessment


@router.get("/{assessment_id}", summary="Read a self-assessment", response_model=AssessmentPublic)
def read_assessment(
    principal: Authorized[Scope.assessments_read],
    session: SessionDep,
    assessment_id: uuid.UUID,
    response: Response,
) -> AssessmentPublic:
    """With its ratings, findings and average score."""
    assessment = service.read_assessment(session, principal, assessment_id)
    set_etag(response, assessment.version)
    return assessment


@router.patch(
    "/{assessment_id}",
    summary="Update a self-assessment's summary",
    response_model=AssessmentPublic,
    responses=_TRANSITION,
)
def update_assessment(
    principal: Authorized[Scope.assessments_write],
    session: SessionDep,
    assessment_id: uuid.UUID,
    body: AssessmentUpdate,
    if_match: IfMatch,
    response: Response,
) -> AssessmentPublic:
    """Drafts only (409 once completed)."""
    assessment = service.update_assessment(session, principal, assessment_id, body, if_match)
    set_etag(response, assessment.version)
    return assessment


@router.post(
    "/{assessment_id}/ratings",
    summary="Rate a criterion",
    response_model=AssessmentPublic,
    responses=problem_responses(409),
)
def rate_assessment_criterion(
    principal: Authorized[Scope.assessments_write],
    session: SessionDep,
    assessment_id: uuid.UUID,
    body: RatingPut,
    response: Response,
) -> AssessmentPublic:
    """Sets (or replaces) the criterion's score, evidence and comment. The score must lie on the
    template's scale (422). Drafts only (409)."""
    assessment = service.rate_criterion(session, principal, assessment_id, body)
    set_etag(response, assessment.version)
    return assessment


@router.post(
    "/{assessment_id}/complete",
    summary="Complete a self-assessment",
    response_model=AssessmentPublic,
    responses=_TRANSITION,
)
def complete_assessment(
    principal: Authorized[Scope.assessments_write],
    session: SessionDep,
    assessment_id: uuid.UUID,
    if_match: IfMatch,
    response: Response,
) -> AssessmentPublic:
    """draft → completed, once every criterion is rated (409 otherwise)."""
    assessment = service.complete_assessment(session, principal, assessment_id, if_match)
    set_etag(response, assessment.version)
    return assessment


@router.post(
    "/{assessment_id}/findings",
    summary="Record a finding",
    status_code=status.HTTP_201_CREATED,
    response_model=FindingPublic,
)
def add_assessment_finding(
    principal: Authorized[Scope.assessments_write],
    session: SessionDep,
    assessment_id: uuid.UUID,
    body: FindingCreate,
) -> FindingPublic:
    """A strength or an area for improvement, optionally tied to a criterion; improvement measures
    link to findings as their evidence."""
    return service.add_finding(session, principal, assessment_id, body)
