"""The engine's plug-in table: what domain packages teach the engine when the app starts.

The engine knows no business. A BPMN service task names an action, a lane names a role and a
routing rule, a start event or user task names a check, a form names a pre-filler — each
registered here by the domain package that owns it (``service/<domain>/__init__.py``). The
subject of a case (the institution it is about, the person who applies) is resolved by the
loaders domains register, and case visibility and print-outs are extended the same way.
Definitions are validated against this table before they are deployed.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

_ACTIONS: dict[str, Callable] = {}
_ROUTES: dict[str, Callable] = {}
_PREFILLS: dict[str, Callable] = {}
_CHECKS: dict[str, Callable] = {}
_LANES: dict[str, Lane] = {}
_SUBJECTS: dict[str, Callable] = {}
_PROCESS_SUBJECTS: dict[str, str] = {}
_PROCESSES: dict[str, ProcessInfo] = {}
_PERSONS_AT: dict[str, Callable] = {}
_CASE_READERS: list[Callable] = []
_PRINTOUTS: list[Callable] = []
_APPLICANT_PANELS: list[Callable] = []
_DOMAIN_MESSAGES: set[str] = set()
_TASK_NOTES: list[Callable] = []


@dataclass
class ActionContext:
    """What an action may know: the case, who acts, when (the event's time), the task data."""

    case: Any
    actor: Any
    at: datetime
    data: dict


@dataclass
class CheckContext:
    """What a rule check sees before a step: the subject institution and person, who acts, at
    which stage ("start" or the user task's name), and the submitted form (empty at start)."""

    process_id: str
    stage: str
    actor: Any
    institution: Any
    person: Any
    case: Any
    data: dict


@dataclass(frozen=True)
class Lane:
    """A BPMN lane: its name on diagrams, the roles that act on its tasks, the account kind
    that starts processes through it and whether a given account may."""

    name: str
    roles: tuple[str, ...]
    label: str
    starter_kind: str | None = None
    may_start: Callable[[Any, Any, Any], bool] = lambda actor, definition, institution: False


@dataclass(frozen=True)
class ProcessInfo:
    """What pages say about a process: what it is for, its outcomes in its own words, and the
    kind of person an institution starts it for (the start card then asks which one), and the
    endpoint of a notice page read before starting (its 下一步 starts the case)."""

    help: str | None = None
    outcomes: dict = field(default_factory=dict)
    for_person: str | None = None
    intro: str | None = None


@dataclass(frozen=True)
class TaskNote:
    """A warning a task page shows above its form (the form still submits): a title, its
    lines and a hint on what to do."""

    title: str
    lines: tuple[str, ...]
    hint: str | None = None


@dataclass
class PersonSubject:
    """The applicant of a person's case as a domain resolved it: the case columns naming her,
    the initial task data, her record (for checks) and a title suffix."""

    record: Any
    columns: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)
    title: str | None = None


@dataclass(frozen=True)
class Printout:
    """A document a case offers to print: a label, the URL, a download name, a hint."""

    label: str
    url: str
    filename: str | None = None
    hint: str | None = None


@dataclass(frozen=True)
class ApplicantPanel:
    """Who applies, as a reviewer's task form shows her: (label, value) rows, already masked,
    and the opinion of an earlier reviewer (e.g. the institution's, on the approval)."""

    title: str
    rows: list[tuple[str, str]]
    opinion: list[tuple[str, str]] = field(default_factory=list)


def _registrar(table: dict) -> Callable:
    def decorator(name: str) -> Callable:
        def register(fn: Callable) -> Callable:
            table[name] = fn
            return fn
        return register
    return decorator


action = _registrar(_ACTIONS)
action.__doc__ = "Register an action a service task calls: (ActionContext) -> result or None."
route = _registrar(_ROUTES)
route.__doc__ = "Register a routing rule: (case) -> Target, the organisation or person a task goes to."
prefill = _registrar(_PREFILLS)
prefill.__doc__ = "Register a form pre-filler: (case, last submission or None) -> initial form data."
check = _registrar(_CHECKS)
check.__doc__ = """Register a rule check: (CheckContext) -> {field: [Chinese reasons]}, empty when
allowed. It runs before a case starts (start event property ``check``) and before a submission
is applied (user task property ``check``); any reason answers 422 and changes nothing."""


def subject_loader(kind: str) -> Callable:
    """Register the loader of a case subject: ``institution`` -> (actor, subject, process id) ->
    the institution (or a stand-in with ``id`` None for one that does not exist yet); ``person`` -> (actor, subject, institution) -> PersonSubject or None."""
    return _registrar(_SUBJECTS)(kind)


def process_subject(process_id: str, kind: str) -> None:
    """Name the subject loader a process's cases start with when it is not ``institution``
    (e.g. seed 004's processes are about a signed-up institution, registered or not)."""
    _PROCESS_SUBJECTS[process_id] = kind


def subject_kind(process_id: str) -> str:
    return _PROCESS_SUBJECTS.get(process_id, "institution")


