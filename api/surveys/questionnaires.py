"""Questionnaires and their versions: draft → published (immutable) → retired.

Platform templates are kept by the platform administrator; an institution adopts one by copying its
latest published version into a questionnaire of its own (the concept codes stay, so results compare
with the template's other adopters).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session, select

from api.audit.service import record
from api.concurrency import check_if_match
from api.crud import flush_or_conflict, patched_fields
from api.errors import Conflict, InvalidTransition, ValidationFailed
from api.models import Question, Questionnaire, QuestionnaireKind, QuestionnaireVersion, QuestionType, VersionStatus
from api.pagination import paginate
from api.security.principal import Principal
from api.surveys.access import get_questionnaire, get_version, readable_questionnaires
from api.surveys.schemas import (
    DimensionIn,
    QuestionIn,
    QuestionnaireCreate,
    QuestionnairePublic,
    QuestionnaireUpdate,
    QuestionPublic,
    VersionCreate,
    VersionPublic,
    VersionSummary,
    VersionUpdate,
)
from api.types import utcnow

CHOICE_TYPES = (QuestionType.single_choice, QuestionType.multi_choice)
SCORED_TYPES = (QuestionType.likert_5, QuestionType.scale_0_10, QuestionType.yes_no, QuestionType.number)


# --- questionnaires ----------------------------------------------------------------------------------


def list_questionnaires(
    session: Session,
    principal: Principal,
    *,
    kind: QuestionnaireKind | None,
    templates: bool | None,
    code: str | None,
    sort: str,
    limit: int,
    cursor: str | None,
) -> tuple[list[QuestionnairePublic], str | None]:
    stmt = readable_questionnaires(principal)
    if kind:
        stmt = stmt.where(Questionnaire.kind == kind)
    if templates is True:
        stmt = stmt.where(Questionnaire.institution_id.is_(None))
    elif templates is False:
        stmt = stmt.where(Questionnaire.institution_id.is_not(None))
    if code:
        stmt = stmt.where(Questionnaire.code == code)
    rows, next_cursor = paginate(session, stmt, model=Questionnaire, sort=sort, limit=limit, cursor=cursor)
    return [QuestionnairePublic.model_validate(r) for r in rows], next_cursor


def create_questionnaire(
    session: Session, principal: Principal, data: QuestionnaireCreate, *, template: bool
) -> Questionnaire:
    institution_id = None if template else principal.institution_id
    _require_free_code(session, institution_id, data.code)
    row = Questionnaire(institution_id=institution_id, **data.model_dump())
    session.add(row)
    flush_or_conflict(session, f"A questionnaire with the code {data.code} already exists.")
    record(
        session,
        principal,
        action="create",
        resource_type="survey_questionnaire",
        resource_id=row.id,
        institution_id=institution_id,
    )
    return row


def _require_free_code(session: Session, institution_id: uuid.UUID | None, code: str) -> None:
    owner = (
        Questionnaire.institution_id.is_(None)
        if institution_id is None
        else Questionnaire.institution_id == institution_id
    )
    if session.exec(select(Questionnaire.id).where(owner, Questionnaire.code == code)).first() is not None:
        raise Conflict(f"A questionnaire with the code {code} already exists.")


def update_questionnaire(
    session: Session,
    principal: Principal,
    questionnaire_id: uuid.UUID,
    patch: QuestionnaireUpdate,
    if_match: str,
    *,
    template: bool,
) -> Questionnaire:
    row = get_questionnaire(session, principal, questionnaire_id, write=True, template=template)
    check_if_match(if_match, row.version)
    data = patched_fields(patch, not_null=("audience", "title_lt", "title_en"))
    for key, value in data.items():
        setattr(row, key, value)
    session.add(row)
    session.flush()
    record(
        session,
        principal,
        action="update",
        resource_type="survey_questionnaire",
        resource_id=row.id,
        institution_id=row.institution_id,
    )
    return row


def adopt_template(session: Session, principal: Principal, questionnaire_id: uuid.UUID) -> Questionnaire:
    template = get_questionnaire(session, principal, questionnaire_id)
    if template.institution_id is not None:
        raise Conflict("Only a platform template can be adopted.")
    source = session.exec(
        select(QuestionnaireVersion)
        .where(
            QuestionnaireVersion.questionnaire_id == template.id, QuestionnaireVersion.status == VersionStatus.published
        )
        .order_by(QuestionnaireVersion.number.desc())
    ).first()
    if source is None:
        raise Conflict("The template has no published version to adopt.")
    _require_free_code(session, principal.institution_id, template.code)
    own = Questionnaire(
        institution_id=principal.institution_id,
        code=template.code,
        kind=template.kind,
        audience=template.audience,
        title_lt=template.title_lt,
        title_en=template.title_en,
        description_lt=template.description_lt,
        description_en=template.description_en,
        template_id=template.id,
    )
    session.add(own)
    flush_or_conflict(session, f"A questionnaire with the code {template.code} already exists.")
    version = QuestionnaireVersion(
        questionnaire_id=own.id, institution_id=own.institution_id, number=1, dimensions=list(source.dimensions or [])
    )
    session.add(version)
    session.flush()
    for q in _questions(session, source.id):
        copied = {
            c: getattr(q, c)
            for c in (
                "position",
                "concept_code",
                "type",
                "text_lt",
                "text_en",
                "required",
                "options",
                "min_value",
                "max_value",
                "dimension_code",
            )
        }
        session.add(Question(version_id=version.id, **copied))
    session.flush()
    record(
        session,
        principal,
        action="adopt",
        resource_type="survey_questionnaire",
        resource_id=own.id,
        institution_id=own.institution_id,
        detail=f"template {template.id}",
    )
    return own


# --- versions -----------------------------------------------------------------------------------------


def _questions(session: Session, version_id: uuid.UUID) -> list[Question]:
    return list(
        session.exec(select(Question).where(Question.version_id == version_id).order_by(Question.position)).all()
    )


def version_public(session: Session, version: QuestionnaireVersion) -> VersionPublic:
    questions = [QuestionPublic.model_validate(q) for q in _questions(session, version.id)]
    return VersionPublic.model_validate(version).model_copy(update={"questions": questions})


def list_versions(session: Session, principal: Principal, questionnaire_id: uuid.UUID) -> list[VersionSummary]:
    q = get_questionnaire(session, principal, questionnaire_id)
    rows = session.exec(
        select(QuestionnaireVersion)
        .where(QuestionnaireVersion.questionnaire_id == q.id)
        .order_by(QuestionnaireVersion.number)
    ).all()
    return [VersionSummary.model_validate(r) for r in rows]


def read_version(session: Session, principal: Principal, version_id: uuid.UUID) -> VersionPublic:
    return version_public(session, get_version(session, principal, version_id))


def _check_content(dimensions: list[DimensionIn], questions: list[QuestionIn]) -> None:
    """The cross-field rules of a questionnaire's content (422 `unprocessable`, naming the field)."""
    dim_codes = [d.code for d in dimensions]
    for i, code in enumerate(dim_codes):
        if code in dim_codes[:i]:
            raise ValidationFailed.for_field(f"body.dimensions.{i}.code", f"The dimension {code} is listed twice.")
    seen: set[str] = set()
    for i, q in enumerate(questions):
        where = f"questions.{i}"
        if q.concept_code in seen:
            raise ValidationFailed.for_field(
                f"body.{where}.concept_code", f"The concept {q.concept_code} is asked twice."
            )
        seen.add(q.concept_code)
        if q.type in CHOICE_TYPES:
            if len(q.options) < 2:
                raise ValidationFailed.for_field(
                    f"body.{where}.options", "A choice question needs at least two options."
                )
            codes = [o.code for o in q.options]
            if len(set(codes)) != len(codes):
                raise ValidationFailed.for_field(f"body.{where}.options", "Option codes must be unique.")
        elif q.options:
            raise ValidationFailed.for_field(f"body.{where}.options", f"A {q.type} question has no options.")
        if q.type is not QuestionType.number and (q.min_value is not None or q.max_value is not None):
            raise ValidationFailed.for_field(
                f"body.{where}.min_value", "min_value and max_value apply to number questions only."
            )
        if q.min_value is not None and q.max_value is not None and q.min_value > q.max_value:
            raise ValidationFailed.for_field(f"body.{where}.max_value", "max_value must not be below min_value.")
        if q.dimension_code is not None:
            if q.dimension_code not in dim_codes:
                raise ValidationFailed.for_field(
                    f"body.{where}.dimension_code", f"The dimension {q.dimension_code} is not declared."
                )
            if q.type not in SCORED_TYPES:
                raise ValidationFailed.for_field(
                    f"body.{where}.dimension_code", f"A {q.type} question cannot count towards a score."
                )


