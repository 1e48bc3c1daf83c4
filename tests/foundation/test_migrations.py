"""The schema is built by migrations only: upgrade, downgrade to base, upgrade again, and no drift."""

import sqlalchemy as sa

from api.migrations import check, downgrade, upgrade


def test_round_trip_and_no_drift(database_url, db_engine):
    check(database_url)
    downgrade(database_url, "base")
    tables = set(sa.inspect(sa.create_engine(database_url, poolclass=sa.pool.NullPool)).get_table_names())
    assert tables <= {"alembic_version"}
    upgrade(database_url)
    check(database_url)
    tables = set(sa.inspect(sa.create_engine(database_url, poolclass=sa.pool.NullPool)).get_table_names())
    assert {"users", "institutions", "audit_events", "refresh_tokens"} <= tables
