"""The indicator catalogue: the platform's entries (institution_id NULL) and each institution's own.

Every institution sees the platform catalogue and its own entries; a municipality those of its
institutions too. Codes are unique among what one institution sees, so a code names one indicator.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from api.audit.service import record as audit
from api.concurrency import check_if_match
from api.crud import flush_or_conflict
from api.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from api.indicators.periods import Periodicity
from api.indicators.schemas import IndicatorCreate, IndicatorUpdate
from api.models import Indicator, SourceKind
from api.pagination import paginate
from api.security.principal import Principal
from api.tenancy import institution_filter


def readable(principal: Principal) -> sa.ColumnElement[bool]:
    """The catalogue entries `principal` may read: the platform's and those of visible institutions."""
    return sa.or_(Indicator.institution_id.is_(None), institution_filter(Indicator.institution_id, principal))


def usable_by(institution_id: uuid.UUID) -> sa.ColumnElement[bool]:
    """The entries an institution works with: the platform's and its own."""
    return sa.or_(Indicator.institution_id.is_(None), Indicator.institution_id == institution_id)


def list_indicators(
    session: Session,
    principal: Principal,
    *,
    catalogue: str | None,
    source_kind: SourceKind | None,
    periodicity: Periodicity | None,
    active: bool | None,
    code: str | None,
    sort: str,
    limit: int,
    cursor: str | None,
) -> tuple[list[Indicator], str | None]:
    stmt = select(Indicator).where(readable(principal))
    if catalogue == "platform":
        stmt = stmt.where(Indicator.institution_id.is_(None))
    elif catalogue == "institution":
        stmt = stmt.where(Indicator.institution_id.is_not(None))
    if source_kind:
        stmt = stmt.where(Indicator.source_kind == source_kind)
    if periodicity:
        stmt = stmt.where(Indicator.periodicity == periodicity)
    if active is not None:
        stmt = stmt.where(Indicator.active == active)
    if code:
        stmt = stmt.where(Indicator.code == code)
    return paginate(session, stmt, model=Indicator, sort=sort, limit=limit, cursor=cursor)


def get_indicator(session: Session, principal: Principal, indicator_id: uuid.UUID) -> Indicator:
    row = session.exec(select(Indicator).where(Indicator.id == indicator_id, readable(principal))).first()
    if row is None:
        raise NotFound("No indicator with this id.")
    return row


def get_usable(session: Session, principal: Principal, indicator_id: uuid.UUID, institution_id: uuid.UUID) -> Indicator:
    """An active indicator the institution works with (platform or its own), readable by `principal`."""
    row = get_indicator(session, principal, indicator_id)
    if row.institution_id not in (None, institution_id):
        raise NotFound("No indicator with this id.")
    if not row.active:
        raise InvalidTransition(f"{row.code} is no longer in use; reactivate it first.")
    return row


def find_by_code(
    session: Session, principal: Principal, code: str, institution_id: uuid.UUID | None = None
) -> Indicator:
    stmt = select(Indicator).where(Indicator.code == code, readable(principal))
    if institution_id is not None:
        stmt = stmt.where(usable_by(institution_id))
    row = session.exec(stmt.order_by(Indicator.institution_id.is_(None)).limit(1)).first()
    if row is None:
        raise NotFound(f"No indicator with the code {code}.")
    return row


def get_platform(session: Session, principal: Principal, indicator_id: uuid.UUID) -> Indicator:
    """A platform catalogue entry (404 for an institution's own indicator or a missing one)."""
    return _own(session, principal, indicator_id, platform=True)


def _own(session: Session, principal: Principal, indicator_id: uuid.UUID, *, platform: bool) -> Indicator:
    """An entry the caller may edit: the platform's for platform administrators, else the institution's own."""
    owner = Indicator.institution_id.is_(None) if platform else Indicator.institution_id == principal.institution_id
    row = session.exec(select(Indicator).where(Indicator.id == indicator_id, owner)).first()
    if row is None or (not platform and principal.institution_id is None):
        raise NotFound("No indicator of yours with this id.")
    return row


