"""Indicator values: entered by hand or computed, draft → published, corrections as revisions.

Municipalities read published values only. Every reader outside the institution's staff (the
municipality, the platform administrator) reads a value resting on fewer than k persons
(api/privacy.py) suppressed: no figure, no records, no inputs, no count of persons, but
`suppressed: true` and the reason; and no comments at all.
"""

from __future__ import annotations

import uuid
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, select

from api.audit.service import record as audit
from api.concurrency import check_if_match
from api.crud import flush_or_conflict
from api.errors import InvalidTransition, NotFound, ValidationFailed
from api.indicators import catalogue, sources
from api.indicators.schemas import (
    RecomputeRequest,
    RevisionPublic,
    ValueCorrection,
    ValueCreate,
    ValuePublic,
    ValueUpdate,
)
from api.indicators.targets import parse_period
from api.models import IndicatorValue, IndicatorValueRevision, SourceKind, ValueOrigin, ValueStatus
from api.pagination import paginate
from api.privacy import Privacy, few_persons, is_outside
from api.security.principal import Principal
from api.tenancy import institution_filter
from api.types import utcnow
from api.webhooks.outbox import emit


def readable(principal: Principal) -> sa.ColumnElement[bool]:
    """The values `principal` may read: its tenant's, and for municipalities published ones only."""
    condition = institution_filter(IndicatorValue.institution_id, principal)
    if principal.is_municipality:
        condition = sa.and_(condition, IndicatorValue.status == ValueStatus.published)
    return condition


def suppressed_sql(privacy: Privacy, persons: sa.ColumnElement[int] | None = None) -> sa.ColumnElement[bool]:
    """Whether a value row (or `persons`, a column of a subquery) rests on fewer than k persons."""
    column = IndicatorValue.persons if persons is None else persons
    return sa.and_(column.is_not(None), column < privacy.k)


def is_suppressed(row: IndicatorValue | IndicatorValueRevision, privacy: Privacy) -> bool:
    return privacy.is_suppressed(row.persons)


def to_public(row: IndicatorValue, principal: Principal, privacy: Privacy) -> ValuePublic:
    """Institution staff see everything of their own; everyone else no comments and nothing that
    rests on fewer than k persons."""
    out = ValuePublic.model_validate(row)
    out.respondents = row.persons
    if is_outside(principal, row.institution_id):
        out.comment = None
        if is_suppressed(row, privacy):
            out.value, out.inputs, out.records, out.persons, out.respondents = None, None, None, None, None
            out.suppressed, out.suppression_reason = True, few_persons(privacy.k)
    return out


def list_values(
    session: Session,
    principal: Principal,
    indicator_id: uuid.UUID,
    *,
    institution_id: uuid.UUID | None,
    status: ValueStatus | None,
    period_from: date | None,
    period_to: date | None,
    sort: str,
    limit: int,
    cursor: str | None,
) -> tuple[list[IndicatorValue], str | None]:
    catalogue.get_indicator(session, principal, indicator_id)
    stmt = select(IndicatorValue).where(IndicatorValue.indicator_id == indicator_id, readable(principal))
    if institution_id:
        stmt = stmt.where(IndicatorValue.institution_id == institution_id)
    if status:
        stmt = stmt.where(IndicatorValue.status == status)
    if period_from:
        stmt = stmt.where(IndicatorValue.period_start >= period_from)
    if period_to:
        stmt = stmt.where(IndicatorValue.period_start <= period_to)
    return paginate(session, stmt, model=IndicatorValue, sort=sort, limit=limit, cursor=cursor)


def get_value(session: Session, principal: Principal, value_id: uuid.UUID) -> IndicatorValue:
    row = session.exec(select(IndicatorValue).where(IndicatorValue.id == value_id, readable(principal))).first()
    if row is None:
        raise NotFound("No indicator value with this id.")
    return row


