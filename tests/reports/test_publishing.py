"""Publishing the annual report: a frozen revision, readable by the municipality, announced by
`report.published`; corrections add revisions."""

from __future__ import annotations

import json

from sqlmodel import select

from api.models import AuditEvent, PublishedReport, SwotItem, WebhookDelivery
from api.security.scopes import Role
from api.types import today
from api.webhooks.delivery import DeliveryPolicy, deliver_pending
from tests.evaluation.test_webhooks import Receiver, deliveries, subscribe
from tests.reports.test_annual_report import _arrange

PUBLISH = "/api/v1/reports/annual/publish"
PUBLISHED = "/api/v1/reports/published"
POLICY = DeliveryPolicy(max_attempts=3, backoff_seconds=10, timeout_seconds=2)


def publish(client, world, year, note=None, role=Role.director, tenant="a", institution=None):
    body = {"institution_id": str((institution or world.a.institution).id), "year": year}
    if note is not None:
        body["note"] = note
    return client.post(PUBLISH, headers=world.headers(role, tenant), json=body)


def test_publish_freezes_the_report_and_revisions_follow(client, world, session):
    year = today().year
    _arrange(client, world, session, year)
    r = publish(client, world, year)
    assert r.status_code == 201, r.text
    first = r.json()
    assert r.headers["Location"] == f"{PUBLISHED}/{first['id']}"
    assert (first["year"], first["revision"], first["latest"], first["note"]) == (year, 1, True, None)
    assert first["report"]["swot"]["strength"] == ["Patyrę darbuotojai"]
    assert any(t["code"] == "SAT_REPORT" for t in first["report"]["indicators"])
    row = session.exec(select(PublishedReport)).one()
    assert (row.institution_id, row.revision) == (world.a.institution.id, 1)
    audit = session.exec(
        select(AuditEvent).where(AuditEvent.action == "publish", AuditEvent.resource_type == "published_report")
    ).one()
    assert audit.resource_id == row.id

    # Later data changes the live report, not the published one.
    session.add(SwotItem(institution_id=world.a.institution.id, year=year, quadrant="strength", text="Naujas"))
    session.commit()
    r = client.get(f"{PUBLISHED}/{first['id']}", headers=world.headers(Role.director))
    assert r.status_code == 200 and r.json()["report"]["swot"]["strength"] == ["Patyrę darbuotojai"]
    live = client.get(
        "/api/v1/reports/annual",
        params={"institution_id": str(world.a.institution.id), "year": year},
        headers=world.headers(Role.director),
    ).json()
    assert live["swot"]["strength"] == ["Patyrę darbuotojai", "Naujas"]

    r = publish(client, world, year, note="Pataisyta SSGG / SWOT corrected")
    assert r.status_code == 201, r.text
    second = r.json()
    assert (second["revision"], second["latest"]) == (2, True)
    assert second["report"]["swot"]["strength"] == ["Patyrę darbuotojai", "Naujas"]

    r = client.get(PUBLISHED, headers=world.headers(Role.director), params={"sort": "published_at"})
    assert [(i["revision"], i["latest"]) for i in r.json()["items"]] == [(1, False), (2, True)]
    assert "report" not in r.json()["items"][0]
    r = client.get(PUBLISHED, headers=world.headers(Role.director), params={"latest": "true", "year": year})
    assert [i["id"] for i in r.json()["items"]] == [second["id"]]
    r = client.get(f"{PUBLISHED}/{first['id']}", headers=world.headers(Role.director))
    assert r.json()["latest"] is False
    r = client.get(f"{PUBLISHED}/{first['id']}", params={"format": "html"}, headers=world.headers(Role.director))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "revision 1" in r.text and "superseded" in r.text and "<svg" in r.text
    assert "Naujas" not in r.text
    r = client.get(f"{PUBLISHED}/{second['id']}", params={"format": "html"}, headers=world.headers(Role.director))
    assert "revision 2" in r.text and "superseded" not in r.text and "SWOT corrected" in r.text


