"""What municipalities pull: published values of their institutions, paged JSON or CSV, with an
ETag (so an unchanged pull is answered 304 without serialising anything), and a summary
of the latest value and the trend per institution and indicator.

An ETag has two parts, ``W/"<scope>-<content>"``. The scope part digests the request and a
fingerprint of everything the pull could show: the change counters of the institutions in scope
(``indicator_value_changes``, kept by triggers on every insert, update and delete of a value) and
the versions of those institutions and of the indicators they use; one small indexed query. A
conditional request is 304 at once when its scope part still holds, without reading a value row.
For a JSON page the content part digests the rows served and the next cursor: when the scope
changed, the page is read again and compared, so a page that a change elsewhere did not touch is
still 304 (with the new ETag). The CSV, which is the whole scope, has the scope part only.

Nothing personal leaves here: no comments, no people, and a value resting on fewer than k persons
(api/privacy.py; survey respondents, care-plan recipients, a formula's fewest) comes without a
figure, with `suppressed` true and the reason. The pull's readers (municipalities, the platform
administrator) are never the institution's staff.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from api.csv_export import csv_text
from api.errors import ValidationFailed
from api.indicators import values
from api.indicators.periods import Periodicity
from api.indicators.schemas import MunicipalitySummary, PulledValue, SummaryRow
from api.models import (
    Indicator,
    IndicatorDirection,
    IndicatorValue,
    IndicatorValueChanges,
    Institution,
    InstitutionKind,
    Municipality,
    ValueStatus,
)
from api.pagination import paginate
from api.privacy import Privacy, few_persons
from api.security.principal import Principal
from api.tenancy import get_or_404, institution_filter

V, Inst, N = IndicatorValue, Institution, Indicator


@dataclass(frozen=True)
class PullFilter:
    municipality_id: uuid.UUID | None = None
    institution_id: uuid.UUID | None = None
    institution_kind: InstitutionKind | None = None
    indicator: str | None = None
    periodicity: Periodicity | None = None
    period_from: date | None = None
    period_to: date | None = None
    updated_since: datetime | None = None

    def key(self) -> str:
        return "|".join(str(getattr(self, f)) for f in self.__dataclass_fields__)


def _published_value(privacy: Privacy) -> Any:
    return sa.case((values.suppressed_sql(privacy), sa.null()), else_=V.value)


def pull_columns(privacy: Privacy) -> tuple[Any, ...]:
    """What a pulled row shows (the CSV's columns, in order): the figure only when it rests on at
    least k persons."""
    suppressed = values.suppressed_sql(privacy)
    return (
        V.id,
        Inst.municipality_id,
        V.institution_id,
        Inst.name.label("institution_name"),
        Inst.kind.label("institution_kind"),
        N.code.label("indicator_code"),
        N.name_lt.label("indicator_name_lt"),
        N.name_en.label("indicator_name_en"),
        N.unit,
        V.periodicity,
        V.period_label.label("period"),
        V.period_start,
        V.period_end,
        _published_value(privacy).label("value"),
        suppressed.label("suppressed"),
        V.revision,
        V.published_at,
        V.updated_at,
        sa.case((suppressed, sa.literal(few_persons(privacy.k))), else_=sa.null()).label("suppression_reason"),
    )


CSV_FIELDS = [c.key for c in pull_columns(Privacy())]


def _conditions(principal: Principal, f: PullFilter) -> list[sa.ColumnElement[bool]]:
    where = [institution_filter(V.institution_id, principal), V.status == ValueStatus.published]
    if f.municipality_id:
        where.append(Inst.municipality_id == f.municipality_id)
    if f.institution_id:
        where.append(V.institution_id == f.institution_id)
    if f.institution_kind:
        where.append(Inst.kind == f.institution_kind)
    if f.indicator:
        where.append(N.code == f.indicator)
    if f.periodicity:
        where.append(V.periodicity == f.periodicity)
    if f.period_from:
        where.append(V.period_start >= f.period_from)
    if f.period_to:
        where.append(V.period_start <= f.period_to)
    if f.updated_since:
        where.append(V.updated_at >= f.updated_since)
    return where


def _joined(stmt: Any) -> Any:
    return stmt.join(Inst, Inst.id == V.institution_id).join(N, N.id == V.indicator_id)


def _who(principal: Principal) -> str:
    return f"{principal.role}|{principal.institution_id}|{principal.municipality_id}"


def _digest(*parts: Any) -> str:
    return hashlib.sha256("#".join(str(p) for p in parts).encode()).hexdigest()[:24]


def scope_tag(session: Session, principal: Principal, f: PullFilter, *, variant: str) -> str:
    """The scope part of the ETag: it changes whenever any value, institution or indicator that
    this pull (`variant`: the representation, sort and page) could show changes. Read it before
    the content, so that an ETag never claims newer data than the body it came with."""
    where = [institution_filter(Inst.id, principal)]
    if f.municipality_id:
        where.append(Inst.municipality_id == f.municipality_id)
    if f.institution_id:
        where.append(Inst.id == f.institution_id)
    if f.institution_kind:
        where.append(Inst.kind == f.institution_kind)
    C = IndicatorValueChanges
    institutions = (
        select(sa.func.count(Inst.id), sa.func.sum(Inst.version), sa.func.max(Inst.updated_at), sa.func.sum(C.changes))
        .select_from(Inst)
        .outerjoin(C, C.institution_id == Inst.id)
        .where(*where)
        .subquery()
    )
    in_scope = select(Inst.id).where(*where).scalar_subquery()
    indicators = (
        select(sa.func.count(N.id), sa.func.sum(N.version), sa.func.max(N.updated_at))
        .where(sa.or_(N.institution_id.is_(None), N.institution_id.in_(in_scope)))
        .subquery()
    )
    fingerprint = session.exec(
        select(institutions, indicators).select_from(institutions.join(indicators, sa.true()))
    ).one()
    return _digest(_who(principal), f.key(), variant, *fingerprint)


def etag(scope: str, content: str) -> str:
    return f'W/"{scope}-{content}"'


def _tags(if_none_match: str | None) -> list[tuple[str, str]]:
    out = []
    for tag in (if_none_match or "").split(","):
        scope, _, content = tag.strip().removeprefix("W/").strip('"').partition("-")
        out.append((scope, content))
    return out


def scope_match(if_none_match: str | None, scope: str) -> str | None:
    """The ETag from If-None-Match whose scope part still holds (answer 304 with it), or None."""
    for tag_scope, content in _tags(if_none_match):
        if tag_scope == scope and content:
            return etag(scope, content)
    return None


def any_match(if_none_match: str | None) -> bool:
    """If-None-Match: `*` (any current representation)."""
    return any(tag.strip() == "*" for tag in (if_none_match or "").split(","))


def content_match(if_none_match: str | None, current: str) -> bool:
    """Whether If-None-Match names the current content (or is `*`), whatever its scope part."""
    if any_match(if_none_match):
        return True
    content = current.removeprefix("W/").strip('"').partition("-")[2]
    return any(tag_content == content for _, tag_content in _tags(if_none_match))


@dataclass(frozen=True)
class PullPage:
    rows: list[Any]
    next_cursor: str | None
    etag: str

    def items(self) -> list[PulledValue]:
        return [PulledValue.model_validate(row._mapping) for row in self.rows]


def page_variant(sort: str, limit: int, cursor: str | None) -> str:
    return f"json|{sort}|{limit}|{cursor}"


def pull_page(
    session: Session,
    principal: Principal,
    f: PullFilter,
    *,
    sort: str,
    limit: int,
    cursor: str | None,
    scope: str,
    privacy: Privacy,
) -> PullPage:
    """One page, and its ETag: `scope` (from :func:`scope_tag`) and a digest of exactly the row
    values the page serialises (and of the next cursor), so a page is 304 when nothing in it
    changed. Computing it costs the page query only, not an aggregate over everything the filter
    matches."""
    stmt = _joined(select(*pull_columns(privacy)).select_from(V)).where(*_conditions(principal, f))
    rows, next_cursor = paginate(session, stmt, model=V, sort=sort, limit=limit, cursor=cursor)
    digest = hashlib.sha256(
        "#".join([_who(principal), f.key(), sort, str(limit), str(cursor), str(next_cursor)]).encode()
    )
    for row in rows:
        digest.update(repr(tuple(row)).encode())
    return PullPage(rows=rows, next_cursor=next_cursor, etag=etag(scope, digest.hexdigest()[:24]))


def pull_csv(session: Session, principal: Principal, f: PullFilter, privacy: Privacy) -> str:
    """Every matching row (no paging), ordered by institution, indicator and period."""
    stmt = _joined(select(*pull_columns(privacy)).select_from(V)).where(*_conditions(principal, f))
    stmt = stmt.order_by(V.institution_id, N.code, V.period_start)
    # Names come from institutions and municipalities: the one CSV writer neutralises formulas.
    return csv_text(CSV_FIELDS, session.exec(stmt), lineterminator="\n")


def summary(
    session: Session,
    principal: Principal,
    *,
    municipality_id: uuid.UUID | None,
    institution_kind: InstitutionKind | None,
    indicator: str | None,
    trend_periods: int,
    privacy: Privacy,
) -> MunicipalitySummary:
    """Per institution and indicator: the latest published value, the one before, and a trend slope
    (suppressed values count as missing)."""
    municipality_id = municipality_id or principal.municipality_id
    if municipality_id is None:
        raise ValidationFailed.for_field("query.municipality_id", "name the municipality (municipality_id)", "missing")
    get_or_404(session, Municipality, municipality_id, principal, what="municipality")
    f = PullFilter(municipality_id=municipality_id, institution_kind=institution_kind, indicator=indicator)
    rn = sa.func.row_number().over(partition_by=(V.institution_id, V.indicator_id), order_by=V.period_start.desc())
    ranked = (
        _joined(
            select(
                V.institution_id,
                V.indicator_id,
                V.period_label,
                _published_value(privacy).label("value"),
                values.suppressed_sql(privacy).label("suppressed"),
                rn.label("rn"),
            ).select_from(V)
        )
        .where(*_conditions(principal, f))
        .subquery()
    )
    is_suppressed = ranked.c.suppressed.is_(True)
    has_value = ranked.c.value.is_not(None)
    x = -ranked.c.rn  # time runs forward as rn falls
    n = sa.func.count(ranked.c.value)
    sx = sa.func.sum(sa.case((has_value, x)))
    sy = sa.func.sum(ranked.c.value)
    sxy = sa.func.sum(sa.case((has_value, x * ranked.c.value)))
    sxx = sa.func.sum(sa.case((has_value, x * x)))
    grouped = (
        select(
            ranked.c.institution_id,
            ranked.c.indicator_id,
            sa.func.max(sa.case((ranked.c.rn == 1, ranked.c.period_label))).label("latest_period"),
            sa.func.max(sa.case((ranked.c.rn == 1, ranked.c.value))).label("latest_value"),
            sa.func.max(sa.case((ranked.c.rn == 2, ranked.c.value))).label("previous_value"),
            sa.func.count(sa.case((sa.and_(ranked.c.rn == 1, is_suppressed), 1))).label("latest_suppressed"),
            sa.func.count(sa.case((sa.and_(ranked.c.rn == 2, is_suppressed), 1))).label("previous_suppressed"),
            n.label("periods"),
            ((n * sxy - sx * sy) / sa.func.nullif(n * sxx - sx * sx, 0)).label("trend_slope"),
        )
        .where(ranked.c.rn <= trend_periods)
        .group_by(ranked.c.institution_id, ranked.c.indicator_id)
        .subquery()
    )
    stmt = (
        select(grouped, Inst.name, Inst.kind, N.code, N.name_lt, N.name_en, N.unit, N.direction)
        .join(Inst, Inst.id == grouped.c.institution_id)
        .join(N, N.id == grouped.c.indicator_id)
        .order_by(Inst.name, Inst.id, N.code)
    )
    rows = []
    for r in session.exec(stmt).all():
        m = r._mapping
        slope = None if m["trend_slope"] is None else float(m["trend_slope"])
        latest, previous = m["latest_value"], m["previous_value"]
        latest_suppressed, previous_suppressed = bool(m["latest_suppressed"]), bool(m["previous_suppressed"])
        rows.append(
            SummaryRow(
                institution_id=m["institution_id"],
                institution_name=m["name"],
                institution_kind=m["kind"],
                indicator_code=m["code"],
                indicator_name_lt=m["name_lt"],
                indicator_name_en=m["name_en"],
                unit=m["unit"],
                direction=m["direction"],
                latest_period=m["latest_period"],
                latest_value=latest,
                latest_suppressed=latest_suppressed,
                previous_value=previous,
                previous_suppressed=previous_suppressed,
                suppression_reason=few_persons(privacy.k) if latest_suppressed or previous_suppressed else None,
                change=None if latest is None or previous is None else latest - previous,
                periods=m["periods"],
                trend_slope=slope,
                trend=_trend(slope, m["direction"]),
            )
        )
    return MunicipalitySummary(municipality_id=municipality_id, trend_periods=trend_periods, rows=rows)


def _trend(slope: float | None, direction: str) -> str:
    if slope is None:
        return "unknown"
    if abs(slope) < 1e-9:
        return "stable"
    better = slope > 0 if direction == IndicatorDirection.higher_is_better else slope < 0
    return "improving" if better else "worsening"
