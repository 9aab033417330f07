"""Lanes are roles; a routing rule picks the organisation (or person) a task goes to.

The engine, not the page, decides who may act: the target organisation's accounts holding a
role of the task's lane.
"""
from __future__ import annotations

from ..access.models import Account
from ..actions import Target, get_route
from .definitions import UserTaskInfo
from .models import Case, WorkItem

# Roles of an organisation that may act on a lane's tasks (a task may narrow it with the
# ``roles`` property, e.g. conclusions only by the head).
LANE_ROLES = {
    "institution": ("inst_admin", "inst_clerk"),
    "bureau": ("bureau_clerk", "bureau_head"),
    "physician": ("physician",),
}


def target_for(case: Case, info: UserTaskInfo) -> Target:
    rule = info.properties.get("route") or info.lane
    return get_route(rule)(case)


def may_act(actor: Account, item: WorkItem, *, read_only: bool = False) -> bool:
    """Whether the actor belongs to the item's target and (unless reading) holds a lane role."""
    kind, ident = actor.inbox_key
    if ident is None or (kind, ident) != (item.organisation_kind, item.organisation_id):
        return False
    if read_only:
        return True
    roles = LANE_ROLES.get(item.role, ())
    info = item.case.deployed.parsed.user_tasks.get(item.task)
    narrowed = info.properties.get("roles", "").split() if info else []
    return actor.has_role(*(narrowed or roles))