def _institution(principal: Principal) -> uuid.UUID:
    if principal.institution_id is None:
        raise NotFound("No indicator of your institution with this id.")
    return principal.institution_id


def create_value(session: Session, principal: Principal, indicator_id: uuid.UUID, data: ValueCreate) -> IndicatorValue:
    institution_id = _institution(principal)
    indicator = catalogue.get_usable(session, principal, indicator_id, institution_id)
    period = parse_period(indicator, data.period)
    if indicator.source_kind != SourceKind.manual:
        raise InvalidTransition(
            f"{indicator.code} is computed from its {indicator.source_kind} source; "
            "recompute it instead of entering it by hand."
        )
    row = IndicatorValue(
        institution_id=institution_id,
        indicator_id=indicator.id,
        periodicity=period.periodicity,
        period_start=period.start,
        period_end=period.end,
        period_label=period.label,
        value=data.value,
        comment=data.comment,
        persons=data.persons,
        origin=ValueOrigin.manual,
        entered_by=principal.subject_id,
    )
    session.add(row)
    flush_or_conflict(session, f"A value for {period.label} already exists; update or correct it instead.")
    audit(session, principal, action="create", resource_type="indicator_value", resource_id=row.id)
    return row


def recompute_value(
    session: Session, principal: Principal, indicator_id: uuid.UUID, data: RecomputeRequest
) -> tuple[IndicatorValue, bool]:
    """Compute the value from its source and store it as a draft; (row, created)."""
    institution_id = _institution(principal)
    indicator = catalogue.get_usable(session, principal, indicator_id, institution_id)
    period = parse_period(indicator, data.period)
    row = session.exec(
        select(IndicatorValue).where(
            IndicatorValue.institution_id == institution_id,
            IndicatorValue.indicator_id == indicator.id,
            IndicatorValue.period_start == period.start,
        )
    ).first()
    if row is not None and row.status == ValueStatus.published:
        raise InvalidTransition(f"The value for {period.label} is published; correct it instead.")
    result = sources.compute(session, institution_id, indicator, period.start, period.end)
    created = row is None
    if row is None:
        row = IndicatorValue(
            institution_id=institution_id,
            indicator_id=indicator.id,
            periodicity=period.periodicity,
            period_start=period.start,
            period_end=period.end,
            period_label=period.label,
            origin=ValueOrigin.computed,
        )
    row.value, row.records, row.persons = result.value, result.records, result.persons
    row.inputs, row.computed_at, row.origin = result.inputs, utcnow(), ValueOrigin.computed
    row.entered_by = principal.subject_id
    session.add(row)
    flush_or_conflict(session, f"The value for {period.label} changed meanwhile; retry.")
    audit(session, principal, action="recompute", resource_type="indicator_value", resource_id=row.id)
    return row, created


def _own_value(session: Session, principal: Principal, value_id: uuid.UUID, if_match: str) -> IndicatorValue:
    row = get_value(session, principal, value_id)
    check_if_match(if_match, row.version)
    return row


def update_value(
    session: Session, principal: Principal, value_id: uuid.UUID, patch: ValueUpdate, if_match: str
) -> IndicatorValue:
    row = _own_value(session, principal, value_id, if_match)
    if row.status == ValueStatus.published:
        raise InvalidTransition("A published value is changed by a correction (POST .../corrections).")
    if "value" in patch.model_fields_set:
        if row.origin == ValueOrigin.computed:
            raise InvalidTransition("A computed value is recomputed, not edited by hand.")
        if patch.value is None:
            raise ValidationFailed.for_field("body.value", "may not be null", "null")
        row.value = patch.value
    if "persons" in patch.model_fields_set:
        if row.origin == ValueOrigin.computed:
            raise InvalidTransition("A computed value's persons come from its source; recompute it.")
        row.persons = patch.persons
    if "comment" in patch.model_fields_set:
        row.comment = patch.comment
    session.add(row)
    flush_or_conflict(session, "The value could not be updated.")
    audit(session, principal, action="update", resource_type="indicator_value", resource_id=row.id)
    return row


