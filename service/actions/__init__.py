"""Named actions BPMN service tasks may call, and routing rules for lanes.

BPMN never touches the database itself: a service task names an action registered here
(``spiffworkflow:serviceTaskOperator id="..."``) and the engine calls it inside the step's
transaction. Routing rules pick the organisation a lane's task goes to.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

_ACTIONS: dict[str, Callable] = {}
_ROUTES: dict[str, Callable] = {}
_PREFILLS: dict[str, Callable] = {}
_CHECKS: dict[str, Callable] = {}


@dataclass
class ActionContext:
    """What an action may know: the case, who acts, when (the event's time), the task data."""

    case: Any
    actor: Any
    at: datetime
    data: dict


@dataclass
class CheckContext:
    """What a rule check sees before a step: the subject, who acts, at which stage ("start" or
    the user task's name), and the submitted form (empty at start)."""

    process_id: str
    stage: str
    actor: Any
    institution: Any
    physician: Any
    case: Any
    data: dict


@dataclass(frozen=True)
class Target:
    """Where a task goes: an organisation (administration / institution) or a person."""

    kind: str
    id: int


def action(name: str) -> Callable:
    def register(fn: Callable) -> Callable:
        _ACTIONS[name] = fn
        return fn
    return register


def route(name: str) -> Callable:
    def register(fn: Callable) -> Callable:
        _ROUTES[name] = fn
        return fn
    return register


def prefill(name: str) -> Callable:
    """Register a form pre-filler: (case, last submission or None) -> initial form data."""
    def register(fn: Callable) -> Callable:
        _PREFILLS[name] = fn
        return fn
    return register


def check(name: str) -> Callable:
    """Register a rule check: (CheckContext) -> {field: [Chinese reasons]}, empty when allowed.

    The engine runs it before a case starts (start event property ``check``) and before a
    submission is applied (user task property ``check``); any reason answers 422 and changes
    nothing.
    """
    def register(fn: Callable) -> Callable:
        _CHECKS[name] = fn
        return fn
    return register


def get_check(name: str) -> Callable:
    _load()
    return _CHECKS[name]


def known_checks() -> set[str]:
    _load()
    return set(_CHECKS)


def get_prefill(name: str) -> Callable:
    _load()
    return _PREFILLS[name]


def _load() -> None:
    from . import (  # noqa: F401  (modules register on import)
        common,
        physician_info,
        physician_rules,
        physicians,
        verification,
    )


def get_action(name: str) -> Callable:
    _load()
    return _ACTIONS[name]


def get_route(name: str) -> Callable:
    _load()
    return _ROUTES[name]


def known_actions() -> set[str]:
    _load()
    return set(_ACTIONS)


def known_routes() -> set[str]:
    _load()
    return set(_ROUTES)
