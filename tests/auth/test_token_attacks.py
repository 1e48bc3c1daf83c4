"""Every forged, stale or misused token is answered 401, with a problem body."""

from __future__ import annotations

import time

import pytest

from api.security.scopes import Role
from tests.auth import jwt_craft as jc
from tests.factories import PASSWORD, auth

ME = "/api/v1/auth/me"


def assert_401(client, token_or_header: str, *, raw_header: bool = False):
    headers = {"Authorization": token_or_header} if raw_header else auth(token_or_header)
    r = client.get(ME, headers=headers)
    assert r.status_code == 401, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["type"] == "urn:ciklas:problem:unauthorized"
    assert "www-authenticate" in r.headers


@pytest.fixture
def director(world):
    return world.user(Role.director)


@pytest.fixture
def header(keys):
    return {"alg": "RS256", "typ": "JWT", "kid": keys.kid}


def test_a_well_made_token_is_accepted(client, director, header, signing_key_pem):
    """The control: the crafting helpers make tokens the API accepts when nothing is wrong."""
    token = jc.sign(header, jc.claims_for(director.id, institution=director.institution_id), signing_key_pem)
    r = client.get(ME, headers=auth(token))
    assert r.status_code == 200, r.text
    assert r.json()["subject_id"] == str(director.id)


def test_alg_none(client, director, keys):
    claims = jc.claims_for(director.id, institution=director.institution_id)
    assert_401(client, jc.unsigned({"alg": "none", "typ": "JWT", "kid": keys.kid}, claims))
    assert_401(client, jc.unsigned({"alg": "None", "kid": keys.kid}, claims))


def test_hs256_signed_with_the_public_key(client, director, keys, signing_key_pem):
    claims = jc.claims_for(director.id, institution=director.institution_id)
    token = jc.hs256_with(jc.public_pem(signing_key_pem), {"alg": "HS256", "typ": "JWT", "kid": keys.kid}, claims)
    assert_401(client, token)


@pytest.mark.parametrize("alg", ["RS512", "PS256"])
def test_another_algorithm_with_our_key(client, director, keys, signing_key_pem, alg):
    claims = jc.claims_for(director.id, institution=director.institution_id)
    assert_401(client, jc.sign({"alg": alg, "typ": "JWT", "kid": keys.kid}, claims, signing_key_pem, alg=alg))


def test_es256_token(client, director, keys):
    claims = jc.claims_for(director.id, institution=director.institution_id)
    assert_401(client, jc.es256_token({"alg": "ES256", "typ": "JWT", "kid": keys.kid}, claims))


def test_expired(client, director, header, signing_key_pem):
    now = int(time.time())
    claims = jc.claims_for(director.id, institution=director.institution_id, iat=now - 3600, exp=now - 1800)
    assert_401(client, jc.sign(header, claims, signing_key_pem))


@pytest.mark.parametrize("claim", ["exp", "iat", "aud", "iss", "sub", "jti"])
def test_missing_required_claim(client, director, header, signing_key_pem, claim):
    claims = jc.claims_for(director.id, institution=director.institution_id)
    del claims[claim]
    assert_401(client, jc.sign(header, claims, signing_key_pem))


def test_wrong_audience(client, director, header, signing_key_pem):
    claims = jc.claims_for(director.id, institution=director.institution_id, aud="another-api")
    assert_401(client, jc.sign(header, claims, signing_key_pem))


def test_wrong_issuer(client, director, header, signing_key_pem):
    claims = jc.claims_for(director.id, institution=director.institution_id, iss="https://evil.example")
    assert_401(client, jc.sign(header, claims, signing_key_pem))


def test_tampered_payload(client, director, header, signing_key_pem):
    token = jc.sign(header, jc.claims_for(director.id, institution=director.institution_id), signing_key_pem)
    head, _payload, signature = token.split(".")
    forged = jc.segment(jc.claims_for(director.id, role="platform_admin"))
    assert_401(client, f"{head}.{forged}.{signature}")


def test_unknown_kid(client, director, signing_key_pem):
    claims = jc.claims_for(director.id, institution=director.institution_id)
    assert_401(client, jc.sign({"alg": "RS256", "kid": "someone-elses"}, claims, signing_key_pem))
    assert_401(client, jc.sign({"alg": "RS256"}, claims, signing_key_pem))
    # signed by another key that claims our kid
    assert_401(client, jc.sign({"alg": "RS256", "kid": "x"}, claims, jc.other_rsa_pem()))


