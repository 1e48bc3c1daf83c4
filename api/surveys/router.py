"""Questionnaires, their versions, and the platform templates institutions adopt."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.concurrency import IfMatch, set_etag
from api.db import SessionDep
from api.errors import problem_responses
from api.models import QuestionnaireKind, VersionStatus
from api.pagination import CursorQuery, LimitQuery, Page, sort_query
from api.security.deps import Authorized
from api.security.scopes import Scope
from api.surveys import questionnaires as service
from api.surveys.schemas import (
    QuestionnaireCreate,
    QuestionnairePublic,
    QuestionnaireUpdate,
    VersionCreate,
    VersionPublic,
    VersionSummary,
    VersionUpdate,
)
from api.surveys.vocabulary import SurveyVocabulary, vocabulary

router = APIRouter(prefix="/api/v1/surveys", tags=["surveys"])
_CHANGE = problem_responses(409, 412, 428)


@router.get("/vocabulary", summary="Labels of the survey enumerations", response_model=SurveyVocabulary)
def read_survey_vocabulary(principal: Authorized[Scope.surveys_read]) -> SurveyVocabulary:
    """Lithuanian and English labels of questionnaire kinds, audiences, version statuses and
    question types."""
    return vocabulary()


@router.get("/questionnaires", summary="List questionnaires and templates", response_model=Page[QuestionnairePublic])
def list_questionnaires(
    principal: Authorized[Scope.surveys_read],
    session: SessionDep,
    kind: QuestionnaireKind | None = None,
    templates: Annotated[bool | None, Query(description="true: platform templates only; false: your own only.")] = (
        None
    ),
    code: Annotated[str | None, Query(max_length=60)] = None,
    sort: Annotated[str, sort_query(["code", "created_at"], "code")] = "code",
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[QuestionnairePublic]:
    """Your institution's questionnaires and the platform templates."""
    items, next_cursor = service.list_questionnaires(
        session, principal, kind=kind, templates=templates, code=code, sort=sort, limit=limit, cursor=cursor
    )
    return Page(items=items, next_cursor=next_cursor, limit=limit)


@router.post(
    "/questionnaires",
    summary="Create your institution's questionnaire",
    status_code=status.HTTP_201_CREATED,
    response_model=QuestionnairePublic,
    responses=problem_responses(409),
)
def create_questionnaire(
    principal: Authorized[Scope.surveys_write],
    session: SessionDep,
    body: QuestionnaireCreate,
    response: Response,
) -> QuestionnairePublic:
    """The code is unique within the institution (409 otherwise). Add its questions as a version."""
    row = service.create_questionnaire(session, principal, body, template=False)
    set_etag(response, row.version)
    response.headers["Location"] = f"/api/v1/surveys/questionnaires/{row.id}"
    return QuestionnairePublic.model_validate(row)


@router.get("/questionnaires/{questionnaire_id}", summary="Read a questionnaire", response_model=QuestionnairePublic)
def read_questionnaire(
    principal: Authorized[Scope.surveys_read],
    session: SessionDep,
    questionnaire_id: uuid.UUID,
    response: Response,
) -> QuestionnairePublic:
    row = service.get_questionnaire(session, principal, questionnaire_id)
    set_etag(response, row.version)
    return QuestionnairePublic.model_validate(row)


@router.patch(
    "/questionnaires/{questionnaire_id}",
    summary="Update your questionnaire's titles or audience",
    response_model=QuestionnairePublic,
    responses=_CHANGE,
)
def update_questionnaire(
    principal: Authorized[Scope.surveys_write],
    session: SessionDep,
    questionnaire_id: uuid.UUID,
    body: QuestionnaireUpdate,
    if_match: IfMatch,
    response: Response,
) -> QuestionnairePublic:
    row = service.update_questionnaire(session, principal, questionnaire_id, body, if_match, template=False)
    set_etag(response, row.version)
    return QuestionnairePublic.model_validate(row)


