"""Campaign results: per question n, mean, distribution and top-box share; dimension scores; the
questionnaire's previous campaign side by side by concept code; and where the institution stands
among peer institutions' campaigns of the same period.

Every figure is an aggregate query over `survey_answers`. Results of fewer than
`SUPPRESSION_THRESHOLD` respondents are withheld from anyone outside the institution's staff, and
free-text answers never leave the institution (peers get no texts and no campaign below the
threshold).
"""

from __future__ import annotations

import statistics
import uuid
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from api.models import Campaign, Institution, Question, QuestionnaireVersion, QuestionType, SurveyAnswer
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

SUPPRESSION_THRESHOLD = 5
MAX_TEXTS = 500
NO_DISTRIBUTION = (QuestionType.text.value, QuestionType.number.value)


def _top_box_share() -> Any:
    return 100.0 * sa.func.avg(sa.case((SurveyAnswer.top_box.is_(True), 1.0),
                                       (SurveyAnswer.top_box.is_(False), 0.0), else_=None))


def _round(value: Any, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)


def concept_stats(session: Session, campaign_ids: list[uuid.UUID], group_by_campaign: bool = False,
                  ) -> dict[Any, dict[str, Any]]:
    """{concept (or (campaign, concept)): {n, mean, top_box}} in one grouped query."""
    keys = [SurveyAnswer.campaign_id, SurveyAnswer.concept_code] if group_by_campaign else [SurveyAnswer.concept_code]
    stmt = (select(*keys, sa.func.count(sa.distinct(SurveyAnswer.response_id)), sa.func.avg(SurveyAnswer.value_num),
                   _top_box_share())
            .where(SurveyAnswer.campaign_id.in_(campaign_ids)).group_by(*keys))
    out: dict[Any, dict[str, Any]] = {}
    for row in session.execute(stmt).all():
        key = (row[0], row[1]) if group_by_campaign else row[0]
        n, mean, top = row[-3], row[-2], row[-1]
        out[key] = {"n": int(n), "mean": _round(mean), "top_box": _round(top, 2)}
    return out


def _dimension_stats(session: Session, campaign_id: uuid.UUID) -> dict[str, dict[str, Any]]:
    stmt = (select(SurveyAnswer.dimension_code, sa.func.count(sa.distinct(SurveyAnswer.response_id)),
                   sa.func.avg(SurveyAnswer.value_num), _top_box_share())
            .where(SurveyAnswer.campaign_id == campaign_id, SurveyAnswer.dimension_code.is_not(None))
            .group_by(SurveyAnswer.dimension_code))
    return {code: {"n": int(n), "mean": _round(mean), "top_box": _round(top, 2)}
            for code, n, mean, top in session.execute(stmt).all()}


def _distributions(session: Session, campaign_id: uuid.UUID) -> dict[str, list[DistributionEntry]]:
    stmt = (select(SurveyAnswer.concept_code, SurveyAnswer.value_num, SurveyAnswer.value_text, sa.func.count())
            .where(SurveyAnswer.campaign_id == campaign_id, SurveyAnswer.question_type.not_in(NO_DISTRIBUTION))
            .group_by(SurveyAnswer.concept_code, SurveyAnswer.value_num, SurveyAnswer.value_text))
    out: dict[str, list[DistributionEntry]] = {}
    for code, num, text, n in session.execute(stmt).all():
        value = text if text is not None else (f"{num:g}" if num is not None else "")
        out.setdefault(code, []).append(DistributionEntry(value=value, count=int(n)))
    return out


def _texts(session: Session, campaign_id: uuid.UUID) -> dict[str, list[str]]:
    stmt = (select(SurveyAnswer.concept_code, SurveyAnswer.value_text)
            .where(SurveyAnswer.campaign_id == campaign_id, SurveyAnswer.question_type == QuestionType.text.value)
            # Alphabetical, not in the order given: the order of submission would line a text up
            # with a sign-in in the audit trail.
            .order_by(SurveyAnswer.value_text, SurveyAnswer.response_id).limit(MAX_TEXTS))
    out: dict[str, list[str]] = {}
    for code, text in session.execute(stmt).all():
        out.setdefault(code, []).append(text)
    return out


def is_institution_staff(principal: Principal, campaign: Campaign) -> bool:
    return principal.institution_id == campaign.institution_id and principal.role in STAFF_ROLES


def previous_campaign(session: Session, campaign: Campaign) -> Campaign | None:
    return session.exec(select(Campaign).where(
        Campaign.institution_id == campaign.institution_id, Campaign.questionnaire_id == campaign.questionnaire_id,
        Campaign.opens_at < campaign.opens_at, Campaign.id != campaign.id,
    ).order_by(Campaign.opens_at.desc())).first()


def _previous(session: Session, campaign: Campaign, current: dict[str, dict[str, Any]],
              staff: bool) -> PreviousCampaign | None:
    prev = previous_campaign(session, campaign)
    if prev is None:
        return None
    before = concept_stats(session, [prev.id])
    respondents = respondent_counts(session, [prev.id]).get(prev.id, 0)
    hidden = not staff and respondents < SUPPRESSION_THRESHOLD
    rows = []
    for code in sorted(set(current) | set(before)):
        now_, then = current.get(code, {}), ({} if hidden else before.get(code, {}))
        change = (round(now_["mean"] - then["mean"], 4)
                  if now_.get("mean") is not None and then.get("mean") is not None else None)
        rows.append(ConceptComparison(concept_code=code, current_n=now_.get("n", 0), current_mean=now_.get("mean"),
                                      current_top_box=now_.get("top_box"), previous_n=before.get(code, {}).get("n", 0),
                                      previous_mean=then.get("mean"), previous_top_box=then.get("top_box"),
                                      change=change))
    return PreviousCampaign(campaign_id=prev.id, name=prev.name, opens_at=prev.opens_at, closes_at=prev.closes_at,
                            version_id=prev.version_id, respondents=respondents, suppressed=hidden, concepts=rows)


