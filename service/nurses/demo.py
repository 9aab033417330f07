"""Demo nurses (``seed/demo/``), for the embedded default."""
from __future__ import annotations

from service.core.extensions import db
from service.institutions.face import Institution
from service.nurses.models import Nurse
from service.registry.seeding import SEED_DIR, as_date, rows

DEMO_DIR = SEED_DIR / "demo"


def load(institutions: dict[str, Institution]) -> dict[str, Nurse]:
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

    return nurses
