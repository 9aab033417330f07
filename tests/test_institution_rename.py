"""机构更名变更 (seed 003 ch.3 §8): a rename of the institution is a new version of each of its
physicians' active registrations, and her next certificate prints the new name."""
from __future__ import annotations

import io

from pypdf import PdfReader
from sqlalchemy import select

NEW_NAME = "北京市朝阳区康泰医院集团总院"


def _versions(database, reg_id: int) -> list[dict]:
    from service.registry.versioning import history

    with database.session():
        return [dict(v.data, _version=v.version, _changed=v.changed, _reason=v.reason)
                for v in history("practice_registration", reg_id)]


def _main_of(database, physician_id: int) -> int:
    from service.physicians.models import PracticeRegistration

    return database.scalar(select(PracticeRegistration.id).where(
        PracticeRegistration.physician_id == physician_id, PracticeRegistration.kind == "main",
        PracticeRegistration.status == "active"))


def test_a_rename_is_a_new_version_of_each_registration_and_prints(api, database, demo):
    from service.institutions.face import Institution
    from service.registry.versioning import change_context

    doctor = demo.physician["doctor.demo"]
    reg_id = _main_of(database, doctor)
    before = _versions(database, reg_id)
    with database.session() as s, change_context(None, "机构更名变更"):
        s.get(Institution, demo.institution["inst.chaoyang1"]).name = NEW_NAME
        s.commit()
    after = _versions(database, reg_id)
    assert len(after) == len(before) + 1
    assert after[-1]["institution_name"] == NEW_NAME and after[-1]["_changed"] == ["institution_name"]
    assert after[-1]["_reason"] == "机构更名变更"
    pdf = api("doctor.demo").get(f"/api/v1/physicians/{doctor}/certificate.pdf").data
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert NEW_NAME in text


def test_other_changes_of_the_institution_leave_registrations_alone(database, demo):
    from service.institutions.face import Institution

    reg_id = _main_of(database, demo.physician["doctor.demo"])
    before = _versions(database, reg_id)
    with database.session() as s:
        s.get(Institution, demo.institution["inst.chaoyang1"]).phone = "010-65990000"
        s.commit()
    assert len(_versions(database, reg_id)) == len(before)
