"""Workflow state without its spec: the spec comes from the pinned definition, parsed once.

SpiffWorkflow's default serializer stores the whole process spec with every instance, which
makes each step re-serialize a large document. Cases store only the task tree and data; the
parsed spec is shared per definition version in this process.
"""
from __future__ import annotations

import contextvars
import hashlib
import json
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

_specs: contextvars.ContextVar[tuple] = contextvars.ContextVar("engine_specs")


class _StateOnlyConverter(BpmnWorkflowConverter):
    def to_dict(self, workflow):
        # BpmnWorkflowConverter.to_dict without converting the specs (only to drop them)
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct):
        dct["spec"], dct["subprocess_specs"] = None, {}
        spec, subprocess_specs = _specs.get()
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], _uuid, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(_uuid(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _uuid(value):
    return UUID(value)


_config = dict(SPIFF_CONFIG)
_config[BpmnWorkflow] = _StateOnlyConverter
_serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(_config))


def spec_registry():
    """The serializer's converters (SpiffWorkflow's spec diff compares specs through them)."""
    return _serializer.registry


def dump(workflow: BpmnWorkflow) -> str:
    return _serializer.serialize_json(workflow)


def load(state: str, spec, subprocess_specs: dict) -> BpmnWorkflow:
    token = _specs.set((spec, subprocess_specs))
    try:
        return _serializer.deserialize_json(state)
    finally:
        _specs.reset(token)


def fingerprint(workflow: BpmnWorkflow) -> str:
    """A digest of what the case *is*: tasks by spec and state, their data, the workflow data.

    Task ids are random per run, so replay compares this canonical form, not the raw state.
    """
    tasks = [
        (t.task_spec.name, t.state, _canonical(t.data))
        for t in workflow.get_tasks(state=TaskState.ANY_MASK)
        if t.state not in (TaskState.MAYBE, TaskState.LIKELY, TaskState.FUTURE)
    ]
    body = {"completed": workflow.completed, "data": _canonical(workflow.data), "tasks": tasks}
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def _canonical(data: dict) -> dict:
    return {k: v for k, v in sorted(data.items()) if not k.startswith("_")}


def element_states(case) -> tuple[set[str], set[str]]:
    """(completed, waiting) BPMN element ids in the case's stored state (since compaction)."""
    completed: set[str] = set()
    waiting: set[str] = set()
    if case.state:
        p = case.deployed.parsed
        wf = load(case.state, p.spec, p.subprocess_specs)
        for task in wf.get_tasks(state=TaskState.COMPLETED | TaskState.WAITING):
            if task.task_spec.bpmn_id:
                (completed if task.has_state(TaskState.COMPLETED) else waiting).add(
                    task.task_spec.bpmn_id)
    return completed, waiting
