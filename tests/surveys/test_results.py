"""Campaign results: figures, previous campaign by concept code, peers, suppression; CSV export."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta

from api.security.principal import Principal
from api.security.scopes import Role
from api.surveys.results import campaign_results
from tests.surveys.factories import QUESTIONS, make_campaign, make_questionnaire
from tests.surveys.helpers import KNOWN, submit_known

URL = "/api/v1/surveys/campaigns"


def results(client, world, campaign, role=Role.director, tenant="a", **params):
    r = client.get(f"{URL}/{campaign.id}/results", params=params, headers=world.headers(role, tenant))
    assert r.status_code == 200, r.text
    return r.json()


def by_code(items, key="concept_code"):
    return {i[key]: i for i in items}


def test_per_question_figures_and_dimensions(client, world, session):
    c = make_campaign(session, make_questionnaire(session, world.a.institution), world.a.institution)
    submit_known(client, world, c, Q_COMMENT="Puiku", Q_ACTIVITIES=["music", "walks"])
    out = results(client, world, c)
    assert (out["respondents"], out["suppressed"], out["suppression_threshold"]) == (4, False, 5)
    q = by_code(out["questions"])
    assert (q["Q_SAT"]["n"], q["Q_SAT"]["mean"], q["Q_SAT"]["top_box_share"]) == (4, 3.5, 50.0)
    assert q["Q_SAT"]["distribution"] == [{"value": v, "count": 1} for v in ("2", "3", "4", "5")]
    assert (q["Q_RECOMMEND"]["mean"], q["Q_RECOMMEND"]["top_box_share"]) == (6.75, 50.0)
    assert q["Q_SAFE"]["distribution"] == [{"value": "0", "count": 1}, {"value": "1", "count": 3}]
    assert q["Q_SAFE"]["top_box_share"] == 75.0
    assert q["Q_ACTIVITIES"]["distribution"] == [{"value": "music", "count": 4}, {"value": "walks", "count": 4}]
    assert q["Q_ACTIVITIES"]["n"] == 4 and q["Q_ACTIVITIES"]["mean"] is None
    assert q["Q_COMMENT"]["texts"] == ["Puiku"] * 4 and q["Q_SAT"]["texts"] is None
    assert (q["Q_AGE"]["n"], q["Q_AGE"]["mean"]) == (0, None)
    dims = by_code(out["dimensions"], "code")
    assert dims["SATISFACTION"] == {
        "code": "SATISFACTION",
        "name_lt": "Pasitenkinimas",
        "name_en": "Satisfaction",
        "n": 4,
        "mean": 5.125,
        "top_box_share": 50.0,
    }
    assert out["previous"] is None


def test_previous_campaign_side_by_side_by_concept_across_versions(client, world, session):
    now = datetime.now(UTC)
    v1 = make_questionnaire(
        session, world.a.institution, questions=[*QUESTIONS[:3], ("Q_OLD", "likert_5", False, None, {})]
    )
    last_year = make_campaign(session, v1, world.a.institution)
    submit_known(client, world, last_year, rows=[(2, 5, False), (3, 6, True)], Q_OLD=4)
    last_year.opens_at, last_year.closes_at = now - timedelta(days=400), now - timedelta(days=300)
    session.add(last_year)
    session.commit()
    from api.models import Questionnaire

    v2 = make_questionnaire(session, questionnaire=session.get(Questionnaire, v1.questionnaire_id))
    this_year = make_campaign(session, v2, world.a.institution)
    submit_known(client, world, this_year)
    out = results(client, world, this_year, peers=False)
    assert out["peers"] is None
    prev = out["previous"]
    assert (prev["campaign_id"], prev["version_id"], prev["respondents"]) == (str(last_year.id), str(v1.id), 2)
    concepts = by_code(prev["concepts"])
    assert concepts["Q_SAT"] == {
        "concept_code": "Q_SAT",
        "current_n": 4,
        "current_mean": 3.5,
        "current_top_box": 50.0,
        "previous_n": 2,
        "previous_mean": 2.5,
        "previous_top_box": 0.0,
        "change": 1.0,
    }
    assert concepts["Q_OLD"]["current_n"] == 0 and concepts["Q_OLD"]["previous_mean"] == 4.0
    assert results(client, world, last_year)["previous"] is None


def test_peers_distribution_leaves_out_small_campaigns(client, world, session):
    own = make_campaign(session, make_questionnaire(session, world.a.institution), world.a.institution)
    submit_known(client, world, own)
    for tenant, rows in (("b", [(5, 10, True)] * 3 + [(4, 9, True)] * 2), ("c", [(1, 0, False)] * 4)):
        institution = getattr(world, tenant).institution
        peer = make_campaign(session, make_questionnaire(session, institution), institution)
        submit_known(client, world, peer, tenant=tenant, rows=rows)
    out = results(client, world, own, peer_scope="platform")
    peers = by_code(out["peers"])
    assert (peers["Q_SAT"]["campaigns"], peers["Q_SAT"]["institutions"]) == (1, 1)  # C's 4 respondents: left out
    # One peer: under k = 5 peers nothing but the group's size (its mean was the whole "distribution").
    assert (peers["Q_SAT"]["peers"], peers["Q_SAT"]["suppressed"], peers["Q_SAT"]["reason"]) == (
        1,
        True,
        "fewer than 5 peers",
    )
    assert (peers["Q_SAT"]["median"], peers["Q_SAT"]["own_mean"], peers["Q_SAT"]["own_percentile"]) == (None, 3.5, None)
    assert all(peers["Q_SAT"][k] is None for k in ("min", "p25", "median", "p75", "max"))
    assert out["peer_group"]["scope"] == "platform" and out["peer_group"]["peers"] == 1
    assert "Q_COMMENT" not in peers and "Q_CONTACT" not in peers
    assert client.get(f"{URL}/{own.id}/results", headers=world.headers(Role.director, "b")).status_code == 404


def test_peers_of_a_campaign_without_answers_rank_nothing(client, world, session):
    own = make_campaign(session, make_questionnaire(session, world.a.institution), world.a.institution)
    peer = make_campaign(session, make_questionnaire(session, world.b.institution), world.b.institution)
    submit_known(client, world, peer, tenant="b", rows=[(5, 10, True)] * 5)
    out = results(client, world, own, peer_scope="platform", peers="true")
    peers = by_code(out["peers"])
    assert (peers["Q_SAT"]["own_mean"], peers["Q_SAT"]["own_percentile"], peers["Q_SAT"]["peers"]) == (None, None, 1)


def test_suppressed_below_five_for_anyone_outside_the_staff(client, world, session):
    c = make_campaign(session, make_questionnaire(session, world.a.institution), world.a.institution)
    submit_known(client, world, c, Q_COMMENT="Slapta")
    outsider = Principal.build(
        subject_id=world.a.device.id,
        kind="client",
        role=Role.feedback_device,
        institution_id=world.a.institution.id,
        municipality_id=None,
    )
    out = campaign_results(session, outsider, c.id, compare_previous=False, peers=False)
    assert out.suppressed is True
    q = {x.concept_code: x for x in out.questions}
    assert (q["Q_SAT"].n, q["Q_SAT"].mean, q["Q_SAT"].distribution, q["Q_COMMENT"].texts) == (4, None, [], None)
    assert {d.code: d.mean for d in out.dimensions} == {"SATISFACTION": None}
    submit_known(client, world, c, rows=KNOWN[:1])
    out = campaign_results(session, outsider, c.id, compare_previous=False, peers=False)
    q = {x.concept_code: x for x in out.questions}
    assert out.suppressed is False and q["Q_SAT"].mean == 3.8 and q["Q_COMMENT"].texts is None
    for role in (Role.staff, Role.recipient, Role.feedback_device):
        assert client.get(f"{URL}/{c.id}/results", headers=world.headers(role)).status_code == 403


def test_csv_export_columns_are_concepts_identical_across_versions(client, world, session):
    from api.models import Questionnaire

    v1 = make_questionnaire(
        session, world.a.institution, questions=[*QUESTIONS[:3], ("Q_OLD", "yes_no", False, None, {})]
    )
    v2 = make_questionnaire(session, questionnaire=session.get(Questionnaire, v1.questionnaire_id))
    c1, c2 = make_campaign(session, v1, world.a.institution), make_campaign(session, v2, world.a.institution)
    submit_known(client, world, c1, rows=KNOWN[:1], Q_OLD=False)
    submit_known(client, world, c2, rows=KNOWN[1:2], Q_ACTIVITIES=["walks", "garden"], Q_COMMENT="=1+1")
    exports = []
    for c in (c1, c2):
        r = client.get(f"{URL}/{c.id}/export", headers=world.headers(Role.quality_lead))
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("text/csv")
        exports.append(list(csv.DictReader(io.StringIO(r.text))))
    header = [
        "response_id",
        "submitted_at",
        "answered_at",
        "late",
        "channel",
        "Q_ACTIVITIES",
        "Q_AGE",
        "Q_COMMENT",
        "Q_CONTACT",
        "Q_OLD",
        "Q_RECOMMEND",
        "Q_SAFE",
        "Q_SAT",
    ]
    assert list(exports[0][0]) == header and list(exports[1][0]) == header
    assert {k: exports[0][0][k] for k in ("Q_SAT", "Q_RECOMMEND", "Q_SAFE", "Q_OLD", "Q_ACTIVITIES")} == {
        "Q_SAT": "5",
        "Q_RECOMMEND": "10",
        "Q_SAFE": "yes",
        "Q_OLD": "no",
        "Q_ACTIVITIES": "",
    }
    row = exports[1][0]
    assert (row["Q_ACTIVITIES"], row["Q_COMMENT"], row["Q_OLD"], row["late"]) == ("garden;walks", "'=1+1", "", "false")
    uuid.UUID(row["response_id"])
    assert client.get(f"{URL}/{c1.id}/export", headers=world.headers(Role.director, "b")).status_code == 404
