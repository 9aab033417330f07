"""Who reads a signed-up institution: the administrations over its division (in their subtree),
its own members, platform accounts; who reviews it: the administration of its division."""
from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, select, true

from service.access import policy
from service.access.models import Account
from service.supervision.models import (
    DemeritReport,
    Rectification,
    ScoredPerson,
    SelfInspection,
    SupervisedUnit,
    SupervisionMember,
    ThresholdCrossing,
)

# An institution account of the registry may administer its institution's sign-up too.
MEMBER_KINDS = ("supervision", "institution")


def member_of(actor: Account) -> SupervisionMember | None:
    """The supervision membership of a supervision account."""
    if actor is None or actor.kind not in MEMBER_KINDS:
        return None
    return SupervisionMember.query.filter_by(account_id=actor.id).first()


@policy.rule(SupervisedUnit, name="supervised_unit")
def unit_rule(actor: Account, action: str) -> ColumnElement[bool]:
    if actor.kind in MEMBER_KINDS:
        own = SupervisedUnit.id.in_(select(SupervisionMember.unit_id).where(
            SupervisionMember.account_id == actor.id))
        if action == policy.READ:
            return own
        return own if action == policy.CHANGE and actor.has_role("inst_admin") else false()
    if action == policy.READ:
        return _or_false(_administration_reads(actor, SupervisedUnit.province_code,
                                               SupervisedUnit.city_code, SupervisedUnit.division_code))
    if action == policy.MANAGE and policy.acts_for_administration(actor):
        return SupervisedUnit.administration_id == actor.administration_id
    return false()


def _administration_reads(actor: Account, province, city, county) -> ColumnElement[bool] | None:
    """The read condition of administrations and platform accounts over a record's division."""
    if policy.reads_everything(actor):
        return true()
    division = policy.actor_division(actor)
    if division and actor.kind in ("administration", "staff"):
        return policy.in_division(division, province, city, county)
    return None


def _or_false(condition: ColumnElement[bool] | None) -> ColumnElement[bool]:
    return false() if condition is None else condition


def _admin_units(actor: Account):
    return select(SupervisionMember.unit_id).where(SupervisionMember.account_id == actor.id,
                                                   SupervisionMember.is_admin)


@policy.rule(SelfInspection, name="self_inspection")
def inspection_rule(actor: Account, action: str) -> ColumnElement[bool]:
    """The inspector her own records, the administrator the institution's, administrations
    their jurisdiction's submitted ones (a draft is its institution's); only the author changes
    (a draft)."""
    if actor.kind in MEMBER_KINDS:
        own = SelfInspection.inspector_id == actor.id
        if action == policy.READ:
            return or_(own, SelfInspection.unit_id.in_(_admin_units(actor)))
        return own if action == policy.CHANGE else false()
    if action != policy.READ:
        return false()
    reads = _administration_reads(actor, SelfInspection.province_code, SelfInspection.city_code,
                                  SelfInspection.division_code)
    return and_(reads, SelfInspection.status == "submitted") if reads is not None else false()


@policy.rule(Rectification, name="rectification")
def rectification_rule(actor: Account, action: str) -> ColumnElement[bool]:
    """Read with the inspection; closed by the institution's administrator."""
    if actor.kind in MEMBER_KINDS:
        admin = Rectification.unit_id.in_(_admin_units(actor))
        if action == policy.READ:
            return or_(admin, Rectification.inspection_id.in_(select(SelfInspection.id).where(
                SelfInspection.inspector_id == actor.id)))
        return admin if action == policy.CHANGE else false()
    if action != policy.READ:
        return false()
    units = _administration_reads(actor, SupervisedUnit.province_code, SupervisedUnit.city_code,
                                  SupervisedUnit.division_code)
    return Rectification.unit_id.in_(select(SupervisedUnit.id).where(units)) \
        if units is not None else false()


@policy.rule(ScoredPerson, name="scored_person")
def person_rule(actor: Account, action: str) -> ColumnElement[bool]:
    """The institution's scorers and administrator; administrations over its division."""
    if actor.kind in MEMBER_KINDS:
        return ScoredPerson.unit_id.in_(select(SupervisionMember.unit_id).where(
            SupervisionMember.account_id == actor.id)) if action in (policy.READ, policy.CHANGE) \
            else false()
    if action != policy.READ:
        return false()
    units = _administration_reads(actor, SupervisedUnit.province_code, SupervisedUnit.city_code,
                                  SupervisedUnit.division_code)
    return ScoredPerson.unit_id.in_(select(SupervisedUnit.id).where(units)) \
        if units is not None else false()


@policy.rule(DemeritReport, name="demerit_report")
def report_rule(actor: Account, action: str) -> ColumnElement[bool]:
    """The scorer her own reports, the administrator the institution's, administrations their
    jurisdiction's (submitted ones; a draft is its author's)."""
    if actor.kind in MEMBER_KINDS:
        own = DemeritReport.scorer_id == actor.id
        if action == policy.READ:
            return or_(own, DemeritReport.unit_id.in_(_admin_units(actor)))
        return own if action == policy.CHANGE else false()
    if action != policy.READ:
        return false()
    reads = _administration_reads(actor, DemeritReport.province_code, DemeritReport.city_code,
                                  DemeritReport.division_code)
    return and_(reads, DemeritReport.status == "submitted") if reads is not None else false()


@policy.rule(ThresholdCrossing, name="threshold_crossing")
def crossing_rule(actor: Account, action: str) -> ColumnElement[bool]:
    if actor.kind in MEMBER_KINDS:
        return ThresholdCrossing.unit_id.in_(_admin_units(actor)) if action == policy.READ else false()
    if action != policy.READ:
        return false()
    units = _administration_reads(actor, SupervisedUnit.province_code, SupervisedUnit.city_code,
                                  SupervisedUnit.division_code)
    return ThresholdCrossing.unit_id.in_(select(SupervisedUnit.id).where(units)) \
        if units is not None else false()
