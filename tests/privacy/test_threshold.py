"""One threshold, `CIKLAS_PRIVACY_K` (default 5, never below 3), used by every person-derived figure
and by the peer groups; reports published before persons were recorded are withheld again."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlmodel import select

from api.config import Settings
from api.main import create_app
from api.models import PublishedReport
from api.privacy import PERSONS_NOT_RECORDED, Privacy
from api.security.scopes import Role
from api.types import utcnow
from tests.conftest import make_settings
from tests.privacy.helpers import (
    WITHHELD,
    arrange_recipients,
    care_plan_indicators,
    last_year,
    recompute_and_publish,
)


def test_k_defaults_to_five_reads_the_environment_and_is_never_below_three(monkeypatch):
    assert Settings(environment="test").privacy_k == 5
    monkeypatch.setenv("CIKLAS_PRIVACY_K", "7")
    assert Settings(environment="test").privacy_k == 7
    for bad in ("2", "0", "-5", "many"):
        monkeypatch.setenv("CIKLAS_PRIVACY_K", bad)
        with pytest.raises(ValidationError, match="privacy_k"):
            Settings(environment="test")
    with pytest.raises(ValueError, match="at least 3"):
        Privacy(k=2)


def test_a_larger_k_withholds_more_everywhere(client, world, session, database_url, signing_key_pem):
    """With k = 7, five recipients are too few: the same data, served by an app configured so."""
    year = last_year()
    arrange_recipients(session, world, 5, year)
    value = recompute_and_publish(client, world, care_plan_indicators(session)["P_GOALS"], str(year))
    app7 = create_app(make_settings(database_url, signing_key_pem, privacy_k=7))
    analyst = world.headers(Role.municipality_analyst)
    inst = world.a.institution.id
    try:
        with TestClient(app7) as strict:
            out = strict.get(f"/api/v1/indicator-values/{value['id']}", headers=analyst).json()
            assert (out["value"], out["suppressed"], out["suppression_reason"]) == (None, True, "fewer than 7 persons")
            figures = strict.get(
                f"/api/v1/cycles/{inst}/{year}", params={"as_of": f"{year}-12-31"}, headers=analyst
            ).json()["sections"]["care_plans"]["figures"]
            assert figures["goals_achieved"] == {**WITHHELD, "reason": "fewer than 7 persons"}
            pulled = strict.get("/api/v1/indicator-values", headers=analyst).json()["items"]
            assert [(i["value"], i["suppression_reason"]) for i in pulled] == [(None, "fewer than 7 persons")]
            report = strict.get(
                "/api/v1/reports/annual", params={"institution_id": str(inst), "year": year}, headers=analyst
            ).json()
            assert report["suppression_threshold"] == 7 and report["indicators"][0]["points"][0]["value"] is None
            p = strict.get(
                "/api/v1/indicators/P_GOALS/comparison",
                params={"period": str(year)},
                headers=world.headers(Role.director),
            ).json()["peers"]
            assert (p["minimum_peers"], p["reason"]) == (7, "fewer than 7 peers")
    finally:
        app7.state.engine.dispose()
    # The default app (k = 5) shows the same value.
    out = client.get(f"/api/v1/indicator-values/{value['id']}", headers=analyst).json()
    assert (out["value"], out["persons"], out["suppressed"]) == (100.0, 5, False)


def test_a_report_published_before_persons_were_recorded_is_withheld_again(client, world, session):
    """Its content carries the staff's figures and no `view`: an outside reader gets the person-derived
    ones withheld (the cycle's care-plan figures always, indicator values by the persons now recorded
    on them, campaigns by their respondents); the staff read it as it was stored."""
    year = last_year()
    inst = world.a.institution.id
    arrange_recipients(session, world, 2, year)
    recompute_and_publish(client, world, care_plan_indicators(session)["P_GOALS"], str(year))
    staff = client.get(
        "/api/v1/reports/annual",
        params={"institution_id": str(inst), "year": year},
        headers=world.headers(Role.director),
    ).json()
    assert staff["view"] == "staff" and staff["indicators"][0]["points"][0]["value"] == 100.0
    legacy = {k: v for k, v in staff.items() if k not in ("view", "suppression_threshold")}
    legacy["indicators"][0]["peer_median"] = 42.0  # what an old report could hold: maybe a peer's value
    session.add(PublishedReport(institution_id=inst, year=year, revision=1, content=legacy, published_at=utcnow()))
    session.commit()
    report_id = session.exec(select(PublishedReport.id)).one()
    out = client.get(f"/api/v1/reports/published/{report_id}", headers=world.headers(Role.municipality_analyst))
    report = out.json()["report"]
    assert report["view"] is None
    assert report["indicators"][0]["points"][0] == {
        "period": str(year),
        "value": None,
        "suppressed": True,
        "target": None,
    }
    assert report["indicators"][0]["peer_median"] is None
    unknown = {"value": None, "suppressed": True, "reason": PERSONS_NOT_RECORDED}
    assert set(map(str, report["cycle"]["sections"]["care_plans"]["figures"].values())) == {str(unknown)}
    reviews = next(o for o in report["cycle"]["calendar"] if o["code"] == f"care_plan_reviews_{year}")
    assert all(v == unknown for v in reviews["evidence"].values())
    html = client.get(
        f"/api/v1/reports/published/{report_id}",
        params={"format": "html"},
        headers=world.headers(Role.municipality_analyst),
    ).text
    assert f"{year}: 100</title>" not in html
    own = client.get(f"/api/v1/reports/published/{report_id}", headers=world.headers(Role.director)).json()
    assert own["report"]["indicators"][0]["points"][0]["value"] == 100.0
