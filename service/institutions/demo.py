"""Demo institutions and their departments (``seed/demo/``), for the embedded default."""
from __future__ import annotations

from service.core.extensions import db
from service.institutions.departments import Department, DepartmentSubject
from service.institutions.models import Institution, registration_number
from service.registry.reference import Administration, Division
from service.registry.seeding import SEED_DIR, as_date, as_decimal, as_int, rows

DEMO_DIR = SEED_DIR / "demo"


def load(admins: dict[str, Administration]) -> dict[str, Institution]:
    """The demo institutions by their key in the demo files."""
    institutions: dict[str, Institution] = {}
    for row in rows(DEMO_DIR / "institutions.csv"):
        inst = Institution(
            name=row["name"], uscc=row["uscc"] or None, category_code=row["category_code"],
            economic_type_code=row["economic_type_code"], management_class=row["management_class"],
            level_code=row["level_code"] or None, affiliation_code=row["affiliation_code"] or None,
            address=row["address"], postal_code=row["postal_code"] or None,
            phone=row["phone"] or None, fax=row["fax"] or None,
            legal_representative=row["legal_representative"], principal=row["principal"] or None,
            registered_capital=as_decimal(row["registered_capital"]),
            service_mode=row["service_mode"] or None, beds=as_int(row["beds"], 0),
            dental_chairs=as_int(row["dental_chairs"], 0), floor_area=as_decimal(row["floor_area"]),
            staff_count=as_int(row["staff_count"]), issuing_authority=admins[row["issuing_division_code"]],
            licence_valid_from=as_date(row["licence_valid_from"]),
            licence_valid_to=as_date(row["licence_valid_to"]),
            is_filed_clinic=row["is_filed_clinic"] == "1", status=row["status"] or "active",
            verification_due=as_date(row["verification_due"]),
        )
        inst.set_division(db.session.get(Division, row["division_code"]))
        inst.registration_number = registration_number(inst)
        inst.subject_codes = row["subjects"].split()
        db.session.add(inst)
        institutions[row["key"]] = inst
    db.session.flush()

    for row in rows(DEMO_DIR / "departments.csv"):
        dept = Department(
            institution_id=institutions[row["institution_key"]].id, code=row["code"],
            name=row["name"],
            subjects=[DepartmentSubject(subject_code=c) for c in row["subjects"].split()],
        )
        db.session.add(dept)

    return institutions