def test_who_may_publish_and_read(client, world, session):
    year = today().year
    r = publish(client, world, year)
    assert r.status_code == 201, r.text
    report_id = r.json()["id"]
    # Only the director publishes; another institution's director cannot even see the institution.
    assert publish(client, world, year, role=Role.quality_lead).status_code == 403
    assert publish(client, world, year, role=Role.municipality_analyst).status_code == 403
    r = publish(client, world, year, tenant="b")
    assert r.status_code == 404 and r.json()["type"] == "urn:ciklas:problem:not-found"
    # The municipality reads its institutions' reports; another municipality and institution do not.
    r = client.get(f"{PUBLISHED}/{report_id}", headers=world.headers(Role.municipality_analyst))
    assert r.status_code == 200 and r.json()["institution_id"] == str(world.a.institution.id)
    assert [
        i["id"] for i in client.get(PUBLISHED, headers=world.headers(Role.municipality_analyst)).json()["items"]
    ] == [report_id]
    assert (
        client.get(f"{PUBLISHED}/{report_id}", headers=world.headers(Role.municipality_analyst, "c")).status_code == 404
    )
    assert client.get(PUBLISHED, headers=world.headers(Role.municipality_analyst, "c")).json()["items"] == []
    assert client.get(f"{PUBLISHED}/{report_id}", headers=world.headers(Role.director, "b")).status_code == 404
    assert client.get(PUBLISHED, headers=world.headers(Role.director, "b")).json()["items"] == []
    assert session.exec(select(PublishedReport)).all().__len__() == 1


def test_bad_publications_write_nothing(client, world, session):
    hook = subscribe(client, world, "https://example.org/hook", ["report.published"])
    r = publish(client, world, today().year + 1)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "body.year"
    assert publish(client, world, 1999).status_code == 422
    r = client.post(PUBLISH, headers=world.headers(Role.director), json={"year": today().year})
    assert r.status_code == 422
    assert session.exec(select(PublishedReport)).all() == []
    assert session.exec(select(WebhookDelivery)).all() == []
    assert deliveries(client, world, hook) == []


def test_report_published_reaches_institution_and_municipality(client, world, session):
    year = today().year - 1
    with Receiver([200]) as receiver:
        own = subscribe(client, world, receiver.url, ["report.published"])
        muni = subscribe(client, world, receiver.url, ["report.published"], role=Role.municipality_analyst)
        other = subscribe(client, world, receiver.url, ["report.published"], role=Role.municipality_analyst, tenant="c")
        r = publish(client, world, year, note="Metinė ataskaita")
        assert r.status_code == 201, r.text
        published = r.json()
        assert deliver_pending(client.app.state.engine, policy=POLICY) == 2
    payloads = [json.loads(body) for _, body in receiver.requests]
    assert {p["event"] for p in payloads} == {"report.published"}
    data = payloads[0]["data"]
    assert (data["report_id"], data["year"], data["revision"], data["note"]) == (
        published["id"],
        year,
        1,
        "Metinė ataskaita",
    )
    assert data["url"] == f"{PUBLISHED}/{published['id']}"
    assert deliveries(client, world, own)[0]["status"] == "delivered"
    assert deliveries(client, world, muni, Role.municipality_analyst)[0]["status"] == "delivered"
    assert deliveries(client, world, other, Role.municipality_analyst, "c") == []


def test_the_cycle_shows_the_publication_as_of_its_day(client, world, session):
    year = today().year - 1
    cycle = f"/api/v1/cycles/{world.a.institution.id}/{year}"
    r = client.get(cycle, headers=world.headers(Role.municipality_analyst))
    assert r.json()["sections"]["reports"] == {
        "available": True,
        "figures": {"annual_report_published": False, "revisions": 0, "last_published_at": None},
    }
    assert publish(client, world, year).status_code == 201
    second = publish(client, world, year, note="Pataisa").json()
    r = client.get(cycle, headers=world.headers(Role.municipality_analyst))
    figures = r.json()["sections"]["reports"]["figures"]
    assert (figures["annual_report_published"], figures["revisions"]) == (True, 2)
    assert figures["last_published_at"][:19] == second["published_at"][:19]
    r = client.get(cycle, params={"as_of": f"{year}-12-31"}, headers=world.headers(Role.municipality_analyst))
    assert r.json()["sections"]["reports"]["figures"]["revisions"] == 0  # published after that day
