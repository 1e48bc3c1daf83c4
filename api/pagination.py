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
from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from sqlmodel import Session

from api.errors import ValidationFailed
from api.types import ApiDate, ApiDateTime

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
    return ValidationFailed.for_field(
        "query.cursor", "invalid cursor", "invalid_cursor", detail="The cursor is not valid for this listing."
    )


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a cursor value")


#: Signed range of each integer column type (PostgreSQL's; SQLite stores 64 bits).
_INTEGER_BITS = ((sa.SmallInteger, 16), (sa.BigInteger, 64), (sa.Integer, 32))
_API_DATE = TypeAdapter(ApiDate)
_API_DATE_TIME = TypeAdapter(ApiDateTime)


def cursor_key(key: Any, column: Any) -> Any:
    """The cursor's key as a value of the sort column's type, or ValueError.

    A forged key must fail here, not in the database: an instant whose UTC conversion overflows,
    an integer past the column's width (SQLite raises OverflowError beyond 2**63), a string
    PostgreSQL cannot store (NUL, lone surrogates), a list where a scalar belongs."""
    if key is None:
        if getattr(getattr(column, "expression", column), "nullable", True):
            return None
        raise ValueError("null key for a column that holds no nulls")
    # A TypeDecorator (UTCDateTime) is judged by its implementation's type.
    column_type = getattr(column.type, "impl_instance", column.type)
    try:
        python_type = column_type.python_type
    except NotImplementedError:
        python_type = None
    if python_type is datetime:
        if not isinstance(key, str):
            raise ValueError("an instant is an ISO 8601 string")
        return _API_DATE_TIME.validate_python(key)
    if python_type is date:
        if not isinstance(key, str):
            raise ValueError("a date is an ISO 8601 string")
        return _API_DATE.validate_python(key)
    if python_type is int:
        bits = next(b for kind, b in _INTEGER_BITS if isinstance(column_type, kind))
        if type(key) is not int or not -(2 ** (bits - 1)) <= key < 2 ** (bits - 1):
            raise ValueError("the key is not an integer of the column's width")
        return key
    if python_type is str:
        if not isinstance(key, str) or "\x00" in key:
            raise ValueError("the key is not a storable string")
        key.encode("utf-8")  # UnicodeEncodeError (a ValueError) on lone surrogates
        return key
    if python_type is uuid.UUID:
        if not isinstance(key, str):
            raise ValueError("a uuid is a string")
        return uuid.UUID(key)
    raise ValueError(f"the listing cannot be sorted by a {python_type} column")


def decode_cursor(cursor: str, sort: str, column: Any) -> tuple[Any, uuid.UUID]:
    """The key and id of a cursor made by :func:`encode_cursor` for `sort`, each checked against
    its column; anything else is 422 `unprocessable` naming `query.cursor`."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        parts = json.loads(raw, parse_constant=_no_constants)
        if not isinstance(parts, list) or len(parts) != 3:
            raise ValueError("a cursor is [sort, key, id]")
        cursor_sort, key, id_ = parts
        if not isinstance(cursor_sort, str) or cursor_sort != sort:
            raise ValueError("sort changed")
        if not isinstance(id_, str):
            raise ValueError("the id is a string")
        return cursor_key(key, column), uuid.UUID(id_)
    except (ValueError, TypeError, binascii.Error, ValidationError, RecursionError) as exc:
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
    if cursor:
        key, last_id = decode_cursor(cursor, sort, column)
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
