from __future__ import annotations

import uuid

from sqlmodel import select

from api.models import AuditEvent, Department, Institution, Municipality
from api.security.scopes import Role


class TestMunicipalities:
    def test_admin_creates_reads_updates_deletes(self, client, world, session):
        h = world.headers(Role.platform_admin)
        r = client.post("/api/v1/municipalities", json={"name": "Vilniaus miesto savivaldybė", "code": "13"}, headers=h)
        assert r.status_code == 201, r.text
        mid = r.json()["id"]
        assert r.headers["location"] == f"/api/v1/municipalities/{mid}"
        assert r.headers["etag"] == '"1"'
        assert session.get(Municipality, uuid.UUID(mid)).code == "13"

        r = client.get(f"/api/v1/municipalities/{mid}", headers=h)
        assert r.status_code == 200 and r.headers["etag"] == '"1"'

        r = client.patch(
            f"/api/v1/municipalities/{mid}", json={"name": "Vilniaus m. sav."}, headers={**h, "If-Match": '"1"'}
        )
        assert r.status_code == 200, r.text
        assert r.json()["version"] == 2 and r.headers["etag"] == '"2"'

        r = client.delete(f"/api/v1/municipalities/{mid}", headers={**h, "If-Match": '"2"'})
        assert r.status_code == 204
        session.expire_all()
        assert session.get(Municipality, uuid.UUID(mid)) is None
        assert client.get(f"/api/v1/municipalities/{mid}", headers=h).status_code == 404
        actions = session.exec(select(AuditEvent.action).where(AuditEvent.resource_id == uuid.UUID(mid))).all()
        assert sorted(actions) == ["create", "delete", "update"]

    def test_duplicate_name_is_409(self, client, world):
        r = client.post(
            "/api/v1/municipalities", json={"name": world.municipality.name}, headers=world.headers(Role.platform_admin)
        )
        assert r.status_code == 409
        assert r.json()["type"] == "urn:ciklas:problem:conflict"

    def test_cannot_delete_with_institutions(self, client, world, session):
        r = client.delete(
            f"/api/v1/municipalities/{world.municipality.id}",
            headers=world.headers(Role.platform_admin, **{"If-Match": '"1"'}),
        )
        assert r.status_code == 409
        assert session.get(Municipality, world.municipality.id) is not None

    def test_visibility(self, client, world):
        names = lambda role, t="a": sorted(  # noqa: E731
            m["name"] for m in client.get("/api/v1/municipalities", headers=world.headers(role, t)).json()["items"]
        )
        assert names(Role.platform_admin) == sorted(
            [world.municipality.name, world.other_municipality.name, world.third_municipality.name]
        )
        assert names(Role.director) == [world.municipality.name]
        assert names(Role.municipality_analyst, "c") == [world.other_municipality.name]

    def test_validation_errors_name_the_field(self, client, world):
        r = client.post(
            "/api/v1/municipalities",
            json={"name": "", "id": str(uuid.uuid4())},
            headers=world.headers(Role.platform_admin),
        )
        assert r.status_code == 422
        fields = {e["field"] for e in r.json()["errors"]}
        assert {"body.name", "body.id"} <= fields


