"""An institution's value compared with its past, its target and its peers.

Peers are the other institutions of the same kind (in the municipality or platform-wide) with a
published value for the same period that is not suppressed (api/privacy.py). Only the group's
size and the institution's percentile rank are given, computed in SQL, and nothing under k peers:
no peer's value, and no minimum, maximum, median or quartile, which with few peers are peers'
values (an odd group's median is one of them; with three peers the quartiles give all three).
The rank is of the institution's published value only (a draft could be moved to probe the
peers), and only when peers lie strictly below and strictly above it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, select

from api.errors import ValidationFailed
from api.indicators import catalogue, values
from api.indicators.periods import Period
from api.indicators.schemas import Comparison, IndicatorPublic, PeerStatistics, TrendPoint
from api.indicators.targets import parse_period
from api.models import Indicator, IndicatorTarget, IndicatorValue, Institution, ValueStatus
from api.privacy import Privacy, few_peers, rank_among_peers
from api.security.principal import Principal
from api.tenancy import get_or_404
from api.types import today


def _institution(session: Session, principal: Principal, institution_id: uuid.UUID | None) -> Institution:
    if principal.institution_id is not None:
        institution_id = institution_id or principal.institution_id
    elif institution_id is None:
        raise ValidationFailed.for_field(
            "query.institution_id", "name the institution to compare (institution_id)", "missing"
        )
    return get_or_404(session, Institution, institution_id, principal, what="institution")


def _default_period(session: Session, principal: Principal, indicator: Indicator, institution_id: uuid.UUID) -> Period:
    latest = session.exec(
        select(sa.func.max(IndicatorValue.period_start)).where(
            IndicatorValue.indicator_id == indicator.id,
            IndicatorValue.institution_id == institution_id,
            values.readable(principal),
        )
    ).one()
    if latest is not None:
        return Period(indicator.periodicity, latest)
    return _containing(indicator, today())


def _containing(indicator: Indicator, day: date) -> Period:
    period = Period(indicator.periodicity, date(day.year, 1, 1))
    while period.shift(1).start <= day:
        period = period.shift(1)
    return period


def formed_by(kind: str, scope: str, what: str, privacy: Privacy) -> str:
    where = "in the same municipality" if scope == "municipality" else "on the whole platform"
    return (
        f"Other institutions of the kind {kind} {where} with {what} that rests on at least {privacy.k} persons "
        f"or is not derived from persons; figures from at least {privacy.k} peers."
    )


def peer_statistics(
    session: Session,
    indicator: Indicator,
    institution: Institution,
    period: Period,
    value: float | None,
    scope: str,
    privacy: Privacy,
    *,
    published: bool = True,
) -> PeerStatistics:
    """The peer group's size and the institution's rank in it, in one SQL statement; no peer's
    value leaves the database."""
    return peer_statistics_many(
        session,
        institution,
        [(indicator.id, period.start, value, published)],
        scope,
        privacy,
        period_label=period.label,
    )[(indicator.id, period.start)]


def peer_statistics_many(
    session: Session,
    institution: Institution,
    wanted: Sequence[tuple[uuid.UUID, date, float | None, bool]],
    scope: str,
    privacy: Privacy,
    *,
    period_label: str = "the period",
) -> dict[tuple[uuid.UUID, date], PeerStatistics]:
    """`peer_statistics` for several (indicator id, period start, the institution's value, whether
    that value is published) at once, in one SQL statement grouped by indicator and period; keyed
    by (indicator id, period start)."""
    if not wanted:
        return {}
    peer_filter = [
        sa.or_(
            *(
                sa.and_(IndicatorValue.indicator_id == indicator_id, IndicatorValue.period_start == start)
                for indicator_id, start, _, _ in wanted
            )
        ),
        IndicatorValue.status == ValueStatus.published,
        IndicatorValue.value.is_not(None),
        sa.not_(values.suppressed_sql(privacy)),
        IndicatorValue.institution_id != institution.id,
        Institution.kind == institution.kind,
    ]
    if scope == "municipality":
        peer_filter.append(Institution.municipality_id == institution.municipality_id)
    # The institution's own value, per group, to count the peers below and above it.
    given = [
        (
            sa.and_(IndicatorValue.indicator_id == indicator_id, IndicatorValue.period_start == start),
            sa.literal(value, IndicatorValue.value.type),
        )
        for indicator_id, start, value, _ in wanted
        if value is not None
    ]
    if given:
        own = sa.case(*given, else_=sa.null())
        below = sa.func.count(sa.case((IndicatorValue.value < own, 1)))
        above = sa.func.count(sa.case((IndicatorValue.value > own, 1)))
    else:
        below = above = sa.literal(0)
    rows = session.exec(
        select(IndicatorValue.indicator_id, IndicatorValue.period_start, sa.func.count(), below, above)
        .join(Institution, Institution.id == IndicatorValue.institution_id)
        .where(*peer_filter)
        .group_by(IndicatorValue.indicator_id, IndicatorValue.period_start)
    ).all()
    found = {(indicator_id, start): rest for indicator_id, start, *rest in rows}
    group = {
        "scope": scope,
        "institution_kind": institution.kind,
        "municipality_id": institution.municipality_id if scope == "municipality" else None,
        "minimum_peers": privacy.k,
        "formed_by": formed_by(institution.kind, scope, f"a published value for {period_label}", privacy),
    }
    out = {}
    for indicator_id, start, value, published in wanted:
        n, n_below, n_above = found.get((indicator_id, start), (0, 0, 0))
        if not privacy.enough_peers(n):
            out[(indicator_id, start)] = PeerStatistics(**group, peers=n, suppressed=True, reason=few_peers(privacy.k))
            continue
        rank, why = rank_among_peers(n_below, n_above, n, published=published and value is not None)
        out[(indicator_id, start)] = PeerStatistics(
            **group, peers=n, percentile_rank=rank, percentile_rank_reason=why, suppressed=False
        )
    return out


def compare(
    session: Session,
    principal: Principal,
    code: str,
    *,
    institution_id: uuid.UUID | None,
    period_label: str | None,
    peer_scope: str,
    trend_periods: int,
    privacy: Privacy,
) -> Comparison:
    catalogue.find_by_code(session, principal, code)
    institution = _institution(session, principal, institution_id)
    indicator = catalogue.find_by_code(session, principal, code, institution.id)
    if period_label:
        period = parse_period(indicator, period_label, "query.period")
    else:
        period = _default_period(session, principal, indicator, institution.id)
    trend = period.last(trend_periods)
    wanted = {p.start for p in trend} | {period.same_period_last_year().start, period.previous().start}
    rows = session.exec(
        select(IndicatorValue).where(
            IndicatorValue.indicator_id == indicator.id,
            IndicatorValue.institution_id == institution.id,
            IndicatorValue.period_start.in_(wanted),
            values.readable(principal),
        )
    ).all()
    by_start = {row.period_start: values.to_public(row, principal, privacy) for row in rows}

    def value_at(p: Period) -> float | None:
        found = by_start.get(p.start)
        return found.value if found else None

    def suppressed_at(p: Period) -> bool:
        found = by_start.get(p.start)
        return bool(found and found.suppressed)

    current = by_start.get(period.start)
    value = current.value if current else None
    published = bool(current and current.status == ValueStatus.published)
    target = session.exec(
        select(IndicatorTarget.target).where(
            IndicatorTarget.institution_id == institution.id,
            IndicatorTarget.indicator_id == indicator.id,
            IndicatorTarget.period_start == period.start,
        )
    ).first()
    previous, last_year = period.previous(), period.same_period_last_year()
    previous_value, last_year_value = value_at(previous), value_at(last_year)
    return Comparison(
        indicator=IndicatorPublic.model_validate(indicator),
        institution_id=institution.id,
        period=period.label,
        value=value,
        status=current.status if current else None,
        suppressed=suppressed_at(period),
        suppression_reason=current.suppression_reason if current else None,
        target=target,
        previous_period=previous.label,
        previous_value=previous_value,
        previous_suppressed=suppressed_at(previous),
        change=None if value is None or previous_value is None else value - previous_value,
        same_period_last_year=last_year.label,
        last_year_value=last_year_value,
        last_year_suppressed=suppressed_at(last_year),
        change_from_last_year=None if value is None or last_year_value is None else value - last_year_value,
        trend=[TrendPoint(period=p.label, value=value_at(p), suppressed=suppressed_at(p)) for p in trend],
        # Ranked: the value as this reader sees it (a suppressed value is not ranked), and only when published.
        peers=peer_statistics(session, indicator, institution, period, value, peer_scope, privacy, published=published),
    )
