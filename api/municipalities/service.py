from __future__ import annotations

import uuid

from sqlmodel import Session, select

from api.audit.service import record as audit
from api.crud import apply_patch, delete_or_conflict, flush_or_conflict
from api.models import Municipality
from api.municipalities.schemas import MunicipalityCreate, MunicipalityUpdate
from api.pagination import paginate
from api.security.principal import Principal
from api.tenancy import get_or_404, scoped
from api.text_search import contains_text

_DUPLICATE = "A municipality with this name or code already exists."


def list_municipalities(
    session: Session, principal: Principal, *, name: str | None, sort: str, limit: int, cursor: str | None
) -> tuple[list[Municipality], str | None]:
    stmt = scoped(select(Municipality), Municipality, principal)
    if name:
        stmt = stmt.where(contains_text(Municipality.name, name))
    return paginate(session, stmt, model=Municipality, sort=sort, limit=limit, cursor=cursor)


def get_municipality(session: Session, principal: Principal, municipality_id: uuid.UUID) -> Municipality:
    return get_or_404(session, Municipality, municipality_id, principal, what="municipality")


def create_municipality(session: Session, principal: Principal, data: MunicipalityCreate) -> Municipality:
    row = Municipality(**data.model_dump())
    session.add(row)
    flush_or_conflict(session, _DUPLICATE)
    audit(session, principal, action="create", resource_type="municipality", resource_id=row.id)
    return row


def update_municipality(
    session: Session, principal: Principal, municipality_id: uuid.UUID, patch: MunicipalityUpdate, if_match: str
) -> Municipality:
    row = get_municipality(session, principal, municipality_id)
    apply_patch(session, row, patch, if_match, conflict=_DUPLICATE)
    audit(session, principal, action="update", resource_type="municipality", resource_id=row.id)
    return row


def delete_municipality(session: Session, principal: Principal, municipality_id: uuid.UUID, if_match: str) -> None:
    row = get_municipality(session, principal, municipality_id)
    delete_or_conflict(session, row, if_match, conflict="The municipality still has institutions.")
    audit(session, principal, action="delete", resource_type="municipality", resource_id=municipality_id)
