"""Campaigns: a published version run by an institution over a period; the response rate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from api.models import VersionStatus
from api.security.scopes import Role
from tests.surveys.factories import make_campaign, make_questionnaire
from tests.surveys.helpers import submit_known

URL = "/api/v1/surveys/campaigns"


def body(version, **kw):
    now = datetime.now(UTC)
    return {
        "version_id": str(version.id),
        "name": "2026 m. pasitenkinimo apklausa",
        "opens_at": (now - timedelta(hours=1)).isoformat(),
        "closes_at": (now + timedelta(days=30)).isoformat(),
        **kw,
    }


class TestCreate:
    def test_runs_a_published_version_with_response_rate(self, client, world, session):
        version = make_questionnaire(session, world.a.institution)
        r = client.post(URL, json=body(version, population=8, anonymous=False), headers=world.headers(Role.director))
        assert r.status_code == 201, r.text
        c = r.json()
        assert (c["state"], c["respondents"], c["response_rate"], c["audience"]) == ("open", 0, 0.0, "everyone")
        assert c["anonymous"] is False and c["institution_id"] == str(world.a.institution.id)
        submit_known(client, world, SimpleNamespace(id=c["id"]))
        c = client.get(f"{URL}/{c['id']}", headers=world.headers(Role.staff)).json()
        assert (c["respondents"], c["response_rate"]) == (4, 50.0)
        listed = client.get(f"{URL}?state=open", headers=world.headers(Role.feedback_device)).json()["items"]
        assert [x["id"] for x in listed] == [c["id"]]
        assert client.get(f"{URL}?state=closed", headers=world.headers(Role.staff)).json()["items"] == []
        assert client.get(URL, headers=world.headers(Role.staff, "b")).json()["items"] == []

    def test_respondents_under_k_are_withheld_outside_the_staff(self, client, world, session):
        version = make_questionnaire(session, world.a.institution)
        c = client.post(URL, json=body(version, population=8), headers=world.headers(Role.director)).json()
        submit_known(client, world, SimpleNamespace(id=c["id"]))  # four respondents, k = 5
        staff = client.get(f"{URL}/{c['id']}", headers=world.headers(Role.director)).json()
        assert (staff["respondents"], staff["response_rate"], staff["respondents_suppressed"]) == (4, 50.0, False)
        kiosk, recipient = world.headers(Role.feedback_device), world.headers(Role.recipient)
        shown = [
            client.get(f"{URL}/{c['id']}", headers=kiosk).json(),
            client.get(URL, headers=kiosk).json()["items"][0],
            client.get(f"{URL}/{c['id']}/form", headers=kiosk).json()["campaign"],
            client.get(f"{URL}/{c['id']}/form", headers=recipient).json()["campaign"],
        ]
        for one in shown:
            assert (
                one["respondents"],
                one["response_rate"],
                one["respondents_suppressed"],
                one["suppression_reason"],
            ) == (None, None, True, "fewer than 5 persons")
        submit_known(client, world, SimpleNamespace(id=c["id"]), rows=[(5, 10, True)])  # the fifth
        read = client.get(f"{URL}/{c['id']}", headers=world.headers(Role.feedback_device)).json()
        assert (read["respondents"], read["response_rate"], read["respondents_suppressed"]) == (5, 62.5, False)

    def test_template_version_may_be_run(self, client, world, session):
        template = make_questionnaire(session, None)
        r = client.post(URL, json=body(template), headers=world.headers(Role.quality_lead))
        assert r.status_code == 201, r.text

    def test_draft_foreign_and_bad_period_are_refused(self, client, world, session):
        drafted = make_questionnaire(session, world.a.institution, status=VersionStatus.draft)
        assert client.post(URL, json=body(drafted), headers=world.headers(Role.director)).status_code == 409
        foreign = make_questionnaire(session, world.b.institution)
        r = client.post(URL, json=body(foreign), headers=world.headers(Role.director))
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.version_id"
        version = make_questionnaire(session, world.a.institution)
        now = datetime.now(UTC)
        r = client.post(
            URL,
            json=body(version, closes_at=(now - timedelta(days=1)).isoformat()),
            headers=world.headers(Role.director),
        )
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.closes_at"
        assert client.post(URL, json=body(version), headers=world.headers(Role.staff)).status_code == 403


class TestUpdate:
    def test_extend_and_population_with_if_match(self, client, world, session):
        c = make_campaign(session, make_questionnaire(session, world.a.institution), world.a.institution)
        url = f"{URL}/{c.id}"
        new_close = (datetime.now(UTC) + timedelta(days=60)).isoformat()
        r = client.patch(
            url,
            json={"closes_at": new_close, "population": 20},
            headers=world.headers(Role.director, **{"If-Match": '"1"'}),
        )
        assert r.status_code == 200, r.text
        assert r.json()["population"] == 20 and r.headers["ETag"] == '"2"'
        r = client.patch(
            url,
            json={"opens_at": datetime.now(UTC).isoformat()},
            headers=world.headers(Role.director, **{"If-Match": '"2"'}),
        )
        assert r.status_code == 409
        assert (
            client.patch(
                url, json={"name": "x"}, headers=world.headers(Role.director, **{"If-Match": '"1"'})
            ).status_code
            == 412
        )


def test_form_gives_the_respondent_the_questions(client, world, session):
    c = make_campaign(session, make_questionnaire(session, world.a.institution), world.a.institution)
    for role in (Role.recipient, Role.guardian, Role.feedback_device):
        r = client.get(f"{URL}/{c.id}/form", headers=world.headers(role))
        assert r.status_code == 200, r.text
        assert r.json()["questionnaire"]["questions"][0]["concept_code"] == "Q_SAT"
    assert client.get(f"{URL}/{c.id}/form", headers=world.headers(Role.recipient, "b")).status_code == 404


def test_keyset_pages_by_opening_time(client, world, session):
    version = make_questionnaire(session, world.a.institution)
    now = datetime.now(UTC)
    made = [
        make_campaign(
            session, version, world.a.institution, opens_at=now - timedelta(days=d), closes_at=now + timedelta(days=1)
        )
        for d in (3, 1, 2)
    ]
    seen, cursor = [], None
    while True:
        params = {"limit": 2, "sort": "-opens_at", **({"cursor": cursor} if cursor else {})}
        r = client.get(URL, params=params, headers=world.headers(Role.staff))
        assert r.status_code == 200, r.text
        seen += [c["id"] for c in r.json()["items"]]
        cursor = r.json()["next_cursor"]
        if not cursor:
            break
    assert seen == [str(made[1].id), str(made[2].id), str(made[0].id)]
