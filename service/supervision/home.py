"""Supervision accounts start on their institution's portal."""
from __future__ import annotations

from flask import redirect, url_for

from service.web.home import home_context


@home_context("supervision")
def supervision_home(actor):
    return redirect(url_for("supervision.portal"))
