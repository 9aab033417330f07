"""The script engine: restricted Python for BPMN expressions, actions for service tasks.

Live, a service task calls the named action and its result is recorded in the step's event.
In replay, the recorded result is returned instead, so replay never touches the registry and
reaches the same state.
"""
from __future__ import annotations

import builtins
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment

from service.engine.plugins import ActionContext, get_action

SAFE_BUILTINS = {
    name: getattr(builtins, name) for name in (
        "abs", "all", "any", "bool", "dict", "enumerate", "float", "int", "isinstance", "len",
        "list", "max", "min", "range", "round", "set", "sorted", "str", "sum", "tuple", "zip",
        "True", "False", "None",
    )
}


class ReplayMismatch(Exception):
    """Replay asked for a different action than the one recorded: the definition diverged."""


@dataclass
class StepRun:
    """One engine step: who, when, and the actions it called (or, in replay, must call)."""

    case: Any
    actor: Any
    at: datetime
    replay: list[dict] | None = None
    actions: list[dict] = field(default_factory=list)

    def call(self, name: str, params: dict, data: dict) -> Any:
        if self.replay is not None:
            if not self.replay:
                raise ReplayMismatch(f"动作 {name} 没有记录")
            recorded = self.replay.pop(0)
            if recorded["name"] != name or recorded["params"] != _jsonable(params):
                raise ReplayMismatch(f"记录的动作为 {recorded['name']}，重放调用了 {name}")
            self.actions.append(recorded)
            return recorded["result"]
        fn = get_action(name)
        result = fn(ActionContext(self.case, self.actor, self.at, dict(data)), **params)
        result = _jsonable(result if result is not None else {})
        self.actions.append({"name": name, "params": _jsonable(params), "result": result})
        return result


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


class _Environment(TaskDataEnvironment):
    def __init__(self, run: StepRun) -> None:
        super().__init__({"__builtins__": SAFE_BUILTINS})
        self.run = run

    def call_service(self, context, operation_name=None, operation_params=None, **_kw):
        params = {k: v["value"] for k, v in (operation_params or {}).items()}
        return json.dumps(self.run.call(operation_name, params, context), ensure_ascii=False)


class _ScriptEngine(PythonScriptEngine):
    def call_service(self, task, **kwargs):
        # SpiffWorkflow 3 wraps an action's error in a NameError of its own (its handler names
        # an undefined variable); let the action's exception through, so that the step's
        # handling sees it (a concurrent step's database conflict answers 409)
        return self.environment.call_service(task.data, **kwargs)


def script_engine(run: StepRun) -> PythonScriptEngine:
    return _ScriptEngine(environment=_Environment(run))