def lane(name: str, roles: tuple[str, ...], label: str, starter_kind: str | None = None,
         may_start: Callable | None = None) -> None:
    """Declare a lane: its roles, its label and, when accounts of ``starter_kind`` start
    processes through it, whether one may (actor, definition, institution) -> bool."""
    extra = {"may_start": may_start} if may_start else {}
    _LANES[name] = Lane(name, roles, label, starter_kind, **extra)


def process_info(process_id: str, *, help: str | None = None, outcomes: dict | None = None,
                 for_person: str | None = None, intro: str | None = None) -> None:
    """Describe a process for the pages (see :class:`ProcessInfo`)."""
    _PROCESSES[process_id] = ProcessInfo(help, dict(outcomes or {}), for_person, intro)


def persons_at(kind: str) -> Callable:
    """Register the persons of a kind an institution may act for:
    (institution id) -> [(id, name, masked ID number)]."""
    return _registrar(_PERSONS_AT)(kind)


def domain_message(name: str) -> None:
    """Reserve a BPMN message for a domain's own door: the generic inbound-message API refuses
    it, so only the domain's rules decide who may send it."""
    _DOMAIN_MESSAGES.add(name)


def is_domain_message(name: str) -> bool:
    return name in _DOMAIN_MESSAGES


def case_reader(fn: Callable) -> Callable:
    """Register an extra case visibility rule: (actor) -> SQL condition on Case, or None."""
    _CASE_READERS.append(fn)
    return fn


def task_note(fn: Callable) -> Callable:
    """Register a source of task-page notes: (work item, form values) -> [TaskNote]."""
    _TASK_NOTES.append(fn)
    return fn


def printout(fn: Callable) -> Callable:
    """Register a print-out source: (actor, case, history) -> [Printout] the actor may print."""
    _PRINTOUTS.append(fn)
    return fn


def applicant_panel(fn: Callable) -> Callable:
    """Register an applicant panel source: (case, task) -> ApplicantPanel or None."""
    _APPLICANT_PANELS.append(fn)
    return fn


def applicant_panel_of(case: Any, task: str) -> ApplicantPanel | None:
    return next((p for source in _APPLICANT_PANELS if (p := source(case, task))), None)


def _get(table: dict, name: str, what: str) -> Callable:
    try:
        return table[name]
    except KeyError:
        raise LookupError(f"no {what} named {name!r} is registered") from None


def get_action(name: str) -> Callable:
    return _get(_ACTIONS, name, "action")


def get_route(name: str) -> Callable:
    return _get(_ROUTES, name, "route")


def get_prefill(name: str) -> Callable:
    return _get(_PREFILLS, name, "pre-filler")


def get_check(name: str) -> Callable:
    return _get(_CHECKS, name, "check")


def get_subject_loader(kind: str) -> Callable | None:
    return _SUBJECTS.get(kind)


def get_lane(name: str) -> Lane | None:
    return _LANES.get(name)


def start_lane(kind: str) -> str | None:
    """The lane accounts of ``kind`` start processes through."""
    return next((n for n, lane in _LANES.items() if lane.starter_kind == kind), None)


def lane_labels() -> dict[str, str]:
    return {n: lane.label for n, lane in _LANES.items()}


def get_process_info(process_id: str) -> ProcessInfo:
    return _PROCESSES.get(process_id) or ProcessInfo()


def outcome_labels() -> dict[str, str]:
    """Every outcome any process names, with the first label registered for it."""
    labels: dict[str, str] = {}
    for info in _PROCESSES.values():
        for code, label in info.outcomes.items():
            labels.setdefault(code, label)
    return labels


def persons_of(kind: str, institution_id: int) -> list:
    fn = _PERSONS_AT.get(kind)
    return fn(institution_id) if fn else []


def case_readers() -> list[Callable]:
    return list(_CASE_READERS)


def task_notes(item: Any, values: dict) -> list[TaskNote]:
    return [n for source in _TASK_NOTES for n in source(item, values)]


def printouts(actor: Any, case: Any, history: list) -> list[Printout]:
    return [p for source in _PRINTOUTS for p in source(actor, case, history)]


def known_actions() -> set[str]:
    return set(_ACTIONS)


def known_routes() -> set[str]:
    return set(_ROUTES)


def known_checks() -> set[str]:
    return set(_CHECKS)


def known_prefills() -> set[str]:
    return set(_PREFILLS)


def known_lanes() -> set[str]:
    return set(_LANES)


_STEP_LISTENERS: list[Callable] = []
_CORRELATIONS: dict[str, Callable] = {}


def step_listener(fn: Callable) -> Callable:
    """Register what runs after a step's rows are written, in its transaction:
    (case, event type, the step's row values, whether the step ended the case) -> None
    (outbound webhooks)."""
    _STEP_LISTENERS.append(fn)
    return fn


def step_listeners() -> list[Callable]:
    return list(_STEP_LISTENERS)


correlation = _registrar(_CORRELATIONS)
correlation.__doc__ = """Register how an inbound message's correlation key finds cases:
(value) -> SQL condition on Case, e.g. ``registration_number`` -> the cases about that record."""


def get_correlation(key: str) -> Callable | None:
    return _CORRELATIONS.get(key)


def known_correlations() -> set[str]:
    return set(_CORRELATIONS)