def test_signed_by_another_key_with_our_kid(client, director, keys):
    claims = jc.claims_for(director.id, institution=director.institution_id)
    assert_401(client, jc.sign({"alg": "RS256", "kid": keys.kid}, claims, jc.other_rsa_pem()))


def test_unknown_role_or_kind(client, director, header, signing_key_pem):
    assert_401(client, jc.sign(header, jc.claims_for(director.id, role="superuser"), signing_key_pem))
    assert_401(client, jc.sign(header, jc.claims_for(director.id, kind="robot"), signing_key_pem))
    assert_401(client, jc.sign(header, jc.claims_for(director.id, sub="not-a-uuid"), signing_key_pem))


def test_revoked_jti(client, world):
    token = world.token(Role.director)
    assert client.get(ME, headers=auth(token)).status_code == 200
    r = client.post("/api/v1/auth/revoke", data={"token": token}, headers=auth(token))
    assert r.status_code == 200 and r.json() == {"revoked": True}
    assert_401(client, token)


@pytest.mark.parametrize(
    "value",
    [
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer a.b",
        "Bearer a.b.c",
        "Bearer ....",
        "Bearer eyJhbGciOiJSUzI1NiJ9",
        "Token abc",
    ],
)
def test_malformed_authorization_header(client, world, value):
    assert_401(client, value, raw_header=True)


def test_reused_refresh_token_revokes_the_family(client, world):
    user = world.user(Role.staff)
    first = client.post(
        "/api/v1/auth/token", data={"grant_type": "password", "username": user.username, "password": PASSWORD}
    )
    assert first.status_code == 200, first.text
    old_refresh = first.json()["refresh_token"]
    second = client.post("/api/v1/auth/token", data={"grant_type": "refresh_token", "refresh_token": old_refresh})
    assert second.status_code == 200, second.text
    new_refresh = second.json()["refresh_token"]
    assert new_refresh != old_refresh
    reuse = client.post("/api/v1/auth/token", data={"grant_type": "refresh_token", "refresh_token": old_refresh})
    assert reuse.status_code == 400 and reuse.json()["error"] == "invalid_grant"
    assert reuse.json()["type"] == "urn:ciklas:problem:invalid-grant"
    # the whole family is dead: the token handed out by the legitimate rotation no longer works
    after = client.post("/api/v1/auth/token", data={"grant_type": "refresh_token", "refresh_token": new_refresh})
    assert after.status_code == 400 and after.json()["error"] == "invalid_grant"


_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _non_canonical(segment: str) -> str:
    """The same bytes spelled another way: the signature's last character carries unused low bits."""
    last = _ALPHABET.index(segment[-1])
    return segment[:-1] + _ALPHABET[last | 1 if last % 2 == 0 else last & ~1]


def _respell(head: str = "{h}", payload: str = "{p}", signature: str = "{s}", *, tail: str = ""):
    def respell(token: str) -> str:
        h, p, s = token.split(".")
        return ".".join([head.format(h=h), payload.format(p=p), signature.format(s=s)]) + tail

    return respell


_MISSPELLINGS = {
    "padded": _respell(tail="=="),
    "one pad": _respell(tail="="),
    "padded header": _respell(head="{h}=="),
    "padded payload": _respell(payload="{p}="),
    "trailing dot": _respell(tail="."),
    "empty signature": _respell(signature=""),
    "extra character": _respell(tail="!"),
    "inner character": _respell(payload="{p}~"),
    "standard alphabet": lambda t: t.replace("-", "+").replace("_", "/") + "+/",
    "non-canonical signature": lambda t: t.rsplit(".", 1)[0] + "." + _non_canonical(t.rsplit(".", 1)[1]),
    "too long": _respell(tail="A" * 4096),
}


@pytest.mark.parametrize("misspelling", list(_MISSPELLINGS))
def test_a_genuine_token_misspelled_is_refused(client, world, misspelling):
    """The JWT library pads and skips characters outside the alphabet; a token is accepted only in
    its one canonical spelling: three segments of unpadded base64url."""
    token = world.token(Role.director)
    assert client.get(ME, headers=auth(token)).status_code == 200
    forged = _MISSPELLINGS[misspelling](token)
    assert forged != token
    assert_401(client, forged)
    r = client.get(ME, headers=auth(forged))
    assert r.json()["detail"] == "malformed token"
