"""Need to know: accounts of recipients and guardians are seen as their recipients are, department
heads see their own department's staff, reads of people's accounts are audited, and only the
director or the quality lead links an account to one recipient."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from api.models import AuditEvent, Recipient, RecipientGuardian
from api.security.scopes import Role
from tests.care.factories import make_plan, make_recipient
from tests.factories import auth, make_department, make_user, token_for

USERS = "/api/v1/users"
RECIPIENTS = "/api/v1/recipients"


def _arrange(world, session):
    """Recipient `near` in the head's department (linked to the world's recipient and guardian
    accounts) and `far` in another department, with accounts of their own."""
    other_dept = make_department(session, world.a.institution)
    far_staff = make_user(session, Role.social_worker, world.a.institution, department=other_dept)
    far_account = make_user(session, Role.recipient, world.a.institution)
    far_guardian = make_user(session, Role.guardian, world.a.institution)
    session.commit()
    near = make_recipient(session, world)
    far = make_recipient(
        session,
        world,
        department_id=other_dept.id,
        key_worker_id=far_staff.id,
        linked_user=False,
        guardians=(far_guardian,),
    )
    far.user_id = far_account.id
    session.add(far)
    session.commit()
    return near, far, far_staff, far_account, far_guardian


def usernames(client, world, caller, tenant="a", **params):
    r = client.get(USERS, params={"limit": 100, **params}, headers=world.headers(caller, tenant))
    assert r.status_code == 200, r.text
    return {u["username"] for u in r.json()["items"]}


def account_events(session, actor_id):
    return session.exec(
        select(AuditEvent).where(AuditEvent.actor_id == actor_id, AuditEvent.resource_type == "user")
    ).all()


class TestAccountVisibility:
    def test_department_head_sees_own_staff_and_the_accounts_of_recipients_they_may_see(self, client, world, session):
        near, far, far_staff, far_account, far_guardian = _arrange(world, session)
        a = world.a.users
        assert usernames(client, world, Role.department_head) == {
            a[Role.department_head].username,
            a[Role.social_worker].username,
            a[Role.staff].username,
            a[Role.recipient].username,
            a[Role.guardian].username,
        }
        assert usernames(client, world, Role.department_head, role="recipient") == {a[Role.recipient].username}
        h = world.headers(Role.department_head)
        # The same person is 404 as a recipient and as an account.
        assert client.get(f"{RECIPIENTS}/{far.id}", headers=h).status_code == 404
        for hidden in (far_account, far_guardian, far_staff, a[Role.director]):
            r = client.get(f"{USERS}/{hidden.id}", headers=h)
            assert r.status_code == 404 and r.json()["type"] == "urn:ciklas:problem:not-found"
        r = client.get(f"{USERS}/{a[Role.recipient].id}", headers=h)
        assert r.status_code == 200 and r.json()["full_name"] == a[Role.recipient].full_name
        events = account_events(session, a[Role.department_head].id)
        reads = [(e.action, e.resource_id, e.recipient_id) for e in events if e.action == "read"]
        assert reads == [("read", a[Role.recipient].id, near.id)]
        listed = {(e.resource_id, e.recipient_id) for e in events if e.action == "list"}
        assert listed == {(a[Role.recipient].id, near.id), (a[Role.guardian].id, near.id)}

    def test_director_sees_every_account_and_each_read_reaches_the_access_log(self, client, world, session):
        near, far, _staff, far_account, far_guardian = _arrange(world, session)
        director = world.user(Role.director)
        assert usernames(client, world, Role.director, role="recipient") == {
            world.user(Role.recipient).username,
            far_account.username,
        }
        assert client.get(f"{USERS}/{far_guardian.id}", headers=world.headers(Role.director)).status_code == 200
        events = account_events(session, director.id)
        assert {(e.action, e.resource_id, e.recipient_id) for e in events} == {
            ("list", world.user(Role.recipient).id, near.id),
            ("list", far_account.id, far.id),
            ("read", far_guardian.id, far.id),
        }
        assert all(e.institution_id == world.a.institution.id for e in events)
        # The person sees in their access log that the director read their account.
        r = client.get(f"{RECIPIENTS}/{far.id}/access-log", headers=auth(token_for(world.app, far_account)))
        assert r.status_code == 200, r.text
        assert {(e["resource_type"], e["actor_id"]) for e in r.json()["items"]} >= {("user", str(director.id))}

    def test_staff_accounts_are_not_audited_as_people(self, client, world, session):
        assert usernames(client, world, Role.director, role="social_worker") == {
            world.user(Role.social_worker).username
        }
        assert account_events(session, world.user(Role.director).id) == []

    def test_platform_admin_sees_no_accounts_of_people(self, client, world, session):
        h = world.headers(Role.platform_admin)
        names = usernames(client, world, Role.platform_admin)
        assert world.user(Role.director).username in names
        assert not names & {world.user(r, t).username for r in (Role.recipient, Role.guardian) for t in "abc"}
        assert client.get(f"{USERS}/{world.user(Role.recipient).id}", headers=h).status_code == 404
        assert client.get(f"{USERS}/{world.user(Role.director).id}", headers=h).status_code == 200

    def test_other_institution_sees_no_account(self, client, world, session):
        _arrange(world, session)
        assert (
            client.get(
                f"{USERS}/{world.user(Role.recipient).id}", headers=world.headers(Role.director, "b")
            ).status_code
            == 404
        )
        assert not usernames(client, world, Role.director, "b") & usernames(client, world, Role.director)


class TestLinking:
    def _body(self, **kw):
        return {"first_name": "Jonas", "last_name": "Jonaitis", "admission_date": "2026-01-05", **kw}

    def test_only_director_or_quality_lead_links_accounts(self, client, world, session):
        account, guardian = world.user(Role.recipient), world.user(Role.guardian)
        for role in (Role.social_worker, Role.department_head):
            for links in ({"user_id": str(account.id)}, {"guardian_ids": [str(guardian.id)]}):
                r = client.post(RECIPIENTS, json=self._body(**links), headers=world.headers(role))
                assert r.status_code == 403, (role, links, r.text)
        assert session.exec(select(Recipient)).all() == []
        r = client.post(
            RECIPIENTS,
            json=self._body(user_id=str(account.id), guardian_ids=[str(guardian.id)]),
            headers=world.headers(Role.quality_lead),
        )
        assert r.status_code == 201, r.text
        assert r.json()["user_id"] == str(account.id)

    def test_worker_cannot_hand_one_recipients_login_to_another(self, client, world, session):
        a = make_recipient(session, world)
        c = make_recipient(
            session, world, linked_user=False, guardians=(make_user(session, Role.guardian, world.a.institution),)
        )
        make_plan(session, c)
        account = world.user(Role.recipient)
        assert a.user_id == account.id
        worker = world.headers(Role.social_worker, **{"If-Match": '"1"'})
        r = client.patch(f"{RECIPIENTS}/{c.id}", json={"user_id": str(account.id)}, headers=worker)
        assert r.status_code == 403
        r = client.patch(
            f"{RECIPIENTS}/{c.id}", json={"guardian_ids": [str(world.user(Role.guardian).id)]}, headers=worker
        )
        assert r.status_code == 403
        session.expire_all()
        assert session.get(Recipient, c.id).user_id is None
        assert {
            g.user_id for g in session.exec(select(RecipientGuardian).where(RecipientGuardian.recipient_id == c.id))
        } != {world.user(Role.guardian).id}
        # A's account still cannot read C's plan.
        r = client.get("/api/v1/care-plans", headers=world.headers(Role.recipient))
        assert {p["recipient_id"] for p in r.json()["items"]} <= {str(a.id)}
        # Even the director cannot make one account the login of two recipients.
        r = client.patch(
            f"{RECIPIENTS}/{c.id}",
            json={"user_id": str(account.id)},
            headers=world.headers(Role.director, **{"If-Match": '"1"'}),
        )
        assert r.status_code == 409 and r.json()["type"] == "urn:ciklas:problem:account-linked"
        r = client.post(RECIPIENTS, json=self._body(user_id=str(account.id)), headers=world.headers(Role.director))
        assert r.status_code == 409 and r.json()["type"] == "urn:ciklas:problem:account-linked"
        # Unlinked from A first, it may become C's.
        h = world.headers(Role.director, **{"If-Match": '"1"'})
        assert client.patch(f"{RECIPIENTS}/{a.id}", json={"user_id": None}, headers=h).status_code == 200
        r = client.patch(f"{RECIPIENTS}/{c.id}", json={"user_id": str(account.id)}, headers=h)
        assert r.status_code == 200 and r.json()["user_id"] == str(account.id)

    def test_worker_may_still_update_other_fields_and_resend_the_same_links(self, client, world, session):
        rec = make_recipient(session, world)
        same = {"user_id": str(rec.user_id), "guardian_ids": [str(world.user(Role.guardian).id)]}
        r = client.patch(
            f"{RECIPIENTS}/{rec.id}",
            json={"first_name": "Ona Marija", **same},
            headers=world.headers(Role.social_worker, **{"If-Match": '"1"'}),
        )
        assert r.status_code == 200, r.text
        assert r.json()["first_name"] == "Ona Marija"

    def test_the_database_refuses_a_second_record_for_one_account(self, world, session):
        make_recipient(session, world)
        session.add(
            Recipient(
                institution_id=world.a.institution.id,
                admission_date=date(2026, 1, 1),
                user_id=world.user(Role.recipient).id,
            )
        )
        with pytest.raises(IntegrityError):
            session.commit()
        session.rollback()
