"""Physicians on home pages: her own portal, and her institution's physician count."""
from __future__ import annotations

from flask import redirect, url_for
from sqlalchemy import func, select

from service.access.policy import READ, scope
from service.core.extensions import db
from service.physicians.models import Physician
from service.web.home import home_context


@home_context("physician")
def own_portal(actor):
    if actor.physician is not None:
        return redirect(url_for("physician.home"))  # her own portal (seed 003 ch.2)
    return {}


@home_context("institution")
def physician_count(actor) -> dict:
    return {"physician_count": db.session.scalar(
        select(func.count()).select_from(Physician).where(scope(actor, READ, Physician)))}
