"""Forged cursors on every list of the app, for every sort field: a key of the wrong type, out of
range or unstorable, a malformed id or shape, is 422 `unprocessable` naming `query.cursor`, never a
5xx; a well-formed key of the right type pages on (200)."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import hypothesis
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st

from tests.foundation.valid_requests import Requests

ID = "0192f3b0-0000-7000-8000-000000000000"
#: Keys tried for every sort field: the extremes of each column type and the wrong types.
KEYS: list[Any] = [
    "2026-01-01",
    "0001-01-01",
    "9999-12-31",
    "2026-01-01T00:00:00Z",
    "2026-01-01T00:00:00",
    "9999-12-31T23:59:59-23:59",
    "0001-01-01T00:00:00+14:00",
    2026,
    0,
    -1,
    2**63 - 1,
    2**63,
    -(2**63) - 1,
    2**80,
    1e308,
    1.5,
    True,
    "",
    "a",
    "\u0000",
    "\ud800",
    "x" * 300,
    [],
    {},
]
#: Raw JSON texts json.loads accepts but are no JSON numbers anyone means.
RAW_KEYS = ["NaN", "Infinity", "-Infinity", "1e400"]
#: Whole cursors that are not [sort, key, id].
SHAPES = ["!!!", "e30", base64.urlsafe_b64encode(b"\xff\xfe").decode(), base64.urlsafe_b64encode(b"{}").decode()]
DRAWN = 2
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3),
    max_leaves=4,
)


def forge(*parts: Any, raw_key: str | None = None) -> str:
    text = json.dumps(list(parts), separators=(",", ":"))
    if raw_key is not None:
        text = text.replace('"@KEY@"', raw_key)
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()


def list_operations(spec: dict[str, Any]) -> list[tuple[str, str, str, tuple[str, ...] | None, list[str]]]:
    out = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            params = {p["name"]: p for p in op.get("parameters", [])}
            if "cursor" not in params or "sort" not in params:
                continue
            fields = re.fullmatch(r"\^-\?\((.*)\)\$", params["sort"]["schema"]["pattern"])[1].split("|")
            security = op.get("security")
            out.append(
                (op["operationId"], method.upper(), path, tuple(security[0]["OAuth2"]) if security else None, fields)
            )
    return out


def _check(r, cursor_desc: str, failures: list[str], *, must_refuse: bool) -> None:
    if r.status_code >= 500 or (must_refuse and r.status_code != 422):
        failures.append(f"{cursor_desc}: {r.status_code} {r.text[:200]}")
    elif r.status_code == 422:
        problem = r.json()
        if problem["type"] != "urn:ciklas:problem:unprocessable" or problem["errors"][0]["field"] != "query.cursor":
            failures.append(f"{cursor_desc}: 422 of the wrong kind {r.text[:200]}")
    elif r.status_code != 200:
        failures.append(f"{cursor_desc}: {r.status_code} {r.text[:200]}")


def test_forged_cursors_are_422_never_5xx(client, world, session):
    requests, failures = Requests(client, world, session), []
    operations = list_operations(client.app.openapi())
    assert len(operations) > 25
    for operation_id, method, path, scopes, fields in operations:

        def get(sort: str, cursor: str):  # used within the iteration only
            return requests.send(
                operation_id,  # noqa: B023
                method,  # noqa: B023
                path,  # noqa: B023
                scopes,  # noqa: B023
                query={"sort": sort, "cursor": cursor},
            )

        for shape in [
            *SHAPES,
            forge(fields[0], "a"),
            forge(fields[0], "a", ID, 1),
            forge(f"-{fields[0]}", "a", ID),
            forge(fields[0], "a", "not-a-uuid"),
            forge(fields[0], "a", 12),
            forge(fields[0], "a", None),
            forge(fields[0], "a", [ID]),
        ]:
            _check(get(fields[0], shape), f"{path} {shape}", failures, must_refuse=True)
        for i, field in enumerate(fields):
            sort = f"-{field}" if i % 2 else field
            for key in KEYS:
                _check(get(sort, forge(sort, key, ID)), f"{path} [{sort}, {key!r}]", failures, must_refuse=False)
            for raw in RAW_KEYS:
                _check(
                    get(sort, forge(sort, "@KEY@", ID, raw_key=raw)),
                    f"{path} [{sort}, {raw}]",
                    failures,
                    must_refuse=True,
                )

            @hypothesis.settings(
                max_examples=DRAWN,
                derandomize=True,
                database=None,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                phases=[Phase.generate],
            )
            @hypothesis.given(key=JSON)
            def drawn(key: Any) -> None:
                _check(
                    get(sort, forge(sort, key, ID)),  # noqa: B023
                    f"{path} [{sort}, {key!r}]",  # noqa: B023
                    failures,
                    must_refuse=False,
                )

            drawn()
    assert not failures, f"{len(failures)} wrong answers:\n" + "\n".join(failures[:60])
