"""The catalogue: platform entries, institutions' own, validated sources."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from pydantic import TypeAdapter
from sqlmodel import select

from api.indicators.schemas import Source
from api.migrations import check, downgrade, upgrade
from api.models import AuditEvent, Indicator
from api.security.scopes import Role
from tests.indicators.helpers import make_indicator

URL = "/api/v1/indicators"


def body(**kw):
    return {
        "code": "FALLS",
        "name_lt": "Griuvimai",
        "name_en": "Falls",
        "unit": "count",
        "direction": "lower_is_better",
        "periodicity": "quarter",
        **kw,
    }


def test_platform_catalogue_is_seeded_with_lithuanian_and_english_names(tmp_path):
    url = f"sqlite:///{tmp_path / 'seed.db'}"
    upgrade(url)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = {
            r.code: r
            for r in conn.execute(
                sa.text("SELECT code, name_lt, name_en, source_kind, source, institution_id FROM indicators")
            )
        }
    engine.dispose()
    assert set(rows) == {
        "SATISFACTION",
        "QUALITY_OF_LIFE",
        "EMPOWERMENT",
        "SERVICE_BENEFIT",
        "PLAN_EXECUTION",
        "CARE_PLAN_GOALS_ACHIEVED",
        "CARE_PLANS_REVIEWED_ON_TIME",
        "CARE_PLAN_PARTICIPATION",
        "STAFF_TRAINING_HOURS",
    }
    assert all(r.name_lt and r.name_en and r.institution_id is None for r in rows.values())
    assert rows["SATISFACTION"].source_kind == "survey"
    assert rows["PLAN_EXECUTION"].source_kind == "plans"
    assert rows["CARE_PLAN_GOALS_ACHIEVED"].source_kind == "care_plans"
    assert rows["STAFF_TRAINING_HOURS"].source_kind == "manual"
    for row in rows.values():  # every seeded source is one the API accepts
        source = TypeAdapter(Source).validate_json(row.source)
        assert source.kind == row.source_kind
    # The migration goes down and up again cleanly, and matches the models.
    downgrade(url, "0001_baseline")
    upgrade(url)
    check(url)


class TestListIndicators:
    def test_staff_see_platform_and_own_not_other_institutions(self, client, world, session):
        platform = make_indicator(session, code="PLATFORM_ONE")
        own = make_indicator(session, world.a.institution, code="A_ONE")
        make_indicator(session, world.b.institution, code="B_ONE")
        session.commit()
        r = client.get(URL, headers=world.headers(Role.staff))
        assert r.status_code == 200, r.text
        assert [i["code"] for i in r.json()["items"]] == ["A_ONE", "PLATFORM_ONE"]
        r = client.get(URL, params={"catalogue": "platform"}, headers=world.headers(Role.staff))
        assert [i["id"] for i in r.json()["items"]] == [str(platform.id)]
        r = client.get(URL, params={"catalogue": "institution"}, headers=world.headers(Role.staff))
        assert [i["id"] for i in r.json()["items"]] == [str(own.id)]

    def test_municipality_sees_its_institutions_entries(self, client, world, session):
        make_indicator(session, world.a.institution, code="A_ONE")
        make_indicator(session, world.c.institution, code="C_ONE")
        session.commit()
        r = client.get(URL, headers=world.headers(Role.municipality_analyst))
        assert [i["code"] for i in r.json()["items"]] == ["A_ONE"]
        r = client.get(URL, headers=world.headers(Role.municipality_analyst, "c"))
        assert [i["code"] for i in r.json()["items"]] == ["C_ONE"]

    def test_paging_and_filters(self, client, world, session):
        for i in range(3):
            make_indicator(session, code=f"P_{i}", periodicity="quarter" if i else "year")
        session.commit()
        r = client.get(URL, params={"limit": 2}, headers=world.headers(Role.director))
        page = r.json()
        assert [i["code"] for i in page["items"]] == ["P_0", "P_1"]
        r = client.get(URL, params={"limit": 2, "cursor": page["next_cursor"]}, headers=world.headers(Role.director))
        assert [i["code"] for i in r.json()["items"]] == ["P_2"]
        r = client.get(URL, params={"periodicity": "year"}, headers=world.headers(Role.director))
        assert [i["code"] for i in r.json()["items"]] == ["P_0"]


class TestCreateIndicator:
    def test_quality_lead_adds_an_institution_indicator(self, client, world, session):
        r = client.post(URL, json=body(), headers=world.headers(Role.quality_lead))
        assert r.status_code == 201, r.text
        out = r.json()
        assert out["institution_id"] == str(world.a.institution.id)
        assert out["source_kind"] == "manual" and out["source"] == {"kind": "manual"}
        assert r.headers["etag"] == '"1"'
        stored = session.get(Indicator, uuid.UUID(out["id"]))
        assert stored.code == "FALLS" and stored.institution_id == world.a.institution.id
        assert session.exec(select(AuditEvent).where(AuditEvent.resource_id == stored.id)).first() is not None

    def test_code_of_the_platform_catalogue_is_409(self, client, world, session):
        make_indicator(session, code="FALLS")
        session.commit()
        r = client.post(URL, json=body(), headers=world.headers(Role.director))
        assert r.status_code == 409
        assert len(session.exec(select(Indicator)).all()) == 1

    def test_same_code_in_two_institutions_is_fine(self, client, world):
        assert client.post(URL, json=body(), headers=world.headers(Role.director)).status_code == 201
        assert client.post(URL, json=body(), headers=world.headers(Role.director, "b")).status_code == 201
        assert client.post(URL, json=body(), headers=world.headers(Role.director)).status_code == 409

    def test_every_source_kind_is_accepted(self, client, world):
        sources = [
            {"kind": "survey", "dimension_code": "SATISFACTION", "aggregation": "top_box"},
            {"kind": "survey", "concept_code": "Q_SAFE"},
            {"kind": "care_plans", "measure": "reviewed_on_time"},
            {"kind": "plans"},
            {"kind": "manual"},
        ]
        for i, source in enumerate(sources):
            r = client.post(URL, json=body(code=f"S_{i}", source=source), headers=world.headers(Role.director))
            assert r.status_code == 201, r.text
            assert r.json()["source_kind"] == source["kind"]
        r = client.post(
            URL,
            json=body(code="RATE", source={"kind": "formula", "numerator": "S_4", "factor": 100}),
            headers=world.headers(Role.director),
        )
        assert r.status_code == 201, r.text
        assert r.json()["source"] == {"kind": "formula", "numerator": "S_4", "denominator": None, "factor": 100.0}

    def test_invalid_sources_are_422_naming_the_field(self, client, world, session):
        make_indicator(session, world.a.institution, code="YEARLY", periodicity="year")
        session.commit()
        cases = [
            ({"kind": "survey", "dimension_code": "X", "concept_code": "Y"}, "body.source.concept_code"),
            ({"kind": "survey"}, "body.source.concept_code"),
            ({"kind": "care_plans", "measure": "nonsense"}, "body.source.care_plans.measure"),
            ({"kind": "formula", "numerator": "NOPE"}, "body.source.numerator"),
            ({"kind": "formula", "numerator": "YEARLY"}, "body.source.numerator"),  # quarter vs year
            ({"kind": "formula", "numerator": "FALLS"}, "body.source.numerator"),  # itself
            ({"kind": "telepathy"}, "body.source"),
        ]
        for source, field in cases:
            r = client.post(URL, json=body(source=source), headers=world.headers(Role.director))
            assert r.status_code == 422, (source, r.text)
            assert any(e["field"].startswith(field) for e in r.json()["errors"]), (source, r.json()["errors"])
        assert session.exec(select(Indicator).where(Indicator.code == "FALLS")).first() is None

    def test_formula_may_not_use_another_institutions_indicator(self, client, world, session):
        make_indicator(session, world.b.institution, code="B_ONLY", periodicity="quarter")
        session.commit()
        r = client.post(
            URL, json=body(source={"kind": "formula", "numerator": "B_ONLY"}), headers=world.headers(Role.director)
        )
        assert r.status_code == 422

    def test_server_owned_fields_are_refused(self, client, world):
        r = client.post(
            URL, json=body(institution_id=str(world.b.institution.id)), headers=world.headers(Role.director)
        )
        assert r.status_code == 422


class TestPlatformCatalogue:
    def test_admin_adds_and_edits_platform_entries(self, client, world, session):
        r = client.post(f"{URL}/platform", json=body(), headers=world.headers(Role.platform_admin))
        assert r.status_code == 201, r.text
        assert r.json()["institution_id"] is None
        indicator_id = r.json()["id"]
        r = client.patch(
            f"{URL}/platform/{indicator_id}",
            json={"name_en": "Falls of residents"},
            headers=world.headers(Role.platform_admin, **{"If-Match": '"1"'}),
        )
        assert r.status_code == 200, r.text
        assert r.json()["version"] == 2
        session.expire_all()
        assert session.get(Indicator, uuid.UUID(indicator_id)).name_en == "Falls of residents"
        # Institutions see it but cannot edit it.
        r = client.patch(
            f"{URL}/{indicator_id}",
            json={"name_en": "Mine"},
            headers=world.headers(Role.director, **{"If-Match": '"2"'}),
        )
        assert r.status_code == 404
        assert client.get(f"{URL}/{indicator_id}", headers=world.headers(Role.staff, "b")).status_code == 200

    def test_platform_code_taken_by_an_institution_is_409(self, client, world, session):
        make_indicator(session, world.a.institution, code="FALLS")
        session.commit()
        r = client.post(f"{URL}/platform", json=body(), headers=world.headers(Role.platform_admin))
        assert r.status_code == 409

    def test_directors_cannot_add_platform_entries(self, client, world):
        r = client.post(f"{URL}/platform", json=body(), headers=world.headers(Role.director))
        assert r.status_code == 403


class TestUpdateIndicator:
    def test_if_match_is_required_and_checked(self, client, world, session):
        row = make_indicator(session, world.a.institution, code="OWN")
        session.commit()
        path = f"{URL}/{row.id}"
        assert client.patch(path, json={"name_en": "x"}, headers=world.headers(Role.director)).status_code == 428
        r = client.patch(path, json={"name_en": "x"}, headers=world.headers(Role.director, **{"If-Match": '"7"'}))
        assert r.status_code == 412
        r = client.patch(
            path,
            json={"name_en": "New", "source": {"kind": "plans"}},
            headers=world.headers(Role.director, **{"If-Match": '"1"'}),
        )
        assert r.status_code == 200, r.text
        assert r.headers["etag"] == '"2"'
        session.expire_all()
        stored = session.get(Indicator, row.id)
        assert (stored.name_en, stored.source_kind) == ("New", "plans")

    def test_code_and_periodicity_are_fixed_and_null_names_refused(self, client, world, session):
        row = make_indicator(session, world.a.institution, code="OWN")
        session.commit()
        headers = world.headers(Role.director, **{"If-Match": '"1"'})
        assert client.patch(f"{URL}/{row.id}", json={"code": "OTHER"}, headers=headers).status_code == 422
        assert client.patch(f"{URL}/{row.id}", json={"periodicity": "month"}, headers=headers).status_code == 422
        assert client.patch(f"{URL}/{row.id}", json={"name_en": None}, headers=headers).status_code == 422
        session.expire_all()
        assert session.get(Indicator, row.id).version == 1

    def test_read_has_an_etag_and_foreign_is_404(self, client, world, session):
        row = make_indicator(session, world.a.institution, code="OWN")
        session.commit()
        r = client.get(f"{URL}/{row.id}", headers=world.headers(Role.staff))
        assert r.status_code == 200 and r.headers["etag"] == '"1"'
        assert client.get(f"{URL}/{row.id}", headers=world.headers(Role.director, "b")).status_code == 404
