"""Peer statistics never reveal a peer: for n = 1…6 peers and every configuration of their values on
{low, middle, high} against five own values (the scale's ends, ties, between), nothing the
indicator comparison or the survey results publish, alone or with the institution's own value,
lets the attacker (tests/privacy/attacker.py) compute a single peer's value."""

from __future__ import annotations

import statistics
import uuid
from datetime import UTC, datetime
from itertools import combinations_with_replacement

import sqlalchemy as sa

from api.models import IndicatorValue, InstitutionKind, SurveyAnswer, SurveyResponse, ValueStatus
from api.security.scopes import Role
from api.types import today
from tests.factories import make_institution
from tests.indicators.helpers import make_indicator, make_value
from tests.privacy.attacker import computable_peer_values, documented
from tests.surveys.factories import make_campaign, make_questionnaire

PERCENT_GRID = tuple(float(v) for v in range(0, 101, 10))
LIKERT_GRID = tuple(1.0 + v / 2 for v in range(9))  # 1.0, 1.5, … 5.0
PEERS = range(1, 7)
#: Figures a peer block may hold: its size, k, and the institution's rank.
COUNTS = {"peers", "institutions", "campaigns", "minimum_peers"}


def only_rank_and_counts(block: dict, rank_key: str, own_key: str | None = None) -> None:
    numbers = {k for k, v in block.items() if isinstance(v, int | float) and not isinstance(v, bool)}
    assert numbers <= COUNTS | {rank_key} | ({own_key} if own_key else set()), block


def test_the_attacker_finds_what_the_old_figures_gave_away():
    """The attacker is not toothless: a median, min and max, or a rank counting ties by half, each
    give a peer's value away; the published rule does not."""
    with_median = lambda peers, own: (*documented(peers, own), statistics.median(peers))  # noqa: E731
    assert computable_peer_values(
        5, 25.0, with_median((0.0, 50.0, 100.0, 100.0, 100.0), 25.0), PERCENT_GRID, with_median
    ) == {100.0}
    min_max = lambda peers, own: (len(peers), min(peers), max(peers))  # noqa: E731
    assert computable_peer_values(1, 50.0, min_max((70.0,), 50.0), PERCENT_GRID, min_max) == {70.0}
    ties_half = lambda peers, own: (len(peers), sum((v < own) + (v == own) / 2 for v in peers))  # noqa: E731
    assert computable_peer_values(
        5, 50.0, ties_half((0.0, 50.0, 100.0, 100.0, 100.0), 50.0), PERCENT_GRID, ties_half
    ) == {50.0}
    observed = documented((0.0, 50.0, 100.0, 100.0, 100.0), 50.0)
    assert observed == (5, False, 20.0) and computable_peer_values(5, 50.0, observed, PERCENT_GRID) == frozenset()


def test_no_indicator_comparison_reveals_a_peer(client, world, session, db_engine):
    sat = make_indicator(session, code="SAT")
    own = make_value(session, sat, world.a.institution, "2026", 0.0)
    peers = [
        make_value(
            session, sat, make_institution(session, world.municipality, kind=InstitutionKind.care_home), "2026", 0.0
        )
        for _ in PEERS
    ]
    session.commit()
    director = world.headers(Role.director)
    checked = 0
    for n in PEERS:
        for values in combinations_with_replacement((0.0, 50.0, 100.0), n):
            with db_engine.begin() as conn:
                for i, row in enumerate(peers):
                    conn.execute(
                        sa.update(IndicatorValue)
                        .where(IndicatorValue.id == row.id)
                        .values(
                            value=values[i] if i < n else 0.0,
                            status=ValueStatus.published if i < n else ValueStatus.draft,
                        )
                    )
            for own_value in (0.0, 25.0, 50.0, 75.0, 100.0):
                with db_engine.begin() as conn:
                    conn.execute(sa.update(IndicatorValue).where(IndicatorValue.id == own.id).values(value=own_value))
                p = client.get("/api/v1/indicators/SAT/comparison", params={"period": "2026"}, headers=director).json()[
                    "peers"
                ]
                only_rank_and_counts(p, "percentile_rank")
                observed = (p["peers"], p["suppressed"], p["percentile_rank"])
                assert observed == documented(values, own_value), (values, own_value, p)
                assert computable_peer_values(n, own_value, observed, PERCENT_GRID) == frozenset(), (values, own_value)
                checked += 1
    assert checked == 5 * sum(len(list(combinations_with_replacement(range(3), n))) for n in PEERS) == 415


