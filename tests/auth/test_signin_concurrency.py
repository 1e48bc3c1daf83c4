"""Simultaneous sign-ins of one account: none fails because of another."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlmodel import select

from api.models import RefreshToken, User
from api.security.scopes import Role
from tests.factories import PASSWORD

TOKEN = "/api/v1/auth/token"


def test_sixteen_simultaneous_sign_ins_of_one_account_all_succeed(client, world, session):
    user = world.user(Role.director)
    before = session.get(User, user.id)
    version_before, updated_before = before.version, before.updated_at

    def sign_in(_: int):
        return client.post(TOKEN, data={"grant_type": "password", "username": user.username, "password": PASSWORD})

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(sign_in, range(16)))

    assert [r.status_code for r in answers] == [200] * 16, [r.text for r in answers if r.status_code != 200]
    stored = session.get(User, user.id)
    # the bookkeeping column is written, the optimistic-lock version is not: a sign-in is no edit
    assert stored.last_login_at is not None
    assert stored.version == version_before and stored.updated_at == updated_before
    assert len(session.exec(select(RefreshToken).where(RefreshToken.user_id == user.id)).all()) == 16
