"""Demo qualifications, physicians and registrations (``seed/demo/``), for the embedded default."""
from __future__ import annotations

from dataclasses import dataclass

from service.core.extensions import db
from service.institutions.face import Institution
from service.physicians.models import Physician, PracticeRegistration, Qualification
from service.registry.seeding import SEED_DIR, as_date, rows

DEMO_DIR = SEED_DIR / "demo"


@dataclass
class DemoPhysicians:
    qualifications: dict[str, Qualification]
    physicians: dict[str, Physician]

    def account_person(self, key: str) -> tuple[Physician, bool]:
        """The physician behind a demo account, and whether her account is activated: one
        with a registration is; one who only signed up (``doctor.new``) still has to."""
        registered = self.physicians.get(key)
        return (registered or _unregistered(self.qualifications[key])), registered is not None


def load(institutions: dict[str, Institution]) -> DemoPhysicians:
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

    return DemoPhysicians(qualifications, physicians)


def _unregistered(q: Qualification) -> Physician:
    """A qualified physician who signed up but holds no practice registration yet."""
    return Physician(
        qualification=q, name=q.name, id_number=q.id_number, gender=q.gender,
        birth_date=q.birth_date, education=q.education, school=q.school,
    )
