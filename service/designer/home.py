"""The designer's home: the design functions over the deployed processes (not a jurisdiction
overview: a designer oversees no institutions)."""
from __future__ import annotations

from service.designer import access, versions
from service.web.home import home_context


@home_context("staff")
def designer_home(actor) -> dict:
    if not access.may_design(actor):
        return {}
    return {"design_processes": versions.processes()}