@router.post(
    "/questionnaires/{questionnaire_id}/adopt",
    summary="Adopt a platform template",
    status_code=status.HTTP_201_CREATED,
    response_model=QuestionnairePublic,
    responses=problem_responses(409),
)
def adopt_questionnaire_template(
    principal: Authorized[Scope.surveys_write],
    session: SessionDep,
    questionnaire_id: uuid.UUID,
    response: Response,
) -> QuestionnairePublic:
    """Copies the template's latest published version into a questionnaire of your own (same code,
    same concept codes) as a draft version 1: adjust it, publish it, run it. 409 when the template
    has no published version or your institution already uses its code."""
    row = service.adopt_template(session, principal, questionnaire_id)
    set_etag(response, row.version)
    response.headers["Location"] = f"/api/v1/surveys/questionnaires/{row.id}"
    return QuestionnairePublic.model_validate(row)


@router.get(
    "/questionnaires/{questionnaire_id}/versions",
    summary="List a questionnaire's versions",
    response_model=list[VersionSummary],
)
def list_questionnaire_versions(
    principal: Authorized[Scope.surveys_read],
    session: SessionDep,
    questionnaire_id: uuid.UUID,
) -> list[VersionSummary]:
    return service.list_versions(session, principal, questionnaire_id)


@router.post(
    "/questionnaires/{questionnaire_id}/versions",
    summary="Draft a new version of your questionnaire",
    status_code=status.HTTP_201_CREATED,
    response_model=VersionPublic,
    responses=problem_responses(409),
)
def create_questionnaire_version(
    principal: Authorized[Scope.surveys_write],
    session: SessionDep,
    questionnaire_id: uuid.UUID,
    body: VersionCreate,
    response: Response,
) -> VersionPublic:
    """Questions with their stable concept codes, types, options and dimensions. One draft at a
    time (409 otherwise)."""
    version = service.create_version(session, principal, questionnaire_id, body, template=False)
    set_etag(response, version.version)
    response.headers["Location"] = f"/api/v1/surveys/versions/{version.id}"
    return version


@router.get(
    "/versions/{version_id}", summary="Read a questionnaire version with its questions", response_model=VersionPublic
)
def read_questionnaire_version(
    principal: Authorized[Scope.surveys_read],
    session: SessionDep,
    version_id: uuid.UUID,
    response: Response,
) -> VersionPublic:
    version = service.read_version(session, principal, version_id)
    set_etag(response, version.version)
    return version


@router.patch(
    "/versions/{version_id}",
    summary="Change a draft version's questions or dimensions",
    response_model=VersionPublic,
    responses=_CHANGE,
)
def update_questionnaire_version(
    principal: Authorized[Scope.surveys_write],
    session: SessionDep,
    version_id: uuid.UUID,
    body: VersionUpdate,
    if_match: IfMatch,
    response: Response,
) -> VersionPublic:
    """Drafts only: a published version is immutable (409)."""
    version = service.update_version(session, principal, version_id, body, if_match, template=False)
    set_etag(response, version.version)
    return version


@router.post(
    "/versions/{version_id}/publish", summary="Publish a draft version", response_model=VersionPublic, responses=_CHANGE
)
def publish_questionnaire_version(
    principal: Authorized[Scope.surveys_write],
    session: SessionDep,
    version_id: uuid.UUID,
    if_match: IfMatch,
    response: Response,
) -> VersionPublic:
    """draft → published. From now on it cannot change, and campaigns can run it."""
    version = service.change_version_status(
        session, principal, version_id, if_match, to=VersionStatus.published, template=False
    )
    set_etag(response, version.version)
    return version


