"""No aggregate of a few persons leaves the institution: each care-plan indicator over one, four and
five recipients, read by the municipality (and the platform administrator) through every endpoint
that can show it, while the institution's staff read the real figures."""

from __future__ import annotations

import csv
import io

import pytest

from api.security.scopes import Role
from tests.evaluation.test_webhooks import subscribe
from tests.indicators.helpers import make_indicator
from tests.privacy.helpers import (
    CARE_PLAN_INDICATORS,
    WITHHELD,
    Expect,
    arrange_recipients,
    care_plan_indicators,
    last_year,
    queued_payloads,
    recompute_and_publish,
)

PULL = "/api/v1/indicator-values"
REASON = "fewer than 5 persons"


def check_value(item: dict, expect: Expect, n: int, value: float = 100.0) -> None:
    """One value as an outside reader gets it (GET, list, publish answer)."""
    if expect.hidden:
        assert (item["value"], item["suppressed"], item["suppression_reason"]) == (None, True, REASON), item
        assert (item["persons"], item["respondents"], item["records"], item["inputs"]) == (None, None, None, None)
    else:
        assert (item["value"], item["suppressed"], item["suppression_reason"]) == (value, False, None), item
        assert item["persons"] == n
    assert item["comment"] is None


def care_figures(expect: Expect, n: int) -> dict:
    real = {
        "plans_with_reviews_due": n,
        "plans_reviewed_on_time": n,
        "reviews_overdue_now": 0,
        "goals_due": n,
        "goals_achieved": n,
        "plans_activated": n,
        "plans_with_participation": n,
    }
    return {name: expect.figure(figure) for name, figure in real.items()}


@pytest.mark.parametrize("n", [1, 4, 5])
def test_each_care_plan_indicator_through_every_endpoint(client, world, session, n):
    year = last_year()
    period, inst = str(year), str(world.a.institution.id)
    arrange_recipients(session, world, n, year)
    indicators = care_plan_indicators(session)
    scaled = make_indicator(
        session, code="P_GOALS_SHARE", unit="ratio", source={"kind": "formula", "numerator": "P_GOALS", "factor": 0.01}
    )
    session.commit()
    subscribe(
        client,
        world,
        "https://hooks.example.org/ciklas",
        ["indicator.published", "report.published"],
        role=Role.municipality_analyst,
    )
    expect = Expect(n)
    analyst, admin = world.headers(Role.municipality_analyst), world.headers(Role.platform_admin)

    published = {code: recompute_and_publish(client, world, indicators[code], period) for code in CARE_PLAN_INDICATORS}
    formula = recompute_and_publish(client, world, scaled, period)
    # The staff read the real figures and how many persons each rests on.
    for value in published.values():
        assert (value["value"], value["persons"], value["records"], value["suppressed"]) == (100.0, n, n, False)
    assert (formula["value"], formula["persons"]) == (1.0, n)  # a formula rests on its inputs' persons

    for code, value in published.items():
        for who in (analyst, admin):
            r = client.get(f"{PULL}/{value['id']}", headers=who)
            assert r.status_code == 200, r.text
            check_value(r.json(), expect, n)
        [listed] = client.get(
            f"/api/v1/indicators/{value['indicator_id']}/values", params={"institution_id": inst}, headers=analyst
        ).json()["items"]
        check_value(listed, expect, n)
        out = client.get(
            f"/api/v1/indicators/{code}/comparison", params={"institution_id": inst, "period": period}, headers=analyst
        ).json()
        assert (out["value"], out["suppressed"], out["suppression_reason"]) == (
            expect.value(100.0),
            expect.hidden,
            REASON if expect.hidden else None,
        )
        assert out["trend"][-1] == {"period": period, "value": expect.value(100.0), "suppressed": expect.hidden}
        assert out["peers"]["suppressed"] is True and out["peers"]["percentile_rank"] is None
    check_value(client.get(f"{PULL}/{formula['id']}", headers=analyst).json(), expect, n, value=1.0)

    # The pull, as JSON and as CSV, for the municipality and the administrator.
    for who in (analyst, admin):
        items = {
            i["indicator_code"]: i
            for i in client.get(PULL, params={"institution_id": inst}, headers=who).json()["items"]
        }
        assert set(items) == {*CARE_PLAN_INDICATORS, "P_GOALS_SHARE"}
        for code, item in items.items():
            real = 1.0 if code == "P_GOALS_SHARE" else 100.0
            assert (item["value"], item["suppressed"], item["suppression_reason"]) == (
                expect.value(real),
                expect.hidden,
                REASON if expect.hidden else None,
            ), code
    r = client.get(PULL, params={"institution_id": inst}, headers={**analyst, "Accept": "text/csv"})
    rows = {row["indicator_code"]: row for row in csv.DictReader(io.StringIO(r.text))}
    for code in CARE_PLAN_INDICATORS:
        assert (rows[code]["value"], rows[code]["suppressed"], rows[code]["suppression_reason"]) == (
            ("", "true", REASON) if expect.hidden else ("100.0", "false", "")
        )

    # The summary.
    summary = {row["indicator_code"]: row for row in client.get(f"{PULL}/summary", headers=analyst).json()["rows"]}
    for code in CARE_PLAN_INDICATORS:
        row = summary[code]
        assert (row["latest_value"], row["latest_suppressed"], row["suppression_reason"]) == (
            expect.value(100.0),
            expect.hidden,
            REASON if expect.hidden else None,
        )

    # The indicator.published events reach the municipality with what it may read.
    events = {p["value_id"]: p for p in queued_payloads(session, "indicator.published")}
    for value in published.values():
        event = events[value["id"]]
        assert (event["value"], event["suppressed"]) == (expect.value(100.0), expect.hidden)

    # The cycle view: the care-plan figures and the evidence of their obligation.
    params = {"as_of": f"{year}-12-31"}
    view = client.get(f"/api/v1/cycles/{inst}/{year}", params=params, headers=analyst).json()
    assert view["sections"]["care_plans"]["figures"] == care_figures(expect, n)
    reviews = next(o for o in view["calendar"] if o["code"] == f"care_plan_reviews_{year}")
    assert reviews["evidence"] == {k: v for k, v in care_figures(expect, n).items() if k in reviews["evidence"]}
    assert len(reviews["evidence"]) == 3
    staff_view = client.get(f"/api/v1/cycles/{inst}/{year}", params=params, headers=world.headers(Role.director))
    assert staff_view.json()["sections"]["care_plans"]["figures"] == care_figures(Expect(99), n)

    # The annual report, JSON and HTML: live for the municipality, and as published.
    check_report(
        client.get("/api/v1/reports/annual", params={"institution_id": inst, "year": year}, headers=analyst).json(),
        expect,
        n,
        period,
        view="outside",
    )
    live = client.get(
        "/api/v1/reports/annual", params={"institution_id": inst, "year": year}, headers=world.headers(Role.director)
    ).json()
    check_report(live, Expect(99), n, period, view="staff")
    html = client.get(
        "/api/v1/reports/annual", params={"institution_id": inst, "year": year, "format": "html"}, headers=analyst
    ).text
    check_html(html, expect, period)
    r = client.post(
        "/api/v1/reports/annual/publish",
        json={"institution_id": inst, "year": year},
        headers=world.headers(Role.director),
    )
    assert r.status_code == 201, r.text
    check_report(r.json()["report"], expect, n, period, view="outside")  # frozen as it leaves the institution
    report_id = r.json()["id"]
    for who in (analyst, world.headers(Role.director)):
        check_report(
            client.get(f"/api/v1/reports/published/{report_id}", headers=who).json()["report"],
            expect,
            n,
            period,
            view="outside",
        )
    check_html(
        client.get(f"/api/v1/reports/published/{report_id}", params={"format": "html"}, headers=analyst).text,
        expect,
        period,
    )
    # The report.published event names the report, whose content is the suppressed one read above.
    [event] = queued_payloads(session, "report.published")
    assert event["report_id"] == report_id and "report" not in event


