"""Schemathesis over the whole schema, authenticated, with all its checks: no server error and
every response as the contract says.

Each operation's strategy is run with Hypothesis here (schemathesis's lazy pytest loader does not
work with our per-database fixtures), and every failure is collected before the test fails.
"""

from __future__ import annotations

import os

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck

from api.security.scopes import ROLE_SCOPES, Role
from tests.factories import token_for
from tests.foundation.extremes import IN_RANGE

CALLERS = (Role.director, Role.platform_admin, Role.municipality_analyst)
MAX_EXAMPLES = 12
#: While working on one domain, `CIKLAS_SCHEMATHESIS_ONLY=/api/v1/surveys` limits the run to the
#: operations whose path starts with it (the suite as a whole always runs every operation).
ONLY = os.environ.get("CIKLAS_SCHEMATHESIS_ONLY", "")
# Dates and instants within the range the contract states in `formatMinimum`/`formatMaximum` (JSON
# Schema cannot bound strings; values beyond it are test_extreme_values.py's business).
for _format, _strategy in IN_RANGE.items():
    schemathesis.openapi.format(_format, _strategy)


class SchemaValidRequestRefused(AssertionError):
    pass


def schema_valid_requests_pass_validation(ctx, response, case):
    """Positive cases may meet semantic refusals (422 `unprocessable`), never a schema-level
    `validation-error`: that would mean the contract promises what the app rejects."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 422:
        return None
    problem = response.json()
    if problem.get("type") != "urn:ciklas:problem:unprocessable":
        raise SchemaValidRequestRefused(f"schema-valid request refused by schema validation: {problem}")
    return None


def _caller_for(operation) -> Role | None:
    security = operation.definition.raw.get("security")
    if not security:
        return None
    needed = set(next(iter(security[0].values()), []))
    for role in CALLERS:
        if needed <= {s.value for s in ROLE_SCOPES[role]}:
            return role
    return Role.platform_admin


@pytest.mark.slow
def test_api_conforms_to_contract(app, world):
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    who = {
        Role.director: world.user(Role.director),
        Role.platform_admin: world.admin,
        Role.municipality_analyst: world.analyst_client,
    }
    tokens = {role: token_for(app, who[role]) for role in CALLERS}
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if ONLY and not operation.path.startswith(ONLY):
            continue
        operations += 1
        caller = _caller_for(operation)
        headers = {"Authorization": f"Bearer {tokens[caller]}"} if caller else {}

        @hypothesis.settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
            phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        )
        @hypothesis.given(case=operation.as_strategy())
        def run(case):
            case.call_and_validate(
                headers=headers,  # noqa: B023  (called within this iteration)
                additional_checks=[schema_valid_requests_pass_validation],
            )

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # collect every operation's failure, then fail once
            failures.append(f"{operation.label}: {exc}"[:3000])
    assert operations > (0 if ONLY else 10)
    assert not failures, "\n\n".join(failures)
