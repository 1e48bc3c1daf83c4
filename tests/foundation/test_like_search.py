"""Substring filters take the text literally: `%`, `_` and `\\` match themselves, not anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.security.scopes import Role
from api.text_search import escape_like
from tests.factories import make_institution, make_municipality, make_user


def names(r, key="full_name"):
    assert r.status_code == 200, r.text
    return sorted(item[key] for item in r.json()["items"])


def test_users_q_matches_wildcards_literally(client, world, session):
    make_user(session, Role.staff, world.a.institution, full_name="Ona 100% Onaitė", username="ona.percent")
    make_user(session, Role.staff, world.a.institution, full_name="Jonas Under_Score", username="jonas")
    make_user(session, Role.staff, world.a.institution, full_name="Back\\Slash Petraitis", username="petras")
    make_user(session, Role.staff, world.a.institution, full_name="Ąžuolas Šimkus", username="azuolas")
    session.commit()
    director = world.headers(Role.director)
    url = "/api/v1/users"
    assert names(client.get(url, params={"q": "%"}, headers=director)) == ["Ona 100% Onaitė"]
    assert names(client.get(url, params={"q": "0%"}, headers=director)) == ["Ona 100% Onaitė"]
    assert names(client.get(url, params={"q": "r_s"}, headers=director)) == ["Jonas Under_Score"]
    # Usernames such as `social_worker-…` hold an underscore: `_` finds only them, not everyone.
    r = client.get(url, params={"q": "_", "limit": 100}, headers=director)
    found = [(u["username"], u["full_name"]) for u in r.json()["items"]]
    assert len(found) >= 2 and all("_" in u + n for u, n in found)
    assert ("ona.percent", "Ona 100% Onaitė") not in found
    assert names(client.get(url, params={"q": "\\"}, headers=director)) == ["Back\\Slash Petraitis"]
    assert names(client.get(url, params={"q": "k\\s"}, headers=director)) == ["Back\\Slash Petraitis"]
    assert names(client.get(url, params={"q": "%%"}, headers=director)) == []
    assert names(client.get(url, params={"q": "onait"}, headers=director)) == ["Ona 100% Onaitė"]
    assert names(
        client.get(
            url, params={"q": "ŠIMKUS" if session.bind.dialect.name == "postgresql" else "Šimkus"}, headers=director
        )
    ) == ["Ąžuolas Šimkus"]


def test_institution_and_municipality_names_match_wildcards_literally(client, world, session):
    make_institution(session, world.municipality, name="Globos namai 50%")
    make_institution(session, world.municipality, name="Dienos_centras")
    make_municipality(session, name="Savivaldybė_X", code="99")
    session.commit()
    admin = world.headers(Role.platform_admin)
    assert names(client.get("/api/v1/institutions", params={"name": "%"}, headers=admin), "name") == [
        "Globos namai 50%"
    ]
    assert names(client.get("/api/v1/institutions", params={"name": "_"}, headers=admin), "name") == ["Dienos_centras"]
    assert names(client.get("/api/v1/institutions", params={"name": "institution"}, headers=admin), "name") == [
        "Institution A",
        "Institution B",
        "Institution C",
    ]
    assert names(client.get("/api/v1/municipalities", params={"name": "_"}, headers=admin), "name") == ["Savivaldybė_X"]
    assert names(client.get("/api/v1/municipalities", params={"name": "%"}, headers=admin), "name") == []


@pytest.mark.parametrize(
    ("text", "escaped"),
    [("50%", "50\\%"), ("a_b", "a\\_b"), ("c:\\x", "c:\\\\x"), ("\\%", "\\\\\\%"), ("plain", "plain")],
)
def test_escape_like(text, escaped):
    assert escape_like(text) == escaped


def test_every_like_goes_through_the_helper():
    """A new substring filter cannot forget the escaping: LIKE is written in api/text_search.py only."""
    import re

    api = Path(__file__).resolve().parents[2] / "api"
    like = re.compile(r"\.(i?like|icontains|istartswith|iendswith|not_i?like|regexp_match)\(")
    offenders = sorted(
        str(p.relative_to(api)) for p in api.rglob("*.py") if p.name != "text_search.py" and like.search(p.read_text())
    )
    assert offenders == []