def delete_value(session: Session, principal: Principal, value_id: uuid.UUID, if_match: str) -> None:
    """A draft entered in error; published values stay (they are corrected instead)."""
    row = _own_value(session, principal, value_id, if_match)
    if row.status != ValueStatus.draft:
        raise InvalidTransition("A published value is not deleted; correct it instead.")
    session.delete(row)
    flush_or_conflict(session, "The value could not be deleted.")
    audit(session, principal, action="delete", resource_type="indicator_value", resource_id=value_id)


def publish_value(
    session: Session, principal: Principal, value_id: uuid.UUID, if_match: str, privacy: Privacy
) -> IndicatorValue:
    row = _own_value(session, principal, value_id, if_match)
    if row.status != ValueStatus.draft:
        raise InvalidTransition("Only a draft value can be published.")
    row.status, row.published_at, row.published_by = ValueStatus.published, utcnow(), principal.subject_id
    session.add(row)
    flush_or_conflict(session, "The value could not be published.")
    audit(session, principal, action="publish", resource_type="indicator_value", resource_id=row.id)
    # The event reaches the municipality's subscribers too: it carries what an outside reader sees.
    suppressed = is_suppressed(row, privacy)
    emit(
        session,
        "indicator.published",
        row.institution_id,
        {
            "value_id": str(row.id),
            "indicator_id": str(row.indicator_id),
            "period": row.period_label,
            "value": None if suppressed else row.value,
            "suppressed": suppressed,
            "suppression_reason": few_persons(privacy.k) if suppressed else None,
        },
    )
    return row


def correct_value(
    session: Session, principal: Principal, value_id: uuid.UUID, data: ValueCorrection, if_match: str
) -> IndicatorValue:
    """Replace a published value; the value as it stood is kept as a revision."""
    row = _own_value(session, principal, value_id, if_match)
    if row.status != ValueStatus.published:
        raise InvalidTransition("Only a published value is corrected; edit the draft instead.")
    session.add(
        IndicatorValueRevision(
            value_id=row.id,
            institution_id=row.institution_id,
            revision=row.revision,
            value=row.value,
            comment=row.comment,
            origin=row.origin,
            records=row.records,
            persons=row.persons,
            inputs=row.inputs,
            published_at=row.published_at,
            published_by=row.published_by,
            superseded_by=principal.subject_id,
            reason=data.reason,
        )
    )
    row.revision += 1
    row.value, row.comment, row.origin = data.value, data.comment, ValueOrigin.manual
    # records and persons stay: the population behind the figure (and its suppression) is unchanged.
    row.inputs, row.computed_at = None, None
    row.published_at, row.published_by, row.entered_by = utcnow(), principal.subject_id, principal.subject_id
    session.add(row)
    flush_or_conflict(session, "The value could not be corrected.")
    audit(session, principal, action="correct", resource_type="indicator_value", resource_id=row.id, detail=data.reason)
    return row


def list_revisions(
    session: Session, principal: Principal, value_id: uuid.UUID, privacy: Privacy
) -> list[RevisionPublic]:
    """Earlier published states, newest first (suppressed and without comments outside the staff)."""
    row = get_value(session, principal, value_id)
    outside = is_outside(principal, row.institution_id)
    stmt = select(IndicatorValueRevision).where(IndicatorValueRevision.value_id == row.id)
    out = []
    for revision in session.exec(stmt.order_by(IndicatorValueRevision.revision.desc())).all():
        public = RevisionPublic.model_validate(revision)
        public.respondents = revision.persons
        if outside:
            public.comment = None
            if is_suppressed(revision, privacy):
                public.value, public.records, public.persons, public.respondents = None, None, None, None
                public.suppressed, public.suppression_reason = True, few_persons(privacy.k)
        out.append(public)
    return out
