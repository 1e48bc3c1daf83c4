"""Walking every GET route of the app as every kind of caller, and every text of the database: where
a string still shows after it should be gone.

The routes come from the app's own OpenAPI document, so a new route is walked without being listed
here; a path parameter the walk cannot fill fails it (add where its values come from to SOURCES).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI
from sqlmodel import SQLModel

from api.security.scopes import ROLE_SCOPES, Role
from tests.routes import PUBLIC_OPERATIONS, operations

#: path parameter -> (table, column) whose values fill it.
SOURCES = {
    "municipality_id": ("municipalities", "id"),
    "institution_id": ("institutions", "id"),
    "department_id": ("departments", "id"),
    "user_id": ("users", "id"),
    "client_id": ("api_clients", "id"),
    "indicator_id": ("indicators", "id"),
    "indicator_code": ("indicators", "code"),
    "target_id": ("indicator_targets", "id"),
    "value_id": ("indicator_values", "id"),
    "recipient_id": ("recipients", "id"),
    "care_plan_id": ("care_plans", "id"),
    "report_id": ("published_reports", "id"),
    "questionnaire_id": ("survey_questionnaires", "id"),
    "version_id": ("survey_versions", "id"),
    "campaign_id": ("survey_campaigns", "id"),
    "approval_rule_id": ("plan_approval_rules", "id"),
    "competence_need_id": ("competence_needs", "id"),
    "plan_id": ("plans", "id"),
    "plan_item_id": ("plan_items", "id"),
    "tracking_code": ("proposals", "tracking_code"),
    "proposal_id": ("proposals", "id"),
    "measure_id": ("improvement_measures", "id"),
    "template_id": ("assessment_templates", "id"),
    "assessment_id": ("assessments", "id"),
    "swot_item_id": ("swot_items", "id"),
    "webhook_id": ("webhook_subscriptions", "id"),
}
#: Every caller of institution A, the platform administrator and the municipality.
CALLERS = [
    Role.director,
    Role.quality_lead,
    Role.department_head,
    Role.social_worker,
    Role.staff,
    Role.recipient,
    Role.guardian,
    Role.feedback_device,
    Role.platform_admin,
    Role.municipality_analyst,
]
MAX_COMBINATIONS = 40


def _values(engine: sa.Engine, param: str, years: list[int]) -> list[str]:
    if param == "year":
        return [str(y) for y in years]
    assert param in SOURCES, f"the walk cannot fill {{{param}}}: add it to tests/care/walk.py SOURCES"
    table, column = SOURCES[param]
    with engine.connect() as conn:
        return [str(v) for v in conn.execute(sa.select(SQLModel.metadata.tables[table].c[column])).scalars()]


def _query_variants(app: FastAPI, path: str, years: list[int], institution_id: Any) -> list[dict[str, Any]]:
    """Defaults with the largest page, required parameters filled, and each value of an enum parameter
    (e.g. `format=html`)."""
    op = app.openapi()["paths"][path]["get"]
    base: dict[str, Any] = {}
    variants: list[dict[str, Any]] = []
    for p in op.get("parameters", []):
        if p["in"] != "query":
            continue
        schema = p.get("schema", {})
        name = p["name"]
        if name == "limit":
            base["limit"] = 100
        elif p.get("required"):
            base[name] = institution_id if name == "institution_id" else years[0] if name == "year" else None
        options = schema.get("enum") or next((s.get("enum") for s in schema.get("anyOf", []) if s.get("enum")), None)
        if options:
            variants += [{name: o} for o in options]
    return [base] + [{**base, **v} for v in variants]


def walk(client, world, *, years: list[int]) -> Iterator[tuple[str, str, Any]]:
    """Yields (caller, url, response) for every GET route each caller holds the scopes of, with every
    combination of stored ids for its path parameters and its query variants."""
    engine = client.app.state.engine
    for op in operations(client.app):
        if op.method != "GET" or op.operation_id in PUBLIC_OPERATIONS:
            continue
        candidates = [_values(engine, p, years) for p in op.path_params]
        combos = list(itertools.islice(itertools.product(*candidates), MAX_COMBINATIONS))
        for role in CALLERS:
            if op.scopes and not set(op.scopes) <= {s.value for s in ROLE_SCOPES[role]}:
                continue
            for combo in combos:
                path = op.path
                for name, value in zip(op.path_params, combo, strict=True):
                    path = path.replace("{" + name + "}", value)
                for params in _query_variants(client.app, op.path, years, str(world.a.institution.id)):
                    response = client.get(path, params=params, headers=world.headers(role))
                    yield role.value, f"{path}?{params}", response


def texts_in_database(engine: sa.Engine) -> Iterator[tuple[str, str, str]]:
    """(table, column, text) of every non-empty value of every table, as text."""
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            for row in conn.execute(sa.select(table)).mappings():
                for column, value in row.items():
                    if value is None or isinstance(value, bool | int | float | date):
                        continue
                    yield table.name, column, str(value)
