"""Anonymous means unlinkable; identified means one response per person; kiosks answer only the
audiences they serve."""

from __future__ import annotations

import csv
import io
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import func, select

from api.models import AuditEvent, SurveyResponse
from api.security.scopes import Role
from tests.surveys.factories import make_campaign, make_questionnaire, response_body

URL = "/api/v1/surveys/campaigns"


def responses_url(campaign) -> str:
    return f"{URL}/{campaign.id}/responses"


def midnight(moment: datetime) -> datetime:
    return datetime(moment.year, moment.month, moment.day, tzinfo=UTC)


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def audit_count(session) -> int:
    return session.exec(select(func.count()).select_from(AuditEvent)).one()


def campaign_of(session, world, **kw):
    return make_campaign(session, make_questionnaire(session, world.a.institution), world.a.institution, **kw)


@pytest.fixture
def anonymous(world, session):
    return campaign_of(session, world)


@pytest.fixture
def identified(world, session):
    return campaign_of(session, world, anonymous=False)


class TestAnonymous:
    def test_signed_in_recipient_leaves_no_identity_time_or_order(self, client, world, session, anonymous):
        now = datetime.now(UTC)
        before = audit_count(session)
        body = response_body(answered_at=now - timedelta(minutes=3))
        r = client.post(responses_url(anonymous), json=body, headers=world.headers(Role.recipient))
        assert r.status_code == 201, r.text
        receipt = r.json()
        response_id = uuid.UUID(receipt["id"])
        assert response_id.version == 4
        day = midnight(now - timedelta(minutes=3))
        assert parse(receipt["answered_at"]) == day
        assert parse(receipt["submitted_at"]) in (midnight(now), midnight(datetime.now(UTC)))
        stored = session.get(SurveyResponse, response_id)
        assert (stored.respondent_user_id, stored.device_client_id) == (None, None)
        assert stored.answered_at == day and stored.submitted_at == midnight(stored.submitted_at)
        # No audit event at all, so none that names the campaign or the response.
        assert audit_count(session) == before
        assert (
            session.exec(select(AuditEvent).where(AuditEvent.resource_id.in_([anonymous.id, response_id]))).first()
            is None
        )
        # Exactly once still holds: the retry gets the same receipt.
        again = client.post(responses_url(anonymous), json=body, headers=world.headers(Role.recipient))
        assert again.status_code == 200 and again.json() == receipt
        assert audit_count(session) == before

    def test_late_sync_is_judged_on_the_exact_time_and_stored_as_the_day(self, client, world, session):
        now = datetime.now(UTC)
        campaign = campaign_of(session, world, opens_at=now - timedelta(days=10), closes_at=now - timedelta(hours=5))
        answered = now - timedelta(hours=6)  # one hour before closing
        r = client.post(
            responses_url(campaign),
            json=response_body(answered_at=answered),
            headers=world.headers(Role.feedback_device),
        )
        assert r.status_code == 201, r.text
        assert r.json()["late"] is True and parse(r.json()["answered_at"]) == midnight(answered)
        # Answered an hour after closing (the same day, perhaps): refused, as before.
        r = client.post(
            responses_url(campaign),
            json=response_body(answered_at=now - timedelta(hours=4)),
            headers=world.headers(Role.feedback_device),
        )
        assert r.status_code == 409 and r.json()["type"] == "urn:ciklas:problem:campaign-closed"
        stored = session.exec(select(SurveyResponse)).one()
        assert stored.late is True and stored.answered_at == midnight(answered)

    def test_export_carries_no_time_and_no_order(self, client, world, session, anonymous):
        submitted = []
        for sat in (1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2):
            r = client.post(
                responses_url(anonymous), json=response_body(sat=sat), headers=world.headers(Role.feedback_device)
            )
            assert r.status_code == 201
            submitted.append(r.json()["id"])
        r = client.get(f"{URL}/{anonymous.id}/export", headers=world.headers(Role.director))
        assert r.status_code == 200
        rows = list(csv.DictReader(io.StringIO(r.text)))
        ids = [row["response_id"] for row in rows]
        assert sorted(ids) == sorted(submitted)
        assert ids == sorted(ids, key=lambda i: uuid.UUID(i))  # by the random id
        assert ids != submitted  # 12 random ids in submission order: a chance of 1 in 479,001,600
        assert all(uuid.UUID(i).version == 4 for i in ids)
        today = datetime.now(UTC).date().isoformat()
        assert {row["submitted_at"] for row in rows} <= {
            today,
            (datetime.now(UTC) - timedelta(days=1)).date().isoformat(),
        }
        assert all(len(row["answered_at"]) == 10 for row in rows)  # YYYY-MM-DD, no time of day

    def test_free_texts_are_listed_alphabetically_not_in_the_order_given(self, client, world, session, anonymous):
        for text in ("Vakarienė šalta", "Ačiū", "Daugiau išvykų", "Puiku", "Buvo gerai"):
            r = client.post(
                responses_url(anonymous),
                json=response_body(Q_COMMENT=text),
                headers=world.headers(Role.feedback_device),
            )
            assert r.status_code == 201
        r = client.get(f"{URL}/{anonymous.id}/results", headers=world.headers(Role.director))
        assert r.status_code == 200, r.text
        texts = {q["concept_code"]: q for q in r.json()["questions"]}["Q_COMMENT"]["texts"]
        assert texts == sorted(["Vakarienė šalta", "Ačiū", "Daugiau išvykų", "Puiku", "Buvo gerai"])

    def test_one_time_link_response_is_unlinkable_too(self, client, world, session, anonymous):
        codes = client.post(
            f"{URL}/{anonymous.id}/invitations", json={"count": 1}, headers=world.headers(Role.quality_lead)
        ).json()["codes"]
        before = audit_count(session)
        r = client.post(
            "/api/v1/surveys/invitation/responses", json=response_body(), headers={"X-Invitation-Code": codes[0]}
        )
        assert r.status_code == 201, r.text
        assert uuid.UUID(r.json()["id"]).version == 4
        assert parse(r.json()["submitted_at"]) == midnight(parse(r.json()["submitted_at"]))
        assert audit_count(session) == before


