"""Ex officio cancellation (I6) opened by the service: a failed deferred verification (I4's
"licence to be cancelled") opens the cancellation case at the issuing authority's counter,
in the same transaction as the step that failed it."""
from __future__ import annotations

from sqlalchemy import select

from service.access.models import Account
from service.core.extensions import db
from service.engine import runtime
from service.engine.events import events_of
from service.engine.plugins import ActionContext, prefill
from service.institutions.models import Institution


def authority_clerk(inst: Institution, actor) -> Account | None:
    """Who the case is opened for: the acting clerk of the issuing authority, or one of them."""
    if actor is not None and actor.kind == "administration" \
            and actor.administration_id == inst.issuing_authority_id:
        return actor
    return db.session.scalars(select(Account).where(
        Account.administration_id == inst.issuing_authority_id, Account.is_enabled.is_(True))
        .order_by(Account.id)).first()


def open_cancellation(inst: Institution, ctx: ActionContext, ground: str, reason: str) -> int | None:
    """The cancellation case's id (None when the authority has no account to open it for)."""
    clerk = authority_clerk(inst, ctx.actor)
    if clerk is None:
        return None
    case = runtime.start(clerk, "institution_cancellation", {"institution_id": inst.id},
                         {"ground": ground, "reason": reason, "opened_by_case": ctx.case.id},
                         commit=False)
    return case.id


@prefill("institution_cancellation_application")
def cancellation_application(case, last: dict | None) -> dict:
    """As last entered; an ex officio case comes with its ground and reason."""
    if last:
        return last
    started = next((e for e in events_of(case.id) if e.type == "started"), None)
    initial = (started.data.get("initial") or {}) if started else {}
    return {k: initial[k] for k in ("ground", "reason") if initial.get(k)}
