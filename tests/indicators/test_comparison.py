"""GET /api/v1/indicators/{code}/comparison: the past, the target and the peer group."""

from __future__ import annotations

from datetime import date

from api.models import IndicatorTarget, InstitutionKind
from api.security.scopes import Role
from tests.factories import make_institution
from tests.indicators.helpers import make_indicator, make_value


def compare(client, world, code, role=Role.staff, tenant="a", **params):
    return client.get(f"/api/v1/indicators/{code}/comparison", params=params, headers=world.headers(role, tenant))


def peers(
    session, world, indicator, figures, period="2026", *, municipality=None, kind=InstitutionKind.care_home, **kw
):
    for figure in figures:
        inst = make_institution(session, municipality or world.municipality, kind=kind)
        make_value(session, indicator, inst, period, figure, **kw)


def test_value_past_target_trend_and_peers(client, world, session):
    sat = make_indicator(session, code="SAT")
    for label, figure in (("2023", 60.0), ("2024", 70.0), ("2025", 72.0), ("2026", 30.0)):
        make_value(session, sat, world.a.institution, label, figure)
    session.add(
        IndicatorTarget(
            institution_id=world.a.institution.id,
            indicator_id=sat.id,
            period_start=date(2026, 1, 1),
            period_label="2026",
            target=80.0,
        )
    )
    make_value(session, sat, world.b.institution, "2026", 10.0)  # B is a care home in the municipality too
    peers(session, world, sat, [20.0, 30.0, 40.0])
    peers(session, world, sat, [99.0], kind=InstitutionKind.crisis_centre)  # another kind
    peers(session, world, sat, [98.0], published=False)  # a draft
    peers(session, world, sat, [97.0], respondents=3)  # suppressed
    peers(session, world, sat, [1.0, 2.0], municipality=world.other_municipality)
    session.commit()
    r = compare(client, world, "SAT", period="2026", trend_periods=3)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["institution_id"] == str(world.a.institution.id)
    assert (out["period"], out["value"], out["status"], out["target"]) == ("2026", 30.0, "published", 80.0)
    assert (out["previous_period"], out["previous_value"], out["change"]) == ("2025", 72.0, -42.0)
    assert (out["same_period_last_year"], out["last_year_value"]) == ("2025", 72.0)
    assert out["trend"] == [
        {"period": "2024", "value": 70.0, "suppressed": False},
        {"period": "2025", "value": 72.0, "suppressed": False},
        {"period": "2026", "value": 30.0, "suppressed": False},
    ]
    # Peers in the municipality: B 10, 20, 30, 40 (same kind, published, not suppressed, A excluded):
    # four, under k = 5, so only the group's size.
    p = out["peers"]
    assert (p["scope"], p["institution_kind"], p["municipality_id"], p["peers"], p["minimum_peers"]) == (
        "municipality",
        "care_home",
        str(world.municipality.id),
        4,
        5,
    )
    assert (p["suppressed"], p["reason"], p["percentile_rank"]) == (True, "fewer than 5 peers", None)
    assert "same municipality" in p["formed_by"] and "at least 5 peers" in p["formed_by"]
    # Platform-wide the other municipality's care homes join: 10, 20, 30, 40, 1, 2. Four strictly
    # below A's 30, one above: the rank, and never a peer's value, minimum, median or quartile.
    p = compare(client, world, "SAT", period="2026", peer_scope="platform").json()["peers"]
    assert (p["scope"], p["municipality_id"], p["peers"], p["suppressed"]) == ("platform", None, 6, False)
    assert (p["percentile_rank"], p["percentile_rank_reason"]) == (66.67, None)
    assert (p["median"], p["lower_quartile"], p["upper_quartile"]) == (None, None, None)
    assert not {10.0, 20.0, 40.0, 1.0, 2.0} & {v for v in p.values() if isinstance(v, float)}


def test_fewer_than_k_peers_gives_no_figures(client, world, session):
    sat = make_indicator(session, code="SAT")
    make_value(session, sat, world.a.institution, "2026", 50.0)
    make_value(session, sat, world.b.institution, "2026", 10.0)
    peers(session, world, sat, [20.0])
    session.commit()
    p = compare(client, world, "SAT", period="2026").json()["peers"]
    formed_by = p.pop("formed_by")
    assert p == {
        "scope": "municipality",
        "institution_kind": "care_home",
        "municipality_id": str(world.municipality.id),
        "peers": 2,
        "minimum_peers": 5,
        "median": None,
        "lower_quartile": None,
        "upper_quartile": None,
        "percentile_rank": None,
        "percentile_rank_reason": None,
        "suppressed": True,
        "reason": "fewer than 5 peers",
    }
    assert formed_by.startswith("Other institutions of the kind care_home in the same municipality")


