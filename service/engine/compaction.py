"""Keep a workflow's task tree from growing with every loop (return for correction).

SpiffWorkflow appends new task instances each time a loop is taken and keeps the finished
ones, so a case returned twenty times would carry twenty rounds of tasks in its state. What
happened is already in the case's events; the engine only needs the live part of the tree.
After each step the tree is re-rooted at the nearest finished task above every live task,
when nothing outside that subtree is still pending. Live and replay compact the same way.
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

_FINISHED = TaskState.COMPLETED | TaskState.CANCELLED
_PREDICTED = TaskState.MAYBE | TaskState.LIKELY


def _live(task) -> bool:
    return not task.has_state(_FINISHED | _PREDICTED)


def _ancestors(task) -> list:
    chain = []
    while task is not None:
        chain.append(task)
        task = task.parent
    return chain


def compact(wf: BpmnWorkflow) -> bool:
    """Re-root the task tree above the live tasks; returns whether anything was dropped."""
    if wf.subprocesses or wf.completed:
        return False
    live = [t for t in wf.tasks.values() if _live(t)]
    if not live:
        return False
    common = _ancestors(live[0])
    for task in live[1:]:
        chain = {id(a) for a in _ancestors(task)}
        common = [a for a in common if id(a) in chain]
    new_root = next((a for a in common if a.has_state(TaskState.COMPLETED)), None)
    if new_root is None or new_root is wf.task_tree:
        return False
    keep = {t.id for t in _subtree(new_root)}
    if any(_live(t) or t.has_state(TaskState.FUTURE)
           for t in wf.tasks.values() if t.id not in keep):
        return False
    new_root.parent = None
    wf.task_tree = new_root
    for task_id in [i for i in wf.tasks if i not in keep]:
        del wf.tasks[task_id]
    if wf.last_task is not None and wf.last_task.id not in keep:
        wf.last_task = new_root
    return True


def _subtree(task):
    stack = [task]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current.children)
