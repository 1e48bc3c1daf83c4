"""Ids of resources that institution B's staff must not see (see tests/routes.py)."""

MAKERS = {
    "institution_id": lambda world, session: world.a.institution.id,
    "department_id": lambda world, session: world.a.department.id,
    "user_id": lambda world, session: world.user("staff", "a").id,
    "client_id": lambda world, session: world.a.device.id,
    # A municipality with none of the callers' institutions in it.
    "municipality_id": lambda world, session: world.third_municipality.id,
}

BODIES = {
    "update_municipality": {"name": "Renamed"},
    "update_institution": {"name": "Renamed"},
    "create_department": {"name": "New department"},
    "update_department": {"name": "Renamed"},
    "update_user": {"full_name": "Renamed"},
    "update_client": {"name": "Renamed"},
}
