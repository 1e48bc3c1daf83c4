"""Survey benchmarks: S1 mobile submission, S2 batch sync, S5 recomputing survey indicators.

Data: one published 10-question likert_5 questionnaire (dimension SATISFACTION) and an open
campaign per institution, written straight into the database; for S5 also 1,000,000 answers
(50 institutions x 2,000 responses x 10 answers over 5 years).
"""

from __future__ import annotations

import json
import random
import time
import uuid
from datetime import UTC, date, datetime, timedelta

import httpx
import sqlalchemy as sa

from api.models import (
    Campaign,
    Indicator,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    SurveyAnswer,
    SurveyResponse,
)
from api.types import utcnow, uuid7
from bench import harness
from bench.generate import Platform, _rows

QUESTIONS = [f"SAT_{k:02d}" for k in range(1, 11)]
CHUNK = 5000


def generate_campaigns(engine: sa.Engine, p: Platform) -> dict[uuid.UUID, dict]:
    """A published questionnaire and an open campaign for every institution: {institution: ids}."""
    now = utcnow()
    out: dict[uuid.UUID, dict] = {}
    qs, versions, questions, campaigns = [], [], [], []
    for inst in p.institutions:
        iid = inst["id"]
        qid, vid, cid = uuid7(), uuid7(), uuid7()
        qs.append(
            {
                "id": qid,
                "institution_id": iid,
                "code": "SATISFACTION",
                "kind": "satisfaction",
                "audience": "recipients",
                "title_lt": "Paslaugų gavėjų pasitenkinimas",
                "title_en": "Recipient satisfaction",
            }
        )
        versions.append(
            {
                "id": vid,
                "questionnaire_id": qid,
                "institution_id": iid,
                "number": 1,
                "status": "published",
                "published_at": now,
                "dimensions": [{"code": "SATISFACTION", "name_lt": "Pasitenkinimas", "name_en": "Satisfaction"}],
            }
        )
        for pos, code in enumerate(QUESTIONS):
            questions.append(
                {
                    "id": uuid7(),
                    "version_id": vid,
                    "position": pos,
                    "concept_code": code,
                    "type": "likert_5",
                    "text_lt": f"Klausimas {pos}",
                    "text_en": f"Question {pos}",
                    "required": True,
                    "options": [],
                    "min_value": 1,
                    "max_value": 5,
                    "dimension_code": "SATISFACTION",
                }
            )
        campaigns.append(
            {
                "id": cid,
                "institution_id": iid,
                "questionnaire_id": qid,
                "version_id": vid,
                "name": "Metinė apklausa",
                "opens_at": datetime(2020, 1, 1, tzinfo=UTC),
                "closes_at": datetime(2030, 12, 31, tzinfo=UTC),
                "anonymous": True,
                "audience": "recipients",
                "population": 5000,
            }
        )
        out[iid] = {"campaign_id": cid, "version_id": vid}
    with engine.begin() as conn:
        conn.execute(sa.insert(Questionnaire.__table__), _rows(Questionnaire, qs))
        conn.execute(sa.insert(QuestionnaireVersion.__table__), _rows(QuestionnaireVersion, versions))
        conn.execute(sa.insert(Question.__table__), questions)
        conn.execute(sa.insert(Campaign.__table__), _rows(Campaign, campaigns))
    return out


def generate_answers(
    engine: sa.Engine,
    p: Platform,
    campaigns: dict[uuid.UUID, dict],
    *,
    responses_per_institution: int = 2000,
    seed: int = 17,
) -> int:
    """Responses spread over 2021-2025, ten likert answers each; returns the number of answers."""
    rnd = random.Random(seed)
    total = 0
    with engine.begin() as conn:
        for inst in p.institutions:
            iid, ids = inst["id"], campaigns[inst["id"]]
            responses, answers = [], []
            for _ in range(responses_per_institution):
                rid = uuid7()
                day = date(2021, 1, 1) + timedelta(days=rnd.randrange(5 * 365))
                at = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
                responses.append(
                    {
                        "id": rid,
                        "institution_id": iid,
                        "campaign_id": ids["campaign_id"],
                        "version_id": ids["version_id"],
                        "client_response_id": uuid.uuid4(),
                        "answers_digest": "0" * 64,
                        "channel": "kiosk",
                        "answered_at": at,
                        "submitted_at": at,
                        "submitted_on": day,
                        "late": False,
                    }
                )
                for code in QUESTIONS:
                    v = rnd.choice((1, 2, 3, 3, 4, 4, 4, 5, 5, 5))
                    answers.append(
                        {
                            "response_id": rid,
                            "campaign_id": ids["campaign_id"],
                            "institution_id": iid,
                            "concept_code": code,
                            "dimension_code": "SATISFACTION",
                            "question_type": "likert_5",
                            "value_num": float(v),
                            "value_text": None,
                            "top_box": v >= 4,
                            "submitted_on": day,
                        }
                    )
            for i in range(0, len(responses), CHUNK):
                conn.execute(sa.insert(SurveyResponse.__table__), responses[i : i + CHUNK])
            for i in range(0, len(answers), CHUNK):
                conn.execute(sa.insert(SurveyAnswer.__table__), answers[i : i + CHUNK])
            total += len(answers)
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("ANALYZE"))
    return total


