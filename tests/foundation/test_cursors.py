"""Cursors are checked against the sort column before they reach the database (api/pagination.py):
forged ones are 422 `unprocessable` naming `query.cursor`; the cursors the API hands out page on,
for every kind of sort key (instant, day, integer, text)."""

from __future__ import annotations

import base64
import json
import uuid

from api.models import PlanKind, PublishedReport
from api.security.scopes import Role
from tests.plans.helpers import make_plan

ID = str(uuid.UUID(int=1))


def forge(*parts) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(parts)).encode()).rstrip(b"=").decode()


def assert_forged(r) -> None:
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["type"] == "urn:ciklas:problem:unprocessable"
    assert [(e["field"], e["code"]) for e in problem["errors"]] == [("query.cursor", "invalid_cursor")]


def publish(session, world, year: int, revision: int = 1) -> PublishedReport:
    row = PublishedReport(institution_id=world.a.institution.id, year=year, revision=revision, content={})
    session.add(row)
    session.commit()
    return row


def test_an_instant_past_the_end_in_utc_is_refused(client, world):
    cursor = forge("-created_at", "9999-12-31T23:59:59-23:59", ID)
    assert_forged(
        client.get(
            "/api/v1/plans", params={"sort": "-created_at", "cursor": cursor}, headers=world.headers(Role.director)
        )
    )


def test_an_integer_past_64_bits_is_refused_on_both_databases(client, world, session):
    publish(session, world, 2025)
    h = world.headers(Role.director)
    for sort, key in (
        ("year", 2**80),
        ("-year", 2**63),
        ("year", -(2**63) - 1),
        ("year", 2**31),
        ("year", "2025"),
        ("year", 2025.5),
        ("year", True),
        ("year", None),
    ):
        assert_forged(
            client.get("/api/v1/reports/published", params={"sort": sort, "cursor": forge(sort, key, ID)}, headers=h)
        )


def test_wrong_shapes_and_ids_are_refused(client, world):
    h = world.headers(Role.director)
    for cursor in (
        "!!!",
        forge("-created_at", "2026-01-01T00:00:00Z"),
        forge("-created_at", "2026-01-01", 5),
        forge("-created_at", "2026-01-01T00:00:00Z", [ID]),
        forge("created_at", "2026-01-01T00:00:00Z", ID),
        forge("-created_at", "2026-01-01T00:00:00Z", ID, 1),
        forge("-created_at", 1767225600, ID),
        base64.urlsafe_b64encode(b'["-created_at",NaN,"' + ID.encode() + b'"]').decode(),
    ):
        assert_forged(client.get("/api/v1/plans", params={"sort": "-created_at", "cursor": cursor}, headers=h))


def test_text_keys_postgresql_cannot_store_are_refused(client, world):
    for key in ("a\u0000b", "\ud800"):
        r = client.get(
            "/api/v1/users",
            params={"sort": "username", "cursor": forge("username", key, ID)},
            headers=world.headers(Role.director),
        )
        assert_forged(r)


def pages(client, url: str, sort: str, headers) -> list[list[str]]:
    out, cursor = [], None
    while True:
        params = {"sort": sort, "limit": 2, **({"cursor": cursor} if cursor else {})}
        r = client.get(url, params=params, headers=headers)
        assert r.status_code == 200, r.text
        out.append([i["id"] for i in r.json()["items"]])
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return out


def test_handed_out_cursors_page_on_for_every_kind_of_key(client, world, session):
    h = world.headers(Role.director)
    plans = [make_plan(session, world, kind=PlanKind.quarterly, period=f"2026-Q{q}") for q in (1, 2, 3)]
    newest_first = [str(p.id) for p in reversed(plans)]
    assert pages(client, "/api/v1/plans", "-created_at", h) == [newest_first[:2], newest_first[2:]]
    assert pages(client, "/api/v1/plans", "-period_start", h) == [newest_first[:2], newest_first[2:]]
    reports = [publish(session, world, year) for year in (2024, 2025, 2026)]
    assert pages(client, "/api/v1/reports/published", "year", h) == [
        [str(reports[0].id), str(reports[1].id)],
        [str(reports[2].id)],
    ]
    usernames = pages(client, "/api/v1/users", "username", h)
    assert len(usernames) > 1 and len({i for page in usernames for i in page}) == sum(map(len, usernames))
