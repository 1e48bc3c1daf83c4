"""Roles, scopes and the one table that maps one to the other.

A route states the scope it needs in its signature (see `api.security.deps`); nothing else decides
access to a route. Finer rules (a social worker sees only assigned recipients) live in the domain's
readable-statement helpers and answer 404, never 403, for rows the caller may not see.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    platform_admin = "platform_admin"
    director = "director"
    quality_lead = "quality_lead"
    department_head = "department_head"
    social_worker = "social_worker"
    staff = "staff"
    recipient = "recipient"
    guardian = "guardian"
    municipality_analyst = "municipality_analyst"
    feedback_device = "feedback_device"


ROLE_LABELS: dict[Role, tuple[str, str]] = {
    Role.platform_admin: ("Platformos administratorius", "Platform administrator"),
    Role.director: ("Direktorius", "Director"),
    Role.quality_lead: ("Direktoriaus pavaduotojas socialiniam darbui", "Deputy director for social work"),
    Role.department_head: ("Skyriaus vadovas", "Department head"),
    Role.social_worker: ("Socialinis darbuotojas", "Social worker"),
    Role.staff: ("Darbuotojas", "Staff member"),
    Role.recipient: ("Paslaugų gavėjas", "Service recipient"),
    Role.guardian: ("Globėjas, rūpintojas", "Guardian"),
    Role.municipality_analyst: ("Savivaldybės analitikas", "Municipality analyst"),
    Role.feedback_device: ("Grįžtamojo ryšio įrenginys", "Feedback device"),
}

#: Roles held by people who work in an institution.
STAFF_ROLES = frozenset({Role.director, Role.quality_lead, Role.department_head, Role.social_worker, Role.staff})
#: Roles a machine client may hold.
CLIENT_ROLES = frozenset({Role.municipality_analyst, Role.feedback_device})
#: Roles bound to one institution.
INSTITUTION_ROLES = STAFF_ROLES | {Role.recipient, Role.guardian, Role.feedback_device}


class Scope(StrEnum):
    # organisation
    municipalities_read = "municipalities:read"
    municipalities_write = "municipalities:write"
    institutions_read = "institutions:read"
    institutions_write = "institutions:write"
    institutions_admin = "institutions:admin"
    departments_read = "departments:read"
    departments_write = "departments:write"
    users_read = "users:read"
    users_write = "users:write"
    clients_read = "clients:read"
    clients_write = "clients:write"
    audit_read = "audit:read"
    # planning
    plans_read = "plans:read"
    plans_write = "plans:write"
    plans_approve = "plans:approve"
    plans_review = "plans:review"
    proposals_submit = "proposals:submit"
    proposals_read = "proposals:read"
    proposals_manage = "proposals:manage"
    competence_submit = "competence:submit"
    competence_read = "competence:read"
    competence_manage = "competence:manage"
    # care plans (special-category personal data)
    recipients_read = "recipients:read"
    recipients_write = "recipients:write"
    recipients_erase = "recipients:erase"
    care_plans_read = "care_plans:read"
    care_plans_write = "care_plans:write"
    care_plans_comment = "care_plans:comment"
    # surveys
    surveys_read = "surveys:read"
    surveys_write = "surveys:write"
    surveys_templates = "surveys:templates"
    surveys_respond = "surveys:respond"
    surveys_results = "surveys:results"
    # indicators
    indicators_read = "indicators:read"
    indicators_write = "indicators:write"
    indicators_publish = "indicators:publish"
    indicators_catalogue = "indicators:catalogue"
    indicator_values_pull = "indicator_values:pull"
    # evaluation and improvement
    assessments_read = "assessments:read"
    assessments_write = "assessments:write"
    measures_read = "measures:read"
    measures_write = "measures:write"
    measures_approve = "measures:approve"
    cycles_read = "cycles:read"
    reports_read = "reports:read"
    reports_publish = "reports:publish"
    webhooks_manage = "webhooks:manage"


SCOPE_DESCRIPTIONS: dict[Scope, str] = {s: s.value.replace("_", " ").replace(":", ": ") for s in Scope}

S = Scope
_STAFF_COMMON = {
    S.institutions_read,
    S.departments_read,
    S.plans_read,
    S.proposals_submit,
    S.proposals_read,
    S.competence_submit,
    S.competence_read,
    S.surveys_read,
    S.indicators_read,
    S.assessments_read,
    S.measures_read,
    S.cycles_read,
    S.reports_read,
}
_LEADERSHIP = _STAFF_COMMON | {
    S.users_read,
    S.plans_write,
    S.plans_review,
    S.proposals_manage,
    S.competence_manage,
    S.recipients_read,
    S.recipients_write,
    S.care_plans_read,
    S.care_plans_write,
    S.surveys_write,
    S.surveys_results,
    S.indicators_write,
    S.assessments_write,
    S.measures_write,
    S.audit_read,
}

ROLE_SCOPES: dict[Role, frozenset[Scope]] = {
    Role.platform_admin: frozenset(
        {
            S.municipalities_read,
            S.municipalities_write,
            S.institutions_read,
            S.institutions_write,
            S.institutions_admin,
            S.departments_read,
            S.departments_write,
            S.users_read,
            S.users_write,
            S.clients_read,
            S.clients_write,
            S.surveys_read,
            S.surveys_templates,
            S.indicators_read,
            S.indicators_catalogue,
            S.indicator_values_pull,
            S.audit_read,
        }
    ),
    Role.director: frozenset(
        _LEADERSHIP
        | {
            S.institutions_write,
            S.departments_write,
            S.users_write,
            S.clients_read,
            S.clients_write,
            S.plans_approve,
            S.recipients_erase,
            S.indicators_publish,
            S.measures_approve,
            S.reports_publish,
            S.webhooks_manage,
            S.municipalities_read,
        }
    ),
    Role.quality_lead: frozenset(_LEADERSHIP | {S.municipalities_read}),
    Role.department_head: frozenset(
        _STAFF_COMMON
        | {
            S.users_read,
            S.plans_write,
            S.plans_review,
            S.proposals_manage,
            S.recipients_read,
            S.recipients_write,
            S.care_plans_read,
            S.care_plans_write,
            S.surveys_results,
            S.measures_write,
        }
    ),
    Role.social_worker: frozenset(
        _STAFF_COMMON
        | {
            S.recipients_read,
            S.recipients_write,
            S.care_plans_read,
            S.care_plans_write,
            S.surveys_results,
        }
    ),
    Role.staff: frozenset(_STAFF_COMMON),
    Role.recipient: frozenset(
        {
            S.institutions_read,
            S.proposals_submit,
            S.proposals_read,
            S.recipients_read,
            S.care_plans_read,
            S.care_plans_comment,
            S.surveys_respond,
        }
    ),
    Role.guardian: frozenset(
        {
            S.institutions_read,
            S.proposals_submit,
            S.proposals_read,
            S.recipients_read,
            S.care_plans_read,
            S.care_plans_comment,
            S.surveys_respond,
        }
    ),
    Role.municipality_analyst: frozenset(
        {
            S.municipalities_read,
            S.institutions_read,
            S.indicators_read,
            S.indicator_values_pull,
            S.cycles_read,
            S.reports_read,
            S.webhooks_manage,
        }
    ),
    Role.feedback_device: frozenset({S.proposals_submit, S.surveys_respond, S.surveys_read}),
}
del S


def scopes_for(role: str) -> frozenset[Scope]:
    try:
        return ROLE_SCOPES[Role(role)]
    except ValueError:
        return frozenset()


def role_scope_matrix_markdown() -> str:
    """The README's role-by-scope table, generated from ROLE_SCOPES (a test keeps them equal)."""
    roles = list(Role)
    short = {
        Role.platform_admin: "admin",
        Role.director: "director",
        Role.quality_lead: "quality",
        Role.department_head: "head",
        Role.social_worker: "worker",
        Role.staff: "staff",
        Role.recipient: "recipient",
        Role.guardian: "guardian",
        Role.municipality_analyst: "municipality",
        Role.feedback_device: "device",
    }
    lines = ["| scope | " + " | ".join(short[r] for r in roles) + " |", "|---|" + "---|" * len(roles)]
    for scope in Scope:
        cells = ["✓" if scope in ROLE_SCOPES[r] else "" for r in roles]
        lines.append(f"| `{scope.value}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)