def _answers(rnd: random.Random) -> list[dict]:
    return [{"concept_code": code, "value": rnd.randint(1, 5)} for code in QUESTIONS]


def _count_rows(url: str, campaign_id: uuid.UUID, client_ids: list[str]) -> tuple[int, int]:
    """(rows stored for these client ids, duplicates among them)."""
    engine = sa.create_engine(url)
    wanted = {uuid.UUID(c) for c in client_ids}
    with engine.connect() as conn:
        rows = [
            r[0]
            for r in conn.execute(
                sa.select(SurveyResponse.client_response_id).where(SurveyResponse.campaign_id == campaign_id)
            )
        ]
    engine.dispose()
    mine = [r if isinstance(r, uuid.UUID) else uuid.UUID(str(r)) for r in rows]
    mine = [r for r in mine if r in wanted]
    return len(mine), len(mine) - len(set(mine))


def scenario_s1_mobile_submission(url: str, env: dict[str, str], p: Platform, tokens: dict, quick: bool) -> list[dict]:
    """S1: kiosks submit responses (device tokens), 32 connections; 10% of requests are retries of
    an earlier response and 5% reuse an id with other answers (409). Afterwards the rows stored
    equal the responses acknowledged, with no duplicates. The limit app inserts the same rows."""
    rnd = random.Random(5)
    inst = p.institutions[0]["id"]
    campaign_id = p.campaigns[inst]["campaign_id"]
    n = 2000 if quick else 10000
    headers = {"Authorization": f"Bearer {tokens['device']}"}
    path = f"/api/v1/surveys/campaigns/{campaign_id}/responses"
    sent: list[dict] = []
    requests = []
    for _ in range(n):
        roll = rnd.random()
        if sent and roll < 0.10:
            body = rnd.choice(sent)  # a retry: same id, same answers
        elif sent and roll < 0.15:
            body = {**rnd.choice(sent), "answers": _answers(rnd)}  # same id, other answers: 409
        else:
            body = {"client_response_id": str(uuid.uuid4()), "answers": _answers(rnd)}
            sent.append(body)
        requests.append({"method": "POST", "path": path, "headers": headers, "json": body})
    # The limit app writes into another institution's campaign, so both start from an empty one.
    limit_campaign = p.campaigns[p.institutions[2]["id"]]["campaign_id"]
    limit_requests = [
        {"method": "POST", "path": f"/responses?campaign_id={limit_campaign}", "json": r["json"]} for r in requests
    ]
    with harness.serve("bench.limit_app:app", env) as (limit_url, _):
        limit = harness.load(limit_url, limit_requests, connections=32, max_seconds=120)
    with harness.serve("api.asgi:app", env) as (api_url, proc):
        result = harness.load(api_url, requests, connections=32, max_seconds=180, statuses=True)
        rss = harness.rss_mb(proc.pid)
    acked = {requests[i]["json"]["client_response_id"] for i, s in enumerate(result["statuses"]) if s in (200, 201)}
    stored, duplicates = _count_rows(url, campaign_id, [b["client_response_id"] for b in sent])
    row = harness.report("S1 mobile submission, device tokens (32 connections)", result, limit)
    extra = {
        "scenario": "S1 exactly-once check",
        "acknowledged_ids": len(acked),
        "stored_rows": stored,
        "duplicates": duplicates,
        "server_rss_mb": rss,
    }
    print(json.dumps(extra), flush=True)
    return [row, extra]


