"""What platform staff work on, on their home page: auditors the way into cases and their
audit (the designer's home is the designer package's)."""
from __future__ import annotations

from service.web.home import home_context


@home_context("staff")
def staff_work(actor) -> dict:
    out: dict = {}
    if actor.has_role("auditor", "sysadmin"):
        out["audit_entry"] = True
    return out