def validate_source(
    session: Session, *, institution_id: uuid.UUID | None, code: str, periodicity: str, source: dict[str, Any]
) -> None:
    """A survey source names exactly one concept or dimension; a formula's inputs exist for the
    owner, share its periodicity and are not the indicator itself. (Cross-field rules live here,
    not in the schema, so they answer 422 `unprocessable` naming the field.)"""
    if source.get("kind") == SourceKind.survey:
        if (source.get("concept_code") is None) == (source.get("dimension_code") is None):
            raise ValidationFailed.for_field(
                "body.source.concept_code", "name exactly one of concept_code and dimension_code", "exactly_one"
            )
        return
    if source.get("kind") != SourceKind.formula:
        return
    for part in ("numerator", "denominator"):
        ref = source.get(part)
        if ref is None:
            continue
        field = f"body.source.{part}"
        if ref == code:
            raise ValidationFailed.for_field(field, "a formula cannot refer to its own indicator", "self_reference")
        scope = usable_by(institution_id) if institution_id else Indicator.institution_id.is_(None)
        found = session.exec(select(Indicator.periodicity).where(Indicator.code == ref, scope)).first()
        if found is None:
            raise ValidationFailed.for_field(field, f"no indicator with the code {ref}", "not_found")
        if found != periodicity:
            raise ValidationFailed.for_field(
                field, f"{ref} is measured per {found}, not per {periodicity}", "periodicity_mismatch"
            )


def _code_taken(session: Session, code: str, institution_id: uuid.UUID | None) -> bool:
    stmt = select(Indicator.id).where(Indicator.code == code)
    if institution_id is not None:
        stmt = stmt.where(usable_by(institution_id))
    return session.exec(stmt.limit(1)).first() is not None


def create_indicator(session: Session, principal: Principal, data: IndicatorCreate, *, platform: bool) -> Indicator:
    institution_id = None if platform else principal.institution_id
    if not platform and institution_id is None:
        raise Conflict("Only institution staff add indicators of their institution.")
    source = data.source.model_dump()
    validate_source(session, institution_id=institution_id, code=data.code, periodicity=data.periodicity, source=source)
    if _code_taken(session, data.code, institution_id):
        raise Conflict(f"The code {data.code} is already in use.")
    row = Indicator(
        **data.model_dump(exclude={"source"}),
        institution_id=institution_id,
        source_kind=SourceKind(source["kind"]),
        source=source,
    )
    session.add(row)
    flush_or_conflict(session, f"The code {data.code} is already in use.")
    audit(
        session,
        principal,
        action="create",
        resource_type="indicator",
        resource_id=row.id,
        institution_id=institution_id,
    )
    return row


def update_indicator(
    session: Session,
    principal: Principal,
    indicator_id: uuid.UUID,
    patch: IndicatorUpdate,
    if_match: str,
    *,
    platform: bool,
) -> Indicator:
    row = _own(session, principal, indicator_id, platform=platform)
    check_if_match(if_match, row.version)
    changes = patch.model_dump(exclude_unset=True, exclude={"source"})
    for key, value in changes.items():
        if value is None and key in ("name_lt", "name_en", "unit", "direction", "active"):
            raise ValidationFailed.for_field(f"body.{key}", "may not be null", "null")
        setattr(row, key, value)
    if "source" in patch.model_fields_set:
        if patch.source is None:
            raise ValidationFailed.for_field("body.source", "may not be null", "null")
        source = patch.source.model_dump()
        validate_source(
            session, institution_id=row.institution_id, code=row.code, periodicity=row.periodicity, source=source
        )
        row.source, row.source_kind = source, SourceKind(source["kind"])
    session.add(row)
    flush_or_conflict(session, "The indicator could not be updated.")
    audit(
        session,
        principal,
        action="update",
        resource_type="indicator",
        resource_id=row.id,
        institution_id=row.institution_id,
    )
    return row