def _store_content(
    session: Session, version: QuestionnaireVersion, dimensions: list[DimensionIn], questions: list[QuestionIn]
) -> None:
    new_dimensions = [d.model_dump() for d in dimensions]
    if version.dimensions != new_dimensions:
        version.dimensions = new_dimensions
        session.add(version)
    for old in _questions(session, version.id):
        session.delete(old)
    session.flush()
    for position, q in enumerate(questions, start=1):
        data: dict[str, Any] = q.model_dump()
        session.add(Question(version_id=version.id, position=position, **data))
    session.flush()


def create_version(
    session: Session, principal: Principal, questionnaire_id: uuid.UUID, data: VersionCreate, *, template: bool
) -> VersionPublic:
    q = get_questionnaire(session, principal, questionnaire_id, write=True, template=template)
    _check_content(data.dimensions, data.questions)
    numbers = session.exec(
        select(QuestionnaireVersion.number, QuestionnaireVersion.status).where(
            QuestionnaireVersion.questionnaire_id == q.id
        )
    ).all()
    if any(status == VersionStatus.draft for _, status in numbers):
        raise Conflict("The questionnaire already has a draft version; change or publish it first.")
    version = QuestionnaireVersion(
        questionnaire_id=q.id,
        institution_id=q.institution_id,
        number=max((n for n, _ in numbers), default=0) + 1,
        dimensions=[d.model_dump() for d in data.dimensions],
    )
    session.add(version)
    flush_or_conflict(session, "Another version was created at the same time; retry.")
    _store_content(session, version, data.dimensions, data.questions)
    q.updated_at = utcnow()
    session.add(q)
    record(
        session,
        principal,
        action="create",
        resource_type="survey_version",
        resource_id=version.id,
        institution_id=q.institution_id,
    )
    return version_public(session, version)