def _responses(session, campaign, institution_id, count: int = 5) -> list[uuid.UUID]:
    """`count` responses to Q_SAT, arranged in the database (their values are set per case)."""
    ids = []
    for _ in range(count):
        response = SurveyResponse(
            institution_id=institution_id,
            campaign_id=campaign.id,
            version_id=campaign.version_id,
            client_response_id=uuid.uuid4(),
            answers_digest="0" * 64,
            channel="device",
            answered_at=datetime.now(UTC),
            submitted_on=today(),
        )
        session.add(response)
        session.flush()
        session.add(
            SurveyAnswer(
                response_id=response.id,
                campaign_id=campaign.id,
                institution_id=institution_id,
                concept_code="Q_SAT",
                dimension_code="SATISFACTION",
                question_type="likert_5",
                value_num=3.0,
                top_box=False,
                submitted_on=today(),
            )
        )
        ids.append(response.id)
    return ids


def _set_answers(engine, response_ids: list[uuid.UUID], value: float | None) -> None:
    """Every answer of these responses to `value`; None moves them to another question."""
    with engine.begin() as conn:
        conn.execute(
            sa.update(SurveyAnswer)
            .where(SurveyAnswer.response_id.in_(response_ids))
            .values(value_num=value or 0.0, concept_code="Q_SAT" if value is not None else "Q_ELSEWHERE")
        )


def test_no_survey_result_reveals_a_peer(client, world, session, db_engine):
    """The same for the survey results' peers: the peers' campaigns of the same period, each peer
    the mean of five respondents; the institution's own mean from its own campaign."""
    template = make_questionnaire(session)  # a platform questionnaire every institution runs
    own_campaign = make_campaign(session, template, world.a.institution)
    own = _responses(session, own_campaign, world.a.institution.id)
    peers = []
    for _ in PEERS:
        institution = make_institution(session, world.municipality, kind=InstitutionKind.care_home)
        peers.append(_responses(session, make_campaign(session, template, institution), institution.id))
    session.commit()
    url = f"/api/v1/surveys/campaigns/{own_campaign.id}/results"
    director = world.headers(Role.director)
    for n in PEERS:
        for values in combinations_with_replacement((1.0, 3.0, 5.0), n):
            for i, ids in enumerate(peers):
                _set_answers(db_engine, ids, values[i] if i < n else None)
            for own_value in (1.0, 2.0, 3.0, 4.0, 5.0):
                _set_answers(db_engine, own, own_value)
                out = client.get(url, params={"compare_previous": "false"}, headers=director).json()
                assert (out["peer_group"]["scope"], out["peer_group"]["minimum_peers"]) == ("municipality", 5)
                entry = next(e for e in out["peers"] if e["concept_code"] == "Q_SAT")
                only_rank_and_counts(entry, "own_percentile", "own_mean")
                assert entry["own_mean"] == own_value
                observed = (entry["peers"], entry["suppressed"], entry["own_percentile"])
                assert observed == documented(values, own_value), (values, own_value, entry)
                assert computable_peer_values(n, own_value, observed, LIKERT_GRID) == frozenset(), (values, own_value)
    # Peers of another kind or another municipality are not in the group (platform-wide the
    # other municipality's care homes would be).
    crisis = make_institution(session, world.municipality, kind=InstitutionKind.crisis_centre)
    crisis_responses = _responses(session, make_campaign(session, template, crisis), crisis.id)
    elsewhere = make_institution(session, world.other_municipality, kind=InstitutionKind.care_home)
    elsewhere_responses = _responses(session, make_campaign(session, template, elsewhere), elsewhere.id)
    session.commit()
    _set_answers(db_engine, crisis_responses + elsewhere_responses, 5.0)
    out = client.get(url, params={"compare_previous": "false"}, headers=director).json()
    assert out["peer_group"]["peers"] == 6
    out = client.get(url, params={"compare_previous": "false", "peer_scope": "platform"}, headers=director).json()
    assert (out["peer_group"]["scope"], out["peer_group"]["municipality_id"], out["peer_group"]["peers"]) == (
        "platform",
        None,
        7,
    )
