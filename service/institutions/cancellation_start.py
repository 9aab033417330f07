"""Cases the service opens at the issuing authority's counter: the ex officio cancellation (I6)
for a failed deferred verification (I4's "licence to be cancelled") or an overdue
verification order that ran out, in the same transaction as the step that decided it; and the
overdue verification order itself, opened by the daily job."""
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


def start_for_authority(inst: Institution, actor, process_id: str, data: dict) -> int | None:
    """Open ``process_id`` about the institution for its issuing authority, uncommitted; the
    case's id (None when the authority has no account to open it for)."""
    clerk = authority_clerk(inst, actor)
    if clerk is None:
        return None
    return runtime.start(clerk, process_id, {"institution_id": inst.id}, data, commit=False).id


def open_cancellation(inst: Institution, ctx: ActionContext, ground: str, reason: str) -> int | None:
    """The cancellation case's id (None when the authority has no account to open it for)."""
    return start_for_authority(inst, ctx.actor, "institution_cancellation",
                               {"ground": ground, "reason": reason, "opened_by_case": ctx.case.id})


@prefill("institution_cancellation_application")
def cancellation_application(case, last: dict | None) -> dict:
    """As last entered; an ex officio case comes with its ground and reason."""
    if last:
        return last
    started = next((e for e in events_of(case.id) if e.type == "started"), None)
    initial = (started.data.get("initial") or {}) if started else {}
    return {k: initial[k] for k in ("ground", "reason") if initial.get(k)}
