"""GET /api/v1/indicator-values (the municipality pull) and /summary."""

from __future__ import annotations

import csv
import io
import uuid

from api.models import Indicator, IndicatorValue, InstitutionKind
from api.security.scopes import Role
from tests.factories import make_institution
from tests.indicators.helpers import make_indicator, make_value

PULL = "/api/v1/indicator-values"


def arrange(session, world):
    sat = make_indicator(
        session, code="SAT", source={"kind": "survey", "dimension_code": "SATISFACTION", "aggregation": "mean"}
    )
    training = make_indicator(session, code="TRAINING", unit="ratio")
    crisis = make_institution(session, world.municipality, kind=InstitutionKind.crisis_centre, name="Krizių centras")
    rows = {
        "a25": make_value(session, sat, world.a.institution, "2025", 80.0, respondents=30, comment="vidinė pastaba"),
        "a26": make_value(session, sat, world.a.institution, "2026", 85.0, respondents=3),  # suppressed
        "a_draft": make_value(session, training, world.a.institution, "2026", 5.0, published=False),
        "b25": make_value(session, training, world.b.institution, "2025", 7.0),
        "crisis": make_value(session, sat, crisis, "2025", 70.0, respondents=12),
        "c25": make_value(session, sat, world.c.institution, "2025", 60.0, respondents=40),
    }
    session.commit()
    return rows


def test_municipality_pulls_published_values_of_its_own_municipality(client, world, session):
    rows = arrange(session, world)
    r = client.get(PULL, headers=world.headers(Role.municipality_analyst))
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert {i["id"] for i in items} == {str(rows[k].id) for k in ("a25", "a26", "b25", "crisis")}
    a26 = next(i for i in items if i["id"] == str(rows["a26"].id))
    assert (a26["value"], a26["suppressed"], a26["period"]) == (None, True, "2026")
    a25 = next(i for i in items if i["id"] == str(rows["a25"].id))
    assert (a25["value"], a25["indicator_code"], a25["institution_name"]) == (80.0, "SAT", "Institution A")
    assert set(a25) & {"comment", "respondents", "entered_by", "published_by", "inputs"} == set()
    r = client.get(PULL, headers=world.headers(Role.municipality_analyst, "c"))
    assert [i["id"] for i in r.json()["items"]] == [str(rows["c25"].id)]
    # Filters do not widen the scope.
    r = client.get(
        PULL,
        params={"municipality_id": str(world.other_municipality.id)},
        headers=world.headers(Role.municipality_analyst),
    )
    assert r.json()["items"] == []


def test_filters_and_cursor_paging(client, world, session):
    rows = arrange(session, world)
    analyst = world.headers(Role.municipality_analyst)
    r = client.get(PULL, params={"institution_kind": "crisis_centre"}, headers=analyst)
    assert [i["id"] for i in r.json()["items"]] == [str(rows["crisis"].id)]
    r = client.get(PULL, params={"indicator": "TRAINING"}, headers=analyst)
    assert [i["id"] for i in r.json()["items"]] == [str(rows["b25"].id)]
    r = client.get(PULL, params={"period_from": "2026-01-01"}, headers=analyst)
    assert [i["id"] for i in r.json()["items"]] == [str(rows["a26"].id)]
    r = client.get(
        PULL, params={"institution_id": str(world.a.institution.id), "period_to": "2025-12-31"}, headers=analyst
    )
    assert [i["id"] for i in r.json()["items"]] == [str(rows["a25"].id)]
    seen, cursor = [], None
    while True:
        params = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        page = client.get(PULL, params=params, headers=analyst).json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 4
    assert client.get(PULL, params={"cursor": "garbage"}, headers=analyst).status_code == 422
    # Incremental: only what changed since an instant.
    later = client.get(PULL, params={"updated_since": "2999-01-01T00:00:00Z"}, headers=analyst).json()
    assert later["items"] == []
    since = min(i["updated_at"] for i in client.get(PULL, headers=analyst).json()["items"])
    assert (
        len(client.get(PULL, params={"updated_since": since, "sort": "updated_at"}, headers=analyst).json()["items"])
        == 4
    )


def test_platform_admin_pulls_every_municipality(client, world, session):
    arrange(session, world)
    r = client.get(PULL, headers=world.headers(Role.platform_admin))
    assert len(r.json()["items"]) == 5
    assert client.get(PULL, headers=world.headers(Role.director)).status_code == 403


def test_csv_on_accept_text_csv(client, world, session):
    rows = arrange(session, world)
    r = client.get(PULL, headers=world.headers(Role.municipality_analyst, Accept="text/csv"))
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(r.text)))
    assert len(table) == 4
    by_id = {row["id"]: row for row in table}
    assert by_id[str(rows["a25"].id)]["value"] == "80.0"
    assert by_id[str(rows["a26"].id)]["value"] == "" and by_id[str(rows["a26"].id)]["suppressed"] == "true"
    assert "comment" not in table[0]


