"""The path a case took, drawn on its BPMN diagram.

The stored workflow state is compacted after every step (engine/compaction.py): it holds only
the tasks since the last finished task above the live ones. Earlier rounds are read from the
events instead: user tasks from ``task_completed``, service tasks from the actions they called,
the start event from ``started``; gateways, script tasks and events passed in between are
inferred from their neighbours.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from functools import lru_cache

from markupsafe import Markup

from service.engine import plugins, serialization
from service.engine.diagram import BPMN, render_svg
from service.engine.models import Case, CaseEvent, WorkItem

SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
# Nodes that leave no trace in the events of their own: passed on the way between others.
PASS_THROUGH = {"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway",
                "scriptTask", "intermediateCatchEvent", "intermediateThrowEvent", "endEvent"}


@dataclass
class Graph:
    kinds: dict[str, str] = field(default_factory=dict)
    flows: list[tuple[str, str, str]] = field(default_factory=list)  # (id, source, target)
    operations: dict[str, set[str]] = field(default_factory=dict)  # action -> service tasks

    def neighbours(self, node: str) -> tuple[set[str], set[str]]:
        return ({s for _, s, t in self.flows if t == node}, {t for _, s, t in self.flows if s == node})


@lru_cache(maxsize=32)
def graph(bpmn_xml: str, process_id: str) -> Graph:
    g = Graph()
    for process in ET.fromstring(bpmn_xml).iter(f"{{{BPMN}}}process"):
        if process.get("id") != process_id:
            continue
        for el in process:
            kind, ident = el.tag.rsplit("}", 1)[-1], el.get("id", "")
            if kind == "sequenceFlow":
                g.flows.append((ident, el.get("sourceRef", ""), el.get("targetRef", "")))
            elif kind not in ("laneSet", "extensionElements", "documentation"):
                g.kinds[ident] = kind
            for op in el.iter(f"{{{SPIFF}}}serviceTaskOperator"):
                g.operations.setdefault(op.get("id", ""), set()).add(ident)
    return g


def progress(case: Case, open_items: list[WorkItem],
             history: list[CaseEvent]) -> tuple[set[str], set[str]]:
    """(completed, active) BPMN element ids; waiting timers count as active."""
    g = graph(case.definition.bpmn_xml, case.process_id)
    completed: set[str] = set()
    active = {i.task for i in open_items}
    done, waiting = serialization.element_states(case)
    completed |= done
    active |= waiting
    for event in history:
        if event.type == "started":
            completed |= {n for n, kind in g.kinds.items() if kind == "startEvent"}
        if event.type == "task_completed" and event.task:
            completed.add(event.task)
        for call in event.data.get("actions") or []:
            completed |= g.operations.get(call.get("name", ""), set())
    reached = completed | active
    changed = True
    while changed:  # a pass-through node between a finished node and a reached one was passed
        changed = False
        for node in [n for n, kind in g.kinds.items() if kind in PASS_THROUGH and n not in reached]:
            before, after = g.neighbours(node)
            if before & completed and (after & reached or g.kinds[node] == "endEvent"
                                       and case.status == "completed" and not after):
                completed.add(node)
                reached.add(node)
                changed = True
    return completed, active


def taken_flows(g: Graph, reached: set[str]) -> set[str]:
    """Sequence flows whose source and target were both reached: the path drawn green."""
    return {ident for ident, source, target in g.flows if source in reached and target in reached}


def diagram(case: Case, open_items: list[WorkItem], history: list[CaseEvent]) -> Markup:
    completed, active = progress(case, open_items, history)
    xml = case.definition.bpmn_xml
    svg = render_svg(xml, case.process_id, lane_labels=plugins.lane_labels(), completed=completed, active=active,
                     taken_flows=taken_flows(graph(xml, case.process_id), completed | active))
    return Markup(svg)  # built by our renderer, which escapes every text it draws
