"""Campaign results: per question n, mean, distribution and top-box share; dimension scores; the
questionnaire's previous campaign side by side by concept code; and where the institution stands
among its peers in the same period.

Every figure is an aggregate query over `survey_answers`. Results of fewer than k respondents
(api/privacy.py) are withheld from anyone outside the institution's staff, and free-text answers
never leave the institution.

Peers follow the rule of the indicator comparison: the peer group is the other institutions of
the same kind, in the institution's municipality or platform-wide (`peer_scope`); a peer's figure
for a question is the mean of its answers in its campaigns overlapping this one, counted only when
it rests on at least k respondents; nothing is given under k peers, and then only the group's
size and the institution's percentile rank — no peer's mean, minimum, maximum, median or quartile.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from api.models import Campaign, Institution, Question, QuestionnaireVersion, QuestionType, SurveyAnswer
from api.privacy import PeerGroup, Privacy, few_peers, rank_among_peers
from api.security.principal import Principal
from api.security.scopes import STAFF_ROLES
from api.surveys.access import get_campaign
from api.surveys.campaigns import campaign_public, respondent_counts
from api.surveys.result_schemas import (
    CampaignResults,
    ConceptComparison,
    DimensionResult,
    DistributionEntry,
    PeerDistribution,
    PreviousCampaign,
    QuestionResult,
)

MAX_TEXTS = 500
NO_DISTRIBUTION = (QuestionType.text.value, QuestionType.number.value)


def _top_box_share() -> Any:
    return 100.0 * sa.func.avg(
        sa.case((SurveyAnswer.top_box.is_(True), 1.0), (SurveyAnswer.top_box.is_(False), 0.0), else_=None)
    )


def _round(value: Any, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)


def concept_stats(
    session: Session,
    campaign_ids: list[uuid.UUID],
    group_by_campaign: bool = False,
) -> dict[Any, dict[str, Any]]:
    """{concept (or (campaign, concept)): {n, mean, top_box}} in one grouped query."""
    keys = [SurveyAnswer.campaign_id, SurveyAnswer.concept_code] if group_by_campaign else [SurveyAnswer.concept_code]
    stmt = (
        select(
            *keys,
            sa.func.count(sa.distinct(SurveyAnswer.response_id)),
            sa.func.avg(SurveyAnswer.value_num),
            _top_box_share(),
        )
        .where(SurveyAnswer.campaign_id.in_(campaign_ids))
        .group_by(*keys)
    )
    out: dict[Any, dict[str, Any]] = {}
    for row in session.execute(stmt).all():
        key = (row[0], row[1]) if group_by_campaign else row[0]
        n, mean, top = row[-3], row[-2], row[-1]
        out[key] = {"n": int(n), "mean": _round(mean), "top_box": _round(top, 2)}
    return out


def _dimension_stats(session: Session, campaign_id: uuid.UUID) -> dict[str, dict[str, Any]]:
    stmt = (
        select(
            SurveyAnswer.dimension_code,
            sa.func.count(sa.distinct(SurveyAnswer.response_id)),
            sa.func.avg(SurveyAnswer.value_num),
            _top_box_share(),
        )
        .where(SurveyAnswer.campaign_id == campaign_id, SurveyAnswer.dimension_code.is_not(None))
        .group_by(SurveyAnswer.dimension_code)
    )
    return {
        code: {"n": int(n), "mean": _round(mean), "top_box": _round(top, 2)}
        for code, n, mean, top in session.execute(stmt).all()
    }


def _distributions(session: Session, campaign_id: uuid.UUID) -> dict[str, list[DistributionEntry]]:
    stmt = (
        select(SurveyAnswer.concept_code, SurveyAnswer.value_num, SurveyAnswer.value_text, sa.func.count())
        .where(SurveyAnswer.campaign_id == campaign_id, SurveyAnswer.question_type.not_in(NO_DISTRIBUTION))
        .group_by(SurveyAnswer.concept_code, SurveyAnswer.value_num, SurveyAnswer.value_text)
    )
    out: dict[str, list[DistributionEntry]] = {}
    for code, num, text, n in session.execute(stmt).all():
        value = text if text is not None else (f"{num:g}" if num is not None else "")
        out.setdefault(code, []).append(DistributionEntry(value=value, count=int(n)))
    return out


def _texts(session: Session, campaign_id: uuid.UUID) -> dict[str, list[str]]:
    stmt = (
        select(SurveyAnswer.concept_code, SurveyAnswer.value_text)
        .where(SurveyAnswer.campaign_id == campaign_id, SurveyAnswer.question_type == QuestionType.text.value)
        # Alphabetical, not in the order given: the order of submission would line a text up
        # with a sign-in in the audit trail.
        .order_by(SurveyAnswer.value_text, SurveyAnswer.response_id)
        .limit(MAX_TEXTS)
    )
    out: dict[str, list[str]] = {}
    for code, text in session.execute(stmt).all():
        out.setdefault(code, []).append(text)
    return out


def is_institution_staff(principal: Principal, campaign: Campaign) -> bool:
    return principal.institution_id == campaign.institution_id and principal.role in STAFF_ROLES


def previous_campaign(session: Session, campaign: Campaign) -> Campaign | None:
    return session.exec(
        select(Campaign)
        .where(
            Campaign.institution_id == campaign.institution_id,
            Campaign.questionnaire_id == campaign.questionnaire_id,
            Campaign.opens_at < campaign.opens_at,
            Campaign.id != campaign.id,
        )
        .order_by(Campaign.opens_at.desc())
    ).first()


def _previous(
    session: Session, campaign: Campaign, current: dict[str, dict[str, Any]], staff: bool, privacy: Privacy
) -> PreviousCampaign | None:
    prev = previous_campaign(session, campaign)
    if prev is None:
        return None
    before = concept_stats(session, [prev.id])
    respondents = respondent_counts(session, [prev.id]).get(prev.id, 0)
    hidden = not staff and privacy.is_suppressed(respondents)
    rows = []
    for code in sorted(set(current) | set(before)):
        now_, then = current.get(code, {}), ({} if hidden else before.get(code, {}))
        change = (
            round(now_["mean"] - then["mean"], 4)
            if now_.get("mean") is not None and then.get("mean") is not None
            else None
        )
        rows.append(
            ConceptComparison(
                concept_code=code,
                current_n=now_.get("n", 0),
                current_mean=now_.get("mean"),
                current_top_box=now_.get("top_box"),
                previous_n=before.get(code, {}).get("n", 0),
                previous_mean=then.get("mean"),
                previous_top_box=then.get("top_box"),
                change=change,
            )
        )
    return PreviousCampaign(
        campaign_id=prev.id,
        name=prev.name,
        opens_at=prev.opens_at,
        closes_at=prev.closes_at,
        version_id=prev.version_id,
        respondents=respondents,
        suppressed=hidden,
        concepts=rows,
    )


def _peer_group(session: Session, campaign: Campaign, scope: str) -> tuple[Institution, Any]:
    """The institution and the statement of its peers' campaigns overlapping this one."""
    institution = session.get_one(Institution, campaign.institution_id)
    conditions = [
        Campaign.institution_id != campaign.institution_id,
        Institution.kind == institution.kind,
        Campaign.opens_at <= campaign.closes_at,
        Campaign.closes_at >= campaign.opens_at,
    ]
    if scope == "municipality":
        conditions.append(Institution.municipality_id == institution.municipality_id)
    return institution, (
        select(Campaign.id).join(Institution, Institution.id == Campaign.institution_id).where(*conditions)
    )


