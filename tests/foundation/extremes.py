"""What the extreme-value runs draw, and where they put it.

`targets(spec)` walks the app's own OpenAPI document and names every date, date-time and integer
parameter (path and query) and request-body field (nested ones too) of every operation, so a new
route is covered without being listed here. The values are the ones that break date and integer
handling: the first and last days Python knows, offsets of ±23:59 that carry them past either end
once converted to UTC, leap days, and integers around 2**31, 2**63 (SQLite's and PostgreSQL's
BIGINT end) and far beyond. Hypothesis adds a few more of each kind, drawn over the whole range.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from api.types import EARLIEST_DAY, LATEST_DAY

DATES = [
    "0001-01-01",
    "1899-12-31",
    "1900-01-01",
    "2000-02-29",
    "2024-02-29",
    "2996-02-29",
    "2999-12-31",
    "3000-01-01",
    "9999-12-31",
]
DATE_TIMES = [
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T00:00:00+23:59",
    "0001-01-01T00:00:00-23:59",
    "9999-12-31T23:59:59-23:59",
    "9999-12-31T23:59:59+23:59",
    "9999-12-31T23:59:59.999999Z",
    "9999-12-31T23:59:59",
    "0001-01-01T00:00:00",
    "1900-01-01T00:00:00+00:01",
    "1900-01-01T00:00:00Z",
    "2999-12-31T23:59:59Z",
    "2999-12-31T23:59:59-00:01",
    "2024-02-29T23:59:59-23:59",
    "2000-02-29T00:00:00+23:59",
]
INTEGERS = [
    0,
    -1,
    1,
    1899,
    1900,
    2999,
    3000,
    9999,
    10000,
    2**31 - 1,
    2**31,
    -(2**31) - 1,
    2**53 + 1,
    2**63 - 1,
    2**63,
    -(2**63) - 1,
    2**64,
    2**80,
    -(2**80),
]
EXTREMES: dict[str, list[Any]] = {"date": DATES, "date-time": DATE_TIMES, "integer": INTEGERS}

_OFFSETS = st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
#: Drawn over everything Python can represent, not only what the API accepts.
STRATEGIES = {
    "date": st.dates().map(lambda d: d.isoformat()),
    "date-time": st.datetimes(timezones=_OFFSETS).map(lambda d: d.isoformat()),
    "integer": st.integers(),
}


#: What the contract accepts (`formatMinimum`/`formatMaximum` of ApiDate and ApiDateTime), for
#: schemathesis's positive cases; a day's margin keeps every offset within the range in UTC.
IN_RANGE = {
    "date": st.dates(EARLIEST_DAY, LATEST_DAY).map(lambda d: d.isoformat()),
    "date-time": st.datetimes(
        datetime(EARLIEST_DAY.year, 1, 2), datetime(LATEST_DAY.year, 12, 30), timezones=_OFFSETS
    ).map(lambda d: d.isoformat()),
}


@dataclass(frozen=True)
class Target:
    """One place a value goes: `location` is path, query or body; `where` the field's path in it."""

    operation_id: str
    method: str
    path: str
    scopes: tuple[str, ...] | None
    location: str
    where: tuple[str | int, ...]
    kind: str
    #: An integer's minimum and maximum in the schema.
    bounds: tuple[int | None, int | None] = (None, None)

    @property
    def edges(self) -> list[int]:
        """The schema's own bounds and the integers either side of them."""
        return [b + d for b in self.bounds if b is not None for d in (-1, 0, 1)]

    def refuses(self, value: Any) -> bool:
        """Whether the contract's range excludes `value` (then the answer must be a 422 naming it)."""
        if self.kind == "integer":
            low, high = self.bounds
            return (low is not None and value < low) or (high is not None and value > high)
        if self.kind == "date":
            return not EARLIEST_DAY <= date.fromisoformat(value) <= LATEST_DAY
        instant = datetime.fromisoformat(value)
        try:
            instant = instant.astimezone(UTC) if instant.tzinfo else instant.replace(tzinfo=UTC)
        except OverflowError:
            return True
        return not EARLIEST_DAY <= instant.date() <= LATEST_DAY

    @property
    def field(self) -> str:
        """How a problem's `errors` name it."""
        return ".".join([self.location, *(str(p) for p in self.where)])

    @property
    def label(self) -> str:
        return f"{self.method} {self.path} {self.location}.{'.'.join(str(p) for p in self.where)}"


def _resolve(node: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = spec["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _kind(node: dict[str, Any]) -> str | None:
    if node.get("type") == "integer":
        return "integer"
    if node.get("type") == "string" and node.get("format") in ("date", "date-time"):
        return str(node["format"])
    return None


def _bounds(node: dict[str, Any]) -> tuple[int | None, int | None]:
    low, high = node.get("minimum"), node.get("maximum")
    return (None if low is None else int(low), None if high is None else int(high))


def fields(
    node: dict[str, Any], spec: dict[str, Any], where: tuple[str | int, ...] = (), depth: int = 0
) -> Iterator[tuple[tuple[str | int, ...], str, tuple[int | None, int | None]]]:
    """Every (path, kind, bounds) of a date, date-time or integer inside a schema; arrays as their
    item 0."""
    node = _resolve(node, spec)
    if depth > 8:
        return
    kind = _kind(node)
    if kind:
        yield where, kind, _bounds(node)
    for key in ("anyOf", "oneOf", "allOf"):
        for alternative in node.get(key, []):
            yield from fields(alternative, spec, where, depth + 1)
    for name, sub in node.get("properties", {}).items():
        yield from fields(sub, spec, (*where, name), depth + 1)
    if "items" in node:
        yield from fields(node["items"], spec, (*where, 0), depth + 1)


def targets(spec: dict[str, Any]) -> list[Target]:
    out: dict[tuple, Target] = {}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            security = op.get("security")
            scopes = tuple(security[0]["OAuth2"]) if security else None

            def add(
                location: str,
                where: tuple[str | int, ...],
                kind: str,
                bounds: tuple[int | None, int | None],
                _op: dict[str, Any] = op,
                _method: str = method,
                _path: str = path,
                _scopes: tuple[str, ...] | None = scopes,
            ) -> None:
                target = Target(_op["operationId"], _method.upper(), _path, _scopes, location, where, kind, bounds)
                out.setdefault((target.operation_id, location, where, kind), target)

            for param in op.get("parameters", []):
                if param["in"] in ("path", "query"):
                    for _where, kind, bounds in fields(param["schema"], spec):
                        add(param["in"], (param["name"],), kind, bounds)
            json_body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if json_body:
                for where, kind, bounds in fields(json_body["schema"], spec):
                    if where:
                        add("body", where, kind, bounds)
    return list(out.values())


def with_value(body: Any, where: tuple[str | int, ...], value: Any) -> Any:
    """A copy of `body` with `value` at `where`, making the containers on the way."""
    body = copy.deepcopy(body) if body is not None else {}
    node = body
    for step, following in zip(where, (*where[1:], None), strict=True):
        if following is None:
            if isinstance(step, int):
                while len(node) <= step:
                    node.append(None)
            node[step] = value
            break
        container: Any = [] if isinstance(following, int) else {}
        if isinstance(step, int):
            while len(node) <= step:
                node.append(copy.deepcopy(container))
            if not isinstance(node[step], type(container)):
                node[step] = container
        elif not isinstance(node.get(step), type(container)):
            node[step] = container
        node = node[step]
    return body
