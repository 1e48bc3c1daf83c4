"""The valid rest of a request, so that the one odd value in it reaches the code that uses it.

Path ids are institution A's resources from tests/<domain>/foreign_ids.py (one set per operation);
bodies are the ones listed there and the creating ones below; the caller is the first role of
institution A holding the operation's scopes (the platform administrator or a municipality client
for the operations only they may call).
"""

from __future__ import annotations

import itertools
import uuid
from typing import Any

from api.models import CareGoal, IndicatorTarget, MeasureEvidence, PlanGoal, PlanItem
from api.security.scopes import ROLE_SCOPES, Role
from tests.routes import foreign_id_makers, valid_bodies
from tests.surveys.factories import answers

#: Callers tried in this order: the first holding the operation's scopes calls it.
CALLERS = [
    Role.director,
    Role.quality_lead,
    Role.department_head,
    Role.social_worker,
    Role.staff,
    Role.feedback_device,
    Role.recipient,
    Role.guardian,
    Role.platform_admin,
    Role.municipality_analyst,
]
#: A number question first, so integers put in `answers.0.value` reach the numeric answer path.
ANSWERS = [{"concept_code": "Q_AGE", "value": 30}, *answers()]
#: A nested resource's id decides its parent's: the table and the column (named as the parent's path
#: parameter) to read it from.
PARENTS = {
    "plan_item_id": (PlanItem, "plan_id"),
    "plan_goal_id": (PlanGoal, "plan_id"),
    "care_goal_id": (CareGoal, "care_plan_id"),
    "target_id": (IndicatorTarget, "indicator_id"),
    "evidence_id": (MeasureEvidence, "measure_id"),
}


def _queries(world) -> dict[str, dict[str, Any]]:
    """Required query parameters."""
    return {
        "read_annual_report": {"institution_id": str(world.a.institution.id), "year": 2026},
        "read_swot_analysis": {"year": 2026},
        "read_municipality_summary": {"municipality_id": str(world.municipality.id)},
    }


def _creating_bodies(world, session, makers) -> dict[str, Any]:
    """Valid bodies of the operations that create (no path id, so not in the foreign_ids BODIES)."""
    return {
        "create_recipient": {
            "first_name": "Ona",
            "last_name": "Petraitienė",
            "birth_date": "1940-05-01",
            "admission_date": "2026-01-10",
        },
        "create_care_plan": {
            "recipient_id": str(makers["recipient_id"](world, session)),
            "kind": "isgp",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
        },
        "create_survey_campaign": {
            "version_id": str(makers["version_id"](world, session)),
            "name": "Apklausa",
            "opens_at": "2026-01-01T00:00:00Z",
            "closes_at": "2026-02-01T00:00:00Z",
            "population": 10,
        },
        "publish_annual_report": {"institution_id": str(world.a.institution.id), "year": 2026},
        "create_plan_approval_rule": {"year": 2027, "budget_approved_on": "2027-02-15", "approve_within_months": 2},
        "create_plan_review_cadence": {"kind": "quarterly", "interval_months": 1},
        "create_competence_need": {"year": 2026, "topic": "Pirmoji pagalba"},
        "submit_proposal": {"text": "Daugiau pasivaikščiojimų", "category": "activities", "plan_year": 2026},
        "create_improvement_measure": {"year": 2026, "title": "Priemonė", "area": "services", "due_date": "2026-12-31"},
        "create_assessment_template": {
            "code": "OWN_TOOL",
            "name_lt": "Įrankis",
            "name_en": "Tool",
            "scale_min": 1,
            "scale_max": 4,
            "criteria": [{"code": "C1", "text_lt": "K", "text_en": "C"}],
        },
        "create_swot_item": {"year": 2026, "quadrant": "strength", "text": "Komanda", "position": 0},
        "submit_survey_response": {"answers": ANSWERS},
        "submit_survey_response_batch": {"responses": [{"answers": ANSWERS}]},
        "submit_invited_survey_response": {"answers": ANSWERS},
    }


def caller_for(scopes: tuple[str, ...] | None) -> Role | None:
    if scopes is None:
        return None
    return next((r for r in CALLERS if set(scopes) <= {s.value for s in ROLE_SCOPES[r]}), Role.platform_admin)


class Requests:
    """Builds and sends requests that are valid but for the value a test puts in them."""

    def __init__(self, client, world, session) -> None:
        self.client, self.world, self.session = client, world, session
        self.makers = foreign_id_makers()
        session.rollback()
        self.bodies = {**valid_bodies(), **_creating_bodies(world, session, self.makers)}
        self.queries = _queries(world)
        self._ids: dict[str, dict[str, str]] = {}
        self._counter = itertools.count(1)
        self._codes: list[str] = []

    def path_ids(self, operation_id: str, path: str) -> dict[str, str]:
        """Ids for the path's parameters, made once per operation."""
        if operation_id not in self._ids:
            names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
            self.session.rollback()  # no stale SQLite read snapshot under the makers' writes
            ids = {n: str(self.makers[n](self.world, self.session)) for n in names}
            for child, (table, parent) in PARENTS.items():
                if child in ids and parent in ids:
                    ids[parent] = str(getattr(self.session.get(table, uuid.UUID(ids[child])), parent))
            self._ids[operation_id] = ids
        return self._ids[operation_id]

    def _invitation_code(self) -> str:
        if not self._codes:
            campaign = self.makers["campaign_id"](self.world, self.session)
            r = self.client.post(
                f"/api/v1/surveys/campaigns/{campaign}/invitations",
                json={"count": 500},
                headers=self.world.headers(Role.director),
            )
            assert r.status_code == 201, r.text
            self._codes = list(r.json()["codes"])
        return self._codes.pop()

    def _fresh_ids(self, body: Any) -> Any:
        """Every survey response a new `client_response_id` (deterministic), so none is a retry."""
        if isinstance(body, dict):
            out = {k: self._fresh_ids(v) for k, v in body.items()}
            if "answers" in body:
                out["client_response_id"] = str(uuid.UUID(int=next(self._counter)))
            return out
        if isinstance(body, list):
            return [self._fresh_ids(v) for v in body]
        return body

    def send(
        self,
        operation_id: str,
        method: str,
        path: str,
        scopes: tuple[str, ...] | None,
        *,
        path_values: dict[str, Any] | None = None,
        query: dict[str, Any] | None = None,
        body: Any = None,
    ) -> Any:
        values = {**self.path_ids(operation_id, path), **(path_values or {})}
        for name, value in values.items():
            path = path.replace("{" + name + "}", str(value))
        caller = caller_for(scopes)
        headers = self.world.headers(caller, **{"If-Match": "*"}) if caller else {}
        if operation_id == "submit_invited_survey_response":
            headers["X-Invitation-Code"] = self._invitation_code()
        kwargs: dict[str, Any] = {"params": {**self.queries.get(operation_id, {}), **(query or {})}, "headers": headers}
        if body is not None and method != "GET":
            kwargs["json"] = self._fresh_ids(body)
        return self.client.request(method, path, **kwargs)
