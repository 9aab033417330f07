"""What platform staff work on, on their home page: designers the deployed processes and
their versions, auditors the way into cases and their audit."""
from __future__ import annotations

from service.engine import definitions
from service.web.home import home_context


@home_context("staff")
def staff_work(actor) -> dict:
    out: dict = {}
    if actor.has_role("designer"):
        out["process_definitions"] = definitions.all_latest()
    if actor.has_role("auditor", "sysadmin"):
        out["audit_entry"] = True
    return out
