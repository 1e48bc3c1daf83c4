"""Proposals: who submits what, exactly-once submission from devices, the decisions per role, and
what the submitter sees become of it."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import func, select

from api.models import AuditEvent, PlanItem, PlanKind, PlanStatus, Proposal, ProposalStatus
from api.security.scopes import Role
from tests.factories import make_department, make_user, token_for
from tests.plans.helpers import PLANS, if_match, make_plan
from tests.proposals.helpers import PROPOSALS, make_proposal

TEXT = {"text": "Norėtume daugiau užsiėmimų savaitgaliais.", "category": "activities"}


def count(session):
    return session.exec(select(func.count()).select_from(Proposal)).one()


class TestSubmit:
    @pytest.mark.parametrize(
        ("role", "source", "channel"),
        [
            (Role.staff, "staff", "web"),
            (Role.social_worker, "staff", "web"),
            (Role.director, "staff", "web"),
            (Role.recipient, "recipient", "web"),
            (Role.guardian, "guardian", "web"),
        ],
    )
    def test_people_submit_their_own(self, client, world, session, role, source, channel):
        r = client.post(PROPOSALS, json=TEXT, headers=world.headers(role))
        assert r.status_code == 201, r.text
        out = r.json()
        assert (out["source"], out["channel"], out["status"], out["anonymous"]) == (source, channel, "received", False)
        assert out["submitted_by_id"] == str(world.user(role).id) and out["device_id"] is None
        assert len(out["tracking_code"]) == 10 and r.headers["Location"] == f"{PROPOSALS}/{out['id']}"
        mine = client.get(PROPOSALS, params={"mine": True}, headers=world.headers(role)).json()["items"]
        assert [p["id"] for p in mine] == [out["id"]]

    def test_staff_record_the_councils_proposals(self, client, world):
        body = {
            **TEXT,
            "source": "institution_council",
            "channel": "council_meeting",
            "department_id": str(world.a.department.id),
            "plan_year": 2027,
        }
        r = client.post(PROPOSALS, json=body, headers=world.headers(Role.department_head))
        assert r.status_code == 201
        assert (r.json()["source"], r.json()["plan_year"]) == ("institution_council", 2027)

    def test_recipients_speak_for_themselves_only(self, client, world, session):
        for role, source in (
            (Role.recipient, "staff"),
            (Role.guardian, "institution_council"),
            (Role.feedback_device, "recipient"),
        ):
            r = client.post(
                PROPOSALS, json={**TEXT, "source": source}, headers=world.headers(role, **{"Idempotency-Key": "k-1"})
            )
            assert r.status_code == 403, (role, r.text)
        r = client.post(
            PROPOSALS, json={**TEXT, "department_id": str(world.b.department.id)}, headers=world.headers(Role.recipient)
        )
        assert r.status_code == 422
        assert count(session) == 0
        for role in (Role.municipality_analyst, Role.platform_admin):
            assert client.post(PROPOSALS, json=TEXT, headers=world.headers(role)).status_code == 403

    def test_anonymous_proposals_keep_no_trace_of_the_submitter(self, client, world, session):
        r = client.post(PROPOSALS, json={**TEXT, "anonymous": True}, headers=world.headers(Role.recipient))
        assert r.status_code == 201
        out = r.json()
        assert (out["anonymous"], out["submitted_by_id"]) == (True, None)
        stored = session.get(Proposal, uuid.UUID(out["id"]))
        assert stored.submitted_by_id is None
        event = session.exec(select(AuditEvent).where(AuditEvent.resource_id == stored.id)).one()
        assert (event.actor_id, event.actor_kind) == (None, "anonymous")
        # not in "mine", but the tracking code follows it
        assert client.get(PROPOSALS, headers=world.headers(Role.recipient)).json()["items"] == []
        r = client.get(f"{PROPOSALS}/tracking/{out['tracking_code'].lower()}", headers=world.headers(Role.recipient))
        assert r.status_code == 200 and r.json()["id"] == out["id"]
        r = client.get(f"{PROPOSALS}/tracking/{out['tracking_code']}", headers=world.headers(Role.recipient, "b"))
        assert r.status_code == 404


class TestExactlyOnce:
    def test_a_device_retry_returns_the_stored_proposal(self, client, world, session):
        h = world.headers(Role.feedback_device, **{"Idempotency-Key": "kiosk-7f3a-0001"})
        first = client.post(PROPOSALS, json=TEXT, headers=h)
        assert first.status_code == 201, first.text
        out = first.json()
        assert (out["source"], out["channel"], out["anonymous"], out["submitted_by_id"]) == (
            "suggestion_box",
            "kiosk",
            True,
            None,
        )
        assert out["device_id"] == str(world.a.device.id)
        again = client.post(PROPOSALS, json=TEXT, headers=h)
        assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
        assert again.json() == out
        assert count(session) == 1
        other = client.post(PROPOSALS, json={**TEXT, "text": "Kitas tekstas"}, headers=h)
        assert other.status_code == 409
        assert other.json()["type"] == "urn:ciklas:problem:idempotency-key-reused"
        # the key belongs to the device: another institution's device with the same key is another proposal
        b = client.post(
            PROPOSALS,
            json=TEXT,
            headers=world.headers(Role.feedback_device, "b", **{"Idempotency-Key": "kiosk-7f3a-0001"}),
        )
        assert b.status_code == 201 and b.json()["id"] != out["id"]
        assert count(session) == 2

    def test_a_device_must_send_a_key(self, client, world, session):
        r = client.post(PROPOSALS, json=TEXT, headers=world.headers(Role.feedback_device))
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "header.Idempotency-Key"
        r = client.post(PROPOSALS, json=TEXT, headers=world.headers(Role.feedback_device, **{"Idempotency-Key": " "}))
        assert r.status_code == 422
        assert count(session) == 0

    def test_people_may_send_a_key_too(self, client, world, session):
        h = world.headers(Role.guardian, **{"Idempotency-Key": "app-123"})
        first = client.post(PROPOSALS, json={**TEXT, "anonymous": True}, headers=h)
        again = client.post(PROPOSALS, json={**TEXT, "anonymous": True}, headers=h)
        assert (first.status_code, again.status_code) == (201, 200) and first.json()["id"] == again.json()["id"]
        # the same key from another person is their own
        r = client.post(PROPOSALS, json=TEXT, headers=world.headers(Role.recipient, **{"Idempotency-Key": "app-123"}))
        assert r.status_code == 201
        assert count(session) == 2

    def test_concurrent_retries_store_one_proposal(self, client, world, session):
        h = world.headers(Role.feedback_device, **{"Idempotency-Key": "offline-queue-42"})
        with ThreadPoolExecutor(max_workers=6) as pool:
            responses = list(pool.map(lambda _: client.post(PROPOSALS, json=TEXT, headers=h), range(6)))
        codes = sorted(r.status_code for r in responses)
        assert codes == [200, 200, 200, 200, 200, 201], [r.text for r in responses]
        assert len({r.json()["id"] for r in responses}) == 1
        assert count(session) == 1


class TestVisibility:
    def test_who_sees_which(self, client, world, session):
        own = make_proposal(session, world, by=Role.staff)
        to_dept = make_proposal(session, world, by=Role.recipient, department_id=world.a.department.id)
        anon = make_proposal(session, world, by=None, anonymous=True)
        make_proposal(session, world, "b")

        def seen(role):
            return {p["id"] for p in client.get(PROPOSALS, headers=world.headers(role)).json()["items"]}

        every = {str(own.id), str(to_dept.id), str(anon.id)}
        assert seen(Role.director) == every and seen(Role.quality_lead) == every
        assert seen(Role.department_head) == {str(to_dept.id)}
        assert seen(Role.staff) == {str(own.id)}
        assert seen(Role.recipient) == {str(to_dept.id)}
        assert seen(Role.guardian) == set()
        assert client.get(f"{PROPOSALS}/{own.id}", headers=world.headers(Role.social_worker)).status_code == 404
        assert client.get(f"{PROPOSALS}/{own.id}", headers=world.headers(Role.director, "b")).status_code == 404
        assert client.get(PROPOSALS, headers=world.headers(Role.feedback_device)).status_code == 403


S = ProposalStatus
ACTIONS = {  # action -> (the status it starts from, the status it leads to, body)
    "consider": (S.received, S.under_consideration, None),
    "accept": (S.under_consideration, S.accepted, "item"),
    "reject": (S.under_consideration, S.rejected, {"reason": "Šiais metais nėra lėšų."}),
}


@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_decision_from_every_status_by_every_role(client, world, session, action):
    source, target, body = ACTIONS[action]
    plan = make_plan(session, world)
    item_id = str(make_plan_item_id(session, plan))
    other_dept = make_department(session, world.a.institution)
    session.commit()
    # (role, the proposal's department, may decide)
    callers = [
        (Role.director, None, True),
        (Role.quality_lead, None, True),
        (Role.department_head, world.a.department.id, True),
        (Role.department_head, other_dept.id, False),
        (Role.social_worker, world.a.department.id, False),
        (Role.staff, None, False),
        (Role.recipient, None, False),
        (Role.feedback_device, None, False),
    ]
    for status in ProposalStatus:
        for role, department_id, may in callers:
            proposal = make_proposal(
                session,
                world,
                status=status,
                department_id=department_id,
                by=role if role not in (Role.feedback_device,) else None,
            )
            payload = {"plan_item_id": item_id} if body == "item" else body
            r = client.post(
                f"{PROPOSALS}/{proposal.id}/{action}", json=payload, headers=world.headers(role, **if_match(1))
            )
            where = f"{role.value} {action} a {status.value} proposal: {r.status_code} {r.text[:200]}"
            session.expire_all()
            stored = session.get(Proposal, proposal.id)
            if not may:
                assert r.status_code == 403, where
            elif status != source:
                assert r.status_code == 409, where
                assert r.json()["type"] == "urn:ciklas:problem:invalid-transition", where
            else:
                assert r.status_code == 200, where
                assert (r.json()["status"], stored.status) == (target.value, target.value), where
                continue
            assert (stored.status, stored.version) == (status.value, 1), where


def make_plan_item_id(session, plan):
    return session.exec(select(PlanItem.id).where(PlanItem.plan_id == plan.id)).first()


class TestDecisions:
    def test_decisions_need_if_match_and_a_reason(self, client, world, session):
        proposal = make_proposal(session, world, status=ProposalStatus.under_consideration)
        h = world.headers(Role.quality_lead)
        url = f"{PROPOSALS}/{proposal.id}"
        assert client.post(f"{url}/reject", json={"reason": "Ne"}, headers=h).status_code == 428
        assert client.post(f"{url}/reject", json={"reason": "Ne"}, headers={**h, **if_match(3)}).status_code == 412
        assert client.post(f"{url}/reject", json={"reason": ""}, headers={**h, **if_match(1)}).status_code == 422
        r = client.post(f"{url}/reject", json={"reason": "Jau vykdoma."}, headers={**h, **if_match(1)})
        assert r.status_code == 200
        out = r.json()
        assert (out["status"], out["rejection_reason"], out["decided_by_id"]) == (
            "rejected",
            "Jau vykdoma.",
            str(world.user(Role.quality_lead).id),
        )
        # the submitter reads the reason
        mine = client.get(url, headers=world.headers(Role.staff)).json()
        assert (mine["status"], mine["rejection_reason"]) == ("rejected", "Jau vykdoma.")

    def test_sorting_while_undecided(self, client, world, session):
        proposal = make_proposal(session, world)
        url, h = f"{PROPOSALS}/{proposal.id}", world.headers(Role.director)
        r = client.patch(
            url,
            json={"category": "catering", "department_id": str(world.a.department.id)},
            headers={**h, **if_match(1)},
        )
        assert r.status_code == 200 and r.json()["category"] == "catering"
        # now it is the department head's to decide
        r = client.post(f"{url}/consider", headers=world.headers(Role.department_head, **if_match(2)))
        assert r.status_code == 200
        r = client.patch(url, json={"department_id": str(world.b.department.id)}, headers={**h, **if_match(3)})
        assert r.status_code == 422
        decided = make_proposal(session, world, status=ProposalStatus.rejected)
        r = client.patch(f"{PROPOSALS}/{decided.id}", json={"category": "other"}, headers={**h, **if_match(1)})
        assert r.status_code == 409

    def test_accepting_needs_an_item_of_a_current_plan_of_the_institution(self, client, world, session):
        proposal = make_proposal(session, world, status=ProposalStatus.under_consideration)
        url, h = f"{PROPOSALS}/{proposal.id}/accept", world.headers(Role.director, **if_match(1))
        foreign = make_plan(session, world, "b")
        r = client.post(url, json={"plan_item_id": str(make_plan_item_id(session, foreign))}, headers=h)
        assert r.status_code == 422
        closed = make_plan(session, world, status=PlanStatus.closed)
        r = client.post(url, json={"plan_item_id": str(make_plan_item_id(session, closed))}, headers=h)
        assert r.status_code == 409
        session.expire_all()
        assert session.get(Proposal, proposal.id).status == "under_consideration"


def test_from_proposal_to_plan_item_and_back(client, world, session):
    """A recipient's proposal is accepted into the draft annual plan; the plan is approved, amended and
    approved again; the recipient follows it all the way, and the item names the proposal."""
    r = client.post(PROPOSALS, json={**TEXT, "plan_year": 2026}, headers=world.headers(Role.recipient))
    proposal = r.json()
    plan = make_plan(session, world, items=0)
    q, d = world.headers(Role.quality_lead), world.headers(Role.director)
    item = client.post(
        f"{PLANS}/{plan.id}/items",
        json={"title": "Savaitgalio užsiėmimai", "area": "services", "due_date": "2026-10-31"},
        headers=q,
    ).json()
    url = f"{PROPOSALS}/{proposal['id']}"
    assert client.post(f"{url}/consider", headers={**q, **if_match(1)}).status_code == 200
    r = client.post(f"{url}/accept", json={"plan_item_id": item["id"]}, headers={**q, **if_match(2)})
    assert r.status_code == 200, r.text
    assert r.json()["plan_item_id"] == item["id"]
    followed = client.get(url, headers=world.headers(Role.recipient)).json()
    assert followed["outcome"] == {
        "plan_id": str(plan.id),
        "plan_title": plan.title,
        "plan_kind": "annual",
        "plan_period": "2026",
        "plan_status": "draft",
        "plan_item_id": item["id"],
        "item_title": "Savaitgalio užsiėmimai",
        "item_status": "planned",
        "item_progress": 0,
        "item_due_date": "2026-10-31",
    }
    carried = client.get(f"{PLANS}/{plan.id}/items/{item['id']}", headers=q).json()
    assert carried["proposal_ids"] == [proposal["id"]]
    # the item carrying a proposal is not removed from the plan
    r = client.delete(f"{PLANS}/{plan.id}/items/{item['id']}", headers={**q, **if_match(1)})
    assert r.status_code == 409
    assert client.delete(f"{PLANS}/{plan.id}", headers={**q, **if_match(1)}).status_code == 409
    # approved, amended, approved again: the proposal follows its item into the new revision
    assert client.post(f"{PLANS}/{plan.id}/submit", headers={**q, **if_match(1)}).status_code == 200
    assert client.post(f"{PLANS}/{plan.id}/approve", headers={**d, **if_match(2)}).status_code == 200
    assert client.get(url, headers=world.headers(Role.recipient)).json()["outcome"]["plan_status"] == "approved"
    amendment = client.post(f"{PLANS}/{plan.id}/amendments", headers={**q, **if_match(3)}).json()
    followed = client.get(url, headers=world.headers(Role.recipient)).json()["outcome"]
    assert followed["plan_id"] == str(plan.id)  # the approved revision is still the one in force
    r = client.patch(
        f"{PLANS}/{plan.id}/items/{item['id']}",
        json={"status": "in_progress", "progress": 20},
        headers={**q, **if_match(1)},
    )
    assert r.status_code == 200
    assert client.post(f"{PLANS}/{amendment['id']}/submit", headers={**q, **if_match(1)}).status_code == 200
    assert client.post(f"{PLANS}/{amendment['id']}/approve", headers={**d, **if_match(2)}).status_code == 200
    followed = client.get(url, headers=world.headers(Role.recipient)).json()["outcome"]
    new_items = client.get(f"{PLANS}/{amendment['id']}/items", headers=q).json()["items"]
    assert (followed["plan_id"], followed["plan_item_id"], followed["item_status"], followed["item_progress"]) == (
        amendment["id"],
        new_items[0]["id"],
        "in_progress",
        20,
    )
    assert new_items[0]["proposal_ids"] == [proposal["id"]]


def test_a_department_head_collects_proposals_for_the_department_plan(client, world, session):
    staff = make_user(session, Role.staff, world.a.institution, department=world.a.department)
    session.commit()
    dept_plan = make_plan(session, world, kind=PlanKind.department, items=0)
    token = token_for(client.app, staff)
    r = client.post(
        PROPOSALS,
        json={**TEXT, "department_id": str(world.a.department.id), "channel": "staff_meeting"},
        headers={"Authorization": f"Bearer {token}"},
    )
    proposal = r.json()
    h = world.headers(Role.department_head)
    listed = client.get(PROPOSALS, params={"department_id": str(world.a.department.id)}, headers=h).json()["items"]
    assert [p["id"] for p in listed] == [proposal["id"]]
    item = client.post(
        f"{PLANS}/{dept_plan.id}/items",
        json={"title": "Komandos supervizijos", "area": "competence", "due_date": "2026-05-31"},
        headers=h,
    ).json()
    assert client.post(f"{PROPOSALS}/{proposal['id']}/consider", headers={**h, **if_match(1)}).status_code == 200
    r = client.post(
        f"{PROPOSALS}/{proposal['id']}/accept", json={"plan_item_id": item["id"]}, headers={**h, **if_match(2)}
    )
    assert r.status_code == 200 and r.json()["outcome"]["plan_kind"] == "department"
