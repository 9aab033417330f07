"""What a person's case holds, as rules and actions of every persons' domain read it."""
from __future__ import annotations

from sqlalchemy import select

from service.core.extensions import db
from service.engine.models import Case, CaseEvent


def application_of(case: Case, tasks: tuple[str, ...]) -> dict:
    """The latest form submitted at one of ``tasks`` (events keep the full form)."""
    event = db.session.scalars(select(CaseEvent).where(
        CaseEvent.case_id == case.id, CaseEvent.type == "task_completed",
        CaseEvent.task.in_(tasks)).order_by(CaseEvent.seq.desc()).limit(1)).first()
    return dict(event.data.get("form") or {}) if event else {}
