"""Questionnaires, versions (draft → published → retired), templates and their adoption."""

from __future__ import annotations

import uuid

from sqlmodel import select

from api.models import Question, Questionnaire, QuestionnaireVersion
from api.security.scopes import Role
from tests.surveys.factories import DIMENSIONS, make_questionnaire, questions_body

BASE = "/api/v1/surveys"
QUESTIONNAIRE = {
    "code": "SATISFACTION",
    "kind": "satisfaction",
    "audience": "recipients",
    "title_lt": "Paslaugų gavėjų pasitenkinimo apklausa",
    "title_en": "Recipient satisfaction survey",
}


def create(client, world, role=Role.quality_lead, body=QUESTIONNAIRE, path="/questionnaires"):
    return client.post(BASE + path, json=body, headers=world.headers(role))


def draft(client, world, questionnaire_id, role=Role.quality_lead, questions=None, path="/questionnaires"):
    body = {"dimensions": DIMENSIONS, "questions": questions or questions_body()}
    return client.post(f"{BASE}{path}/{questionnaire_id}/versions", json=body, headers=world.headers(role))


class TestQuestionnaires:
    def test_create_read_list_update(self, client, world, session):
        r = create(client, world)
        assert r.status_code == 201, r.text
        q = r.json()
        assert (q["institution_id"], q["code"], q["version"]) == (str(world.a.institution.id), "SATISFACTION", 1)
        assert r.headers["ETag"] == '"1"' and r.headers["Location"].endswith(q["id"])
        assert create(client, world).status_code == 409
        assert create(client, world, role=Role.director, body={**QUESTIONNAIRE, "code": "QOL"}).status_code == 201
        listed = client.get(f"{BASE}/questionnaires?templates=false", headers=world.headers(Role.staff)).json()
        assert [i["code"] for i in listed["items"]] == ["QOL", "SATISFACTION"]
        assert client.get(f"{BASE}/questionnaires", headers=world.headers(Role.staff, "b")).json()["items"] == []
        url = f"{BASE}/questionnaires/{q['id']}"
        assert client.patch(url, json={"title_en": "X"}, headers=world.headers(Role.director)).status_code == 428
        assert (
            client.patch(
                url, json={"title_en": "X"}, headers=world.headers(Role.director, **{"If-Match": '"7"'})
            ).status_code
            == 412
        )
        r = client.patch(
            url, json={"title_en": "Satisfaction"}, headers=world.headers(Role.director, **{"If-Match": '"1"'})
        )
        assert r.status_code == 200 and r.json()["title_en"] == "Satisfaction" and r.headers["ETag"] == '"2"'

    def test_staff_may_read_but_not_create(self, client, world):
        assert create(client, world, role=Role.staff).status_code == 403
        assert create(client, world, role=Role.platform_admin).status_code == 403

    def test_vocabulary_has_both_languages(self, client, world):
        r = client.get(f"{BASE}/vocabulary", headers=world.headers(Role.staff))
        kinds = {k["value"]: k for k in r.json()["questionnaire_kinds"]}
        assert set(kinds) == {
            "satisfaction",
            "quality_of_life",
            "empowerment",
            "service_benefit",
            "staff",
            "stakeholder",
            "other",
        }
        assert kinds["empowerment"]["lt"] == "Įgalinimas"


