"""A minimal physician business for tests that need a physician case whatever processes
``bpmn/`` holds: the physician applies, the institution agrees or disagrees, done.

Deployed inside the test's transaction (rolled back with it). SQLite hands a rolled-back id
to the next deployment, so the parsed-spec cache entry of that id is dropped before and after.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask

PROCESS_ID = "physician_p11_fixture"
NAME = "医师测试业务"

APPLICATION = {
    "title": "医师测试业务申请", "type": "object", "additionalProperties": False,
    "required": ["scope", "reason"],
    "properties": {
        "scope": {"type": "string", "title": "执业范围请求变更为", "enum": ["101", "102"],
                  "x-labels": {"101": "内科专业", "102": "外科专业"}},
        "reason": {"type": "string", "title": "提交本次业务的缘由", "minLength": 1, "maxLength": 200},
        "witness_id": {"type": "string", "title": "证明人身份证号", "x-mask": "id"},
    },
}
CONFIRM = {
    "title": "机构确认", "type": "object", "additionalProperties": False,
    "required": ["decision"], "x-task-data": ["decision"],
    "properties": {
        "decision": {"type": "string", "title": "机构意见", "enum": ["agree", "disagree"],
                     "x-labels": {"agree": "同意", "disagree": "不同意"}},
        "comment": {"type": "string", "title": "说明", "maxLength": 500},
    },
}


def _shape(element: str, x: int, y: int, w: int, h: int) -> str:
    return (f'<bpmndi:BPMNShape id="{element}_di" bpmnElement="{element}">'
            f'<dc:Bounds x="{x}" y="{y}" width="{w}" height="{h}"/></bpmndi:BPMNShape>')


def _edge(flow: str, *points: tuple[int, int]) -> str:
    waypoints = "".join(f'<di:waypoint x="{x}" y="{y}"/>' for x, y in points)
    return f'<bpmndi:BPMNEdge id="{flow}_di" bpmnElement="{flow}">{waypoints}</bpmndi:BPMNEdge>'


BPMN = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
    xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
    xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="Definitions_p11" targetNamespace="http://yizheng.example/bpmn">
  <bpmn:collaboration id="Collaboration_p11">
    <bpmn:participant id="Participant_p11" name="{NAME}" processRef="{PROCESS_ID}"/>
  </bpmn:collaboration>
  <bpmn:process id="{PROCESS_ID}" name="{NAME}" isExecutable="true">
    <bpmn:laneSet id="LaneSet_p11">
      <bpmn:lane id="physician" name="physician">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>apply</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="institution" name="institution">
        <bpmn:flowNodeRef>confirm</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" name="提出申请"/>
    <bpmn:userTask id="apply" name="填写申请">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="application.json"/>
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:userTask id="confirm" name="医疗机构确认">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="confirm.json"/>
        <spiffworkflow:property name="shows" value="apply"/>
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:endEvent id="end" name="办结"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="apply"/>
    <bpmn:sequenceFlow id="f2" sourceRef="apply" targetRef="confirm"/>
    <bpmn:sequenceFlow id="f3" sourceRef="confirm" targetRef="end"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="Diagram_p11">
    <bpmndi:BPMNPlane id="Plane_p11" bpmnElement="Collaboration_p11">
      <bpmndi:BPMNShape id="Participant_p11_di" bpmnElement="Participant_p11" isHorizontal="true">
        <dc:Bounds x="100" y="60" width="600" height="300"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="physician_di" bpmnElement="physician" isHorizontal="true">
        <dc:Bounds x="130" y="60" width="570" height="150"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="institution_di" bpmnElement="institution" isHorizontal="true">
        <dc:Bounds x="130" y="210" width="570" height="150"/></bpmndi:BPMNShape>
      {_shape("start", 170, 117, 36, 36)}
      {_shape("apply", 250, 95, 100, 80)}
      {_shape("confirm", 400, 245, 100, 80)}
      {_shape("end", 570, 267, 36, 36)}
      {_edge("f1", (206, 135), (250, 135))}
      {_edge("f2", (350, 135), (450, 135), (450, 245))}
      {_edge("f3", (500, 285), (570, 285))}
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


@contextmanager
def deployed(app: Flask) -> Iterator[int]:
    """Deploy the fixture process for one test; yields the definition id."""
    from service.core.extensions import db
    from service.engine import definitions
    from service.engine.plugins import known_actions, known_routes

    with app.app_context():
        definition = definitions.deploy(
            PROCESS_ID, BPMN, {"application.json": APPLICATION, "confirm.json": CONFIRM},
            f"{PROCESS_ID}.bpmn", None, known_routes(), known_actions())
        db.session.commit()
        definition_id = definition.id
    # another test's rolled-back deployment may have left a parsed spec under this id
    definitions._cache.pop(definition_id, None)
    try:
        yield definition_id
    finally:
        definitions._cache.pop(definition_id, None)