def scenario_s2_batch_sync(url: str, env: dict[str, str], p: Platform, tokens: dict, quick: bool) -> list[dict]:
    """S2: offline apps sync 500 responses a request (4 tablets at once); responses per second."""
    rnd = random.Random(6)
    inst = p.institutions[1]["id"]
    campaign_id = p.campaigns[inst]["campaign_id"]
    batches = 20 if quick else 60
    headers = {"Authorization": f"Bearer {tokens['device2']}"}
    requests = [
        {
            "method": "POST",
            "path": f"/api/v1/surveys/campaigns/{campaign_id}/responses/batch",
            "headers": headers,
            "json": {
                "responses": [{"client_response_id": str(uuid.uuid4()), "answers": _answers(rnd)} for _ in range(500)]
            },
        }
        for _ in range(batches)
    ]
    with harness.serve("api.asgi:app", env) as (api_url, _proc):
        result = harness.load(api_url, requests, connections=4, max_seconds=300)
    row = {
        "scenario": "S2 batch sync, 500 responses a request (4 connections)",
        "requests": result["requests"],
        "responses_per_second": round(result["throughput_rps"] * 500, 1),
        "p50_ms": result["p50_ms"],
        "p95_ms": result["p95_ms"],
        "p99_ms": result["p99_ms"],
        "statuses": result["status_counts"],
    }
    print(json.dumps(row), flush=True)
    return [row]


def scenario_s5_recompute(url: str, env: dict[str, str], p: Platform, tokens: dict, quick: bool) -> list[dict]:
    """S5: the platform job recomputing a survey indicator (the SATISFACTION dimension's mean) for
    every institution and year over 1,000,000 answers, through POST
    /indicators/platform/{id}/values/recompute (one request per year), against the same grouped
    aggregate run as raw SQL by the driver."""
    engine = sa.create_engine(url)
    indicator_id = uuid7()
    with engine.begin() as conn:
        conn.execute(
            sa.insert(Indicator.__table__),
            _rows(
                Indicator,
                [
                    {
                        "id": indicator_id,
                        "institution_id": None,
                        "code": "BENCH_SATISFACTION",
                        "name_lt": "Pasitenkinimas",
                        "name_en": "Satisfaction",
                        "unit": "score",
                        "direction": "higher_is_better",
                        "periodicity": "year",
                        "source_kind": "survey",
                        "source": {"kind": "survey", "dimension_code": "SATISFACTION", "aggregation": "mean"},
                        "active": True,
                    }
                ],
            ),
        )
    years = range(2021, 2026)
    raw = sa.text(
        "SELECT institution_id, avg(value_num), count(DISTINCT response_id) FROM survey_answers "
        "WHERE dimension_code = 'SATISFACTION' AND submitted_on >= :a AND submitted_on <= :b "
        "AND value_num IS NOT NULL GROUP BY institution_id"
    )
    repeat = 1 if quick else 3
    raw_runs = []
    with engine.connect() as conn:
        answers = conn.execute(sa.text("SELECT count(*) FROM survey_answers")).scalar_one()
        for _ in range(repeat + 1):  # the first run warms the cache
            started = time.perf_counter()
            groups = sum(len(conn.execute(raw, {"a": date(y, 1, 1), "b": date(y, 12, 31)}).all()) for y in years)
            raw_runs.append((time.perf_counter() - started) * 1000)
    engine.dispose()
    api_runs, statuses = [], {}
    h = {"Authorization": f"Bearer {tokens['admin']}"}
    with harness.serve("api.asgi:app", env) as (api_url, _proc), httpx.Client(base_url=api_url, timeout=120) as client:
        for _ in range(repeat + 1):
            started = time.perf_counter()
            for y in years:
                r = client.post(
                    f"/api/v1/indicators/platform/{indicator_id}/values/recompute", headers=h, json={"period": str(y)}
                )
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
            api_runs.append((time.perf_counter() - started) * 1000)
    raw_ms, api_ms = min(raw_runs[1:]), min(api_runs[1:])
    row = {
        "scenario": f"S5 recompute a survey indicator for {len(p.institutions)} institutions x 5 years "
        f"over {answers} answers",
        "api_ms": round(api_ms, 1),
        "raw_sql_ms": round(raw_ms, 1),
        "ratio_to_raw_sql": round(api_ms / raw_ms, 2),
        "groups": groups,
        "statuses": statuses,
    }
    print(json.dumps(row), flush=True)
    return [row]
