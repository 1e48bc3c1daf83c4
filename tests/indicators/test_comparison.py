"""GET /api/v1/indicators/{code}/comparison: the past, the target and the peer group."""

from __future__ import annotations

import statistics
from datetime import date

import pytest

from api.models import IndicatorTarget, InstitutionKind
from api.security.scopes import Role
from tests.factories import make_institution
from tests.indicators.helpers import make_indicator, make_value


def compare(client, world, code, role=Role.staff, tenant="a", **params):
    return client.get(f"/api/v1/indicators/{code}/comparison", params=params, headers=world.headers(role, tenant))


def peers(session, world, indicator, figures, period="2026", *, municipality=None, kind=InstitutionKind.care_home,
          **kw):
    for figure in figures:
        inst = make_institution(session, municipality or world.municipality, kind=kind)
        make_value(session, indicator, inst, period, figure, **kw)


def test_value_past_target_trend_and_peers(client, world, session):
    sat = make_indicator(session, code="SAT")
    for label, figure in (("2023", 60.0), ("2024", 70.0), ("2025", 72.0), ("2026", 30.0)):
        make_value(session, sat, world.a.institution, label, figure)
    session.add(IndicatorTarget(institution_id=world.a.institution.id, indicator_id=sat.id,
                                period_start=date(2026, 1, 1),
                                period_label="2026", target=80.0))
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
    assert out["trend"] == [{"period": "2024", "value": 70.0}, {"period": "2025", "value": 72.0},
                            {"period": "2026", "value": 30.0}]
    # Peers in the municipality: B 10, 20, 30, 40 (same kind, published, not suppressed, A excluded).
    p = out["peers"]
    assert (p["scope"], p["institution_kind"], p["peers"], p["suppressed"]) == (
        "municipality", "care_home", 4, False)
    assert (p["lower_quartile"], p["median"], p["upper_quartile"]) == (17.5, 25.0, 32.5)
    assert p["percentile_rank"] == 62.5  # 2 below, 1 equal of 4
    assert "values" not in p and 10.0 not in p.values()
    # Platform-wide the other municipality's care homes join.
    p = compare(client, world, "SAT", period="2026", peer_scope="platform").json()["peers"]
    assert (p["peers"], p["median"]) == (6, 15.0)


def test_fewer_than_three_peers_gives_no_figures(client, world, session):
    sat = make_indicator(session, code="SAT")
    make_value(session, sat, world.a.institution, "2026", 50.0)
    make_value(session, sat, world.b.institution, "2026", 10.0)
    peers(session, world, sat, [20.0])
    session.commit()
    p = compare(client, world, "SAT", period="2026").json()["peers"]
    assert p == {"scope": "municipality", "institution_kind": "care_home", "peers": 2, "median": None,
                 "lower_quartile": None, "upper_quartile": None, "percentile_rank": None, "suppressed": True}


def test_quarterly_previous_period_and_default_period(client, world, session):
    q = make_indicator(session, world.a.institution, code="OWN_Q", periodicity="quarter")
    for label, figure in (("2025-Q2", 5.0), ("2026-Q1", 7.0), ("2026-Q2", 9.0)):
        make_value(session, q, world.a.institution, label, figure, published=False)
    session.commit()
    out = compare(client, world, "OWN_Q").json()  # the latest value's period by default
    assert (out["period"], out["value"], out["status"]) == ("2026-Q2", 9.0, "draft")
    assert (out["previous_period"], out["previous_value"], out["change"]) == ("2026-Q1", 7.0, 2.0)
    assert (out["same_period_last_year"], out["last_year_value"], out["change_from_last_year"]) == (
        "2025-Q2", 5.0, 4.0)
    assert compare(client, world, "OWN_Q", period="2026").status_code == 422


def test_municipality_names_the_institution_and_sees_published_only(client, world, session):
    sat = make_indicator(session, code="SAT")
    make_value(session, sat, world.a.institution, "2025", 40.0)
    make_value(session, sat, world.a.institution, "2026", 45.0, published=False)
    make_value(session, sat, world.c.institution, "2026", 45.0)
    session.commit()
    r = compare(client, world, "SAT", role=Role.municipality_analyst, period="2026")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "query.institution_id"
    out = compare(client, world, "SAT", role=Role.municipality_analyst, period="2026",
                  institution_id=str(world.a.institution.id)).json()
    assert (out["value"], out["status"], out["previous_value"]) == (None, None, 40.0)
    r = compare(client, world, "SAT", role=Role.municipality_analyst, institution_id=str(world.c.institution.id))
    assert r.status_code == 404
    # Staff compare their own institution only.
    r = compare(client, world, "SAT", institution_id=str(world.b.institution.id))
    assert r.status_code == 404


def test_suppressed_own_value_for_municipality(client, world, session):
    sat = make_indicator(session, code="SAT", source={"kind": "survey", "dimension_code": "SATISFACTION",
                                                      "aggregation": "mean"})
    make_value(session, sat, world.a.institution, "2026", 4.9, respondents=2)
    session.commit()
    out = compare(client, world, "SAT", role=Role.municipality_analyst, period="2026",
                  institution_id=str(world.a.institution.id)).json()
    assert (out["value"], out["suppressed"]) == (None, True)
    out = compare(client, world, "SAT", period="2026").json()
    assert (out["value"], out["suppressed"]) == (4.9, False)


def test_unknown_or_foreign_code_is_404(client, world, session):
    make_indicator(session, world.b.institution, code="B_OWN")
    session.commit()
    assert compare(client, world, "NOPE").status_code == 404
    assert compare(client, world, "B_OWN").status_code == 404


def test_quartiles_interpolate_like_percentile_cont(client, world, session):
    samples = {3: [5.0, 1.0, 9.0], 5: [2.0, 8.0, 4.0, 16.0, 32.0], 6: [1.5, 3.0, 3.0, 7.25, 10.0, 11.0],
               7: [70.0, 10.0, 20.0, 60.0, 30.0, 50.0, 40.0]}
    for n, figures in samples.items():
        indicator = make_indicator(session, code=f"Q_{n}")
        make_value(session, indicator, world.a.institution, "2026", 6.0)
        peers(session, world, indicator, figures)
    session.commit()
    for n, figures in samples.items():
        p = compare(client, world, f"Q_{n}", period="2026").json()["peers"]
        q1, median, q3 = statistics.quantiles(figures, n=4, method="inclusive")
        assert p["peers"] == n
        assert (p["lower_quartile"], p["median"], p["upper_quartile"]) == pytest.approx((q1, median, q3)), n
        below, equal = sum(f < 6.0 for f in figures), sum(f == 6.0 for f in figures)
        assert p["percentile_rank"] == pytest.approx(round(100 * (below + equal / 2) / n, 2))