def _quartiles(values: list[float]) -> list[float]:
    if len(values) == 1:
        return values * 3
    return statistics.quantiles(values, n=4, method="inclusive")


def _peers(session: Session, campaign: Campaign, current: dict[str, dict[str, Any]],
           numeric: set[str]) -> list[PeerDistribution]:
    """Means of peer institutions' campaigns (same institution kind, overlapping period) per concept,
    each over at least SUPPRESSION_THRESHOLD respondents."""
    own_kind = select(Institution.kind).where(Institution.id == campaign.institution_id).scalar_subquery()
    peer_campaigns = (select(Campaign.id).join(Institution, Institution.id == Campaign.institution_id)
                      .where(Campaign.institution_id != campaign.institution_id, Institution.kind == own_kind,
                             Campaign.opens_at <= campaign.closes_at, Campaign.closes_at >= campaign.opens_at))
    concepts = sorted(numeric)
    if not concepts:
        return []
    stmt = (select(SurveyAnswer.concept_code, SurveyAnswer.institution_id, sa.func.avg(SurveyAnswer.value_num))
            .where(SurveyAnswer.campaign_id.in_(peer_campaigns), SurveyAnswer.concept_code.in_(concepts),
                   SurveyAnswer.value_num.is_not(None))
            .group_by(SurveyAnswer.campaign_id, SurveyAnswer.concept_code, SurveyAnswer.institution_id)
            .having(sa.func.count(sa.distinct(SurveyAnswer.response_id)) >= SUPPRESSION_THRESHOLD))
    by_concept: dict[str, list[tuple[uuid.UUID, float]]] = {}
    for code, institution_id, mean in session.execute(stmt).all():
        by_concept.setdefault(code, []).append((institution_id, float(mean)))
    out = []
    for code in concepts:
        peers = by_concept.get(code, [])
        means = sorted(m for _, m in peers)
        own = current.get(code, {}).get("mean")
        entry = PeerDistribution(concept_code=code, campaigns=len(means), institutions=len({i for i, _ in peers}),
                                 own_mean=own)
        if means:
            q1, q2, q3 = _quartiles(means)
            entry = entry.model_copy(update={
                "min": round(means[0], 4), "p25": round(q1, 4), "median": round(q2, 4), "p75": round(q3, 4),
                "max": round(means[-1], 4),
                "own_percentile": None if own is None else round(
                    100.0 * sum(1 for m in means if m <= own) / len(means), 1)})
        out.append(entry)
    return out


def campaign_results(session: Session, principal: Principal, campaign_id: uuid.UUID, *, compare_previous: bool,
                     peers: bool) -> CampaignResults:
    campaign = get_campaign(session, principal, campaign_id)
    public = campaign_public(session, campaign)
    staff = is_institution_staff(principal, campaign)
    suppressed = not staff and public.respondents < SUPPRESSION_THRESHOLD
    questions = session.exec(select(Question).where(Question.version_id == campaign.version_id)
                             .order_by(Question.position)).all()
    stats = concept_stats(session, [campaign.id])
    distributions = _distributions(session, campaign.id)
    texts = _texts(session, campaign.id) if staff else {}
    results = []
    for q in questions:
        s = stats.get(q.concept_code, {"n": 0, "mean": None, "top_box": None})
        hidden = suppressed
        results.append(QuestionResult(
            concept_code=q.concept_code, type=q.type, text_lt=q.text_lt, text_en=q.text_en,
            dimension_code=q.dimension_code, n=s["n"], mean=None if hidden else s["mean"],
            top_box_share=None if hidden else s["top_box"],
            distribution=[] if hidden else sorted(distributions.get(q.concept_code, []), key=lambda d: d.value),
            texts=texts.get(q.concept_code, []) if staff and q.type == QuestionType.text.value else None))
    dims = _dimension_stats(session, campaign.id)
    names = {d["code"]: d for d in session.get_one(QuestionnaireVersion, campaign.version_id).dimensions or []}
    dimensions = [DimensionResult(code=code, name_lt=d.get("name_lt", code), name_en=d.get("name_en", code),
                                  n=dims.get(code, {}).get("n", 0),
                                  mean=None if suppressed else dims.get(code, {}).get("mean"),
                                  top_box_share=None if suppressed else dims.get(code, {}).get("top_box"))
                  for code, d in names.items()]
    current = {} if suppressed else stats
    numeric = {q.concept_code for q in questions if q.type not in NO_DISTRIBUTION
               and q.type not in (QuestionType.single_choice.value, QuestionType.multi_choice.value)}
    return CampaignResults(
        campaign=public, respondents=public.respondents, suppressed=suppressed,
        suppression_threshold=SUPPRESSION_THRESHOLD, questions=results, dimensions=dimensions,
        previous=_previous(session, campaign, current, staff) if compare_previous else None,
        peers=_peers(session, campaign, current, numeric) if peers else None,
    )
