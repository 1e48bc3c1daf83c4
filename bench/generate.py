"""A realistic platform at scale, written straight into SQLite or PostgreSQL with executemany.

Organisation now (10 municipalities, 50 institutions of every kind, departments, staff of every
role, one feedback device per institution); each domain adds its own generator as it lands.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa

from api.models import ApiClient, Department, Institution, InstitutionKind, Municipality, User
from api.security.passwords import hash_password
from api.types import utcnow, uuid7

DEVICE_SECRET = "bench-device-secret"


@dataclass
class Platform:
    municipalities: list[uuid.UUID] = field(default_factory=list)
    institutions: list[dict] = field(default_factory=list)  # id, municipality_id, kind
    users: dict[tuple[uuid.UUID, str], list[uuid.UUID]] = field(default_factory=dict)  # (inst, role) -> ids
    devices: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)  # institution -> client row id
    departments: dict[uuid.UUID, list[uuid.UUID]] = field(default_factory=dict)
    caseload: dict[str, tuple[uuid.UUID, uuid.UUID]] = field(default_factory=dict)  # bench.scale
    campaigns: dict[uuid.UUID, dict] = field(default_factory=dict)  # bench.surveys: institution -> ids


ROLES_PER_INSTITUTION = {"director": 1, "quality_lead": 1, "department_head": 3, "social_worker": 12, "staff": 20}


def _rows(model, dicts: list[dict]) -> list[dict]:
    now = utcnow()
    out = []
    for d in dicts:
        row = {"created_at": now, "updated_at": now, "version": 1, **d}
        out.append({c.name: row.get(c.name) for c in model.__table__.columns if c.name in row})
    return out


def generate_organisation(
    engine: sa.Engine, *, municipalities: int = 10, institutions: int = 50, seed: int = 7
) -> Platform:
    rnd = random.Random(seed)
    p = Platform()
    kinds = list(InstitutionKind)
    pw = hash_password("bench-password-123")
    device_hash = hash_password(DEVICE_SECRET)
    munis, insts, depts, users, clients = [], [], [], [], []
    for m in range(municipalities):
        mid = uuid7()
        p.municipalities.append(mid)
        munis.append({"id": mid, "name": f"Savivaldybė {m:02d}", "code": f"B{m:02d}"})
    for i in range(institutions):
        iid, mid = uuid7(), p.municipalities[i % municipalities]
        kind = kinds[i % len(kinds)]
        p.institutions.append({"id": iid, "municipality_id": mid, "kind": kind.value})
        insts.append({"id": iid, "name": f"Įstaiga {i:03d}", "kind": kind.value, "municipality_id": mid})
        p.departments[iid] = []
        for d in range(3):
            did = uuid7()
            p.departments[iid].append(did)
            depts.append({"id": did, "institution_id": iid, "name": f"Skyrius {d}"})
        for role, n in ROLES_PER_INSTITUTION.items():
            ids = []
            for k in range(n):
                uid = uuid7()
                ids.append(uid)
                users.append(
                    {
                        "id": uid,
                        "username": f"b{i:03d}-{role}-{k}",
                        "password_hash": pw,
                        "full_name": f"{role} {k}",
                        "role": role,
                        "institution_id": iid,
                        "department_id": rnd.choice(p.departments[iid]) if role != "director" else None,
                        "is_active": True,
                    }
                )
            p.users[(iid, role)] = ids
        cid = uuid7()
        p.devices[iid] = cid
        clients.append(
            {
                "id": cid,
                "client_id": f"bench-device-{i:03d}",
                "secret_hash": device_hash,
                "name": "Kiosk",
                "role": "feedback_device",
                "institution_id": iid,
                "is_active": True,
            }
        )
    with engine.begin() as conn:
        conn.execute(sa.insert(Municipality.__table__), _rows(Municipality, munis))
        conn.execute(sa.insert(Institution.__table__), _rows(Institution, insts))
        conn.execute(sa.insert(Department.__table__), _rows(Department, depts))
        conn.execute(sa.insert(User.__table__), _rows(User, users))
        conn.execute(sa.insert(ApiClient.__table__), _rows(ApiClient, clients))
    return p
