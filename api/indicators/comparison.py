"""An institution's value compared with its past, its target and its peers.

Peers are the other institutions of the same kind (in the municipality or platform-wide) with a
published, unsuppressed value for the same period. Only their distribution is given (median,
quartiles, the institution's percentile rank), computed in SQL, never one of them, and nothing
under 3 peers.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from api.errors import ValidationFailed
from api.indicators import catalogue, values
from api.indicators.periods import Period
from api.indicators.schemas import Comparison, IndicatorPublic, PeerStatistics, TrendPoint
from api.indicators.targets import parse_period
from api.models import Indicator, IndicatorTarget, IndicatorValue, Institution, ValueStatus
from api.security.principal import Principal
from api.tenancy import get_or_404
from api.types import today

MIN_PEERS = 3


def _institution(session: Session, principal: Principal, institution_id: uuid.UUID | None) -> Institution:
    if principal.institution_id is not None:
        institution_id = institution_id or principal.institution_id
    elif institution_id is None:
        raise ValidationFailed.for_field("query.institution_id", "name the institution to compare (institution_id)",
                                         "missing")
    return get_or_404(session, Institution, institution_id, principal, what="institution")


def _default_period(session: Session, principal: Principal, indicator: Indicator, institution_id: uuid.UUID) -> Period:
    latest = session.exec(
        select(sa.func.max(IndicatorValue.period_start)).where(
            IndicatorValue.indicator_id == indicator.id, IndicatorValue.institution_id == institution_id,
            values.readable(principal))
    ).one()
    if latest is not None:
        return Period(indicator.periodicity, latest)
    return _containing(indicator, today())


def _containing(indicator: Indicator, day: date) -> Period:
    period = Period(indicator.periodicity, date(day.year, 1, 1))
    while period.shift(1).start <= day:
        period = period.shift(1)
    return period


def _quartile(ranked: Any, quarter: int) -> Any:
    """The `quarter`/4 quantile of the ranked peers, interpolated between closest ranks (what
    PostgreSQL's percentile_cont does), in portable SQL: integer division locates the rank."""
    offset = quarter * (ranked.c.n - 1)
    low = 1 + offset // 4
    fraction = sa.func.max(offset % 4) / 4.0
    at_low = sa.func.max(sa.case((ranked.c.rn == low, ranked.c.value)))
    at_next = sa.func.max(sa.case((ranked.c.rn == low + 1, ranked.c.value)))
    return at_low + fraction * (sa.func.coalesce(at_next, at_low) - at_low)


def peer_statistics(session: Session, indicator: Indicator, institution: Institution, period: Period,
                    value: float | None, scope: str) -> PeerStatistics:
    """Median, quartiles and percentile rank over the peers, computed in one SQL statement; no
    peer's value leaves the database."""
    return peer_statistics_many(session, institution, [(indicator.id, period.start, value)], scope)[
        (indicator.id, period.start)]


def peer_statistics_many(session: Session, institution: Institution,
                         wanted: Sequence[tuple[uuid.UUID, date, float | None]],
                         scope: str) -> dict[tuple[uuid.UUID, date], PeerStatistics]:
    """`peer_statistics` for several (indicator id, period start, the institution's value) at once,
    in one SQL statement grouped by indicator and period; keyed by (indicator id, period start)."""
    if not wanted:
        return {}
    key = (IndicatorValue.indicator_id, IndicatorValue.period_start)
    peer_filter = [
        sa.or_(*(sa.and_(IndicatorValue.indicator_id == indicator_id, IndicatorValue.period_start == start)
                 for indicator_id, start, _ in wanted)),
        IndicatorValue.status == ValueStatus.published,
        IndicatorValue.value.is_not(None),
        sa.not_(values.suppressed_sql()),
        IndicatorValue.institution_id != institution.id,
        Institution.kind == institution.kind,
    ]
    if scope == "municipality":
        peer_filter.append(Institution.municipality_id == institution.municipality_id)
    ranked = (
        select(IndicatorValue.indicator_id.label("indicator_id"), IndicatorValue.period_start.label("period_start"),
               IndicatorValue.value.label("value"),
               sa.func.row_number().over(partition_by=key, order_by=IndicatorValue.value).label("rn"),
               sa.func.count().over(partition_by=key).label("n"))
        .join(Institution, Institution.id == IndicatorValue.institution_id)
        .where(*peer_filter)
        .subquery()
    )
    # The institution's own value, per group, to rank it among the peers.
    given = [(sa.and_(ranked.c.indicator_id == indicator_id, ranked.c.period_start == start),
              sa.literal(value, IndicatorValue.value.type))
             for indicator_id, start, value in wanted if value is not None]
    if given:
        own = sa.case(*given, else_=sa.null())
        below = sa.func.count(sa.case((ranked.c.value < own, 1)))
        equal = sa.func.count(sa.case((ranked.c.value == own, 1)))
    else:
        below = equal = sa.literal(None)
    rows = session.exec(select(
        ranked.c.indicator_id, ranked.c.period_start, sa.func.count(), _quartile(ranked, 1), _quartile(ranked, 2),
        _quartile(ranked, 3), below, equal,
    ).group_by(ranked.c.indicator_id, ranked.c.period_start)).all()
    found = {(indicator_id, start): rest for indicator_id, start, *rest in rows}
    out = {}
    for indicator_id, start, value in wanted:
        n, q1, median, q3, n_below, n_equal = found.get((indicator_id, start), (0, None, None, None, None, None))
        if n < MIN_PEERS:
            out[(indicator_id, start)] = PeerStatistics(scope=scope, institution_kind=institution.kind, peers=n,
                                                        suppressed=True)
            continue
        rank = None if value is None else round(100.0 * (n_below + 0.5 * n_equal) / n, 2)
        out[(indicator_id, start)] = PeerStatistics(
            scope=scope, institution_kind=institution.kind, peers=n, median=float(median), lower_quartile=float(q1),
            upper_quartile=float(q3), percentile_rank=rank, suppressed=False,
        )
    return out


def compare(session: Session, principal: Principal, code: str, *, institution_id: uuid.UUID | None,
            period_label: str | None, peer_scope: str, trend_periods: int) -> Comparison:
    catalogue.find_by_code(session, principal, code)
    institution = _institution(session, principal, institution_id)
    indicator = catalogue.find_by_code(session, principal, code, institution.id)
    if period_label:
        period = parse_period(indicator, period_label, "query.period")
    else:
        period = _default_period(session, principal, indicator, institution.id)
    trend = period.last(trend_periods)
    wanted = {p.start for p in trend} | {period.same_period_last_year().start, period.previous().start}
    rows = session.exec(select(IndicatorValue).where(
        IndicatorValue.indicator_id == indicator.id, IndicatorValue.institution_id == institution.id,
        IndicatorValue.period_start.in_(wanted), values.readable(principal))).all()
    by_start = {row.period_start: values.to_public(row, principal) for row in rows}

    def value_at(p: Period) -> float | None:
        found = by_start.get(p.start)
        return found.value if found else None

    current = by_start.get(period.start)
    value = current.value if current else None
    target = session.exec(select(IndicatorTarget.target).where(
        IndicatorTarget.institution_id == institution.id, IndicatorTarget.indicator_id == indicator.id,
        IndicatorTarget.period_start == period.start)).first()
    previous, last_year = period.previous(), period.same_period_last_year()
    previous_value, last_year_value = value_at(previous), value_at(last_year)
    return Comparison(
        indicator=IndicatorPublic.model_validate(indicator), institution_id=institution.id, period=period.label,
        value=value, status=current.status if current else None, suppressed=bool(current and current.suppressed),
        target=target, previous_period=previous.label, previous_value=previous_value,
        change=None if value is None or previous_value is None else value - previous_value,
        same_period_last_year=last_year.label, last_year_value=last_year_value,
        change_from_last_year=None if value is None or last_year_value is None else value - last_year_value,
        trend=[TrendPoint(period=p.label, value=value_at(p)) for p in trend],
        peers=peer_statistics(session, indicator, institution, period, value, peer_scope),
    )
