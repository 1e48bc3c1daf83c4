"""Which questionnaires, versions and campaigns a caller may read or change: the readable-statement
helpers of the survey domain (everything else is 404).

* Platform templates (`institution_id` NULL) are read by everyone with surveys:read and changed
  only through the template routes (surveys:templates).
* An institution's own questionnaires and campaigns are its tenant rows (`api.tenancy`).
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlmodel import Session, select

from api.errors import NotFound
from api.models import Campaign, Questionnaire, QuestionnaireVersion
from api.security.principal import Principal
from api.tenancy import institution_filter, scoped


def _readable_owner(column: sa.ColumnElement, principal: Principal) -> sa.ColumnElement[bool]:
    if principal.is_platform_admin:
        return column.is_(None)
    if principal.institution_id is None:
        return sa.false()
    return sa.or_(column.is_(None), institution_filter(column, principal))


def _writable_owner(column: sa.ColumnElement, principal: Principal, *, template: bool) -> sa.ColumnElement[bool]:
    if template:
        return column.is_(None) if principal.is_platform_admin else sa.false()
    if principal.institution_id is None:
        return sa.false()
    return column == principal.institution_id


def readable_questionnaires(principal: Principal, statement=None):
    stmt = statement if statement is not None else select(Questionnaire)
    return stmt.where(_readable_owner(Questionnaire.institution_id, principal))


def get_questionnaire(
    session: Session, principal: Principal, questionnaire_id: uuid.UUID, *, write: bool = False, template: bool = False
) -> Questionnaire:
    owner = (
        _writable_owner(Questionnaire.institution_id, principal, template=template)
        if write
        else _readable_owner(Questionnaire.institution_id, principal)
    )
    row = session.exec(select(Questionnaire).where(Questionnaire.id == questionnaire_id, owner)).first()
    if row is None:
        raise NotFound("No questionnaire with this id.")
    return row


def get_version(
    session: Session, principal: Principal, version_id: uuid.UUID, *, write: bool = False, template: bool = False
) -> QuestionnaireVersion:
    owner = (
        _writable_owner(QuestionnaireVersion.institution_id, principal, template=template)
        if write
        else _readable_owner(QuestionnaireVersion.institution_id, principal)
    )
    row = session.exec(select(QuestionnaireVersion).where(QuestionnaireVersion.id == version_id, owner)).first()
    if row is None:
        raise NotFound("No questionnaire version with this id.")
    return row


def readable_campaigns(principal: Principal, statement=None):
    stmt = statement if statement is not None else select(Campaign)
    if principal.is_platform_admin:
        return stmt.where(sa.false())
    return scoped(stmt, Campaign, principal)


def get_campaign(session: Session, principal: Principal, campaign_id: uuid.UUID) -> Campaign:
    row = session.exec(readable_campaigns(principal).where(Campaign.id == campaign_id)).first()
    if row is None:
        raise NotFound("No survey campaign with this id.")
    return row
