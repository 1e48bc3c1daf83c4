"""Indicator tests start without the seeded platform catalogue (each test makes what it needs;
the seed itself is tested on a freshly migrated database)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa


@pytest.fixture(autouse=True)
def _empty_catalogue(request: pytest.FixtureRequest) -> None:
    if "db_engine" not in request.fixturenames:
        return
    engine = request.getfixturevalue("db_engine")
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM indicators"))
