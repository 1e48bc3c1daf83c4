"""SWOT (SSGG) analyses: per institution and year, items by quadrant with links to evidence."""

from __future__ import annotations

import uuid

from sqlmodel import Session, select

from api.audit.service import record as audit
from api.concurrency import check_if_match
from api.crud import flush_or_conflict, patched_fields
from api.errors import NotFound, ValidationFailed
from api.models import AssessmentFinding, EvidenceKind, Institution, SwotItem, SwotQuadrant
from api.pagination import paginate
from api.security.principal import Principal
from api.swot.schemas import EvidenceLink, SwotAnalysis, SwotItemCreate, SwotItemPublic, SwotItemUpdate
from api.tenancy import get_or_404, scoped
from api.types import utcnow

RESOURCE = "swot_item"


def _links(session: Session, principal: Principal, links: list[EvidenceLink]) -> list[dict]:
    """Findings and SWOT items must be the institution's own; other kinds are kept as references."""
    out = []
    for index, link in enumerate(links):
        own = {EvidenceKind.assessment_finding: AssessmentFinding, EvidenceKind.swot_item: SwotItem}.get(link.kind)
        if link.kind != EvidenceKind.indicator_comparison and link.ref_id is None:
            raise ValidationFailed.for_field(
                f"body.evidence.{index}.ref_id", f"{link.kind} evidence names ref_id", "missing"
            )
        if (
            own is not None
            and session.exec(scoped(select(own.id).where(own.id == link.ref_id), own, principal)).first() is None
        ):
            raise ValidationFailed.for_field(
                f"body.evidence.{index}.ref_id", f"No {link.kind} of your institution with this id.", "unknown_id"
            )
        out.append(link.model_dump(mode="json"))
    return out


def get_item(session: Session, principal: Principal, swot_item_id: uuid.UUID) -> SwotItem:
    return get_or_404(session, SwotItem, swot_item_id, principal, what="SWOT item")


def analysis(session: Session, principal: Principal, *, institution_id: uuid.UUID | None, year: int) -> SwotAnalysis:
    institution_id = institution_id or principal.institution_id
    if institution_id is None:
        raise ValidationFailed.for_field("query.institution_id", "name the institution (institution_id)", "missing")
    get_or_404(session, Institution, institution_id, principal, what="institution")
    rows = session.exec(
        scoped(select(SwotItem), SwotItem, principal)
        .where(SwotItem.institution_id == institution_id, SwotItem.year == year)
        .order_by(SwotItem.position, SwotItem.created_at, SwotItem.id)
    ).all()

    def of(quadrant: SwotQuadrant) -> list[SwotItemPublic]:
        return [SwotItemPublic.model_validate(r) for r in rows if r.quadrant == quadrant]

    return SwotAnalysis(
        institution_id=institution_id,
        year=year,
        strengths=of(SwotQuadrant.strength),
        weaknesses=of(SwotQuadrant.weakness),
        opportunities=of(SwotQuadrant.opportunity),
        threats=of(SwotQuadrant.threat),
    )


def list_items(
    session: Session,
    principal: Principal,
    *,
    year: int | None,
    quadrant: SwotQuadrant | None,
    sort: str,
    limit: int,
    cursor: str | None,
) -> tuple[list[SwotItem], str | None]:
    stmt = scoped(select(SwotItem), SwotItem, principal)
    if year is not None:
        stmt = stmt.where(SwotItem.year == year)
    if quadrant:
        stmt = stmt.where(SwotItem.quadrant == quadrant)
    return paginate(session, stmt, model=SwotItem, sort=sort, limit=limit, cursor=cursor)


def create_item(session: Session, principal: Principal, data: SwotItemCreate) -> SwotItem:
    if principal.institution_id is None:
        raise NotFound("SWOT items belong to an institution.")
    item = SwotItem(
        institution_id=principal.institution_id,
        year=data.year,
        quadrant=data.quadrant,
        text=data.text,
        position=data.position,
        evidence=_links(session, principal, data.evidence),
        created_by_id=principal.subject_id,
    )
    session.add(item)
    flush_or_conflict(session, "The SWOT item could not be stored.")
    audit(session, principal, action="create", resource_type=RESOURCE, resource_id=item.id)
    return item


def update_item(
    session: Session, principal: Principal, swot_item_id: uuid.UUID, patch: SwotItemUpdate, if_match: str
) -> SwotItem:
    item = get_item(session, principal, swot_item_id)
    check_if_match(if_match, item.version)
    data = patched_fields(patch, not_null=("quadrant", "text", "position", "evidence"))
    if "evidence" in data:
        data["evidence"] = _links(session, principal, patch.evidence or [])
    for key, value in data.items():
        setattr(item, key, value)
    item.updated_at = utcnow()
    session.add(item)
    flush_or_conflict(session, "The SWOT item could not be stored.")
    audit(session, principal, action="update", resource_type=RESOURCE, resource_id=item.id)
    return item


def delete_item(session: Session, principal: Principal, swot_item_id: uuid.UUID, if_match: str) -> None:
    item = get_item(session, principal, swot_item_id)
    check_if_match(if_match, item.version)
    session.delete(item)
    flush_or_conflict(session, "The SWOT item could not be deleted.")
    audit(session, principal, action="delete", resource_type=RESOURCE, resource_id=swot_item_id)