class TestVersions:
    def test_draft_publish_is_immutable_then_retire(self, client, world, session):
        qid = create(client, world).json()["id"]
        r = draft(client, world, qid)
        assert r.status_code == 201, r.text
        v = r.json()
        assert (v["number"], v["status"]) == (1, "draft")
        assert [q["concept_code"] for q in v["questions"]][:2] == ["Q_SAT", "Q_RECOMMEND"]
        assert v["questions"][0]["dimension_code"] == "SATISFACTION"
        assert draft(client, world, qid).status_code == 409  # one draft at a time
        url = f"{BASE}/versions/{v['id']}"
        headers = world.headers(Role.quality_lead, **{"If-Match": '"1"'})
        r = client.patch(url, json={"questions": questions_body()[:3]}, headers=headers)
        assert r.status_code == 200 and len(r.json()["questions"]) == 3
        r = client.post(f"{url}/publish", headers=world.headers(Role.quality_lead, **{"If-Match": '"2"'}))
        assert r.status_code == 200 and r.json()["status"] == "published" and r.json()["published_at"]
        headers = world.headers(Role.quality_lead, **{"If-Match": '"3"'})
        r = client.patch(url, json={"questions": questions_body()}, headers=headers)
        assert r.status_code == 409
        assert len(session.exec(select(Question).where(Question.version_id == uuid.UUID(v["id"]))).all()) == 3
        assert client.post(f"{url}/publish", headers=headers).status_code == 409
        r = client.post(f"{url}/retire", headers=headers)
        assert r.status_code == 200 and r.json()["status"] == "retired"
        r = draft(client, world, qid)
        assert r.status_code == 201 and r.json()["number"] == 2
        versions = client.get(f"{BASE}/questionnaires/{qid}/versions", headers=world.headers(Role.staff)).json()
        assert [(x["number"], x["status"]) for x in versions] == [(1, "retired"), (2, "draft")]

    def test_content_rules_are_422_naming_the_field(self, client, world):
        qid = create(client, world).json()["id"]
        base = questions_body()
        cases = [
            ([*base, base[0]], "body.questions.7.concept_code"),
            ([{**base[4], "options": base[4]["options"][:1]}], "body.questions.0.options"),
            ([{**base[0], "options": base[4]["options"]}], "body.questions.0.options"),
            ([{**base[0], "dimension_code": "NOPE"}], "body.questions.0.dimension_code"),
            ([{**base[6], "dimension_code": "SATISFACTION"}], "body.questions.0.dimension_code"),
            ([{**base[3], "min_value": 10, "max_value": 1}], "body.questions.0.max_value"),
            ([{**base[0], "min_value": 1}], "body.questions.0.min_value"),
        ]
        for questions, field in cases:
            r = draft(client, world, qid, questions=questions)
            assert r.status_code == 422, (field, r.text)
            assert r.json()["type"] == "urn:ciklas:problem:unprocessable"
            assert r.json()["errors"][0]["field"] == field

    def test_other_institution_cannot_see_or_change(self, client, world, session):
        version = make_questionnaire(session, world.a.institution)
        assert client.get(f"{BASE}/versions/{version.id}", headers=world.headers(Role.staff, "b")).status_code == 404
        assert client.get(f"{BASE}/versions/{version.id}", headers=world.headers(Role.staff)).status_code == 200
        assert draft(client, world, version.questionnaire_id, role=Role.director).status_code == 201


class TestTemplates:
    def test_admin_keeps_templates_institutions_adopt_them(self, client, world, session):
        r = create(client, world, role=Role.platform_admin, path="/templates")
        assert r.status_code == 201, r.text
        tid = r.json()["id"]
        assert r.json()["institution_id"] is None
        assert create(client, world, role=Role.director, path="/templates").status_code == 403
        adopt = f"{BASE}/questionnaires/{tid}/adopt"
        assert client.post(adopt, headers=world.headers(Role.director)).status_code == 409  # nothing published
        v = draft(client, world, tid, role=Role.platform_admin, path="/templates").json()
        assert (
            client.post(
                f"{BASE}/versions/{v['id']}/publish",  # not through the institution route
                headers=world.headers(Role.director, **{"If-Match": '"1"'}),
            ).status_code
            == 404
        )
        r = client.post(
            f"{BASE}/templates/versions/{v['id']}/publish",
            headers=world.headers(Role.platform_admin, **{"If-Match": '"1"'}),
        )
        assert r.status_code == 200, r.text
        seen = client.get(f"{BASE}/questionnaires?templates=true", headers=world.headers(Role.staff, "b")).json()
        assert [i["id"] for i in seen["items"]] == [tid]
        r = client.post(adopt, headers=world.headers(Role.director))
        assert r.status_code == 201, r.text
        own = r.json()
        assert (own["template_id"], own["institution_id"], own["code"]) == (
            tid,
            str(world.a.institution.id),
            "SATISFACTION",
        )
        assert client.post(adopt, headers=world.headers(Role.director)).status_code == 409
        copy = session.exec(
            select(QuestionnaireVersion).where(QuestionnaireVersion.questionnaire_id == uuid.UUID(own["id"]))
        ).one()
        assert copy.status == "draft" and copy.institution_id == world.a.institution.id
        concepts = session.exec(
            select(Question.concept_code).where(Question.version_id == copy.id).order_by(Question.position)
        ).all()
        assert concepts[:3] == ["Q_SAT", "Q_RECOMMEND", "Q_SAFE"]
        assert session.get(Questionnaire, uuid.UUID(own["id"])) is not None
