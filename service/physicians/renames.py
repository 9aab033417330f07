"""机构更名变更 (seed 003 ch.3 §8): when an institution's name changes, by whatever change
records it, each active registration of a physician there gets a new version carrying the new
name, and her next certificate prints it."""
from __future__ import annotations

from sqlalchemy import event, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from service.institutions.face import Institution
from service.physicians.models import PracticeRegistration
from service.registry.versioning import follow_change

LIVE = ("active", "filed")


@event.listens_for(Session, "before_flush")
def _renamed_institutions(session: Session, _flush_context, _instances) -> None:
    renamed = [obj.id for obj in session.dirty if isinstance(obj, Institution)
               and obj.id is not None and sa_inspect(obj).attrs.name.history.has_changes()]
    if not renamed:
        return
    with session.no_autoflush:
        regs = session.scalars(select(PracticeRegistration).where(
            PracticeRegistration.institution_id.in_(renamed),
            PracticeRegistration.status.in_(LIVE))).all()
    for reg in regs:
        follow_change(session, reg, ["institution_name"])
