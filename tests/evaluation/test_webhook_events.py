"""plan.approved and proposal.answered reach webhook subscribers, queued in the transaction of the
approval or decision (an outbox row per subscription), with no proposal text in the payload."""

from __future__ import annotations

import json

from sqlmodel import select

from api.models import PlanKind, ProposalStatus, WebhookDelivery
from api.security.scopes import Role
from tests.plans.helpers import if_match, make_item, make_plan
from tests.proposals.helpers import make_proposal

URL = "/api/v1/webhooks"


def _subscribe(client, world, events, role=Role.director, tenant="a"):
    r = client.post(
        URL, headers=world.headers(role, tenant), json={"url": "https://hooks.example.org/ciklas", "events": events}
    )
    assert r.status_code == 201, r.text
    return r.json()


def _queued(session, event):
    session.expire_all()
    return [d for d in session.exec(select(WebhookDelivery)).all() if d.event == event]


def test_plan_approved_is_queued_for_the_institution_and_its_municipality(client, world, session):
    own = _subscribe(client, world, ["plan.approved"])
    municipality = _subscribe(client, world, ["plan.approved"], role=Role.municipality_analyst)
    other = _subscribe(client, world, ["plan.approved"], tenant="b")
    plan = make_plan(session, world, kind=PlanKind.department)
    h = world.headers(Role.department_head)
    assert client.post(f"/api/v1/plans/{plan.id}/submit", headers={**h, **if_match(1)}).status_code == 200
    assert _queued(session, "plan.approved") == []  # submitting is not approving
    r = client.post(f"/api/v1/plans/{plan.id}/approve", headers=world.headers(Role.director, **if_match(2)))
    assert r.status_code == 200, r.text
    queued = _queued(session, "plan.approved")
    assert sorted(str(d.subscription_id) for d in queued) == sorted([own["id"], municipality["id"]])
    assert other["id"] not in {str(d.subscription_id) for d in queued}
    data = json.loads(queued[0].body)["data"]
    assert (data["plan_id"], data["kind"], data["revision"]) == (str(plan.id), "department", 1)


def test_proposal_answered_carries_the_decision_not_the_text(client, world, session):
    hook = _subscribe(client, world, ["proposal.answered"])
    proposal = make_proposal(session, world, status=ProposalStatus.under_consideration)
    item = make_item(session, make_plan(session, world, items=0))
    r = client.post(
        f"/api/v1/proposals/{proposal.id}/accept",
        json={"plan_item_id": str(item.id)},
        headers=world.headers(Role.director, **if_match(1)),
    )
    assert r.status_code == 200, r.text
    [delivery] = _queued(session, "proposal.answered")
    assert str(delivery.subscription_id) == hook["id"]
    data = json.loads(delivery.body)["data"]
    assert (data["proposal_id"], data["status"], data["plan_item_id"]) == (
        str(proposal.id),
        "accepted",
        str(item.series_id),
    )
    assert proposal.text not in delivery.body
    # The tracking code is the anonymous submitter's secret: it does not leave the institution.
    assert "tracking_code" not in data and proposal.tracking_code not in delivery.body
    rejected = make_proposal(session, world, status=ProposalStatus.under_consideration)
    r = client.post(
        f"/api/v1/proposals/{rejected.id}/reject",
        json={"reason": "Nėra lėšų"},
        headers=world.headers(Role.director, **if_match(1)),
    )
    assert r.status_code == 200, r.text
    assert {json.loads(d.body)["data"]["status"] for d in _queued(session, "proposal.answered")} == {
        "accepted",
        "rejected",
    }
