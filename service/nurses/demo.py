"""Demo nurses (``seed/demo/``), for the embedded default: exam records, registered nurses with
their registrations, ``nurse.new`` who passed the exam and is not registered yet, and ``u_…``
exam records without an account."""
from __future__ import annotations

from service.core.extensions import db
from service.institutions.face import Institution
from service.nurses.models import Nurse, NurseQualification, NurseRegistration
from service.registry.seeding import SEED_DIR, as_date, rows

DEMO_DIR = SEED_DIR / "demo"


def _qualifications() -> dict[str, NurseQualification]:
    found: dict[str, NurseQualification] = {}
    for row in rows(DEMO_DIR / "nurse_qualifications.csv"):
        q = NurseQualification(
            name=row["name"], gender=row["gender"], birth_date=as_date(row["birth_date"]),
            id_number=row["id_number"], exam_date=as_date(row["exam_date"]),
            certificate_number=row["certificate_number"], school=row["school"] or None,
            education=row["education"] or None)
        db.session.add(q)
        found[row["key"]] = q
    return found


def _registered(row: dict, institution: Institution, q: NurseQualification | None) -> Nurse:
    n = Nurse(
        name=row["name"], gender=row["gender"], birth_date=as_date(row["birth_date"]),
        id_number=row["id_number"], certificate_number=row["certificate_number"] or None,
        institution_id=institution.id, registered_on=as_date(row["registered_on"]),
        valid_until=as_date(row["valid_until"]), status=row["status"] or "active",
        phone=row["phone"] or None, title=row["title"] or None, qualification=q)
    if n.certificate_number and n.registered_on and n.valid_until:
        n.registrations.append(NurseRegistration(
            institution_id=institution.id, certificate_number=n.certificate_number,
            valid_from=n.registered_on, valid_to=n.valid_until, status=n.status))
    return n


def _unregistered(q: NurseQualification) -> Nurse:
    """A nurse who passed the exam and signed up, not yet registered anywhere."""
    return Nurse(name=q.name, gender=q.gender, birth_date=q.birth_date, id_number=q.id_number,
                 status="unregistered", qualification=q)


def load(institutions: dict[str, Institution]) -> dict[str, Nurse]:
    qualifications = _qualifications()
    nurses: dict[str, Nurse] = {}
    for row in rows(DEMO_DIR / "nurses.csv"):
        nurses[row["key"]] = _registered(row, institutions[row["institution_key"]],
                                         qualifications.get(row["key"]))
    for key, q in qualifications.items():
        if not key.startswith("u_"):  # u_…: passed the exam, never signed up
            nurses.setdefault(key, _unregistered(q))
    db.session.add_all(nurses.values())
    db.session.flush()
    return nurses
