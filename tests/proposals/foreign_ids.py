"""Ids of proposals of institution A (see tests/routes.py)."""

from __future__ import annotations

from tests.proposals.helpers import make_proposal

MAKERS = {
    "proposal_id": lambda world, session: make_proposal(session, world).id,
    "tracking_code": lambda world, session: make_proposal(session, world).tracking_code,
}

BODIES = {
    "update_proposal": {"category": "catering"},
    "accept_proposal": {"plan_item_id": "0192f3b0-0000-7000-8000-000000000000"},
    "reject_proposal": {"reason": "Not this year"},
}
