"""Submitting a set of known responses through the API (for aggregates, results and indicators)."""

from __future__ import annotations

from api.security.scopes import Role
from tests.surveys.factories import response_body

#: (Q_SAT, Q_RECOMMEND, Q_SAFE) of four respondents: Q_SAT mean 3.5, top box 50 %; Q_RECOMMEND mean
#: 6.75, top box 50 %; Q_SAFE 75 % yes; SATISFACTION (Q_SAT + Q_RECOMMEND) mean 5.125, top box 50 %.
KNOWN = [(5, 10, True), (4, 9, True), (3, 8, False), (2, 0, True)]


def submit_known(client, world, campaign, tenant="a", rows=KNOWN, **extra):
    for sat, recommend, safe in rows:
        r = client.post(
            f"/api/v1/surveys/campaigns/{campaign.id}/responses",
            json=response_body(sat=sat, recommend=recommend, safe=safe, **extra),
            headers=world.headers(Role.feedback_device, tenant),
        )
        assert r.status_code == 201, r.text
