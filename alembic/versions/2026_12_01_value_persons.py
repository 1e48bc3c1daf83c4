"""value persons: every indicator value records how many persons it rests on

`respondents` (survey respondents only) becomes `persons`: survey respondents, the recipients of the
care plans a care-plan value counts, for a formula the fewest of its inputs'. The privacy rule
(api/privacy.py) withholds a value resting on fewer than k persons from everyone outside the
institution's staff. Values computed from care plans before this revision recorded no persons: they
are counted here from the same rows the value was computed from (for "reviewed on time" as of the
day it was computed), then the formulas over them; revisions take their value's persons (a
correction does not change the population behind a figure).

Revision ID: 0015_value_persons
Revises: 0012_pull_changes
Create Date: 2026-12-01 09:00:00.000000
"""
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from alembic import op

import api.types

revision: str = "0015_value_persons"
down_revision: str | None = "0012_pull_changes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("indicator_values", "indicator_value_revisions")

values = sa.table(
    "indicator_values", sa.column("id", sa.Uuid()), sa.column("institution_id", sa.Uuid()),
    sa.column("indicator_id", sa.Uuid()), sa.column("period_start", sa.Date()), sa.column("period_end", sa.Date()),
    sa.column("records", sa.Integer()), sa.column("persons", sa.Integer()),
    sa.column("computed_at", api.types.UTCDateTime(timezone=True)),
    sa.column("published_at", api.types.UTCDateTime(timezone=True)),
    sa.column("updated_at", api.types.UTCDateTime(timezone=True)))
revisions = sa.table("indicator_value_revisions", sa.column("value_id", sa.Uuid()), sa.column("persons", sa.Integer()))
indicators = sa.table("indicators", sa.column("id", sa.Uuid()), sa.column("institution_id", sa.Uuid()),
                      sa.column("code", sa.String()), sa.column("source_kind", sa.String()),
                      sa.column("source", sa.JSON()))
plans = sa.table("care_plans", sa.column("id", sa.Uuid()), sa.column("institution_id", sa.Uuid()),
                 sa.column("recipient_id", sa.Uuid()), sa.column("status", sa.String()),
                 sa.column("next_review_date", sa.Date()),
                 sa.column("activated_at", api.types.UTCDateTime(timezone=True)))
goals = sa.table("care_goals", sa.column("care_plan_id", sa.Uuid()), sa.column("institution_id", sa.Uuid()),
                 sa.column("due_date", sa.Date()), sa.column("attainment", sa.String()),
                 sa.column("carried_forward", sa.Boolean()))
reviews = sa.table("care_reviews", sa.column("care_plan_id", sa.Uuid()), sa.column("institution_id", sa.Uuid()),
                   sa.column("due_date", sa.Date()))


def _day(value: date) -> datetime:
    return datetime.combine(value, time(), tzinfo=UTC)


def _care_plan_persons(conn: sa.Connection, measure: str, row: Any) -> int:
    """The recipients behind the value, counted as api/care_plans/aggregates.py counts them."""
    inst, start, end = row.institution_id, row.period_start, row.period_end
    recipients = sa.func.count(sa.distinct(plans.c.recipient_id))
    if measure == "goals_achieved":
        stmt = (sa.select(recipients).select_from(goals.join(plans, plans.c.id == goals.c.care_plan_id))
                .where(goals.c.institution_id == inst, plans.c.status != "draft",
                       goals.c.carried_forward.is_(False), goals.c.attainment != "discontinued",
                       goals.c.due_date >= start, goals.c.due_date <= end))
    elif measure == "participation":
        stmt = sa.select(recipients).where(plans.c.institution_id == inst, plans.c.activated_at >= _day(start),
                                           plans.c.activated_at < _day(end + timedelta(days=1)))
    else:  # reviewed_on_time, judged on the day it was computed
        stamp = row.computed_at or row.published_at or row.updated_at
        as_of = stamp.date() if stamp else end + timedelta(days=1)
        recorded = sa.select(reviews.c.care_plan_id.label("plan_id")).where(
            reviews.c.institution_id == inst, reviews.c.due_date >= start, reviews.c.due_date <= end)
        pending = sa.select(plans.c.id.label("plan_id")).where(
            plans.c.institution_id == inst, plans.c.status == "active", plans.c.next_review_date >= start,
            plans.c.next_review_date <= end, plans.c.next_review_date < as_of)
        due = sa.union(recorded, pending).subquery("due")
        stmt = sa.select(recipients).select_from(due.join(plans, plans.c.id == due.c.plan_id))
    return int(conn.execute(stmt).scalar_one() or 0)


def _backfill(conn: sa.Connection) -> None:
    unknown = (sa.select(values.c.id, values.c.institution_id, values.c.period_start, values.c.period_end,
                         values.c.computed_at, values.c.published_at, values.c.updated_at, indicators.c.source)
               .join(indicators, indicators.c.id == values.c.indicator_id)
               .where(values.c.persons.is_(None), values.c.records.is_not(None)))
    for row in conn.execute(unknown.where(indicators.c.source_kind == "care_plans")).all():
        source = row.source or {}
        persons = _care_plan_persons(conn, source.get("measure", ""), row)
        conn.execute(values.update().where(values.c.id == row.id).values(persons=persons))
    # Formulas over them, nested formulas after their inputs.
    for _ in range(5):
        changed = 0
        for row in conn.execute(unknown.where(indicators.c.source_kind == "formula")).all():
            source = row.source or {}
            codes = [c for c in (source.get("numerator"), source.get("denominator")) if c]
            found = conn.execute(
                sa.select(values.c.persons).join(indicators, indicators.c.id == values.c.indicator_id)
                .where(indicators.c.code.in_(codes), values.c.institution_id == row.institution_id,
                       values.c.period_start == row.period_start, values.c.persons.is_not(None),
                       sa.or_(indicators.c.institution_id.is_(None),
                              indicators.c.institution_id == row.institution_id))).scalars().all()
            if found:
                conn.execute(values.update().where(values.c.id == row.id).values(persons=min(found)))
                changed += 1
        if not changed:
            break
    persons_of_value = sa.select(values.c.persons).where(values.c.id == revisions.c.value_id).scalar_subquery()
    conn.execute(revisions.update().where(revisions.c.persons.is_(None)).values(persons=persons_of_value))


def upgrade() -> None:
    # RENAME COLUMN is the same statement on PostgreSQL and SQLite (3.25+, which also rewrites the
    # triggers of migration 0012), and keeps the table and its triggers in place.
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} RENAME COLUMN respondents TO persons")
    _backfill(op.get_bind())


def downgrade() -> None:
    # The persons counted for care-plan values stay in `respondents`, where the code of the earlier
    # revision reads them as a count to suppress under 5: never less private than before.
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} RENAME COLUMN persons TO respondents")
