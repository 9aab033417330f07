"""The semantic difference between two versions of a process, over their parsed models.

Elements are matched by BPMN id. Tasks and other flow nodes, sequence flows, lanes and form
files are compared by what they mean to the engine — names, kinds, lanes, the SpiffWorkflow
properties (form, deadlines, checks, routes), the action a service task calls and its
parameters, scripts, conditions, timers and messages, the form fields — never by layout or
attribute order, so a version saved by the modeler and the file it came from compare equal.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
KINDS = {
    "startEvent": "开始事件", "endEvent": "结束事件", "userTask": "用户任务",
    "serviceTask": "服务任务", "scriptTask": "脚本任务", "manualTask": "人工任务",
    "task": "任务", "exclusiveGateway": "排他网关", "parallelGateway": "并行网关",
    "inclusiveGateway": "包容网关", "eventBasedGateway": "事件网关",
    "intermediateCatchEvent": "中间捕获事件", "intermediateThrowEvent": "中间抛出事件",
    "boundaryEvent": "边界事件", "subProcess": "子流程", "callActivity": "调用活动",
    "sendTask": "发送任务", "receiveTask": "接收任务", "businessRuleTask": "业务规则任务",
}
ASPECTS = {
    "kind": "类型", "name": "名称", "lane": "泳道", "operator": "调用的动作",
    "result": "结果变量", "script": "脚本", "timer": "定时", "message": "消息",
    "attached": "附着于", "interrupting": "中断", "default": "默认流",
    "source": "起点", "target": "终点", "condition": "条件", "members": "包含的元素",
}


@dataclass
class Change:
    aspect: str
    old: object
    new: object

    @property
    def label(self) -> str:
        if self.aspect.startswith("property:"):
            return f"属性 {self.aspect.split(':', 1)[1]}"
        if self.aspect.startswith("parameter:"):
            return f"参数 {self.aspect.split(':', 1)[1]}"
        if self.aspect.startswith("field:"):
            return f"字段 {self.aspect.split(':', 1)[1]}"
        return ASPECTS.get(self.aspect, self.aspect)

    def as_dict(self) -> dict:
        return {"aspect": self.aspect, "label": self.label, "old": self.old, "new": self.new}


@dataclass
class Entry:
    id: str
    name: str
    kind: str
    changes: list[Change] = field(default_factory=list)

    def as_dict(self) -> dict:
        out = {"id": self.id, "name": self.name, "kind": self.kind}
        if self.changes:
            out["changes"] = [c.as_dict() for c in self.changes]
        return out


@dataclass
class Section:
    added: list[Entry] = field(default_factory=list)
    removed: list[Entry] = field(default_factory=list)
    changed: list[Entry] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def as_dict(self) -> dict:
        return {k: [e.as_dict() for e in getattr(self, k)] for k in ("added", "removed", "changed")}


@dataclass
class Diff:
    tasks: Section
    flows: Section
    lanes: Section
    forms: Section

    @property
    def empty(self) -> bool:
        return not (self.tasks or self.flows or self.lanes or self.forms)

    def marks(self) -> dict[str, list[str]]:
        """BPMN element ids to colour on the diagrams: added and changed on the new one,
        removed and changed on the old one."""
        out: dict[str, list[str]] = {"added": [], "removed": [], "changed": []}
        for section in (self.tasks, self.flows, self.lanes):
            for key in out:
                out[key] += [e.id for e in getattr(section, key)]
        return out

    def as_dict(self) -> dict:
        return {"empty": self.empty, "tasks": self.tasks.as_dict(), "flows": self.flows.as_dict(),
                "lanes": self.lanes.as_dict(), "forms": self.forms.as_dict(), "marks": self.marks()}


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _text(el) -> str | None:
    return " ".join((el.text or "").split()) if el is not None else None


def _node(el, lanes: dict[str, str]) -> dict:
    facts: dict[str, object] = {"kind": KINDS.get(_local(el.tag), _local(el.tag)),
                                "name": el.get("name") or "", "lane": lanes.get(el.get("id"))}
    for prop in el.iter(f"{{{SPIFF}}}property"):
        facts[f"property:{prop.get('name')}"] = prop.get("value")
    operator = el.find(f".//{{{SPIFF}}}serviceTaskOperator")
    if operator is not None:
        facts["operator"] = operator.get("id")
        facts["result"] = operator.get("resultVariable")
        for param in operator.iter(f"{{{SPIFF}}}parameter"):
            facts[f"parameter:{param.get('id')}"] = param.get("value")
    script = el.find(f"{{{BPMN}}}script")
    if script is not None:
        facts["script"] = (script.text or "").strip()
    timer = el.find(f"{{{BPMN}}}timerEventDefinition")
    if timer is not None:
        facts["timer"] = "；".join(f"{_local(c.tag)}: {_text(c)}" for c in timer if _local(c.tag))
    message = el.find(f"{{{BPMN}}}messageEventDefinition")
    if message is not None:
        facts["message"] = message.get("messageRef")
    if el.get("attachedToRef"):
        facts["attached"] = el.get("attachedToRef")
        facts["interrupting"] = el.get("cancelActivity", "true")
    if el.get("default"):
        facts["default"] = el.get("default")
    return facts


def model(bpmn_xml: str) -> dict:
    """The engine-relevant facts of every element of the file's executable process."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(bpmn_xml.encode(), parser)
    process = next((p for p in root.iter(f"{{{BPMN}}}process")
                    if p.get("isExecutable", "true") != "false"), None)
    out: dict = {"nodes": {}, "flows": {}, "lanes": {}, "messages": {}}
    if process is None:
        return out
    for message in root.iter(f"{{{BPMN}}}message"):
        out["messages"][message.get("id")] = message.get("name") or message.get("id")
    lanes: dict[str, str] = {}
    for lane in process.iter(f"{{{BPMN}}}lane"):
        members = sorted(_text(r) for r in lane.findall(f"{{{BPMN}}}flowNodeRef"))
        out["lanes"][lane.get("id")] = {"kind": "泳道", "name": lane.get("name") or "",
                                        "members": "、".join(members)}
        lanes.update({m: lane.get("name") or lane.get("id") for m in members})
    for el in process.iter():
        kind = _local(el.tag)
        if kind == "sequenceFlow":
            condition = el.find(f"{{{BPMN}}}conditionExpression")
            out["flows"][el.get("id")] = {"kind": "顺序流", "name": el.get("name") or "",
                                          "source": el.get("sourceRef"),
                                          "target": el.get("targetRef"),
                                          "condition": _text(condition)}
        elif kind in KINDS:
            facts = _node(el, lanes)
            if "message" in facts:
                facts["message"] = out["messages"].get(facts["message"], facts["message"])
            out["nodes"][el.get("id")] = facts
    return out


