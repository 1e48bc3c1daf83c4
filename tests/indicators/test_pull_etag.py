"""The pull's ETag: a 304 only when nothing the request could show has changed, however it changed;
and an unchanged pull is answered without reading a value row."""

from __future__ import annotations

import re

import sqlalchemy as sa

from api.models import Indicator, IndicatorValue, Institution
from api.security.scopes import Role
from tests.indicators.helpers import make_indicator, make_value
from tests.indicators.test_pull import PULL, arrange

VALUES = "/api/v1/indicator-values"


def _etags(client, analyst):
    json_etag = client.get(PULL, headers=analyst).headers["etag"]
    csv_etag = client.get(PULL, headers={**analyst, "Accept": "text/csv"}).headers["etag"]
    for tag, extra in ((json_etag, {}), (csv_etag, {"Accept": "text/csv"})):
        assert client.get(PULL, headers={**analyst, **extra, "If-None-Match": tag}).status_code == 304
    return json_etag, csv_etag


def _changed(client, analyst, old_json, old_csv):
    r = client.get(PULL, headers={**analyst, "If-None-Match": old_json})
    assert r.status_code == 200 and r.headers["etag"] != old_json
    c = client.get(PULL, headers={**analyst, "Accept": "text/csv", "If-None-Match": old_csv})
    assert c.status_code == 200 and c.headers["etag"] != old_csv
    return r.json()["items"]


def test_publishing_or_correcting_a_value_changes_the_etag(client, world, session):
    rows = arrange(session, world)
    analyst = world.headers(Role.municipality_analyst)
    json_etag, csv_etag = _etags(client, analyst)
    r = client.post(
        f"{VALUES}/{rows['b25'].id}/corrections",
        json={"value": 7.25, "reason": "Perskaičiuota"},
        headers=world.headers(Role.director, "b", **{"If-Match": '"1"'}),
    )
    assert r.status_code == 200, r.text
    items = _changed(client, analyst, json_etag, csv_etag)
    assert {i["id"]: i["value"] for i in items}[str(rows["b25"].id)] == 7.25

    json_etag, csv_etag = _etags(client, analyst)
    r = client.post(
        f"{VALUES}/{rows['a_draft'].id}/publish", headers=world.headers(Role.director, **{"If-Match": '"1"'})
    )
    assert r.status_code == 200, r.text
    items = _changed(client, analyst, json_etag, csv_etag)
    assert str(rows["a_draft"].id) in {i["id"] for i in items}


def test_changes_outside_the_orm_change_the_etag(client, world, session):
    rows = arrange(session, world)
    analyst = world.headers(Role.municipality_analyst)
    json_etag, csv_etag = _etags(client, analyst)
    # A plain SQL update that touches neither version nor updated_at: the triggers still count it.
    session.execute(sa.text("UPDATE indicator_values SET value = 81 WHERE value = 80"))
    session.commit()
    items = _changed(client, analyst, json_etag, csv_etag)
    assert {i["id"]: i["value"] for i in items}[str(rows["a25"].id)] == 81.0

    # An indicator's deletion cascades to its values in the database.
    json_etag, csv_etag = _etags(client, analyst)
    session.delete(session.get(Indicator, rows["b25"].indicator_id))
    session.commit()
    items = _changed(client, analyst, json_etag, csv_etag)
    assert str(rows["b25"].id) not in {i["id"] for i in items}


def test_renaming_an_institution_or_an_indicator_changes_the_etag(client, world, session):
    rows = arrange(session, world)
    analyst = world.headers(Role.municipality_analyst)
    json_etag, csv_etag = _etags(client, analyst)
    institution = session.get(Institution, world.a.institution.id)
    institution.name = "Institution A (renamed)"
    session.add(institution)
    session.commit()
    items = _changed(client, analyst, json_etag, csv_etag)
    assert {i["institution_name"] for i in items} >= {"Institution A (renamed)"}

    json_etag, csv_etag = _etags(client, analyst)
    indicator = session.get(Indicator, rows["a25"].indicator_id)
    indicator.name_en = "Satisfaction (renamed)"
    session.add(indicator)
    session.commit()
    items = _changed(client, analyst, json_etag, csv_etag)
    assert "Satisfaction (renamed)" in {i["indicator_name_en"] for i in items}


def test_an_unchanged_pull_reads_no_value_row(client, world, session, db_engine):
    rows = arrange(session, world)
    analyst = world.headers(Role.municipality_analyst)
    json_etag, csv_etag = _etags(client, analyst)
    # Another municipality's new value, and its own indicator, leave this pull's ETag alone.
    make_value(session, session.get(Indicator, rows["c25"].indicator_id), world.c.institution, "2026", 1.0)
    make_value(session, make_indicator(session, world.c.institution, code="OWN"), world.c.institution, "2026", 2.0)
    session.commit()
    statements: list[str] = []

    def _seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(db_engine, "before_cursor_execute", _seen)
    try:
        for tag, extra in ((json_etag, {}), (csv_etag, {"Accept": "text/csv"})):
            r = client.get(PULL, headers={**analyst, **extra, "If-None-Match": f'"other", {tag}'})
            assert r.status_code == 304 and r.headers["etag"] == tag
    finally:
        sa.event.remove(db_engine, "before_cursor_execute", _seen)
    assert statements and not [s for s in statements if re.search(r"\bindicator_values\b", s)]


def test_a_change_elsewhere_in_scope_keeps_an_untouched_page_304_with_a_new_etag(client, world, session):
    rows = arrange(session, world)
    analyst = world.headers(Role.municipality_analyst)
    first = client.get(PULL, params={"limit": 1}, headers=analyst)
    last_id = client.get(PULL, headers=analyst).json()["items"][-1]["id"]
    assert first.json()["items"][0]["id"] != last_id
    row = session.get(IndicatorValue, next(r.id for r in rows.values() if str(r.id) == last_id))
    row.records = (row.records or 0) + 1  # not pulled, but a change in scope
    session.add(row)
    session.commit()
    r = client.get(PULL, params={"limit": 1}, headers={**analyst, "If-None-Match": first.headers["etag"]})
    assert r.status_code == 304 and r.headers["etag"] != first.headers["etag"]
    again = client.get(PULL, params={"limit": 1}, headers={**analyst, "If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and again.headers["etag"] == r.headers["etag"]