class TestInstitutions:
    def test_create_requires_existing_municipality(self, client, world):
        r = client.post(
            "/api/v1/institutions",
            json={"name": "X", "kind": "care_home", "municipality_id": str(uuid.uuid4())},
            headers=world.headers(Role.platform_admin),
        )
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "body.municipality_id"

    def test_create_and_filter(self, client, world, session):
        h = world.headers(Role.platform_admin)
        r = client.post(
            "/api/v1/institutions",
            json={
                "name": "Palangos miesto socialinių paslaugų centras",
                "kind": "social_services_centre",
                "municipality_id": str(world.other_municipality.id),
            },
            headers=h,
        )
        assert r.status_code == 201, r.text
        assert session.get(Institution, uuid.UUID(r.json()["id"])).kind == "social_services_centre"
        r = client.get("/api/v1/institutions", params={"kind": "social_services_centre"}, headers=h)
        assert [i["name"] for i in r.json()["items"]] == ["Palangos miesto socialinių paslaugų centras"]
        r = client.get("/api/v1/institutions", params={"municipality_id": str(world.other_municipality.id)}, headers=h)
        assert len(r.json()["items"]) == 2

    def test_what_each_caller_sees(self, client, world):
        def names(role, t="a"):
            r = client.get("/api/v1/institutions", headers=world.headers(role, t))
            assert r.status_code == 200
            return sorted(i["name"] for i in r.json()["items"])

        assert names(Role.director) == ["Institution A"]
        assert names(Role.recipient, "b") == ["Institution B"]
        assert names(Role.municipality_analyst) == ["Institution A", "Institution B"]
        assert names(Role.municipality_analyst, "c") == ["Institution C"]
        assert len(names(Role.platform_admin)) == 3

    def test_director_updates_own_institution_with_if_match(self, client, world, session):
        url = f"/api/v1/institutions/{world.a.institution.id}"
        h = world.headers(Role.director)
        etag = client.get(url, headers=h).headers["etag"]
        assert client.patch(url, json={"address": "Utena, Aušros g. 1"}, headers=h).status_code == 428
        r = client.patch(url, json={"address": "Utena, Aušros g. 1"}, headers={**h, "If-Match": '"77"'})
        assert r.status_code == 412
        assert r.json()["type"] == "urn:ciklas:problem:precondition-failed"
        r = client.patch(url, json={"address": "Utena, Aušros g. 1"}, headers={**h, "If-Match": etag})
        assert r.status_code == 200
        session.expire_all()
        assert session.get(Institution, world.a.institution.id).address == "Utena, Aušros g. 1"
        # the old ETag is stale now
        assert client.patch(url, json={"address": "x"}, headers={**h, "If-Match": etag}).status_code == 412

    def test_server_owned_fields_are_refused(self, client, world):
        url = f"/api/v1/institutions/{world.a.institution.id}"
        r = client.patch(
            url,
            json={"version": 9, "municipality_id": str(world.other_municipality.id)},
            headers=world.headers(Role.director, **{"If-Match": "*"}),
        )
        assert r.status_code == 422
        assert {e["field"] for e in r.json()["errors"]} == {"body.version", "body.municipality_id"}


class TestDepartments:
    def test_crud(self, client, world, session):
        inst = world.a.institution.id
        h = world.headers(Role.director)
        r = client.post(
            f"/api/v1/institutions/{inst}/departments", json={"name": "Socialinės globos skyrius"}, headers=h
        )
        assert r.status_code == 201, r.text
        did = r.json()["id"]
        assert session.get(Department, uuid.UUID(did)).institution_id == inst
        dup = client.post(
            f"/api/v1/institutions/{inst}/departments", json={"name": "Socialinės globos skyrius"}, headers=h
        )
        assert dup.status_code == 409
        r = client.get(f"/api/v1/institutions/{inst}/departments", headers=world.headers(Role.staff))
        assert sorted(d["name"] for d in r.json()["items"]) == ["Department A", "Socialinės globos skyrius"]
        r = client.patch(
            f"/api/v1/institutions/{inst}/departments/{did}",
            json={"description": "ISGP"},
            headers={**h, "If-Match": '"1"'},
        )
        assert r.status_code == 200 and r.json()["description"] == "ISGP"
        r = client.delete(f"/api/v1/institutions/{inst}/departments/{did}", headers={**h, "If-Match": '"2"'})
        assert r.status_code == 204
        session.expire_all()
        assert session.get(Department, uuid.UUID(did)) is None

    def test_department_of_another_institution_via_own_path_is_404(self, client, world):
        # B's department addressed under A's path: 404, even for A's director
        url = f"/api/v1/institutions/{world.a.institution.id}/departments/{world.b.department.id}"
        assert client.get(url, headers=world.headers(Role.director)).status_code == 404

    def test_staff_cannot_create(self, client, world):
        r = client.post(
            f"/api/v1/institutions/{world.a.institution.id}/departments",
            json={"name": "X"},
            headers=world.headers(Role.staff),
        )
        assert r.status_code == 403
