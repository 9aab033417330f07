"""What the webhooks report, taken where it happens, in the same transaction:

- ``case.started`` / ``case.completed`` from the engine's step listener;
- ``institution.registered`` / ``institution.changed`` / ``physician.registered`` from the
  registry records a flush writes (whatever business changed them), so that no domain has to
  remember to report.
"""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from service.engine import plugins
from service.institutions.face import Institution
from service.integration import national, webhooks
from service.physicians.models import PracticeRegistration

# changes to these columns alone are bookkeeping, not a change of the registered facts
QUIET_COLUMNS = {"version", "updated_at"}


@plugins.step_listener
def case_step(case, type_: str, values: dict, ended: bool) -> None:
    subject = {"institution_id": case.subject_institution_id,
               "physician_id": case.subject_physician_id}
    base = {"case_id": case.id, "process": case.process_id, "subject": subject,
            "division_code": case.division_code}
    session = Session.object_session(case)
    if type_ == "started":
        webhooks.emit(session, "case.started", {**base, "status": values["status"]},
                      case.division_code)
    if ended:
        webhooks.emit(session, "case.completed", {
            **base, "status": values["status"], "outcome": values["outcome"],
            "completed_at": values["completed_at"]}, case.division_code)


def _changed(obj) -> list[str]:
    state = sa_inspect(obj)
    return sorted(a.key for a in state.attrs
                  if a.key not in QUIET_COLUMNS and a.history.has_changes())


def _institution(inst: Institution, changed: list[str] | None = None) -> dict:
    data = {"institution_id": inst.id, "registration_number": inst.registration_number,
            "name": inst.name, "status": inst.status, "division_code": inst.division_code}
    if changed is not None:
        data["changed"] = changed
    return data


@event.listens_for(Session, "after_flush")
def _registry_events(session: Session, _flush_context) -> None:
    for obj in session.new:
        if isinstance(obj, Institution) and obj.registration_number:
            webhooks.emit(session, "institution.registered", _institution(obj), obj.division_code)
            national.expect_ack(session, obj.registration_number)
        elif isinstance(obj, PracticeRegistration) and obj.status == "active" and obj.kind == "main":
            physician = obj.physician
            webhooks.emit(session, "physician.registered", {
                "physician_id": obj.physician_id, "registration_id": obj.id,
                "certificate_number": physician.certificate_number if physician else None,
                "institution_id": obj.institution_id, "category": obj.category,
                "division_code": obj.location_code}, obj.location_code)
            if physician is not None and physician.certificate_number:
                national.expect_ack(session, physician.certificate_number)
    for obj in session.dirty:
        if not isinstance(obj, Institution) or not obj.registration_number:
            continue
        changed = _changed(obj)
        if not changed:
            continue
        before = sa_inspect(obj).attrs.registration_number.history.deleted
        if "registration_number" in changed and not any(before):  # numbered just now
            webhooks.emit(session, "institution.registered", _institution(obj), obj.division_code)
        else:
            webhooks.emit(session, "institution.changed", _institution(obj, changed),
                          obj.division_code)