class TestIdentifiedOnePerPerson:
    def test_second_response_of_a_recipient_is_409_and_the_first_stands(self, client, world, session, identified):
        h = world.headers(Role.recipient)
        first_body = response_body(sat=5)
        first = client.post(responses_url(identified), json=first_body, headers=h)
        assert first.status_code == 201, first.text
        assert uuid.UUID(first.json()["id"]).version == 7
        second = client.post(responses_url(identified), json=response_body(sat=1), headers=h)
        assert second.status_code == 409 and second.json()["type"] == "urn:ciklas:problem:already-responded"
        retry = client.post(responses_url(identified), json=first_body, headers=h)
        assert retry.status_code == 200 and retry.json() == first.json()
        rows = session.exec(select(SurveyResponse)).all()
        assert [(r.respondent_user_id, r.client_response_id) for r in rows] == [
            (world.user(Role.recipient).id, uuid.UUID(first_body["client_response_id"]))
        ]
        # Another person answers; a kiosk's answers are each another (unknown) person.
        assert (
            client.post(
                responses_url(identified), json=response_body(), headers=world.headers(Role.guardian)
            ).status_code
            == 201
        )
        for _ in range(2):
            assert (
                client.post(
                    responses_url(identified), json=response_body(), headers=world.headers(Role.feedback_device)
                ).status_code
                == 201
            )
        campaign = client.get(f"{URL}/{identified.id}", headers=world.headers(Role.director)).json()
        assert campaign["respondents"] == 4

    def test_batch_stores_the_first_new_response_of_a_person_only(self, client, world, session, identified):
        bodies = [response_body(sat=s) for s in (5, 4, 3)]
        r = client.post(
            f"{responses_url(identified)}/batch",
            json={"responses": [*bodies, bodies[0]]},
            headers=world.headers(Role.guardian),
        )
        assert r.status_code == 200, r.text
        out = r.json()
        assert [i["status"] for i in out["items"]] == [201, 409, 409, 200]
        assert {i["problem"]["type"] for i in out["items"] if i["status"] == 409} == {
            "urn:ciklas:problem:already-responded"
        }
        assert (out["stored"], out["replayed"], out["failed"]) == (1, 1, 2)
        later = client.post(
            f"{responses_url(identified)}/batch",
            json={"responses": [response_body(), bodies[0]]},
            headers=world.headers(Role.guardian),
        ).json()
        assert [i["status"] for i in later["items"]] == [409, 200]
        assert session.exec(select(func.count()).select_from(SurveyResponse)).one() == 1

    def test_concurrent_different_responses_of_one_person_store_one(self, client, world, session, identified):
        h = world.headers(Role.recipient)
        bodies = [response_body(sat=1 + i % 5) for i in range(8)]
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(lambda b: client.post(responses_url(identified), json=b, headers=h), bodies))
        statuses = sorted(r.status_code for r in results)
        assert statuses == [201] + [409] * 7, [r.text for r in results]
        assert {r.json()["type"] for r in results if r.status_code == 409} == {"urn:ciklas:problem:already-responded"}
        assert session.exec(select(func.count()).select_from(SurveyResponse)).one() == 1


class TestKioskAudience:
    def test_kiosk_does_not_answer_or_list_a_staff_survey(self, client, world, session):
        staff = campaign_of(session, world, audience="staff")
        visitors = campaign_of(session, world, audience="stakeholders")
        h = world.headers(Role.feedback_device)
        r = client.post(responses_url(staff), json=response_body(), headers=h)
        assert r.status_code == 403 and r.json()["type"] == "urn:ciklas:problem:forbidden"
        assert (
            client.post(f"{responses_url(staff)}/batch", json={"responses": [response_body()]}, headers=h).status_code
            == 403
        )
        assert client.get(f"{URL}/{staff.id}/form", headers=h).status_code == 403
        assert session.exec(select(func.count()).select_from(SurveyResponse)).one() == 0
        listed = {c["id"] for c in client.get(URL, headers=h).json()["items"]}
        assert listed == {str(visitors.id)}
        assert client.post(responses_url(visitors), json=response_body(), headers=h).status_code == 201
        # The staff still see and run their own survey.
        assert str(staff.id) in {c["id"] for c in client.get(URL, headers=world.headers(Role.director)).json()["items"]}