def update_version(
    session: Session,
    principal: Principal,
    version_id: uuid.UUID,
    patch: VersionUpdate,
    if_match: str,
    *,
    template: bool,
) -> VersionPublic:
    version = get_version(session, principal, version_id, write=True, template=template)
    check_if_match(if_match, version.version)
    if version.status != VersionStatus.draft:
        raise InvalidTransition(f"A {version.status} version is immutable; create a new version.")
    dimensions = (
        patch.dimensions
        if patch.dimensions is not None
        else [DimensionIn.model_validate(d) for d in version.dimensions or []]
    )
    if patch.questions is not None:
        questions = patch.questions
    else:
        questions = [
            QuestionIn.model_validate(QuestionPublic.model_validate(q).model_dump(exclude={"id", "position"}))
            for q in _questions(session, version.id)
        ]
    _check_content(dimensions, questions)
    _store_content(session, version, dimensions, questions)
    version.updated_at = utcnow()
    session.add(version)
    session.flush()
    record(
        session,
        principal,
        action="update",
        resource_type="survey_version",
        resource_id=version.id,
        institution_id=version.institution_id,
    )
    return version_public(session, version)


def change_version_status(
    session: Session, principal: Principal, version_id: uuid.UUID, if_match: str, *, to: VersionStatus, template: bool
) -> VersionPublic:
    version = get_version(session, principal, version_id, write=True, template=template)
    check_if_match(if_match, version.version)
    allowed = {VersionStatus.published: VersionStatus.draft, VersionStatus.retired: VersionStatus.published}
    if version.status != allowed[to]:
        raise InvalidTransition(f"A {version.status} version cannot become {to}.")
    version.status = to
    if to is VersionStatus.published:
        version.published_at = utcnow()
    else:
        version.retired_at = utcnow()
    session.add(version)
    session.flush()
    record(
        session,
        principal,
        action="publish" if to is VersionStatus.published else "retire",
        resource_type="survey_version",
        resource_id=version.id,
        institution_id=version.institution_id,
    )
    return version_public(session, version)


def concepts_of_questionnaire(session: Session, questionnaire_id: uuid.UUID) -> list[str]:
    """Every concept code asked by any version of the questionnaire, sorted: the export's columns."""
    rows = session.exec(
        select(Question.concept_code)
        .join(QuestionnaireVersion, QuestionnaireVersion.id == Question.version_id)
        .where(QuestionnaireVersion.questionnaire_id == questionnaire_id)
        .distinct()
    ).all()
    return sorted(rows)
