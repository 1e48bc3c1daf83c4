"""Extreme dates, date-times and integers in every such parameter and body field of every operation
(tests/foundation/extremes.py finds them in the contract): refused with a 4xx or served, never a 5xx.

Each field gets every value of `extremes.EXTREMES` as a Hypothesis explicit example and a few drawn
ones (derandomised, so every run sends the same requests), in an otherwise valid request
(tests/foundation/valid_requests.py), so the value reaches the service that uses it.
"""

from __future__ import annotations

from typing import Any

import hypothesis
from hypothesis import HealthCheck, Phase

from tests.foundation import extremes
from tests.foundation.valid_requests import Requests

#: Drawn values per field on top of the fixed extremes.
DRAWN = 3


def _run(requests: Requests, target: extremes.Target, failures: list[str]) -> None:
    base = requests.bodies.get(target.operation_id)

    @hypothesis.settings(
        max_examples=DRAWN,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
    )
    @hypothesis.given(value=extremes.STRATEGIES[target.kind])
    def send(value: Any) -> None:
        name = target.where[0]
        r = requests.send(
            target.operation_id,
            target.method,
            target.path,
            target.scopes,
            path_values={name: value} if target.location == "path" else None,
            query={name: value} if target.location == "query" else None,
            body=extremes.with_value(base, target.where, value) if target.location == "body" else base,
        )
        if r.status_code >= 500:
            failures.append(f"{target.label} = {value!r}: {r.status_code} {r.text[:200]}")
        elif target.refuses(value) and (
            r.status_code != 422 or target.field not in {e["field"] for e in r.json().get("errors") or ()}
        ):
            failures.append(f"{target.label} = {value!r}: {r.status_code}, not a 422 naming {target.field}")

    for value in dict.fromkeys([*extremes.EXTREMES[target.kind], *target.edges]):
        send = hypothesis.example(value=value)(send)
    send()


#: Fields that answered 500 before dates were bounded: the walk over the contract must find them.
KNOWN = {
    "GET /api/v1/audit-events query.since",
    "GET /api/v1/audit-events query.until",
    "GET /api/v1/indicator-values query.updated_since",
    "POST /api/v1/surveys/campaigns body.closes_at",
    "GET /api/v1/care-plans/reviews-due query.as_of",
    "GET /api/v1/plans/reviews-due query.as_of",
    "POST /api/v1/surveys/campaigns/{campaign_id}/responses/batch body.responses.0.answered_at",
    "POST /api/v1/care-plans/{care_plan_id}/activate body.participation.participated_on",
}


def test_extreme_dates_and_integers_never_answer_5xx(client, world, session):
    targets = extremes.targets(client.app.openapi())
    assert not KNOWN - {t.label for t in targets}
    requests, failures = Requests(client, world, session), []
    for target in targets:
        _run(requests, target, failures)
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures[:60])
