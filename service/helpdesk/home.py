"""Support staff work in the question queue: their home is the queue."""
from __future__ import annotations

from flask import redirect, url_for

from service.access.models import Account
from service.web.home import home_context


@home_context("staff")
def _support_home(actor: Account):
    if actor.roles == ["support"]:
        return redirect(url_for("help.support"))
    return None
