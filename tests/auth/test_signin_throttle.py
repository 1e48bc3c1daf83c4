"""The sign-in throttle slows the source that fails, and nobody else (issue 13: five wrong passwords
used to lock the account itself for 15 minutes, from everywhere).

Requests come from chosen client addresses (the test client's peer). Waiting is arranged by moving
the stored times back, never by sleeping."""

from __future__ import annotations

import base64
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import col, select

from api.auth import throttle
from api.models import LoginThrottle, RefreshToken, User
from api.security.scopes import Role
from api.types import utcnow
from tests.factories import PASSWORD

TOKEN = "/api/v1/auth/token"
SECRET = "client-secret-123"
ATTACKER, OFFICE = "198.51.100.66", "203.0.113.10"


def from_address(app, host: str) -> TestClient:
    return TestClient(app, client=(host, 50000), raise_server_exceptions=False)


def sign_in(http: TestClient, username: str, password: str = PASSWORD, **headers: str):
    return http.post(
        TOKEN, data={"grant_type": "password", "username": username, "password": password}, headers=headers
    )


def user_key(user: User, address: str) -> str:
    return throttle.account_key(f"user:{user.username.lower()}", address)


def wait_out(session, *keys: str) -> None:
    """As if the source had waited its turn."""
    session.exec(
        sa.update(LoginThrottle)
        .where(col(LoginThrottle.key).in_(keys))
        .values(blocked_until=utcnow() - timedelta(seconds=1))
    )
    session.commit()


@pytest.fixture
def tune(app):
    """Other throttle settings for one test (the app is shared: restored afterwards)."""
    original = app.state.settings

    def apply(**overrides):
        app.state.settings = original.model_copy(update=overrides)

    yield apply
    app.state.settings = original


def test_wrong_passwords_slow_their_source_not_the_account(app, client, world, session, tune):
    tune(login_base_delay_seconds=60)
    director = world.user(Role.director)
    attacker = from_address(app, ATTACKER)
    for _ in range(5):
        assert sign_in(attacker, director.username, "guess-guess-guess").status_code == 400
    blocked = sign_in(attacker, director.username)  # even the right password waits: not even checked
    assert blocked.status_code == 429
    assert blocked.headers["retry-after"] == "60"
    assert blocked.json()["type"] == "urn:ciklas:problem:too-many-requests"
    assert session.exec(select(RefreshToken).where(RefreshToken.user_id == director.id)).all() == []
    # the director, from the office, signs in as usual, and so does anyone from another address
    assert sign_in(from_address(app, OFFICE), director.username).status_code == 200
    assert sign_in(client, director.username).status_code == 200
    row = session.get(LoginThrottle, user_key(director, ATTACKER))
    assert row.failures == 5 and row.blocked_until > utcnow()
    assert session.get(LoginThrottle, user_key(director, OFFICE)) is None
    assert session.get(LoginThrottle, throttle.address_key(ATTACKER)).failures == 5


def test_wrong_secrets_do_not_lock_out_a_kiosk_fleet(app, world, session, tune):
    tune(login_base_delay_seconds=60)
    device = world.a.device
    attacker, kiosk = from_address(app, ATTACKER), from_address(app, "192.0.2.40")
    for _ in range(5):
        r = attacker.post(
            TOKEN,
            data={"grant_type": "client_credentials", "client_id": device.client_id, "client_secret": "wrong-secret"},
        )
        assert r.status_code == 401
    r = attacker.post(
        TOKEN, data={"grant_type": "client_credentials", "client_id": device.client_id, "client_secret": SECRET}
    )
    assert r.status_code == 429
    r = kiosk.post(
        TOKEN, data={"grant_type": "client_credentials", "client_id": device.client_id, "client_secret": SECRET}
    )
    assert r.status_code == 200, r.text
    basic = base64.b64encode(f"{device.client_id}:{SECRET}".encode()).decode()
    r = kiosk.post(TOKEN, data={"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {basic}"})
    assert r.status_code == 200, r.text
    key = throttle.account_key(f"client:{device.client_id}", ATTACKER)
    assert session.get(LoginThrottle, key).failures == 5


def test_each_failure_doubles_the_wait_up_to_the_maximum(app, world, session, tune):
    tune(login_max_delay_seconds=4)  # 1 s (the default first wait), 2, 4, then 4 again
    user = world.user(Role.staff)
    attacker = from_address(app, ATTACKER)
    key = user_key(user, ATTACKER)
    for _ in range(4):
        assert sign_in(attacker, user.username, "wrong-wrong").status_code == 400
        assert session.get(LoginThrottle, key).blocked_until is None
    for expected in (1, 2, 4, 4):
        before = utcnow()
        assert sign_in(attacker, user.username, "wrong-wrong").status_code == 400
        after = utcnow()
        row = session.get(LoginThrottle, key)
        assert before + timedelta(seconds=expected) <= row.blocked_until <= after + timedelta(seconds=expected)
        wait_out(session, key)


def test_a_correct_password_after_the_wait_clears_the_source(app, world, session, tune):
    tune(login_base_delay_seconds=60)
    user = world.user(Role.staff)
    attacker = from_address(app, ATTACKER)
    for _ in range(5):
        sign_in(attacker, user.username, "wrong-wrong")
    assert sign_in(attacker, user.username).status_code == 429
    wait_out(session, user_key(user, ATTACKER))
    assert sign_in(attacker, user.username).status_code == 200
    assert session.get(LoginThrottle, user_key(user, ATTACKER)) is None
    # the address keeps its count over all accounts: a valid account does not reset it
    assert session.get(LoginThrottle, throttle.address_key(ATTACKER)).failures == 5


