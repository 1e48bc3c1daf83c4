"""Every path that takes an id, called by another institution: 404, and nothing changes."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import SQLModel

from api.security.scopes import ROLE_SCOPES, Role
from tests.routes import PUBLIC_OPERATIONS, foreign_id_makers, operations, valid_bodies

# Roles of institution B tried in this order: the first that holds the route's scopes calls it.
B_ROLES = [
    Role.director,
    Role.quality_lead,
    Role.department_head,
    Role.social_worker,
    Role.staff,
    Role.recipient,
    Role.guardian,
    Role.feedback_device,
]


def snapshot(engine: sa.Engine) -> dict[str, list[tuple]]:
    out = {}
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            rows = conn.execute(sa.select(table)).all()
            out[table.name] = sorted(tuple(str(v) for v in row) for row in rows)
    return out


def test_foreign_ids_are_404_and_change_nothing(client, world, session):
    makers, bodies = foreign_id_makers(), valid_bodies()
    engine = client.app.state.engine
    checked = 0
    for op in operations(client.app):
        if not op.path_params or op.operation_id in PUBLIC_OPERATIONS:
            continue
        missing = [p for p in op.path_params if p not in makers]
        assert not missing, f"{op.operation_id}: add a maker for {missing} in tests/<domain>/foreign_ids.py"
        if op.has_body:
            assert op.operation_id in bodies, f"add BODIES[{op.operation_id!r}] in tests/<domain>/foreign_ids.py"
        needed = set(op.scopes or ())
        role = next((r for r in B_ROLES if needed <= {s.value for s in ROLE_SCOPES[r]}), None)
        callers = [(role, "b")] if role else []
        if needed <= {s.value for s in ROLE_SCOPES[Role.municipality_analyst]}:
            callers.append((Role.municipality_analyst, "c"))
        path = op.path
        for name in op.path_params:
            path = path.replace("{" + name + "}", str(makers[name](world, session)))
        for caller, tenant in callers:
            before = snapshot(engine)
            kwargs = {"headers": world.headers(caller, tenant, **{"If-Match": "*"})}
            if op.has_body:
                body = bodies[op.operation_id]
                if op.body_media_type == "application/x-www-form-urlencoded":
                    kwargs["data"] = body
                else:
                    kwargs["json"] = body
            r = client.request(op.method, path, **kwargs)
            assert r.status_code == 404, f"{caller.value}@{tenant} {op.method} {path}: {r.status_code} {r.text}"
            assert r.json()["type"] == "urn:ciklas:problem:not-found"
            assert snapshot(engine) == before, f"{op.operation_id} changed data for a foreign caller"
            checked += 1
    assert checked >= 10
