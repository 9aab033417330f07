"""Reconciliation after an import (核实注册信息，建立关联关系): the persons whose institution name
the registry did not know, suggested institutions, and the administration's one-click link."""
from __future__ import annotations

from sqlalchemy import select

from service.access.models import Account
from service.core.extensions import db
from service.core.times import utcnow
from service.imports import kinds
from service.imports.models import ImportJob, Placement
from service.registry.reference import Administration


class LinkRefused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def waiting(actor: Account, import_id: int | None = None, limit: int = 200) -> list[Placement]:
    """The administration's persons still waiting for a link, oldest import first."""
    if actor.kind != "administration":
        return []
    stmt = select(Placement).join(ImportJob, ImportJob.id == Placement.import_id).where(
        ImportJob.administration_id == actor.administration_id, Placement.linked_at.is_(None))
    if import_id is not None:
        stmt = stmt.where(Placement.import_id == import_id)
    return list(db.session.scalars(stmt.order_by(Placement.import_id, Placement.row).limit(limit)))


def count_waiting(job: ImportJob) -> int:
    from sqlalchemy import func

    return db.session.scalar(select(func.count()).select_from(Placement).where(
        Placement.import_id == job.id, Placement.linked_at.is_(None))) or 0


def placement_for(actor: Account, placement_id: int) -> Placement | None:
    """The placement if it belongs to an import of the actor's administration (else 404)."""
    placement = db.session.get(Placement, placement_id)
    if placement is None or actor.kind != "administration" \
            or placement.job.administration_id != actor.administration_id:
        return None
    return placement


def suggestions(placement: Placement) -> list:
    kind = kinds.get(placement.kind)
    admin = db.session.get(Administration, placement.job.administration_id)
    return kind.suggest(placement, admin) if kind else []


def link(actor: Account, placement: Placement, institution_id: int | None) -> Placement:
    """Register the waiting person at the institution (a registry version) and close the
    placement; :class:`LinkRefused` when it cannot be done."""
    from service.imports.service import may_import

    if not may_import(actor):
        raise LinkRefused(403, "只有卫生健康行政部门的受理审核人员可以关联执业机构")
    if placement.linked_at is not None:
        raise LinkRefused(409, "该人员已关联执业机构")
    kind = kinds.get(placement.kind)
    admin = db.session.get(Administration, placement.job.administration_id)
    if institution_id is None or kind is None or not kind.may_link(institution_id, admin):
        raise LinkRefused(422, "请选择本机关辖区内的医疗机构")
    kind.link(placement, institution_id, actor)
    placement.institution_id, placement.linked_by_id, placement.linked_at = \
        institution_id, actor.id, utcnow()
    db.session.flush()
    return placement
