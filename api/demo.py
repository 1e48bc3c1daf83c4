"""Demo data for a newcomer's `make run`: loaded only into an empty database, never in production
(its passwords and client secrets are public, and one of its users is a platform administrator)."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import select

from api.db import open_session
from api.demo_domains import load_domain_demo
from api.models import ApiClient, Department, Institution, InstitutionKind, Municipality, User
from api.security.passwords import hash_password
from api.security.scopes import Role
from api.types import today

DEMO_PASSWORD = "demo-ciklas-2026"
DEMO_CLIENTS = {
    # client_id: (secret, role, name)
    "demo-municipality": ("demo-municipality-secret", Role.municipality_analyst, "Utena municipality reporting"),
    "demo-kiosk": ("demo-kiosk-secret", Role.feedback_device, "Day-centre kiosk"),
}
INSTITUTIONS = [
    (
        "Utenos šeimos ir vaiko gerovės centras",
        InstitutionKind.family_child_welfare_centre,
        "300000001",
        ["Vaikų dienos centras", "Pagalbos šeimai skyrius"],
    ),
    ("Utenos krizių centras", InstitutionKind.crisis_centre, "300000002", ["Apgyvendinimo skyrius"]),
    ("Utenos kartų namai", InstitutionKind.care_home, "300000003", ["Senjorų skyrius", "Slaugos skyrius"]),
]
PEOPLE = [  # username, full name, role, institution index or None, department index or None
    ("admin", "Platformos Administratorius", Role.platform_admin, None, None),
    ("director", "Dalia Direktorė", Role.director, 0, None),
    ("quality", "Kęstutis Kokybininkas", Role.quality_lead, 0, None),
    ("head", "Skaistė Skyriaus-Vadovė", Role.department_head, 0, 0),
    ("worker", "Saulius Socialinis", Role.social_worker, 0, 0),
    ("staff", "Darius Darbuotojas", Role.staff, 0, 1),
    ("recipient", "Gabija Gavėja", Role.recipient, 0, 0),
    ("guardian", "Gintaras Globėjas", Role.guardian, 0, 0),
    ("analyst", "Aušra Analitikė", Role.municipality_analyst, None, None),
    ("director2", "Rimas Krizių-Direktorius", Role.director, 1, None),
    ("director3", "Jonas Namų-Direktorius", Role.director, 2, None),
]


class DemoRefused(RuntimeError):
    """Demo data was asked for in production."""


def load_demo(engine: Engine, *, environment: str = "development") -> bool:
    """Returns False (and writes nothing) when the database already holds data; raises
    DemoRefused in production."""
    if environment == "production":
        raise DemoRefused(
            "demo data is refused in production (CIKLAS_ENVIRONMENT=production): its passwords and "
            "client secrets are public and it includes a platform administrator"
        )
    with open_session(engine, write=True) as session:
        if session.exec(select(User.id).limit(1)).first() or session.exec(select(Municipality.id).limit(1)).first():
            return False
        municipality = Municipality(name="Utenos rajono savivaldybė", code="43")
        session.add(municipality)
        session.flush()  # the tables have no ORM relationships: flush parents before children
        institutions, departments = [], []
        for name, kind, code, dept_names in INSTITUTIONS:
            inst = Institution(name=name, kind=kind, code=code, municipality_id=municipality.id, address="Utena")
            session.add(inst)
            session.flush()
            institutions.append(inst)
            departments.append([Department(institution_id=inst.id, name=d) for d in dept_names])
            session.add_all(departments[-1])
        session.flush()
        password_hash = hash_password(DEMO_PASSWORD)
        for username, full_name, role, inst_i, dept_i in PEOPLE:
            inst = institutions[inst_i] if inst_i is not None else None
            session.add(
                User(
                    username=username,
                    password_hash=password_hash,
                    full_name=full_name,
                    role=role.value,
                    institution_id=inst.id if inst else None,
                    department_id=departments[inst_i][dept_i].id if inst_i is not None and dept_i is not None else None,
                    municipality_id=municipality.id if role is Role.municipality_analyst else None,
                )
            )
        session.flush()
        by_name = {u.username: u for u in session.exec(select(User))}
        load_domain_demo(
            session, institutions[0], by_name["director"], by_name["quality"], by_name["head"], today().year
        )
        for client_id, (secret, role, name) in DEMO_CLIENTS.items():
            session.add(
                ApiClient(
                    client_id=client_id,
                    secret_hash=hash_password(secret),
                    name=name,
                    role=role.value,
                    municipality_id=municipality.id if role is Role.municipality_analyst else None,
                    institution_id=institutions[0].id if role is Role.feedback_device else None,
                )
            )
        session.commit()
    return True
