"""The one place tenant filters live.

Every query on a tenant-owned table goes through `scoped()`; every load by id through
`get_or_404()`. A row of another institution is indistinguishable from a row that does not exist.
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, select
from sqlmodel.sql.expression import Select, SelectOfScalar

from api.errors import NotFound
from api.models import Institution, Municipality
from api.security.principal import Principal

M = TypeVar("M", bound=SQLModel)
S = TypeVar("S", Select[Any], SelectOfScalar[Any])


def institution_filter(column: Any, principal: Principal) -> sa.ColumnElement[bool]:
    """The condition on an institution-id column that limits rows to what `principal` may see."""
    if principal.is_platform_admin:
        return sa.true()
    if principal.institution_id is not None:
        return column == principal.institution_id
    if principal.municipality_id is not None:
        in_municipality = select(Institution.id).where(Institution.municipality_id == principal.municipality_id)
        return column.in_(in_municipality.scalar_subquery())
    return sa.false()


def tenant_condition(model: type[SQLModel], principal: Principal) -> sa.ColumnElement[bool]:
    if model is Institution:
        return institution_filter(Institution.id, principal)
    if model is Municipality:
        if principal.is_platform_admin:
            return sa.true()
        if principal.municipality_id is not None:
            return Municipality.id == principal.municipality_id
        if principal.institution_id is not None:
            own = select(Institution.municipality_id).where(Institution.id == principal.institution_id)
            return Municipality.id == own.scalar_subquery()
        return sa.false()
    column = getattr(model, "institution_id", None)
    if column is None:
        raise TypeError(f"{model.__name__} is not a tenant table")
    return institution_filter(column, principal)


def scoped(statement: S, model: type[SQLModel], principal: Principal) -> S:
    """`statement` limited to the rows of `model` the principal's tenant may see."""
    return statement.where(tenant_condition(model, principal))


def get_or_404(
    session: Session,
    model: type[M],
    id_: uuid.UUID,
    principal: Principal,
    *,
    for_update: bool = False,
    what: str | None = None,
) -> M:
    stmt = scoped(select(model).where(model.id == id_), model, principal)  # type: ignore[attr-defined]
    if for_update:
        stmt = stmt.with_for_update()
    row = session.exec(stmt).first()
    if row is None:
        raise NotFound(f"No {what or model.__name__.lower()} with this id.")
    return row


def exists(session: Session, model: type[SQLModel], id_: uuid.UUID, principal: Principal) -> bool:
    """Whether the principal's tenant has a row of `model` with this id (a referenced id to check)."""
    stmt = scoped(select(model.id).where(model.id == id_), model, principal)  # type: ignore[attr-defined]
    return session.exec(stmt.limit(1)).first() is not None