@router.post(
    "/versions/{version_id}/retire",
    summary="Retire a published version",
    response_model=VersionPublic,
    responses=_CHANGE,
)
def retire_questionnaire_version(
    principal: Authorized[Scope.surveys_write],
    session: SessionDep,
    version_id: uuid.UUID,
    if_match: IfMatch,
    response: Response,
) -> VersionPublic:
    """published → retired: no new campaigns run it; running campaigns go on."""
    version = service.change_version_status(
        session, principal, version_id, if_match, to=VersionStatus.retired, template=False
    )
    set_etag(response, version.version)
    return version


# --- platform templates --------------------------------------------------------------------------


@router.post(
    "/templates",
    summary="Create a platform-wide questionnaire template",
    status_code=status.HTTP_201_CREATED,
    response_model=QuestionnairePublic,
    responses=problem_responses(409),
)
def create_questionnaire_template(
    principal: Authorized[Scope.surveys_templates],
    session: SessionDep,
    body: QuestionnaireCreate,
    response: Response,
) -> QuestionnairePublic:
    row = service.create_questionnaire(session, principal, body, template=True)
    set_etag(response, row.version)
    response.headers["Location"] = f"/api/v1/surveys/questionnaires/{row.id}"
    return QuestionnairePublic.model_validate(row)


@router.patch(
    "/templates/{questionnaire_id}",
    summary="Update a template's titles or audience",
    response_model=QuestionnairePublic,
    responses=_CHANGE,
)
def update_questionnaire_template(
    principal: Authorized[Scope.surveys_templates],
    session: SessionDep,
    questionnaire_id: uuid.UUID,
    body: QuestionnaireUpdate,
    if_match: IfMatch,
    response: Response,
) -> QuestionnairePublic:
    row = service.update_questionnaire(session, principal, questionnaire_id, body, if_match, template=True)
    set_etag(response, row.version)
    return QuestionnairePublic.model_validate(row)


@router.post(
    "/templates/{questionnaire_id}/versions",
    summary="Draft a new version of a template",
    status_code=status.HTTP_201_CREATED,
    response_model=VersionPublic,
    responses=problem_responses(409),
)
def create_template_version(
    principal: Authorized[Scope.surveys_templates],
    session: SessionDep,
    questionnaire_id: uuid.UUID,
    body: VersionCreate,
    response: Response,
) -> VersionPublic:
    version = service.create_version(session, principal, questionnaire_id, body, template=True)
    set_etag(response, version.version)
    response.headers["Location"] = f"/api/v1/surveys/versions/{version.id}"
    return version


@router.patch(
    "/templates/versions/{version_id}",
    summary="Change a draft template version",
    response_model=VersionPublic,
    responses=_CHANGE,
)
def update_template_version(
    principal: Authorized[Scope.surveys_templates],
    session: SessionDep,
    version_id: uuid.UUID,
    body: VersionUpdate,
    if_match: IfMatch,
    response: Response,
) -> VersionPublic:
    version = service.update_version(session, principal, version_id, body, if_match, template=True)
    set_etag(response, version.version)
    return version


@router.post(
    "/templates/versions/{version_id}/publish",
    summary="Publish a draft template version",
    response_model=VersionPublic,
    responses=_CHANGE,
)
def publish_template_version(
    principal: Authorized[Scope.surveys_templates],
    session: SessionDep,
    version_id: uuid.UUID,
    if_match: IfMatch,
    response: Response,
) -> VersionPublic:
    version = service.change_version_status(
        session, principal, version_id, if_match, to=VersionStatus.published, template=True
    )
    set_etag(response, version.version)
    return version


@router.post(
    "/templates/versions/{version_id}/retire",
    summary="Retire a published template version",
    response_model=VersionPublic,
    responses=_CHANGE,
)
def retire_template_version(
    principal: Authorized[Scope.surveys_templates],
    session: SessionDep,
    version_id: uuid.UUID,
    if_match: IfMatch,
    response: Response,
) -> VersionPublic:
    version = service.change_version_status(
        session, principal, version_id, if_match, to=VersionStatus.retired, template=True
    )
    set_etag(response, version.version)
    return version
