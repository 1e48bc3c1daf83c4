"""GET /api/v1/reports/annual: JSON and the printable HTML page with inline SVG charts."""

from __future__ import annotations

from datetime import date

from api.models import IndicatorTarget, ItemStatus, MeasureStatus, PlanStatus, SwotItem
from api.security.scopes import Role
from api.types import today
from tests.evaluation.helpers import make_measure
from tests.indicators.helpers import make_indicator, make_value
from tests.plans.helpers import make_item, make_plan
from tests.surveys.factories import make_campaign, make_questionnaire
from tests.surveys.helpers import submit_known

URL = "/api/v1/reports/annual"


def _arrange(client, world, session, year: int):
    inst = world.a.institution
    sat = make_indicator(session, inst, code="SAT_REPORT", name_lt="Pasitenkinimas", name_en="Satisfaction")
    for y, v in ((year - 2, 70.0), (year - 1, 75.0), (year, 82.0)):
        make_value(session, sat, inst, str(y), v)
    session.add(
        IndicatorTarget(
            institution_id=inst.id,
            indicator_id=sat.id,
            period_start=date(year, 1, 1),
            period_label=str(year),
            target=85.0,
        )
    )
    plan = make_plan(session, world, period=str(year), status=PlanStatus.approved, items=0)
    make_item(session, plan, due_date=date(year, 3, 31), status=ItemStatus.done, completed_on=date(year, 3, 1))
    make_item(session, plan, due_date=date(year, 4, 30), status=ItemStatus.in_progress)
    make_measure(session, inst, status=MeasureStatus.in_progress, year=year, title="Daugiau užimtumo")
    session.add(SwotItem(institution_id=inst.id, year=year, quadrant="strength", text="Patyrę darbuotojai"))
    session.add(SwotItem(institution_id=inst.id, year=year, quadrant="threat", text="Finansavimas"))
    session.commit()
    campaign = make_campaign(session, make_questionnaire(session, inst), inst, population=20)
    submit_known(
        client, world, campaign, rows=[(5, 10, True), (4, 9, True), (3, 8, False), (2, 0, True), (5, 10, True)]
    )
    return plan


def test_annual_report_json(client, world, session):
    year = today().year
    _arrange(client, world, session, year)
    r = client.get(
        URL, params={"institution_id": str(world.a.institution.id), "year": year}, headers=world.headers(Role.director)
    )
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["year"] == year and report["institution_name"] == world.a.institution.name
    trend = next(t for t in report["indicators"] if t["code"] == "SAT_REPORT")
    assert [(p["period"], p["value"], p["target"]) for p in trend["points"]] == [
        (str(year - 2), 70.0, None),
        (str(year - 1), 75.0, None),
        (str(year), 82.0, 85.0),
    ]
    assert trend["peer_median"] is None  # fewer than 3 peers: withheld
    pe = report["plan_execution"]
    assert pe["items_by_status"]["done"] == 1 and pe["items_by_status"]["in_progress"] == 1
    assert list(pe["plans"].values()) == ["approved"]
    survey = report["surveys"][0]
    assert (survey["responses"], survey["response_rate_percent"]) == (5, 25.0)
    assert survey["dimensions"]["SATISFACTION"] is not None  # five respondents: shown
    assert [m["title"] for m in report["measures"]] == ["Daugiau užimtumo"]
    assert report["measures"][0]["effect"]["state"] == "not_set"
    assert report["swot"] == {
        "strength": ["Patyrę darbuotojai"],
        "weakness": [],
        "opportunity": [],
        "threat": ["Finansavimas"],
    }
    assert report["cycle"]["year"] == year and "plans" in report["cycle"]["sections"]


def test_annual_report_html_has_charts_and_escapes(client, world, session):
    year = today().year
    _arrange(client, world, session, year)
    session.add(
        SwotItem(
            institution_id=world.a.institution.id, year=year, quadrant="weakness", text="<script>alert(1)</script>"
        )
    )
    session.commit()
    r = client.get(
        URL,
        params={"institution_id": str(world.a.institution.id), "year": year, "format": "html"},
        headers=world.headers(Role.quality_lead),
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and 'class="value"' in page
    assert 'class="target"' in page and "Pasitenkinimas" in page
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_who_reads_the_report(client, world, session):
    params = {"institution_id": str(world.a.institution.id), "year": 2026}
    assert client.get(URL, params=params, headers=world.headers(Role.municipality_analyst)).status_code == 200
    r = client.get(URL, params=params, headers=world.headers(Role.director, "b"))
    assert r.status_code == 404 and r.json()["type"] == "urn:ciklas:problem:not-found"
    assert client.get(URL, params=params, headers=world.headers(Role.recipient)).status_code == 403
    r = client.get(URL, params={**params, "format": "pdf"}, headers=world.headers(Role.director))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "query.format"
