"""Lanes are roles; a routing rule picks the organisation (or person) a task goes to.

The engine, not the page, decides who may act: the target organisation's accounts holding a
role of the task's lane.
"""
from __future__ import annotations

from service.access.models import Account
from service.access.targets import Target
from service.engine.definitions import UserTaskInfo
from service.engine.models import Case, WorkItem
from service.engine.plugins import get_lane, get_route


def target_for(case: Case, info: UserTaskInfo) -> Target:
    rule = info.properties.get("route") or info.lane
    return get_route(rule)(case)


def may_act(actor: Account, item: WorkItem, *, read_only: bool = False) -> bool:
    """Whether the actor belongs to the item's target and (unless reading) holds a lane role."""
    kind, ident = actor.inbox_key
    # a task routed to one account (seed 004's staff have no organisation of their own)
    personal = (item.organisation_kind, item.organisation_id) == ("account", actor.id)
    if not personal and (ident is None or (kind, ident) != (item.organisation_kind, item.organisation_id)):
        return False
    if read_only:
        return True
    lane = get_lane(item.role)
    roles = lane.roles if lane is not None else ()
    info = item.case.deployed.parsed.user_tasks.get(item.task)
    narrowed = info.properties.get("roles", "").split() if info else []
    return actor.has_role(*(narrowed or roles))
