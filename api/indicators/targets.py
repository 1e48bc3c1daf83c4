"""Targets: what an institution aims for, per indicator and period."""

from __future__ import annotations

import uuid

from sqlmodel import Session, select

from api.audit.service import record as audit
from api.crud import apply_patch, delete_or_conflict, flush_or_conflict
from api.errors import NotFound, ValidationFailed
from api.indicators import catalogue
from api.indicators.periods import Period
from api.indicators.schemas import TargetCreate, TargetUpdate
from api.models import Indicator, IndicatorTarget
from api.pagination import paginate
from api.security.principal import Principal
from api.tenancy import scoped


def parse_period(indicator: Indicator, label: str, field: str = "body.period") -> Period:
    """The period named by `label`, which must have the indicator's periodicity."""
    try:
        period = Period.parse(label)
    except ValueError as exc:
        raise ValidationFailed.for_field(field, str(exc), "invalid_period") from exc
    if period.periodicity != indicator.periodicity:
        message = f"{indicator.code} is measured per {indicator.periodicity}; {label} is a {period.periodicity}"
        raise ValidationFailed.for_field(field, message, "periodicity_mismatch")
    return period


def list_targets(
    session: Session,
    principal: Principal,
    indicator_id: uuid.UUID,
    *,
    institution_id: uuid.UUID | None,
    sort: str,
    limit: int,
    cursor: str | None,
) -> tuple[list[IndicatorTarget], str | None]:
    catalogue.get_indicator(session, principal, indicator_id)
    stmt = scoped(select(IndicatorTarget), IndicatorTarget, principal).where(
        IndicatorTarget.indicator_id == indicator_id
    )
    if institution_id:
        stmt = stmt.where(IndicatorTarget.institution_id == institution_id)
    return paginate(session, stmt, model=IndicatorTarget, sort=sort, limit=limit, cursor=cursor)


def _writer_institution(principal: Principal) -> uuid.UUID:
    if principal.institution_id is None:  # writers are institution staff; kept for safety
        raise NotFound("No indicator of your institution with this id.")
    return principal.institution_id


def create_target(
    session: Session, principal: Principal, indicator_id: uuid.UUID, data: TargetCreate
) -> IndicatorTarget:
    institution_id = _writer_institution(principal)
    indicator = catalogue.get_usable(session, principal, indicator_id, institution_id)
    period = parse_period(indicator, data.period)
    row = IndicatorTarget(
        institution_id=institution_id,
        indicator_id=indicator.id,
        period_start=period.start,
        period_label=period.label,
        target=data.target,
        comment=data.comment,
    )
    session.add(row)
    flush_or_conflict(session, f"A target for {period.label} already exists; update it instead.")
    audit(session, principal, action="create", resource_type="indicator_target", resource_id=row.id)
    return row


def get_target(
    session: Session, principal: Principal, indicator_id: uuid.UUID, target_id: uuid.UUID
) -> IndicatorTarget:
    stmt = scoped(select(IndicatorTarget), IndicatorTarget, principal).where(
        IndicatorTarget.id == target_id, IndicatorTarget.indicator_id == indicator_id
    )
    row = session.exec(stmt).first()
    if row is None:
        raise NotFound("No target with this id.")
    return row


def update_target(
    session: Session,
    principal: Principal,
    indicator_id: uuid.UUID,
    target_id: uuid.UUID,
    patch: TargetUpdate,
    if_match: str,
) -> IndicatorTarget:
    row = get_target(session, principal, indicator_id, target_id)
    if "target" in patch.model_fields_set and patch.target is None:
        raise ValidationFailed.for_field("body.target", "may not be null", "null", detail="target may not be null")
    apply_patch(session, row, patch, if_match, conflict="The target could not be updated.")
    audit(session, principal, action="update", resource_type="indicator_target", resource_id=row.id)
    return row


def delete_target(
    session: Session, principal: Principal, indicator_id: uuid.UUID, target_id: uuid.UUID, if_match: str
) -> None:
    row = get_target(session, principal, indicator_id, target_id)
    delete_or_conflict(session, row, if_match, conflict="The target could not be deleted.")
    audit(session, principal, action="delete", resource_type="indicator_target", resource_id=target_id)