def _peers(
    session: Session,
    campaign: Campaign,
    current: dict[str, dict[str, Any]],
    numeric: set[str],
    scope: str,
    privacy: Privacy,
) -> tuple[PeerGroup, list[PeerDistribution]]:
    """Per numeric concept: how many peer institutions answer it (each over at least k respondents
    in the period) and, from k of them, the institution's percentile rank among their means. The
    means are compared in SQL; none leaves the database."""
    institution, peer_campaigns = _peer_group(session, campaign, scope)
    concepts = sorted(numeric)
    per_peer = (
        select(
            SurveyAnswer.concept_code.label("concept_code"),
            SurveyAnswer.institution_id.label("institution_id"),
            sa.func.avg(SurveyAnswer.value_num).label("mean"),
            sa.func.count(sa.distinct(SurveyAnswer.campaign_id)).label("campaigns"),
        )
        .where(
            SurveyAnswer.campaign_id.in_(peer_campaigns),
            SurveyAnswer.concept_code.in_(concepts),
            SurveyAnswer.value_num.is_not(None),
        )
        .group_by(SurveyAnswer.concept_code, SurveyAnswer.institution_id)
        .having(sa.func.count(sa.distinct(SurveyAnswer.response_id)) >= privacy.k)
        .subquery("per_peer")
    )
    own = [
        (per_peer.c.concept_code == code, sa.literal(current[code]["mean"], sa.Float))
        for code in concepts
        if current.get(code, {}).get("mean") is not None
    ]
    # No own mean (no answers yet): a typed NULL, so the comparisons below count nothing.
    own_mean = sa.case(*own, else_=sa.null()) if own else sa.cast(sa.null(), sa.Float)
    rows = (
        session.execute(
            select(
                per_peer.c.concept_code,
                sa.func.count(),
                sa.func.sum(per_peer.c.campaigns),
                sa.func.count(sa.case((per_peer.c.mean < own_mean, 1))),
                sa.func.count(sa.case((per_peer.c.mean > own_mean, 1))),
            ).group_by(per_peer.c.concept_code)
        ).all()
        if concepts
        else []
    )
    found = {code: (int(n), int(campaigns or 0), int(below), int(above)) for code, n, campaigns, below, above in rows}
    in_group = (
        session.execute(select(sa.func.count(sa.distinct(per_peer.c.institution_id)))).scalar_one() if concepts else 0
    )
    where = "in the same municipality" if scope == "municipality" else "on the whole platform"
    group = PeerGroup(
        scope=scope,
        institution_kind=institution.kind,
        peers=int(in_group),
        minimum_peers=privacy.k,
        municipality_id=institution.municipality_id if scope == "municipality" else None,
        formed_by=(
            f"Other institutions of the kind {institution.kind} {where}; a peer's figure for a question is "
            f"the mean of its answers in its campaigns overlapping this one, counted when it rests on at "
            f"least {privacy.k} respondents; figures from at least {privacy.k} peers."
        ),
    )
    out = []
    for code in concepts:
        n, campaigns, below, above = found.get(code, (0, 0, 0, 0))
        own_value = current.get(code, {}).get("mean")
        entry = PeerDistribution(concept_code=code, campaigns=campaigns, institutions=n, peers=n, own_mean=own_value)
        if not privacy.enough_peers(n):
            entry.suppressed, entry.reason = True, few_peers(privacy.k)
        else:
            entry.own_percentile, entry.own_percentile_reason = rank_among_peers(
                below, above, n, published=own_value is not None
            )
        out.append(entry)
    return group, out


