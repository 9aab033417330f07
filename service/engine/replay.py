"""Replay: rebuild a case from its pinned definition and its recorded events.

The result is compared with the stored state (by fingerprint, since task ids are random per
run) after every step and at the end, and the hash chain is checked. Actions are not re-run:
their recorded results are fed back, so replay never changes the registry.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from service.engine import clock, definitions, events, serialization
from service.engine.compaction import compact
from service.engine.models import Case
from service.engine.runtime import catch_message
from service.engine.scripting import ReplayMismatch, StepRun, script_engine

STATE_EVENTS = {"started", "task_completed", "timer_fired", "withdrawn", "message_received",
                "migrated"}


@dataclass
class ReplayResult:
    ok: bool
    events: int
    detail: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"ok": self.ok, "events": self.events,
                "detail": "; ".join(self.detail) if self.detail else "重放结果与存储状态一致"}


def replay(case: Case) -> ReplayResult:
    history = events.events_of(case.id)
    problems = events.verify_chain(case, history)
    # a case moved to a newer version ran on the version it started on until its first move
    moves = [e for e in history if e.type == "migrated"]
    p = definitions.deployed(moves[0].data["from_definition"]).parsed if moves \
        else case.deployed.parsed
    wf: BpmnWorkflow | None = None
    try:
        for event in history:
            if event.type not in STATE_EVENTS:
                continue
            run = StepRun(case, event.actor, event.at, replay=list(event.data.get("actions", [])))
            with clock.frozen(event.at):
                if event.type == "migrated":
                    p = definitions.deployed(event.data["to_definition"]).parsed
                wf = _apply(wf, p, event, run)
                compact(wf)
            if run.replay:
                problems.append(f"第 {event.seq} 条事件：有 {len(run.replay)} 个已记录的动作在重放中未被调用")
            expected = event.data.get("fingerprint")
            if expected and serialization.fingerprint(wf) != expected:
                problems.append(f"第 {event.seq} 条事件（{event.type}）：重放后的状态与记录不一致")
                break
    except (ReplayMismatch, LookupError, ValueError) as exc:
        problems.append(f"重放中止：{exc}")
    if wf is not None and not problems and serialization.fingerprint(wf) != case.fingerprint:
        problems.append("最终状态与存储的状态不一致")
    if wf is None and not problems:
        problems.append("该业务没有发起事件")
    return ReplayResult(not problems, len(history), problems)


def _apply(wf: BpmnWorkflow | None, p, event, run: StepRun) -> BpmnWorkflow:
    if event.type == "started":
        wf = BpmnWorkflow(p.spec, p.subprocess_specs, script_engine=script_engine(run))
        wf.task_tree.data.update(event.data.get("initial", {}))
        wf.do_engine_steps()
        return wf
    if wf is None:
        raise LookupError(f"第 {event.seq} 条事件早于发起事件")
    wf.script_engine = script_engine(run)
    if event.type == "task_completed":
        ready = [t for t in wf.get_tasks(state=TaskState.READY, manual=True)
                 if t.task_spec.name == event.task]
        if not ready:
            raise LookupError(f"第 {event.seq} 条事件：任务 {event.task} 在重放中不处于待办状态")
        task = ready[0]
        task.data.update(event.data.get("task_data", {}))
        task.run()
        wf.do_engine_steps()
    elif event.type == "timer_fired":
        wf.refresh_timers()
        wf.do_engine_steps()
    elif event.type == "withdrawn":
        wf.cancel()
    elif event.type == "message_received":
        catch_message(wf, event.data["name"], event.data.get("payload", {}))
    elif event.type == "migrated":
        from service.engine.migration import convert

        convert(wf, p)
    return wf