def test_etag_304_and_cache_control(client, world, session):
    rows = arrange(session, world)
    analyst = world.headers(Role.municipality_analyst)
    first = client.get(PULL, headers=analyst)
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "private, no-cache"
    r = client.get(PULL, headers={**analyst, "If-None-Match": etag})
    assert r.status_code == 304 and r.content == b"" and r.headers["etag"] == etag
    # CSV and JSON are different representations, with different validators.
    csv_etag = client.get(PULL, headers={**analyst, "Accept": "text/csv"}).headers["etag"]
    assert csv_etag != etag
    assert client.get(PULL, headers={**analyst, "Accept": "text/csv", "If-None-Match": csv_etag}).status_code == 304
    # A changed value changes the ETag.
    row = session.get(IndicatorValue, rows["b25"].id)
    row.value = 7.5
    session.add(row)
    session.commit()
    r = client.get(PULL, headers={**analyst, "If-None-Match": etag})
    assert r.status_code == 200 and r.headers["etag"] != etag
    # Another municipality's change does not.
    etag = r.headers["etag"]
    make_value(session, session.get(Indicator, rows["c25"].indicator_id), world.c.institution, "2026", 1.0)
    session.commit()
    assert client.get(PULL, headers={**analyst, "If-None-Match": etag}).status_code == 304


def test_municipality_summary_latest_value_and_trend(client, world, session):
    sat = make_indicator(session, code="SAT")
    falls = make_indicator(session, code="FALLS", direction="lower_is_better", unit="count")
    for label, figure in (("2022", 60.0), ("2023", 65.0), ("2024", 70.0), ("2025", 75.0), ("2026", 80.0)):
        make_value(session, sat, world.a.institution, label, figure)
    make_value(session, sat, world.a.institution, "2027", 10.0, published=False)  # a draft is not seen
    make_value(session, falls, world.a.institution, "2025", 4.0)
    make_value(session, falls, world.a.institution, "2026", 6.0)
    make_value(session, sat, world.b.institution, "2026", 50.0)
    make_value(session, sat, world.c.institution, "2026", 50.0)
    session.commit()
    r = client.get(f"{PULL}/summary", params={"trend_periods": 3}, headers=world.headers(Role.municipality_analyst))
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["municipality_id"] == str(world.municipality.id)
    got = {(x["institution_name"], x["indicator_code"]): x for x in out["rows"]}
    assert set(got) == {("Institution A", "SAT"), ("Institution A", "FALLS"), ("Institution B", "SAT")}
    a_sat = got[("Institution A", "SAT")]
    assert (a_sat["latest_period"], a_sat["latest_value"], a_sat["previous_value"], a_sat["change"]) == (
        "2026",
        80.0,
        75.0,
        5.0,
    )
    assert (a_sat["periods"], a_sat["trend_slope"], a_sat["trend"]) == (3, 5.0, "improving")
    a_falls = got[("Institution A", "FALLS")]
    assert (a_falls["trend_slope"], a_falls["trend"]) == (2.0, "worsening")
    b_sat = got[("Institution B", "SAT")]
    assert (b_sat["periods"], b_sat["trend_slope"], b_sat["trend"], b_sat["previous_value"]) == (
        1,
        None,
        "unknown",
        None,
    )
    # Another municipality is 404 for an analyst; the admin names one.
    r = client.get(
        f"{PULL}/summary",
        params={"municipality_id": str(world.other_municipality.id)},
        headers=world.headers(Role.municipality_analyst),
    )
    assert r.status_code == 404
    assert client.get(f"{PULL}/summary", headers=world.headers(Role.platform_admin)).status_code == 422
    r = client.get(
        f"{PULL}/summary",
        params={"municipality_id": str(world.other_municipality.id)},
        headers=world.headers(Role.platform_admin),
    )
    assert [x["institution_name"] for x in r.json()["rows"]] == ["Institution C"]


def test_a_page_etag_covers_that_page_only(client, world, session):
    rows = arrange(session, world)
    analyst = world.headers(Role.municipality_analyst)
    first = client.get(PULL, params={"limit": 1}, headers=analyst)
    assert first.status_code == 200 and first.json()["next_cursor"]
    second = client.get(PULL, params={"limit": 1, "cursor": first.json()["next_cursor"]}, headers=analyst)
    on_second = second.json()["items"][0]["id"]
    row = session.get(IndicatorValue, uuid.UUID(on_second))
    row.value = new_value = (row.value or 0) + 1
    row.persons = None  # never suppressed, so the new value shows
    session.add(row)
    session.commit()
    # The first page did not change: still 304. The second did: a new body and ETag.
    r = client.get(PULL, params={"limit": 1}, headers={**analyst, "If-None-Match": first.headers["etag"]})
    assert r.status_code == 304
    r = client.get(
        PULL,
        params={"limit": 1, "cursor": first.json()["next_cursor"]},
        headers={**analyst, "If-None-Match": second.headers["etag"]},
    )
    assert r.status_code == 200 and r.headers["etag"] != second.headers["etag"]
    assert r.json()["items"][0]["id"] == on_second and r.json()["items"][0]["value"] == new_value
    assert on_second in {str(v.id) for v in rows.values()}
