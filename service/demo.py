"""Demo data for the embedded default (``seed/demo/``). Never loaded in production mode."""
from __future__ import annotations

from sqlalchemy import select

from service.access.models import Account
from service.access.passwords import hash_password
from service.core.extensions import db
from service.core.times import utcnow
from service.institutions.face import Department, DepartmentSubject, Institution
from service.institutions.models import registration_number
from service.nurses.models import Nurse
from service.physicians.models import Physician, PracticeRegistration, Qualification
from service.registry.reference import Administration, Division
from service.registry.seeding import SEED_DIR, as_date, as_decimal, as_int, rows
from service.registry.versioning import change_context

DEMO_DIR = SEED_DIR / "demo"
DEMO_PASSWORD = "Demo12345"


def load_demo() -> dict[str, int]:
    """Create the demo organisations, persons and accounts once; a second run changes nothing."""
    if db.session.scalar(select(Account.id).where(Account.username == "admin")):
        return {}
    with change_context(None, "演示数据"):
        counts = _load()
    db.session.commit()
    return counts


def _load() -> dict[str, int]:
    admins = {a.division_code: a for a in db.session.scalars(select(Administration))}
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

    qualifications: dict[str, Qualification] = {}
    for row in rows(DEMO_DIR / "qualifications.csv"):
        q = Qualification(
            name=row["name"], gender=row["gender"], birth_date=as_date(row["birth_date"]),
            id_number=row["id_number"], certificate_number=row["certificate_number"],
            category=row["category"], level=row["level"], year=int(row["year"]),
            school=row["school"] or None, education=row["education"] or None,
        )
        db.session.add(q)
        qualifications[row["key"]] = q
    db.session.flush()

    physicians: dict[str, Physician] = {}
    for row in rows(DEMO_DIR / "physicians.csv"):
        q = qualifications[row["qualification_key"]]
        p = Physician(
            qualification=q, name=q.name, id_number=q.id_number, gender=q.gender,
            birth_date=q.birth_date, certificate_number=row["certificate_number"] or None,
            phone=row["phone"] or None, email=row["email"] or None, education=q.education,
            school=q.school, title=row["title"] or None,
        )
        db.session.add(p)
        physicians[row["key"]] = p
    db.session.flush()

    for row in rows(DEMO_DIR / "registrations.csv"):
        p = physicians[row["physician_key"]]
        db.session.add(PracticeRegistration(
            physician=p, kind=row["kind"], institution_id=institutions[row["institution_key"]].id,
            category=row["category"], level=p.qualification.level, scope=row["scope"],
            location_code=row["location_code"], certificate_number=p.certificate_number,
            status=row["status"],
            valid_from=as_date(row["valid_from"]),
        ))

    nurses: dict[str, Nurse] = {}
    for row in rows(DEMO_DIR / "nurses.csv"):
        n = Nurse(
            name=row["name"], gender=row["gender"], birth_date=as_date(row["birth_date"]),
            id_number=row["id_number"], certificate_number=row["certificate_number"] or None,
            institution_id=institutions[row["institution_key"]].id,
            registered_on=as_date(row["registered_on"]), valid_until=as_date(row["valid_until"]),
            status=row["status"] or "active", phone=row["phone"] or None,
            title=row["title"] or None,
        )
        db.session.add(n)
        nurses[row["key"]] = n
    db.session.flush()

    # One hash for every demo account: all share the documented demo password.
    password_hash = hash_password(DEMO_PASSWORD)
    now = utcnow()
    accounts = 0
    for row in rows(DEMO_DIR / "accounts.csv"):
        account = Account(
            username=row["username"], display_name=row["display_name"], kind=row["kind"],
            roles=row["roles"].split(), password_hash=password_hash,
            phone=row["phone"] or None, email=row["email"] or None,
        )
        if row["kind"] == "administration":
            account.administration = admins[row["organisation"]]
        elif row["kind"] == "institution":
            account.institution = institutions[row["organisation"]]
        elif row["kind"] == "physician":
            registered = physicians.get(row["person_key"])
            account.physician = registered or _unregistered(qualifications[row["person_key"]])
            account.activated_at = now if registered else None  # doctor.new still has to activate
        elif row["kind"] == "nurse":
            account.nurse = nurses[row["person_key"]]
            account.activated_at = now
        db.session.add(account)
        accounts += 1
    return {
        "institution": len(institutions), "qualification": len(qualifications),
        "physician": len(physicians), "nurse": len(nurses), "account": accounts,
    }


def _unregistered(q: Qualification) -> Physician:
    """A qualified physician who signed up but holds no practice registration yet."""
    return Physician(
        qualification=q, name=q.name, id_number=q.id_number, gender=q.gender,
        birth_date=q.birth_date, education=q.education, school=q.school,
    )
