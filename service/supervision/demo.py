"""Demo data: inst.jiangbei1 signed up and passed, with a self-inspector (13800000001) and a
demerit scorer (13800000002) who log in by phone with the demo password."""
from __future__ import annotations

from service.access.models import Account
from service.core.extensions import db
from service.core.times import utcnow
from service.institutions.face import Institution
from service.supervision.catalogue import checklist_province, expand_scope, scope_tree
from service.supervision.models import SupervisedUnit, SupervisionDepartment, SupervisionMember

STAFF = (  # phone, name, id number, duties, roles
    ("13800000001", "演示自查人", "372925197503150013", ["inspection"], ["inst_inspector"]),
    ("13800000002", "演示不良人", "372925199001084510", ["scoring"], ["inst_scorer"]),
)


def load(institution: Institution, admin: Account, password_hash: str) -> int:
    """Sign ``institution`` up (passed) with ``admin`` as its administrator; returns staff added."""
    province, version = checklist_province(institution.division_code)
    scope = expand_scope(scope_tree(province, version), ["A", "B", "C"]) or []
    unit = SupervisedUnit(
        name=institution.name, uscc=institution.uscc, division_code=institution.division_code,
        city_code=institution.city_code, province_code=institution.province_code,
        address=institution.address, level_code=institution.level_code or "9",
        subject_codes=institution.subject_codes,
        nature=institution.management_class, legal_representative=institution.legal_representative,
        legal_representative_id="372925198001010015", contact=admin.display_name,
        contact_phone=admin.phone, checklist_province=province, checklist_version=version,
        scope=scope, institution_id=institution.id,
        administration_id=institution.issuing_authority_id, status="active", reviewed_at=utcnow())
    db.session.add(unit)
    db.session.flush()
    department = SupervisionDepartment(unit_id=unit.id, name="演示科室", code="YS01")
    db.session.add(department)
    db.session.flush()
    db.session.add(SupervisionMember(account_id=admin.id, unit_id=unit.id, is_admin=True,
                                     id_number="110105199001010010"))
    for phone, name, id_number, duties, roles in STAFF:
        account = Account(username=phone, display_name=name, kind="supervision", roles=roles,
                          password_hash=password_hash, phone=phone)
        db.session.add(account)
        db.session.flush()
        db.session.add(SupervisionMember(
            account_id=account.id, unit_id=unit.id, id_number=id_number, duties=duties,
            department_id=department.id, scope=scope if "inspection" in duties else []))
    db.session.flush()
    return len(STAFF)
