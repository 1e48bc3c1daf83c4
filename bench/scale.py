"""Domain data at the scale of the benchmark issue, written straight into the database in chunks.

- `generate_indicator_values`: 40 monthly platform indicators, a published value for every
  institution, indicator and month over 5 years (50 x 40 x 60 = 120,000 values; a municipality of
  5 institutions sees 12,000).
- `generate_care_plans`: 200,000 care plans over 50,000 recipients in one institution (four
  quarterly ISGPs each, the last active), with key workers and team members as in real caseloads
  of about 200 plans per social worker.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import sqlalchemy as sa

from api.models import (
    CarePlan,
    Indicator,
    IndicatorValue,
    Recipient,
    RecipientTeamMember,
    User,
)
from api.security.passwords import hash_password
from api.types import utcnow, uuid7
from bench.generate import Platform, _rows

CHUNK = 5000
MONTHS = 60
FIRST_MONTH = date(2021, 1, 1)


def _insert(conn: sa.Connection, model, rows: list[dict]) -> None:
    for i in range(0, len(rows), CHUNK):
        conn.execute(sa.insert(model.__table__), _rows(model, rows[i : i + CHUNK]))


def _month(i: int) -> tuple[date, date, str]:
    year, month = FIRST_MONTH.year + i // 12, i % 12 + 1
    start = date(year, month, 1)
    end = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return start, end, f"{year}-{month:02d}"


def generate_indicator_values(
    engine: sa.Engine, p: Platform, *, indicators: int = 40, months: int = MONTHS, seed: int = 11
) -> None:
    rnd = random.Random(seed)
    now = utcnow()
    inds = [
        {
            "id": uuid7(),
            "institution_id": None,
            "code": f"BENCH_{k:02d}",
            "name_lt": f"Rodiklis {k}",
            "name_en": f"Indicator {k}",
            "unit": "percent",
            "direction": "higher_is_better",
            "periodicity": "month",
            "source_kind": "manual",
            "source": {"kind": "manual"},
            "active": True,
        }
        for k in range(indicators)
    ]
    values = []
    for inst in p.institutions:
        for m in range(months):
            start, end, label = _month(m)
            for ind in inds:
                values.append(
                    {
                        "id": uuid7(),
                        "institution_id": inst["id"],
                        "indicator_id": ind["id"],
                        "periodicity": "month",
                        "period_start": start,
                        "period_end": end,
                        "period_label": label,
                        "value": round(rnd.uniform(40, 100), 1),
                        "status": "published",
                        "origin": "manual",
                        "revision": 1,
                        "published_at": now,
                    }
                )
    with engine.begin() as conn:
        _insert(conn, Indicator, inds)
        _insert(conn, IndicatorValue, values)


def generate_care_plans(engine: sa.Engine, p: Platform, *, plans: int = 200_000, seed: int = 13) -> dict:
    """All plans in the first institution (the worst case for one tenant). Returns the ids of one
    social worker with a typical caseload and their department."""
    rnd = random.Random(seed)
    inst = p.institutions[0]["id"]
    depts = p.departments[inst]
    pw = hash_password("bench-password-123")
    workers = [uuid7() for _ in range(max(1, plans // 200))]
    users = [
        {
            "id": w,
            "username": f"bench-sw-{k}",
            "password_hash": pw,
            "full_name": f"Social worker {k}",
            "role": "social_worker",
            "institution_id": inst,
            "department_id": rnd.choice(depts),
            "is_active": True,
        }
        for k, w in enumerate(workers)
    ]
    recipients, team, rows = [], [], []
    for _ in range(plans // 4):
        rid = uuid7()
        recipients.append(
            {
                "id": rid,
                "institution_id": inst,
                "first_name": "Vardenis",
                "last_name": "Pavardenis",
                "department_id": rnd.choice(depts),
                "key_worker_id": rnd.choice(workers),
                "admission_date": date(2020, 1, 1) + timedelta(days=rnd.randrange(2000)),
                "status": "active",
            }
        )
        team.append({"recipient_id": rid, "user_id": rnd.choice(workers), "institution_id": inst})
        for quarter in range(4):
            start = date(2025, 1 + quarter * 3, 1)
            rows.append(
                {
                    "id": uuid7(),
                    "institution_id": inst,
                    "recipient_id": rid,
                    "kind": "isgp",
                    "status": "active" if quarter == 3 else "replaced",
                    "period_start": start,
                    "period_end": start + timedelta(days=89),
                    "next_review_date": start + timedelta(days=rnd.randrange(120)) if quarter == 3 else None,
                }
            )
    with engine.begin() as conn:
        _insert(conn, User, users)
        _insert(conn, Recipient, recipients)
        for i in range(0, len(team), CHUNK):
            conn.execute(sa.insert(RecipientTeamMember.__table__), team[i : i + CHUNK])
        _insert(conn, CarePlan, rows)
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("ANALYZE"))
    return {"social_worker": (workers[0], users[0]["department_id"])}
