"""Keyset pagination: `limit` (at most 100) and an opaque `cursor`, with a `sort` over allowed fields.

The cursor holds the sort key and id of the last row served, so pages stay stable while rows are
added, and each page costs one index range scan however deep the client pages.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar

import sqlalchemy as sa
from fastapi import Query
from pydantic import BaseModel, Field, TypeAdapter
from sqlmodel import Session

from api.errors import ValidationFailed

T = TypeVar("T")
MAX_LIMIT = 100


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` to get the next page; null on the last page."
    )
    limit: int


LimitQuery = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page (1-100).")]
CursorQuery = Annotated[
    str | None, Query(max_length=500, description="Opaque cursor from the previous page's `next_cursor`.")
]


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(type(value))


def encode_cursor(sort: str, key: Any, id_: uuid.UUID) -> str:
    raw = json.dumps([sort, key, str(id_)], default=_json_default, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _invalid_cursor() -> ValidationFailed:
    return ValidationFailed.for_field("query.cursor", "invalid cursor", "invalid_cursor",
                                      detail="The cursor is not valid for this listing.")


def decode_cursor(cursor: str, sort: str, python_type: type | None) -> tuple[Any, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        cursor_sort, key, id_ = json.loads(raw)
        if cursor_sort != sort:
            raise ValueError("sort changed")
        if python_type is not None and key is not None:
            key = TypeAdapter(python_type).validate_python(key)
        return key, uuid.UUID(id_)
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError) as exc:
        raise _invalid_cursor() from exc


def sort_query(allowed: Sequence[str], default: str) -> Any:
    """`Annotated[str, sort_query([...], "-created_at")] = "-created_at"` (the default is documented)."""
    options = [*allowed, *(f"-{a}" for a in allowed)]
    return Query(
        description=f"Sort field; prefix with `-` for descending. One of: {', '.join(options)}. Default `{default}`.",
        pattern="^-?(" + "|".join(allowed) + ")$",
    )


def paginate(
    session: Session,
    statement: Any,
    *,
    model: Any,
    sort: str,
    limit: int,
    cursor: str | None,
    id_column: Any = None,
) -> tuple[list[Any], str | None]:
    """Run `statement` (already filtered and scoped) one page at a time, ordered by `sort` then id."""
    descending = sort.startswith("-")
    field = sort.lstrip("-")
    column = getattr(model, field)
    id_col = id_column if id_column is not None else model.id
    # A TypeDecorator (UTCDateTime) names no python_type of its own; its implementation does.
    column_type = getattr(column.type, "impl_instance", column.type)
    try:
        python_type = column_type.python_type
    except NotImplementedError:
        python_type = None
    if cursor:
        key, last_id = decode_cursor(cursor, sort, python_type)
        # Bound with the columns' own types, so that e.g. UTCDateTime stores-format the key.
        bound = sa.tuple_(sa.literal(key, column.type), sa.literal(last_id, id_col.type))
        if descending:
            statement = statement.where(sa.tuple_(column, id_col) < bound)
        else:
            statement = statement.where(sa.tuple_(column, id_col) > bound)
    order = (column.desc(), id_col.desc()) if descending else (column.asc(), id_col.asc())
    rows = list(session.exec(statement.order_by(*order).limit(limit + 1)).all())
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor(sort, getattr(last, field), last.id)
    return rows, next_cursor