def _compare(old: dict[str, dict], new: dict[str, dict]) -> Section:
    section = Section()
    for key in sorted(new.keys() - old.keys()):
        section.added.append(Entry(key, str(new[key].get("name") or ""), str(new[key]["kind"])))
    for key in sorted(old.keys() - new.keys()):
        section.removed.append(Entry(key, str(old[key].get("name") or ""), str(old[key]["kind"])))
    for key in sorted(old.keys() & new.keys()):
        a, b = old[key], new[key]
        changes = [Change(aspect, a.get(aspect), b.get(aspect))
                   for aspect in sorted(a.keys() | b.keys()) if a.get(aspect) != b.get(aspect)]
        if changes:
            section.changed.append(Entry(key, str(b.get("name") or a.get("name") or ""),
                                         str(b["kind"]), changes))
    return section


def _fields(schema: dict) -> dict[str, dict]:
    required = set(schema.get("required") or [])
    out = {}
    for name, prop in (schema.get("properties") or {}).items():
        if isinstance(prop, dict):
            out[name] = {"kind": "字段", "name": prop.get("title", name),
                         "definition": {k: v for k, v in prop.items() if k != "title"},
                         "required": name in required}
    return out


def _form_changes(old: dict, new: dict) -> list[Change]:
    a, b = _fields(old), _fields(new)
    changes = [Change(f"field:{n}", None, b[n]["name"]) for n in sorted(b.keys() - a.keys())]
    changes += [Change(f"field:{n}", a[n]["name"], None) for n in sorted(a.keys() - b.keys())]
    for n in sorted(a.keys() & b.keys()):
        for aspect in ("name", "required", "definition"):
            if a[n][aspect] != b[n][aspect]:
                label = {"name": "标题", "required": "必填", "definition": "定义"}[aspect]
                changes.append(Change(f"field:{n}（{label}）", a[n][aspect], b[n][aspect]))
    rest = ({k: v for k, v in old.items() if k not in ("properties", "required")},
            {k: v for k, v in new.items() if k not in ("properties", "required")})
    if rest[0] != rest[1]:
        changes.append(Change("schema", "（表单级规则）", "（已修改）"))
    return changes


def compare(old_xml: str, old_forms: dict, new_xml: str, new_forms: dict) -> Diff:
    a, b = model(old_xml), model(new_xml)
    forms = Section()
    forms.added = [Entry(n, n, "表单") for n in sorted(new_forms.keys() - old_forms.keys())]
    forms.removed = [Entry(n, n, "表单") for n in sorted(old_forms.keys() - new_forms.keys())]
    for n in sorted(old_forms.keys() & new_forms.keys()):
        if old_forms[n] != new_forms[n]:
            forms.changed.append(Entry(n, n, "表单", _form_changes(old_forms[n], new_forms[n])))
    return Diff(_compare(a["nodes"], b["nodes"]), _compare(a["flows"], b["flows"]),
                _compare(a["lanes"], b["lanes"]), forms)
