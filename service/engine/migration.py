"""Moving a running case to a newer version of its process.

A case is pinned to the version it started on. A designer may move it to a newer one when the
move cannot change what already happened or strand what is pending:

- every open task and every waiting event of the case exists in the new version (same BPMN id,
  same kind of element, a user task in the same lane, a message event waiting for the same
  message), so its work item and its timer or callback carry over;
- the completed path is compatible: every finished element still in the case's state exists in
  the new version and is still followed by the element the case took after it, and every task
  the history records as done exists in the new version as a user task (the case page reads its
  form from there).

SpiffWorkflow 3's ``bpmn.util.diff`` aligns the old spec's tasks with the new ones and
``migrate_workflow`` re-attaches the task instances; open tasks are reset on the new spec (their
predicted successors are re-predicted), waiting events keep what they computed (a timer keeps
its due time). The move is one step: the state, the work items and a ``migrated`` event in the
case's keyed chain, with the state fingerprint after it, so replay reproduces it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.specs.defaults import UserTask
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from service.core.errors import ApiError
from service.core.extensions import db
from service.core.times import utcnow
from service.engine import clock, definitions, runtime, serialization
from service.engine.models import Case, CaseEvent, ProcessDefinition, WorkItem
from service.engine.scripting import StepRun

OPEN = TaskState.READY | TaskState.WAITING | TaskState.STARTED
SEEN = TaskState.COMPLETED | OPEN


@dataclass
class Assessment:
    """Whether a case may move to a version, and why not."""

    case_id: int
    from_version: int
    to_version: int
    reasons: list[str] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return not self.reasons

    def as_dict(self) -> dict:
        return {"case_id": self.case_id, "from_version": self.from_version,
                "to_version": self.to_version, "allowed": self.allowed, "reasons": self.reasons}


def _title(spec) -> str:
    return f"“{spec.bpmn_name}”" if getattr(spec, "bpmn_name", None) else f"“{spec.name}”"


def _event_names(spec) -> set[str]:
    definition = getattr(spec, "event_definition", None)
    names = [getattr(d, "name", None) for d in getattr(definition, "event_definitions", [definition])]
    return {n for n in names if n}


def _open_reasons(wf: BpmnWorkflow, new, old_tasks: dict, new_tasks: dict) -> list[str]:
    reasons = []
    for task in wf.get_tasks(state=OPEN):
        old = task.task_spec
        spec = new.task_specs.get(old.name)
        what = "等待中的事件" if task.has_state(TaskState.WAITING) else "待办任务"
        if spec is None:
            reasons.append(f"{what}{_title(old)}在新版本中不存在")
        elif type(spec) is not type(old):
            reasons.append(f"{what}{_title(old)}在新版本中的元素类型已改变")
        elif isinstance(old, UserTask) and old_tasks[old.name].lane != new_tasks[old.name].lane:
            reasons.append(f"待办任务{_title(old)}的泳道由“{old_tasks[old.name].lane}”改为"
                           f"“{new_tasks[old.name].lane}”，已分派的待办无法随之转移")
        elif isinstance(old, CatchingEvent) and _event_names(old) != _event_names(spec):
            reasons.append(f"等待中的事件{_title(old)}在新版本中等待的消息已改变")
    return reasons


def _path_reasons(wf: BpmnWorkflow, new, done_tasks: set[str], old_tasks: dict,
                  new_tasks: dict) -> list[str]:
    reasons = []
    for task in wf.get_tasks(state=TaskState.COMPLETED):
        spec = new.task_specs.get(task.task_spec.name)
        if spec is None:
            reasons.append(f"已完成的步骤{_title(task.task_spec)}在新版本中不存在")
            continue
        for child in task.children:
            if not child.has_state(SEEN):
                continue
            successor = new.task_specs.get(child.task_spec.name)
            if successor is not None and successor not in spec.outputs:
                reasons.append(f"已走过的路径{_title(task.task_spec)} → {_title(child.task_spec)}"
                               "在新版本中不再相连")
    for name in sorted(done_tasks - set(new_tasks)):
        title = old_tasks[name].title if name in old_tasks else name
        reasons.append(f"已办理的任务“{title}”在新版本中不存在（业务记录中的表单无从读取）")
    return reasons


def _done_tasks(case: Case) -> set[str]:
    return set(db.session.scalars(select(CaseEvent.task).distinct().where(
        CaseEvent.case_id == case.id, CaseEvent.type == "task_completed")))


def assess(case: Case, target: ProcessDefinition, wf: BpmnWorkflow | None = None) -> Assessment:
    """Whether ``case`` may move to ``target``, with every reason it may not."""
    current = case.deployed
    result = Assessment(case.id, current.version, target.version)
    if target.process_id != case.process_id:
        result.reasons.append("目标版本不属于该业务的流程")
        return result
    if target.version <= current.version:
        result.reasons.append(f"只能迁移到更新的版本（该业务在第 {current.version} 版）")
    if case.status != "open":
        result.reasons.append(f"业务{case.status_name}，无需迁移")
    if result.reasons:
        return result
    old = current.parsed
    new = definitions.deployed(target.id).parsed
    if wf is None:
        wf = serialization.load(case.state, old.spec, old.subprocess_specs)
    if wf.subprocesses:
        result.reasons.append("业务正在子流程中，暂不支持迁移")
        return result
    result.reasons += _open_reasons(wf, new.spec, old.user_tasks, new.user_tasks)
    result.reasons += _path_reasons(wf, new.spec, _done_tasks(case), old.user_tasks, new.user_tasks)
    return result


_spec_diffs: dict[tuple[int, int], tuple[object, object, SpecDiff]] = {}


def _spec_diff(old_spec, new_spec) -> SpecDiff:
    """SpiffWorkflow's alignment of two specs (it serializes every task spec to compare them):
    computed once per pair of versions in a process, since deployed specs never change. The
    entry holds both specs, so their ids stay unique."""
    key = (id(old_spec), id(new_spec))
    hit = _spec_diffs.get(key)
    if hit is None or hit[0] is not old_spec or hit[1] is not new_spec:
        hit = _spec_diffs[key] = (old_spec, new_spec,
                                  SpecDiff(serialization.spec_registry(), old_spec, new_spec))
    return hit[2]


def convert(wf: BpmnWorkflow, new) -> None:
    """Re-attach a workflow to a new parsed spec (``definitions.Parsed``): live and in replay."""
    top = WorkflowDiff(wf, _spec_diff(wf.spec, new.spec))
    migrate_workflow(top, wf, new.spec, reset_mask=TaskState.READY)
    wf.subprocess_specs = new.subprocess_specs
    # predicted tasks of elements the new version no longer has (never run, never recorded)
    for task in [t for t in wf.tasks.values() if t.task_spec.name not in new.spec.task_specs]:
        if task.id in wf.tasks:
            task.parent._children.remove(task.id)
            wf._remove_task(task.id)
    wf.do_engine_steps()


def migrate(actor, case: Case, target: ProcessDefinition, *, commit: bool = True) -> Case:
    """Move ``case`` to ``target`` (409 ``not_migratable`` with the reasons when it may not)."""
    at = utcnow()
    run = StepRun(case, actor, at)
    from_version, from_id = case.deployed.version, case.definition_id
    with runtime.conflicts(), clock.frozen(at):
        wf = runtime._workflow(case, run)
        verdict = assess(case, target, wf)
        if not verdict.allowed:
            raise ApiError(409, f"该业务不能迁移到第 {target.version} 版：" + "；".join(verdict.reasons),
                           code="not_migratable", fields={"to_version": verdict.reasons})
        before = runtime._ready(wf)
        old_tasks = case.deployed.parsed.user_tasks
        convert(wf, definitions.deployed(target.id).parsed)
        set_committed_value(case, "definition_id", target.id)
        set_committed_value(case, "definition", target)
        step = runtime._save(case, wf, run, before)
    runtime._finish(step, "migrated", actor_id=actor.id if actor else None, commit=False, data={
        "from_version": from_version, "to_version": target.version,
        "from_definition": from_id, "to_definition": target.id})
    _retitle_open_items(case, old_tasks, {t.task_spec.name for t in runtime._ready(wf).values()})
    if commit:
        runtime._commit()
    return case


def _retitle_open_items(case: Case, old_tasks: dict, open_names: set[str]) -> None:
    """Items that stayed open take the new version's task title and form."""
    for name in open_names:
        old, new = old_tasks.get(name), case.deployed.parsed.user_tasks[name]
        if old is not None and (old.title, old.form) != (new.title, new.form):
            db.session.execute(update(WorkItem).where(
                WorkItem.case_id == case.id, WorkItem.status == "open", WorkItem.task == name,
            ).values(title=new.title, form=new.form).execution_options(synchronize_session=False))
