"""Migration 0015_value_persons: values computed from care plans before persons were recorded get
the recipients counted from the same rows, formulas over them their inputs' fewest, revisions
their value's; survey respondents carry over as persons."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from api.indicators.periods import Period
from api.migrations import downgrade, upgrade
from api.models import IndicatorValue, IndicatorValueRevision, ValueOrigin, ValueStatus
from api.security.scopes import Role
from tests.indicators.helpers import make_indicator, make_value
from tests.privacy.helpers import CARE_PLAN_INDICATORS, arrange_recipients, last_year


def legacy_value(session, indicator, world, label: str, records: int) -> IndicatorValue:
    """A published computed value as the earlier revision stored it: no persons."""
    period = Period.parse(label)
    row = IndicatorValue(
        institution_id=world.a.institution.id,
        indicator_id=indicator.id,
        periodicity=period.periodicity,
        period_start=period.start,
        period_end=period.end,
        period_label=label,
        value=100.0,
        status=ValueStatus.published,
        origin=ValueOrigin.computed,
        records=records,
        computed_at=datetime(period.end.year + 1, 1, 5, tzinfo=UTC),
        published_at=datetime(period.end.year + 1, 1, 6, tzinfo=UTC),
    )
    session.add(row)
    session.flush()
    return row


def test_upgrade_counts_the_persons_of_earlier_values(client, world, session, database_url):
    year = last_year()
    arrange_recipients(session, world, 3, year)
    arrange_recipients(session, world, 6, year, tenant="b")  # another institution's recipients do not count
    rows = {
        code: legacy_value(
            session,
            make_indicator(session, code=code, source={"kind": "care_plans", "measure": measure}),
            world,
            str(year),
            records=3,
        )
        for code, measure in CARE_PLAN_INDICATORS.items()
    }
    scaled = make_indicator(
        session, code="P_SCALED", source={"kind": "formula", "numerator": "P_GOALS", "denominator": "P_PARTICIPATION"}
    )
    rows["P_SCALED"] = legacy_value(session, scaled, world, str(year), records=2)
    survey = make_indicator(session, code="P_SURVEY", source={"kind": "survey", "dimension_code": "SATISFACTION"})
    rows["P_SURVEY"] = make_value(session, survey, world.a.institution, str(year), 4.2, respondents=12)
    manual = make_indicator(session, code="P_MANUAL")
    rows["P_MANUAL"] = make_value(session, manual, world.a.institution, str(year), 7.0)
    session.add(
        IndicatorValueRevision(
            value_id=rows["P_GOALS"].id,
            institution_id=world.a.institution.id,
            revision=1,
            value=90.0,
            origin="computed",
            records=3,
            reason="Pataisa",
        )
    )
    session.commit()
    ids = {code: row.id for code, row in rows.items()}
    session.close()

    downgrade(database_url, "0012_pull_changes")
    upgrade(database_url)

    persons = dict(session.execute(sa.select(IndicatorValue.id, IndicatorValue.persons)).all())
    assert {code: persons[i] for code, i in ids.items()} == {
        "P_GOALS": 3,
        "P_REVIEWS": 3,
        "P_PARTICIPATION": 3,
        "P_SCALED": 3,
        "P_SURVEY": 12,
        "P_MANUAL": None,
    }
    assert session.execute(sa.select(IndicatorValueRevision.persons)).scalar_one() == 3
    # And so the municipality no longer reads them: three recipients are fewer than five.
    out = client.get(f"/api/v1/indicator-values/{ids['P_GOALS']}", headers=world.headers(Role.municipality_analyst))
    assert (out.json()["value"], out.json()["suppressed"]) == (None, True)