def test_a_slowed_source_gets_one_attempt_per_turn_however_many_arrive(app, world, session, tune):
    tune(login_base_delay_seconds=60)
    user = world.user(Role.staff)
    attacker = from_address(app, ATTACKER)
    for _ in range(5):
        sign_in(attacker, user.username, "wrong-wrong")
    wait_out(session, user_key(user, ATTACKER))
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda i: sign_in(attacker, user.username, f"guess-{i}"), range(8)))
    assert sorted(r.status_code for r in answers) == [400] + [429] * 7
    assert session.get(LoginThrottle, user_key(user, ATTACKER)).failures == 6


def test_password_spraying_from_one_address_is_slowed(app, world, session, tune):
    tune(login_base_delay_seconds=60)  # the default 30 failures per address over all accounts
    sprayer = from_address(app, ATTACKER)
    for i in range(30):
        assert sign_in(sprayer, f"someone-{i}", "Vasara2026!").status_code == 400
    staff = world.user(Role.staff)
    r = sign_in(sprayer, staff.username)
    assert r.status_code == 429 and r.headers["retry-after"] == "60"
    assert session.get(LoginThrottle, throttle.address_key(ATTACKER)).failures == 30
    assert sign_in(from_address(app, OFFICE), staff.username).status_code == 200


def test_failures_are_forgotten_over_time(app, world, session, tune):
    tune(login_base_delay_seconds=60)  # one failure forgotten every 900 s (the default)
    user = world.user(Role.staff)
    attacker = from_address(app, ATTACKER)
    key = user_key(user, ATTACKER)
    for _ in range(5):
        sign_in(attacker, user.username, "wrong-wrong")
    row = session.get(LoginThrottle, key)
    session.exec(
        sa.update(LoginThrottle)
        .where(LoginThrottle.key == key)
        .values(decay_from=row.decay_from - timedelta(seconds=2 * 900), blocked_until=utcnow() - timedelta(seconds=1))
    )
    session.commit()
    assert sign_in(attacker, user.username, "wrong-wrong").status_code == 400
    row = session.get(LoginThrottle, key)
    assert row.failures == 4 and row.blocked_until is None  # 5 - 2 forgotten + 1
    assert sign_in(attacker, user.username).status_code == 200


def test_rows_of_forgotten_failures_are_removed(app, client, world, session):
    stale = LoginThrottle(
        key="account:" + "0" * 64,
        failures=5,
        decay_from=utcnow() - timedelta(days=30),
        blocked_until=utcnow() - timedelta(days=30),
    )
    recent = LoginThrottle(key=throttle.address_key("192.0.2.99"), failures=3, decay_from=utcnow())
    session.add_all([stale, recent])
    session.commit()
    session.expunge_all()  # read them back from the database below
    assert sign_in(client, "nobody", "wrong-wrong").status_code == 400
    assert session.get(LoginThrottle, "account:" + "0" * 64) is None
    assert session.get(LoginThrottle, throttle.address_key("192.0.2.99")).failures == 3


def test_ipv6_clients_count_by_their_64(app, world, session, tune):
    tune(login_base_delay_seconds=60)
    user = world.user(Role.staff)
    for host in ("2001:db8:1:2::a", "2001:db8:1:2::b", "2001:db8:1:2::a", "2001:db8:1:2:ffff::1", "2001:db8:1:2::b"):
        assert sign_in(from_address(app, host), user.username, "wrong-wrong").status_code == 400
    assert sign_in(from_address(app, "2001:db8:1:2::c"), user.username).status_code == 429
    assert sign_in(from_address(app, "2001:db8:1:3::1"), user.username).status_code == 200
    assert session.get(LoginThrottle, throttle.address_key("2001:db8:1:2::1")).key == "address:2001:db8:1:2::/64"


def test_behind_a_trusted_proxy_the_forwarded_client_counts(app, world, session, tune):
    tune(login_base_delay_seconds=60, trusted_proxies=["10.0.0.0/8"])
    user = world.user(Role.staff)
    proxy = from_address(app, "10.0.0.2")
    # the proxy appends the peer it saw; what the client wrote itself (left) is not read
    for spoof in ("1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4", "5.5.5.5"):
        r = sign_in(proxy, user.username, "wrong-wrong", **{"X-Forwarded-For": f"{spoof}, {ATTACKER}"})
        assert r.status_code == 400
    assert sign_in(proxy, user.username, **{"X-Forwarded-For": ATTACKER}).status_code == 429
    assert sign_in(proxy, user.username, **{"X-Forwarded-For": f"{OFFICE}, 10.9.9.9"}).status_code == 200
    # an untrusted peer's X-Forwarded-For is ignored: the attacker cannot pose as someone else
    direct = from_address(app, ATTACKER)
    assert sign_in(direct, user.username, **{"X-Forwarded-For": OFFICE}).status_code == 429
    assert session.get(LoginThrottle, user_key(user, ATTACKER)).failures == 5
    assert session.get(LoginThrottle, throttle.address_key("10.0.0.2")) is None
