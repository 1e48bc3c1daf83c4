"""How fast are the audited care-plan lists with many plans? Prints timings and the query plan.

    CIKLAS_BENCH_DATABASE_URL=postgresql+psycopg://... python -m bench.care_plan_lists [plans]

Loads (once per run, into an EMPTY database) one institution with `plans` care plans over plans/4
recipients, about 50 per social worker as key worker and 50 more as team member, then times a social
worker's, a department head's and the director's first page and the reviews-due list through the
API (each also writes its audit events).
"""

from __future__ import annotations

import os
import random
import sys
import time
import uuid
from datetime import date, timedelta

import sqlalchemy as sa
from fastapi.testclient import TestClient

from api.config import Settings
from api.db import open_session
from api.main import create_app
from api.migrations import upgrade
from api.models import CarePlan, Recipient, RecipientTeamMember
from api.security.scopes import Role
from api.security.tokens import generate_private_key_pem
from api.types import utcnow, uuid7
from tests.factories import auth, make_department, make_institution, make_municipality, make_user, token_for


def load(app, plans: int) -> dict[str, str]:
    rnd = random.Random(7)
    with open_session(app.state.engine, write=True) as s:
        muni = make_municipality(s)
        inst = make_institution(s, muni)
        depts = [make_department(s, inst) for _ in range(5)]
        # A realistic caseload: about 50 recipients (200 plans) as key worker per social worker.
        workers = [
            make_user(s, Role.social_worker, inst, department=rnd.choice(depts)) for _ in range(max(1, plans // 200))
        ]
        head = make_user(s, Role.department_head, inst, department=depts[0])
        director = make_user(s, Role.director, inst)
        s.commit()
        recipients, team, rows = [], [], []
        for _ in range(plans // 4):
            rid = uuid7()
            recipients.append(
                {
                    "id": rid,
                    "institution_id": inst.id,
                    "first_name": "A",
                    "last_name": "B",
                    "department_id": rnd.choice(depts).id,
                    "key_worker_id": rnd.choice(workers).id,
                    "admission_date": date(2020, 1, 1) + timedelta(days=rnd.randrange(2000)),
                    "status": "active",
                    "version": 1,
                }
            )
            team.append({"recipient_id": rid, "user_id": rnd.choice(workers).id, "institution_id": inst.id})
            for month in range(4):
                start = date(2025, 1 + month * 3, 1)
                rows.append(
                    {
                        "id": uuid7(),
                        "institution_id": inst.id,
                        "recipient_id": rid,
                        "kind": "isgp",
                        "status": "active" if month == 3 else "replaced",
                        "period_start": start,
                        "period_end": start + timedelta(days=89),
                        "version": 1,
                        "next_review_date": start + timedelta(days=rnd.randrange(120)) if month == 3 else None,
                    }
                )
        now = utcnow()
        for model, data in ((Recipient, recipients), (RecipientTeamMember, team), (CarePlan, rows)):
            for i in range(0, len(data), 5000):
                chunk = data[i : i + 5000]
                if model is not RecipientTeamMember:
                    chunk = [{**d, "created_at": now, "updated_at": now} for d in chunk]
                s.execute(sa.insert(model), chunk)
        s.commit()
        s.execute(sa.text("ANALYZE"))
        s.commit()
        return {
            "social_worker": token_for(app, workers[0]),
            "department_head": token_for(app, head),
            "director": token_for(app, director),
        }


def main() -> int:
    url = os.environ.get("CIKLAS_BENCH_DATABASE_URL")
    if not url:
        print("set CIKLAS_BENCH_DATABASE_URL to an empty PostgreSQL database", file=sys.stderr)
        return 2
    plans = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    upgrade(url)
    app = create_app(
        Settings(environment="test", database_url=url, jwt_private_key=generate_private_key_pem(), log_level="WARNING")
    )
    t0 = time.perf_counter()
    tokens = load(app, plans)
    print(f"loaded {plans} plans in {time.perf_counter() - t0:.1f}s")
    with TestClient(app) as client:
        for who, token in tokens.items():
            for path, params in (
                ("/api/v1/care-plans", {}),
                ("/api/v1/recipients", {}),
                ("/api/v1/care-plans/reviews-due", {"as_of": "2025-11-01"}),
            ):
                client.get(path, params=params, headers=auth(token))  # warm up
                t = time.perf_counter()
                n = 10
                for _ in range(n):
                    r = client.get(path, params=params, headers=auth(token, **{"X-Request-ID": uuid.uuid4().hex}))
                    assert r.status_code == 200, r.text
                ms = (time.perf_counter() - t) / n * 1000
                print(f"{who:16} GET {path:34} {len(r.json()['items']):3} items  {ms:7.1f} ms/request")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
