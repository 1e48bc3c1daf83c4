"""Ids of survey data of institution A (see tests/routes.py)."""

from __future__ import annotations

from tests.surveys.factories import make_campaign, make_questionnaire, questions_body, response_body


def _version(world, session):
    return make_questionnaire(session, world.a.institution)


MAKERS = {
    "questionnaire_id": lambda world, session: _version(world, session).questionnaire_id,
    "version_id": lambda world, session: _version(world, session).id,
    "campaign_id": lambda world, session: make_campaign(session, _version(world, session), world.a.institution).id,
}

BODIES = {
    "update_questionnaire": {"title_en": "Renamed"},
    "create_questionnaire_version": {"questions": questions_body()},
    "update_questionnaire_version": {"questions": questions_body()},
    "update_questionnaire_template": {"title_en": "Renamed"},
    "create_template_version": {"questions": questions_body()},
    "update_template_version": {"questions": questions_body()},
    "update_survey_campaign": {"name": "Renamed"},
    "submit_survey_response": response_body(),
    "submit_survey_response_batch": {"responses": [response_body()]},
    "create_survey_invitations": {"count": 3},
}