def campaign_results(
    session: Session,
    principal: Principal,
    campaign_id: uuid.UUID,
    *,
    compare_previous: bool,
    peers: bool,
    privacy: Privacy | None = None,
    peer_scope: str = "municipality",
) -> CampaignResults:
    privacy = privacy or Privacy()
    campaign = get_campaign(session, principal, campaign_id)
    public = campaign_public(session, campaign)
    staff = is_institution_staff(principal, campaign)
    suppressed = not staff and privacy.is_suppressed(public.respondents)
    questions = session.exec(
        select(Question).where(Question.version_id == campaign.version_id).order_by(Question.position)
    ).all()
    stats = concept_stats(session, [campaign.id])
    distributions = _distributions(session, campaign.id)
    texts = _texts(session, campaign.id) if staff else {}
    results = []
    for q in questions:
        s = stats.get(q.concept_code, {"n": 0, "mean": None, "top_box": None})
        hidden = suppressed
        results.append(
            QuestionResult(
                concept_code=q.concept_code,
                type=q.type,
                text_lt=q.text_lt,
                text_en=q.text_en,
                dimension_code=q.dimension_code,
                n=s["n"],
                mean=None if hidden else s["mean"],
                top_box_share=None if hidden else s["top_box"],
                distribution=[] if hidden else sorted(distributions.get(q.concept_code, []), key=lambda d: d.value),
                texts=texts.get(q.concept_code, []) if staff and q.type == QuestionType.text.value else None,
            )
        )
    dims = _dimension_stats(session, campaign.id)
    names = {d["code"]: d for d in session.get_one(QuestionnaireVersion, campaign.version_id).dimensions or []}
    dimensions = [
        DimensionResult(
            code=code,
            name_lt=d.get("name_lt", code),
            name_en=d.get("name_en", code),
            n=dims.get(code, {}).get("n", 0),
            mean=None if suppressed else dims.get(code, {}).get("mean"),
            top_box_share=None if suppressed else dims.get(code, {}).get("top_box"),
        )
        for code, d in names.items()
    ]
    current = {} if suppressed else stats
    numeric = {
        q.concept_code
        for q in questions
        if q.type not in NO_DISTRIBUTION
        and q.type not in (QuestionType.single_choice.value, QuestionType.multi_choice.value)
    }
    group, peer_figures = _peers(session, campaign, current, numeric, peer_scope, privacy) if peers else (None, None)
    return CampaignResults(
        campaign=public,
        respondents=public.respondents,
        suppressed=suppressed,
        suppression_threshold=privacy.k,
        questions=results,
        dimensions=dimensions,
        previous=_previous(session, campaign, current, staff, privacy) if compare_previous else None,
        peer_group=group,
        peers=peer_figures,
    )