def test_quarterly_previous_period_and_default_period(client, world, session):
    q = make_indicator(session, world.a.institution, code="OWN_Q", periodicity="quarter")
    for label, figure in (("2025-Q2", 5.0), ("2026-Q1", 7.0), ("2026-Q2", 9.0)):
        make_value(session, q, world.a.institution, label, figure, published=False)
    session.commit()
    out = compare(client, world, "OWN_Q").json()  # the latest value's period by default
    assert (out["period"], out["value"], out["status"]) == ("2026-Q2", 9.0, "draft")
    assert (out["previous_period"], out["previous_value"], out["change"]) == ("2026-Q1", 7.0, 2.0)
    assert (out["same_period_last_year"], out["last_year_value"], out["change_from_last_year"]) == ("2025-Q2", 5.0, 4.0)
    assert compare(client, world, "OWN_Q", period="2026").status_code == 422


def test_municipality_names_the_institution_and_sees_published_only(client, world, session):
    sat = make_indicator(session, code="SAT")
    make_value(session, sat, world.a.institution, "2025", 40.0)
    make_value(session, sat, world.a.institution, "2026", 45.0, published=False)
    make_value(session, sat, world.c.institution, "2026", 45.0)
    session.commit()
    r = compare(client, world, "SAT", role=Role.municipality_analyst, period="2026")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "query.institution_id"
    out = compare(
        client, world, "SAT", role=Role.municipality_analyst, period="2026", institution_id=str(world.a.institution.id)
    ).json()
    assert (out["value"], out["status"], out["previous_value"]) == (None, None, 40.0)
    r = compare(client, world, "SAT", role=Role.municipality_analyst, institution_id=str(world.c.institution.id))
    assert r.status_code == 404
    # Staff compare their own institution only.
    r = compare(client, world, "SAT", institution_id=str(world.b.institution.id))
    assert r.status_code == 404


def test_suppressed_own_value_for_municipality(client, world, session):
    sat = make_indicator(
        session, code="SAT", source={"kind": "survey", "dimension_code": "SATISFACTION", "aggregation": "mean"}
    )
    make_value(session, sat, world.a.institution, "2026", 4.9, respondents=2)
    session.commit()
    out = compare(
        client, world, "SAT", role=Role.municipality_analyst, period="2026", institution_id=str(world.a.institution.id)
    ).json()
    assert (out["value"], out["suppressed"]) == (None, True)
    out = compare(client, world, "SAT", period="2026").json()
    assert (out["value"], out["suppressed"]) == (4.9, False)


def test_unknown_or_foreign_code_is_404(client, world, session):
    make_indicator(session, world.b.institution, code="B_OWN")
    session.commit()
    assert compare(client, world, "NOPE").status_code == 404
    assert compare(client, world, "B_OWN").status_code == 404


def test_rank_counts_peers_strictly_below_and_only_between_them(client, world, session):
    """The rank is the share of peers strictly below the published value; it is withheld when no
    peer lies below or none above (the ends of a scale would otherwise tell how many peers share
    them), for a draft (which could be moved to probe the peers) and under k peers."""
    samples = {  # n peers' values, the institution's value, the expected rank or reason
        "N3": ([5.0, 1.0, 9.0], 6.0, None, "fewer than 5 peers"),
        "N5": ([2.0, 8.0, 4.0, 16.0, 32.0], 6.0, 40.0, None),
        "N6": ([1.5, 3.0, 3.0, 7.25, 10.0, 11.0], 3.0, 16.67, None),
        "N7": ([70.0, 10.0, 20.0, 60.0, 30.0, 50.0, 40.0], 40.0, 42.86, None),
        "TOP": ([100.0, 100.0, 90.0, 80.0, 100.0], 100.0, None, "at the edge of the peer group"),
        "BOTTOM": ([0.0, 0.0, 10.0, 20.0, 0.0], 0.0, None, "at the edge of the peer group"),
        "ALL_EQUAL": ([55.0] * 6, 55.0, None, "at the edge of the peer group"),
        "ABOVE_ALL": ([1.0, 2.0, 3.0, 4.0, 5.0], 6.0, None, "at the edge of the peer group"),
    }
    for code, (figures, own, _, _) in samples.items():
        indicator = make_indicator(session, code=code)
        make_value(session, indicator, world.a.institution, "2026", own)
        peers(session, world, indicator, figures)
    draft = make_indicator(session, code="DRAFT")
    make_value(session, draft, world.a.institution, "2026", 6.0, published=False)
    peers(session, world, draft, [2.0, 8.0, 4.0, 16.0, 32.0])
    session.commit()
    for code, (figures, own, rank, reason) in samples.items():
        p = compare(client, world, code, period="2026").json()["peers"]
        assert p["peers"] == len(figures), code
        assert (p["median"], p["lower_quartile"], p["upper_quartile"]) == (None, None, None), code
        if rank is not None:
            below = sum(f < own for f in figures)
            assert p["percentile_rank"] == rank == round(100 * below / len(figures), 2), code
        else:
            assert p["percentile_rank"] is None and reason in (p["reason"], p["percentile_rank_reason"]), code
    p = compare(client, world, "DRAFT", period="2026").json()["peers"]
    assert (p["peers"], p["percentile_rank"], p["percentile_rank_reason"]) == (
        5,
        None,
        "the institution's value is not published",
    )
