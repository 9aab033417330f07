"""Nurses on home pages: her own registration, and her institution's nurse count."""
from __future__ import annotations

from sqlalchemy import func, select

from service.core.extensions import db
from service.core.times import shanghai_today
from service.nurses.models import Nurse
from service.web.home import home_context


@home_context("nurse")
def own_registration(actor) -> dict:
    return {"nurse": actor.nurse}


@home_context("institution")
def nurse_count(actor) -> dict:
    if actor.institution_id is None:
        return {"nurse_count": 0}
    return {"nurse_count": db.session.scalar(select(func.count()).select_from(Nurse).where(
        Nurse.registered_at(actor.institution_id, shanghai_today())))}
