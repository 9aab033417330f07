"""What other domains may use of institutions: the records persons are registered at, and two
hooks through which persons' domains show themselves on institution pages and rosters.

Physicians and nurses import this module and nothing else of ``service.institutions``
(import-linter holds them to it), so institutions never import them back.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from service.access.policy import READ
from service.institutions.access import institution_rule
from service.institutions.departments import Department, DepartmentSubject
from service.institutions.matching import (
    Suggestion,
    in_jurisdiction,
    institutions_named,
    pick,
    similar_institutions,
)
from service.institutions.models import INSTITUTION_STATUSES, Institution, InstitutionSubject
from service.institutions.routes import issuing_authority, subject_institution

__all__ = [
    "INSTITUTION_STATUSES", "Department", "DepartmentSubject", "Institution",
    "InstitutionSubject", "Panel", "StaffMember", "Suggestion", "detail_panel", "detail_panels",
    "in_jurisdiction", "institutions_named", "issuing_authority", "pick", "readable_institutions",
    "similar_institutions", "staff_of", "staff_source", "subject_institution",
]


@dataclass(frozen=True)
class StaffMember:
    """A registered person working at an institution, as the verification roster lists her."""

    kind: str  # physician / nurse
    name: str
    id_number: str
    certificate_number: str
    title: str
    department: str = ""


@dataclass(frozen=True)
class Panel:
    """A section of the institution detail page: a template and what it renders."""

    template: str
    context: dict


_STAFF: dict[str, Callable[[int], list[StaffMember]]] = {}
_PANELS: dict[str, Callable[[Institution, object], Panel]] = {}


def staff_source(kind: str) -> Callable:
    """Register the registered staff of a kind: (institution id) -> [StaffMember]."""
    def register(fn: Callable) -> Callable:
        _STAFF[kind] = fn
        return fn
    return register


def staff_of(institution_id: int) -> list[StaffMember]:
    """Everyone registered at the institution, physicians first (the order of registration)."""
    return [m for kind in sorted(_STAFF, key=lambda k: (k != "physician", k))
            for m in _STAFF[kind](institution_id)]


def detail_panel(name: str) -> Callable:
    """Register a detail-page section: (institution, actor) -> Panel."""
    def register(fn: Callable) -> Callable:
        _PANELS[name] = fn
        return fn
    return register


def detail_panels(inst: Institution, actor) -> list[Panel]:
    return [_PANELS[name](inst, actor) for name in sorted(_PANELS, key=lambda k: (k != "physician", k))]


def readable_institutions(actor) -> object:
    """The ids of the institutions an administration, institution or platform account reads
    (a subquery; persons' own reach is their domains' business)."""
    return select(Institution.id).where(institution_rule(actor, READ))
