"""Column types and identifiers shared by every table, and the dates, instants and years the API
accepts (`ApiDate`, `ApiDateTime`, `Year`)."""

from __future__ import annotations

import os
import time
import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import AfterValidator, Field, GetJsonSchemaHandler
from pydantic_core import PydanticCustomError, core_schema
from sqlalchemy.types import TypeDecorator


def uuid7() -> uuid.UUID:
    """A time-ordered UUID (RFC 9562 version 7): new rows land at the end of the primary-key index."""
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= ((rand >> 62) & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    return uuid.UUID(int=value)


def utcnow() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    return utcnow().date()


def start_of_day_utc(day: date) -> datetime:
    """Midnight UTC at the start of `day`: the bound to compare a date with a UTC timestamp column."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC; always hands back timezone-aware datetimes, on SQLite as on PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type[datetime]:
        # Keyset cursors parse their key with this type; `object` would leave an ISO string, which
        # PostgreSQL refuses to compare with a timestamptz.
        return datetime

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# --- what requests may carry ----------------------------------------------------------------------
#
# Python's dates end at 9999-12-31 and an offset of up to ±23:59 can carry a valid local time past
# either end once converted to UTC; PostgreSQL (4713 BC to 294276 AD) and SQLite (ISO text) would
# store more than Python can read back. Services add months and days to what they are given
# (review cadences, grace periods, period ends). The API therefore takes the years 1900 to 2999:
# wide enough for every birth date and plan, and leaving seven millennia of headroom for arithmetic.

MIN_YEAR, MAX_YEAR = 1900, 2999
EARLIEST_DAY, LATEST_DAY = date(MIN_YEAR, 1, 1), date(MAX_YEAR, 12, 31)
EARLIEST_INSTANT = datetime(MIN_YEAR, 1, 1, tzinfo=UTC)
LATEST_INSTANT = datetime(MAX_YEAR, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)

DATE_RANGE = f"From {EARLIEST_DAY} to {LATEST_DAY}."
DATE_TIME_RANGE = (
    f"RFC 3339, from {EARLIEST_DAY}T00:00:00Z to {LATEST_DAY}T23:59:59Z once converted to UTC; "
    "without an offset it is read as UTC."
)
_INSTANT_MESSAGE = f"The instant must be from {EARLIEST_DAY}T00:00:00Z to {LATEST_DAY}T23:59:59Z once in UTC."


def _out_of_range(message: str) -> PydanticCustomError:
    return PydanticCustomError("out_of_range", message)


def api_date(value: date) -> date:
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise _out_of_range(f"The date must be from {EARLIEST_DAY} to {LATEST_DAY}.")
    return value


def api_datetime(value: datetime) -> datetime:
    """The instant in UTC, if it lies within the range (naive values are UTC, as the columns store them)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        value = value.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:59-23:59, 0001-01-01T00:00+14:00: no such UTC instant in Python
        raise _out_of_range(_INSTANT_MESSAGE) from None
    if not EARLIEST_INSTANT <= value <= LATEST_INSTANT:
        raise _out_of_range(_INSTANT_MESSAGE)
    return value


class _Range:
    """Says the range in the contract: JSON Schema's minimum and maximum do not apply to strings, so
    it goes into the description (the OpenAPI builder appends it to field descriptions as well) and
    into `formatMinimum`/`formatMaximum` (the vocabulary ajv-formats reads)."""

    def __init__(self, description: str, minimum: str, maximum: str, example: str) -> None:
        self.description, self.minimum, self.maximum, self.example = description, minimum, maximum, example

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        json_schema = handler.resolve_ref_schema(handler(schema))
        json_schema.update(
            description=self.description,
            formatMinimum=self.minimum,
            formatMaximum=self.maximum,
            examples=[self.example],
        )
        return json_schema


#: A calendar day a request may carry: 1900-01-01 to 2999-12-31.
ApiDate = Annotated[
    date, AfterValidator(api_date), _Range(DATE_RANGE, EARLIEST_DAY.isoformat(), LATEST_DAY.isoformat(), "2026-03-31")
]
#: An instant a request may carry: RFC 3339, within the years 1900 to 2999 in UTC; returned in UTC.
ApiDateTime = Annotated[
    datetime,
    AfterValidator(api_datetime),
    _Range(DATE_TIME_RANGE, f"{EARLIEST_DAY}T00:00:00Z", f"{LATEST_DAY}T23:59:59Z", "2026-03-31T09:30:00+03:00"),
]
#: A calendar year a request may name.
Year = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR)]


def _range_sentence(node: Any) -> str | None:
    """The range of the ApiDate/ApiDateTime a schema node (or one of its alternatives) holds."""
    if not isinstance(node, dict):
        return None
    if "formatMinimum" in node:
        return DATE_TIME_RANGE if node.get("format") == "date-time" else DATE_RANGE
    return next((s for alt in node.get("anyOf", ()) if (s := _range_sentence(alt))), None)


def describe_ranges(node: Any) -> None:
    """Appends the accepted range to the description of every field and parameter of these types in
    an OpenAPI document: a field's own description replaces the type's, which carries it."""
    if isinstance(node, dict):
        is_parameter = "in" in node and isinstance(node.get("schema"), dict)
        sentence = _range_sentence(node["schema"] if is_parameter else node)
        if sentence and (is_parameter or "description" in node) and sentence not in node.get("description", ""):
            node["description"] = f"{node.get('description', '').rstrip()} {sentence}".strip()
        for value in node.values():
            describe_ranges(value)
    elif isinstance(node, list):
        for value in node:
            describe_ranges(value)
