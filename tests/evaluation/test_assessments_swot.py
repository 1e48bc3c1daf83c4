"""Self-assessments and SWOT: templates, ratings with evidence, findings that measures link to."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlmodel import select

from api.migrations import check, downgrade, upgrade
from api.models import Assessment, AssessmentStatus, SwotItem
from api.security.scopes import Role
from tests.evaluation.helpers import MEASURES, make_measure

URL = "/api/v1/assessments"
SWOT = "/api/v1/swot"


def test_platform_templates_are_seeded_in_lithuanian_and_english(tmp_path):
    url = f"sqlite:///{tmp_path / 'seed.db'}"
    upgrade(url)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        kinds = {r.kind for r in conn.execute(sa.text("SELECT kind FROM assessment_templates"))}
        texts = conn.execute(sa.text("SELECT text_lt, text_en FROM assessment_criteria")).all()
    engine.dispose()
    assert kinds == {"care_norms", "social_worker_self_assessment", "equass"}
    assert len(texts) >= 15 and all(lt and en and lt != en for lt, en in texts)
    downgrade(url, "0003_care_plans")
    upgrade(url)
    check(url)


def _template(client, world, code="OWN"):
    r = client.post(
        f"{URL}/templates",
        headers=world.headers(Role.quality_lead),
        json={
            "code": code,
            "name_lt": "Savas",
            "name_en": "Own",
            "scale_min": 1,
            "scale_max": 4,
            "criteria": [
                {"code": "C1", "text_lt": "Pirmas", "text_en": "First"},
                {"code": "C2", "text_lt": "Antras", "text_en": "Second"},
            ],
        },
    )
    assert r.status_code == 201, r.text
    return r.json()


class TestAssessments:
    def test_rate_complete_and_find(self, client, world, session):
        template = _template(client, world)
        h = world.headers(Role.quality_lead)
        r = client.post(URL, headers=h, json={"template_id": template["id"], "period": "2026"})
        assert r.status_code == 201, r.text
        assessment = r.json()
        assert (assessment["criteria"], assessment["rated"]) == (2, 0)
        c1, c2 = (c["id"] for c in template["criteria"])
        r = client.post(f"{URL}/{assessment['id']}/ratings", headers=h, json={"criterion_id": c1, "score": 9})
        assert r.status_code == 422 and r.json()["errors"][0]["code"] == "out_of_scale"
        r = client.post(
            f"{URL}/{assessment['id']}/ratings",
            headers=h,
            json={"criterion_id": c1, "score": 3, "evidence": "Protocol 12", "comment": "Mostly"},
        )
        assert r.status_code == 200, r.text
        r = client.post(f"{URL}/{assessment['id']}/complete", headers={**h, "If-Match": r.headers["ETag"]})
        assert r.status_code == 409  # C2 not rated
        r = client.post(f"{URL}/{assessment['id']}/ratings", headers=h, json={"criterion_id": c2, "score": 2})
        assert r.json()["average_score"] == 2.5
        r = client.post(f"{URL}/{assessment['id']}/complete", headers={**h, "If-Match": r.headers["ETag"]})
        assert r.status_code == 200 and r.json()["status"] == "completed"
        r = client.post(f"{URL}/{assessment['id']}/ratings", headers=h, json={"criterion_id": c2, "score": 4})
        assert r.status_code == 409
        r = client.post(
            f"{URL}/{assessment['id']}/findings",
            headers=h,
            json={"kind": "improvement_area", "criterion_id": c2, "text": "Plans lack measurable goals"},
        )
        assert r.status_code == 201, r.text
        finding = r.json()
        r = client.get(f"{URL}/findings", params={"kind": "improvement_area"}, headers=world.headers(Role.staff))
        assert [f["id"] for f in r.json()["items"]] == [finding["id"]]
        assert client.get(f"{URL}/findings", headers=world.headers(Role.staff, "b")).json()["items"] == []
        # A measure links the finding as its evidence; another institution's finding is refused.
        measure = make_measure(session, world.a.institution)
        r = client.post(
            f"{MEASURES}/{measure.id}/evidence", headers=h, json={"kind": "assessment_finding", "ref_id": finding["id"]}
        )
        assert r.status_code == 201, r.text
        r = client.post(
            f"{MEASURES}/{measure.id}/evidence",
            headers=world.headers(Role.quality_lead, "b"),
            json={"kind": "assessment_finding", "ref_id": finding["id"]},
        )
        assert r.status_code == 404
        stored = session.exec(select(Assessment)).one()
        assert stored.status == AssessmentStatus.completed
        assert client.get(f"{URL}/{assessment['id']}", headers=world.headers(Role.staff, "b")).status_code == 404

    def test_one_per_template_and_period_and_foreign_template(self, client, world):
        template = _template(client, world)
        h = world.headers(Role.quality_lead)
        assert client.post(URL, headers=h, json={"template_id": template["id"], "period": "2026-H1"}).status_code == 201
        r = client.post(URL, headers=h, json={"template_id": template["id"], "period": "2026-H1"})
        assert r.status_code == 409
        r = client.post(
            URL, headers=world.headers(Role.quality_lead, "b"), json={"template_id": template["id"], "period": "2026"}
        )
        assert r.status_code == 422
        r = client.get(f"{URL}/templates", headers=world.headers(Role.staff, "b"))
        assert template["id"] not in [t["id"] for t in r.json()["items"]]
        r = client.get(URL, params={"period": "2026-H1"}, headers=world.headers(Role.staff))
        assert len(r.json()["items"]) == 1

    def test_vocabulary(self, client, world):
        r = client.get(f"{URL}/vocabulary", headers=world.headers(Role.staff))
        assert {q["value"] for q in r.json()["swot_quadrants"]} == {"strength", "weakness", "opportunity", "threat"}


class TestSwot:
    def test_items_by_quadrant_with_evidence(self, client, world, session):
        h = world.headers(Role.quality_lead)
        for quadrant, text in (
            ("strength", "Experienced staff"),
            ("threat", "Budget cuts"),
            ("weakness", "Low survey response"),
        ):
            r = client.post(
                f"{SWOT}/items",
                headers=h,
                json={
                    "year": 2026,
                    "quadrant": quadrant,
                    "text": text,
                    "evidence": [{"kind": "survey_result", "ref_id": str(uuid.uuid4()), "summary": "31% answered"}],
                },
            )
            assert r.status_code == 201, r.text
        r = client.get(SWOT, params={"year": 2026}, headers=world.headers(Role.staff))
        body = r.json()
        assert [i["text"] for i in body["strengths"]] == ["Experienced staff"]
        assert [i["text"] for i in body["threats"]] == ["Budget cuts"] and body["opportunities"] == []
        assert body["weaknesses"][0]["evidence"][0]["summary"] == "31% answered"
        r = client.get(SWOT, params={"year": 2026}, headers=world.headers(Role.staff, "b"))
        assert r.json()["strengths"] == []
        r = client.get(
            SWOT,
            params={"year": 2026, "institution_id": str(world.a.institution.id)},
            headers=world.headers(Role.staff, "b"),
        )
        assert r.status_code == 404
        item = body["weaknesses"][0]
        r = client.post(
            f"{SWOT}/items",
            headers=h,
            json={
                "year": 2026,
                "quadrant": "opportunity",
                "text": "x",
                "evidence": [{"kind": "swot_item", "ref_id": str(uuid.uuid4())}],
            },
        )
        assert r.status_code == 422
        r = client.patch(
            f"{SWOT}/items/{item['id']}",
            headers={**h, "If-Match": '"1"'},
            json={"text": "Low response to surveys", "evidence": []},
        )
        assert r.status_code == 200 and r.json()["evidence"] == []
        r = client.patch(f"{SWOT}/items/{item['id']}", headers={**h, "If-Match": '"1"'}, json={"text": "stale"})
        assert r.status_code == 412
        measure = make_measure(session, world.a.institution)
        r = client.post(
            f"{MEASURES}/{measure.id}/evidence", headers=h, json={"kind": "swot_item", "ref_id": item["id"]}
        )
        assert r.status_code == 201
        r = client.delete(f"{SWOT}/items/{item['id']}", headers={**h, "If-Match": '"2"'})
        assert r.status_code == 204
        assert len(session.exec(select(SwotItem)).all()) == 2
        r = client.get(f"{SWOT}/items", params={"quadrant": "strength"}, headers=world.headers(Role.staff))
        assert [i["text"] for i in r.json()["items"]] == ["Experienced staff"]
