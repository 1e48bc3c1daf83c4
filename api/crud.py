"""Small shared steps of create / update / delete services."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from api.concurrency import check_if_match
from api.errors import Conflict, ValidationFailed


def flush_or_conflict(session: Session, detail: str) -> None:
    """Flush now so that a unique or foreign-key violation becomes a 409 with a useful message."""
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise Conflict(detail) from exc


def patched_fields(patch: BaseModel, not_null: Iterable[str] = ()) -> dict[str, Any]:
    """The fields a PATCH sets; 422 for one of `not_null` sent as null (a required column can be
    changed, not cleared)."""
    data = patch.model_dump(exclude_unset=True)
    for key in not_null:
        if key in data and data[key] is None:
            raise ValidationFailed.for_field(f"body.{key}", f"{key} cannot be null")
    return data


def apply_patch(session: Session, row: Any, patch: BaseModel, if_match: str, *, conflict: str) -> Any:
    check_if_match(if_match, row.version)
    for key, value in patch.model_dump(exclude_unset=True).items():
        setattr(row, key, value)
    session.add(row)
    flush_or_conflict(session, conflict)
    return row


def delete_or_conflict(session: Session, row: Any, if_match: str, *, conflict: str) -> None:
    check_if_match(if_match, row.version)
    session.delete(row)
    flush_or_conflict(session, conflict)
