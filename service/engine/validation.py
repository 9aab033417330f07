"""The checks a definition passes before it is deployed, reported in Chinese by element.

``definitions.validate`` parses the file and calls :func:`check_definition`; every door that
deploys (the designer's page, the REST API, the command line, start-up) goes through it, so a
definition is refused for the same reasons everywhere.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from lxml import etree
from SpiffWorkflow.bpmn.specs.defaults import EndEvent
from SpiffWorkflow.spiff.specs.defaults import ScriptTask, ServiceTask

from service.access.models import ROLES
from service.engine import plugins
from service.engine.definitions import FORM_PROPERTY

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
TIMER_TAGS = ("timeDate", "timeDuration", "timeCycle")


@dataclass
class Report:
    """Reasons by where they are found: an element id, ``forms/<file>`` or ``bpmn``."""

    fields: dict[str, list[str]] = field(default_factory=dict)

    def add(self, where: str, reason: str) -> None:
        reasons = self.fields.setdefault(where, [])
        if reason not in reasons:
            reasons.append(reason)


def _label(spec) -> str:
    name = getattr(spec, "bpmn_name", None)
    return f"“{name}”" if name else ""


def _compiles(source: str, mode: str) -> str | None:
    try:
        compile(source, "<bpmn>", mode)
    except SyntaxError as exc:
        return f"{exc.msg}（第 {exc.lineno} 行）"
    return None


def check_forms(report: Report, forms: dict) -> None:
    """Every form file is a JSON object that is valid JSON Schema (draft 2020-12)."""
    for filename, schema in forms.items():
        where = f"forms/{filename}"
        if not isinstance(schema, dict):
            report.add(where, "表单文件必须是一个 JSON 对象")
            continue
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as exc:
            path = "/".join(str(p) for p in exc.absolute_path) or "（根）"
            report.add(where, f"不是有效的 JSON Schema：{path} 处 {exc.message}")
        if schema.get("type", "object") != "object":
            report.add(where, "表单的根类型必须是 object")


def _user_task(report: Report, info, forms: dict, known_lanes, known_actions) -> None:
    where, label = info.name, f"用户任务“{info.title}”"
    props = info.properties
    if info.lane not in known_lanes:
        report.add(where, f"{label}所在泳道“{info.lane or '（无）'}”没有对应的角色和分派规则")
    if not info.form:
        report.add(where, f"{label}未指定表单（属性 {FORM_PROPERTY}）")
    elif info.form not in forms:
        report.add(where, f"{label}的表单 {info.form} 不存在")
    route = props.get("route")
    if route and route not in known_lanes and route not in known_actions:
        report.add(where, f"{label}的分派规则“{route}”未注册")
    if props.get("check") and props["check"] not in plugins.known_checks():
        report.add(where, f"{label}的规则校验“{props['check']}”未注册")
    if props.get("prefill") and props["prefill"] not in plugins.known_prefills():
        report.add(where, f"{label}的预填规则“{props['prefill']}”未注册")
    for role in props.get("roles", "").split():
        if role not in ROLES:
            report.add(where, f"{label}限定的角色“{role}”不存在")
    for key in ("deadline_days", "deadline_working_days"):
        if props.get(key) and not props[key].isdigit():
            report.add(where, f"{label}的办理时限 {key} 应为天数（整数）")


def _expressions(report: Report, bpmn_xml: str, process_id: str) -> None:
    """Sequence-flow conditions and timer expressions are Python expressions: they compile."""
    root = etree.fromstring(bpmn_xml.encode())
    process = root.find(f"{{{BPMN_NS}}}process[@id='{process_id}']")
    if process is None:
        return
    for flow in process.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        condition = flow.find(f"{{{BPMN_NS}}}conditionExpression")
        if condition is not None and (condition.text or "").strip():
            problem = _compiles(condition.text.strip(), "eval")
            if problem:
                report.add(flow.get("id"), f"顺序流“{flow.get('name') or flow.get('id')}”的条件表达式有误：{problem}")
    for timer in process.iter(f"{{{BPMN_NS}}}timerEventDefinition"):
        event = timer.getparent()
        for tag in TIMER_TAGS:
            expr = timer.find(f"{{{BPMN_NS}}}{tag}")
            if expr is not None:
                problem = _compiles((expr.text or "").strip() or "''", "eval")
                if problem:
                    report.add(event.get("id"), f"定时事件“{event.get('name') or event.get('id')}”的时间表达式有误：{problem}")


def check_definition(report: Report, result, bpmn_xml: str, forms: dict, known_lanes,
                     known_actions) -> None:
    """Fill ``report`` with every problem of a parsed definition (``definitions.Parsed``)."""
    from service.engine.diagram import flow_nodes_without_shapes

    check_forms(report, forms)
    for info in result.user_tasks.values():
        _user_task(report, info, forms, known_lanes, known_actions)
    start_check = result.start_properties.get("check")
    if start_check and start_check not in plugins.known_checks():
        report.add("start", f"开始事件的规则校验“{start_check}”未注册")
    for lane in result.startable_by:
        if lane not in known_lanes:
            report.add("start", f"开始事件可发起泳道（startable_by）中的“{lane}”没有对应的分派规则")
    for task_spec in result.spec.task_specs.values():
        if isinstance(task_spec, ScriptTask):
            problem = _compiles(task_spec.script or "", "exec")
            if problem:
                report.add(task_spec.name, f"脚本任务{_label(task_spec)}的脚本无法编译：{problem}")
        if isinstance(task_spec, ServiceTask) and task_spec.operation_name not in known_actions:
            report.add(task_spec.name, f"服务任务{_label(task_spec)}调用的动作“{task_spec.operation_name}”未注册")
    if not any(isinstance(t, EndEvent) for t in result.spec.task_specs.values()):
        report.add("bpmn", "流程没有结束事件")
    _expressions(report, bpmn_xml, result.process_id)
    for element in flow_nodes_without_shapes(bpmn_xml):
        report.add(element, "该元素在流程图中没有图形（BPMNShape / BPMNEdge）")