def check_report(report: dict, expect: Expect, n: int, period: str, *, view: str) -> None:
    assert (report["view"], report["suppression_threshold"]) == (view, 5)
    trends = {t["code"]: t for t in report["indicators"]}
    for code in CARE_PLAN_INDICATORS:
        assert trends[code]["points"] == [
            {"period": period, "value": expect.value(100.0), "suppressed": expect.hidden, "target": None}
        ], code
        assert trends[code]["peer_median"] is None
    assert report["cycle"]["sections"]["care_plans"]["figures"] == care_figures(expect, n)


def check_html(page: str, expect: Expect, period: str) -> None:
    assert page.startswith("<!DOCTYPE html>")
    if expect.hidden:
        assert f"{period}: 100</title>" not in page and "withheld: fewer than k persons" in page
    else:
        assert f"{period}: 100</title>" in page


def test_withheld_figure_shape_and_staff_of_another_role(client, world, session):
    """Inside the institution every staff role sees the figures; its recipients, guardians and
    devices have no reading scope; another institution's director cannot see the institution."""
    year = last_year()
    arrange_recipients(session, world, 2, year)
    indicators = care_plan_indicators(session)
    value = recompute_and_publish(client, world, indicators["P_GOALS"], str(year))
    for role in (Role.quality_lead, Role.department_head, Role.social_worker, Role.staff):
        out = client.get(f"{PULL}/{value['id']}", headers=world.headers(role)).json()
        assert (out["value"], out["persons"], out["suppressed"]) == (100.0, 2, False), role
    for role in (Role.recipient, Role.guardian, Role.feedback_device):
        assert client.get(f"{PULL}/{value['id']}", headers=world.headers(role)).status_code == 403
    assert client.get(f"{PULL}/{value['id']}", headers=world.headers(Role.director, "b")).status_code == 404
    view = client.get(
        f"/api/v1/cycles/{world.a.institution.id}/{year}",
        params={"as_of": f"{year}-12-31"},
        headers=world.headers(Role.municipality_analyst),
    ).json()
    assert view["sections"]["care_plans"]["figures"]["goals_achieved"] == WITHHELD
