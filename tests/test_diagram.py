"""The BPMN diagram renderer: a small licensing process with two lanes, drawn as SVG."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from service.engine.diagram import flow_nodes_without_shapes, render_svg

SVG = "{http://www.w3.org/2000/svg}"
BPMN_NS = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"

LICENSING = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
    xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
    xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
    id="Definitions_licensing" targetNamespace="http://yizheng.example/bpmn">
  <bpmn:collaboration id="Collaboration_1">
    <bpmn:participant id="Participant_1" name="医疗机构执业登记" processRef="licensing"/>
  </bpmn:collaboration>
  <bpmn:process id="licensing" name="医疗机构执业登记" isExecutable="true">
    <bpmn:laneSet id="LaneSet_1">
      <bpmn:lane id="institution" name="医疗机构">
        <bpmn:flowNodeRef>StartEvent_1</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Task_submit</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Timer_1</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="bureau" name="卫生健康委">
        <bpmn:flowNodeRef>Task_review</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Gateway_1</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Task_notify</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>EndEvent_1</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="StartEvent_1" name="提交执业登记申请"/>
    <bpmn:userTask id="Task_submit" name="填写申请表 &amp; 上传材料"/>
    <bpmn:userTask id="Task_review" name="形式审查"/>
    <bpmn:exclusiveGateway id="Gateway_1" name="材料是否齐全？" default="Flow_ok"/>
    <bpmn:serviceTask id="Task_notify" name="发送受理通知书"/>
    <bpmn:intermediateCatchEvent id="Timer_1" name="等待补正（5个工作日）">
      <bpmn:timerEventDefinition id="TimerDefinition_1">
        <bpmn:timeDuration>P5D</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="EndEvent_1" name="受理"/>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Task_submit"/>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_submit" targetRef="Task_review"/>
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Task_review" targetRef="Gateway_1"/>
    <bpmn:sequenceFlow id="Flow_ok" name="齐全" sourceRef="Gateway_1" targetRef="Task_notify"/>
    <bpmn:sequenceFlow id="Flow_missing" name="缺件 &lt;需补正&gt; &amp; 待补"
        sourceRef="Gateway_1" targetRef="Timer_1">
      <bpmn:conditionExpression>missing</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="Flow_retry" sourceRef="Timer_1" targetRef="Task_submit"/>
    <bpmn:sequenceFlow id="Flow_4" sourceRef="Task_notify" targetRef="EndEvent_1"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="Diagram_1">
    <bpmndi:BPMNPlane id="Plane_1" bpmnElement="Collaboration_1">
      <bpmndi:BPMNShape id="Participant_1_di" bpmnElement="Participant_1" isHorizontal="true">
        <dc:Bounds x="100" y="60" width="880" height="360"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="institution_di" bpmnElement="institution" isHorizontal="true">
        <dc:Bounds x="130" y="60" width="850" height="180"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="bureau_di" bpmnElement="bureau" isHorizontal="true">
        <dc:Bounds x="130" y="240" width="850" height="180"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="StartEvent_1_di" bpmnElement="StartEvent_1">
        <dc:Bounds x="182" y="132" width="36" height="36"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Task_submit_di" bpmnElement="Task_submit">
        <dc:Bounds x="270" y="110" width="100" height="80"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Task_review_di" bpmnElement="Task_review">
        <dc:Bounds x="420" y="290" width="100" height="80"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Gateway_1_di" bpmnElement="Gateway_1" isMarkerVisible="true">
        <dc:Bounds x="575" y="305" width="50" height="50"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Task_notify_di" bpmnElement="Task_notify">
        <dc:Bounds x="700" y="290" width="100" height="80"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="EndEvent_1_di" bpmnElement="EndEvent_1">
        <dc:Bounds x="862" y="312" width="36" height="36"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Timer_1_di" bpmnElement="Timer_1">
        <dc:Bounds x="582" y="132" width="36" height="36"/>
        <bpmndi:BPMNLabel>
          <dc:Bounds x="555" y="92" width="90" height="28"/>
        </bpmndi:BPMNLabel>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="Flow_1_di" bpmnElement="Flow_1">
        <di:waypoint x="218" y="150"/>
        <di:waypoint x="270" y="150"/>
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_2_di" bpmnElement="Flow_2">
        <di:waypoint x="320" y="190"/>
        <di:waypoint x="320" y="330"/>
        <di:waypoint x="420" y="330"/>
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_3_di" bpmnElement="Flow_3">
        <di:waypoint x="520" y="330"/>
        <di:waypoint x="575" y="330"/>
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_ok_di" bpmnElement="Flow_ok">
        <di:waypoint x="625" y="330"/>
        <di:waypoint x="700" y="330"/>
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_missing_di" bpmnElement="Flow_missing">
        <di:waypoint x="600" y="305"/>
        <di:waypoint x="600" y="168"/>
        <bpmndi:BPMNLabel>
          <dc:Bounds x="608" y="190" width="90" height="28"/>
        </bpmndi:BPMNLabel>
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_retry_di" bpmnElement="Flow_retry">
        <di:waypoint x="582" y="150"/>
        <di:waypoint x="370" y="150"/>
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_4_di" bpmnElement="Flow_4">
        <di:waypoint x="800" y="330"/>
        <di:waypoint x="862" y="330"/>
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""

FLOW_NODES = ["StartEvent_1", "Task_submit", "Task_review", "Gateway_1", "Task_notify", "Timer_1",
              "EndEvent_1"]
FLOWS = ["Flow_1", "Flow_2", "Flow_3", "Flow_ok", "Flow_missing", "Flow_retry", "Flow_4"]


def _drawn(svg: str) -> dict[str, ET.Element]:
    return {g.get("data-element-id"): g for g in ET.fromstring(svg).iter()
            if g.get("data-element-id") is not None}


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_every_flow_node_flow_pool_and_lane_is_drawn() -> None:
    svg = render_svg(LICENSING)
    root = ET.fromstring(svg)  # well-formed, standalone XML
    assert root.tag == f"{SVG}svg"
    assert "<script" not in svg and "href" not in svg and "@import" not in svg
    drawn = _drawn(svg)
    assert set(FLOW_NODES + FLOWS + ["Participant_1", "institution", "bureau"]) <= set(drawn)
    kinds = {eid: g.get("data-type") for eid, g in drawn.items()}
    assert kinds["Task_submit"] == "userTask" and kinds["Task_notify"] == "serviceTask"
    assert kinds["Gateway_1"] == "exclusiveGateway" and kinds["Timer_1"] == "intermediateCatchEvent"
    assert all(g.find(f"{SVG}title") is not None for g in drawn.values())
    assert root.get("font-family") == "WenQuanYi Zen Hei, Microsoft YaHei, sans-serif"


def test_highlighting_classes_go_exactly_to_the_given_ids() -> None:
    completed = {"StartEvent_1", "Task_submit", "Task_review", "Gateway_1"}
    active = {"Timer_1"}
    taken = {"Flow_1", "Flow_2", "Flow_3", "Flow_missing"}
    drawn = _drawn(render_svg(LICENSING, "licensing", completed=completed, active=active,
                              taken_flows=taken))
    classes = {eid: g.get("class") for eid, g in drawn.items()}
    assert {eid for eid, cls in classes.items() if cls == "done"} == completed | taken
    assert {eid for eid, cls in classes.items() if cls == "active"} == active
    assert set(classes.values()) == {"done", "active", None}
    timer = ET.tostring(drawn["Timer_1"], encoding="unicode")
    assert "#e8710a" in timer  # the orange of the active step
    neutral = ET.tostring(drawn["Task_notify"], encoding="unicode")
    assert "#e8710a" not in neutral and "#2e7d32" not in neutral


def test_active_wins_over_completed_for_a_step_entered_again() -> None:
    drawn = _drawn(render_svg(LICENSING, completed={"Task_submit"}, active={"Task_submit"}))
    assert drawn["Task_submit"].get("class") == "active"


def test_names_are_written_and_escaped() -> None:
    svg = render_svg(LICENSING)
    drawn = _drawn(svg)
    texts = [_squash("".join(t.itertext())) for t in ET.fromstring(svg).iter(f"{SVG}text")]
    for name in ("医疗机构执业登记", "医疗机构", "卫生健康委", "提交执业登记申请",
                 "填写申请表 & 上传材料", "形式审查", "材料是否齐全？", "发送受理通知书",
                 "等待补正（5个工作日）", "受理", "齐全", "缺件 <需补正> & 待补"):
        assert _squash(name) in texts, name
    assert "&lt;需补正&gt; &amp; 待补" in svg and "<需补正>" not in svg
    assert drawn["Flow_missing"].find(f"{SVG}title").text == "缺件 <需补正> & 待补"
    assert drawn["Flow_1"].find(f"{SVG}title").text == "Flow_1"  # unnamed: the id on hover


def test_without_labels_only_titles_name_things() -> None:
    svg = render_svg(LICENSING, labels=False)
    assert not list(ET.fromstring(svg).iter(f"{SVG}text"))
    assert _drawn(svg)["Task_review"].find(f"{SVG}title").text == "形式审查"


def test_viewbox_covers_every_shape_and_waypoint() -> None:
    svg = ET.fromstring(render_svg(LICENSING))
    x, y, w, h = (float(v) for v in svg.get("viewBox").split())
    bpmn = ET.fromstring(LICENSING.encode())
    for b in bpmn.iter("{http://www.omg.org/spec/DD/20100524/DC}Bounds"):
        bx, by, bw, bh = (float(b.get(k)) for k in ("x", "y", "width", "height"))
        assert x <= bx and y <= by and bx + bw <= x + w and by + bh <= y + h
    for p in bpmn.iter("{http://www.omg.org/spec/DD/20100524/DI}waypoint"):
        assert x <= float(p.get("x")) <= x + w and y <= float(p.get("y")) <= y + h
    assert (x, y) == (80, 40)  # a margin, not a page of white


def test_unknown_process_and_non_bpmn_are_refused() -> None:
    with pytest.raises(ValueError, match="nope"):
        render_svg(LICENSING, "nope")
    with pytest.raises(ValueError, match="BPMN"):
        render_svg("<html/>")


def test_a_process_plane_without_collaboration_is_drawn_too() -> None:
    plain = re.sub(r"<bpmn:collaboration.*?</bpmn:collaboration>", "", LICENSING, flags=re.S)
    plain = plain.replace('bpmnElement="Collaboration_1"', 'bpmnElement="licensing"')
    plain = re.sub(r'<bpmndi:BPMNShape id="Participant_1_di".*?</bpmndi:BPMNShape>', "", plain,
                   flags=re.S)
    drawn = _drawn(render_svg(plain.encode(), "licensing"))
    assert "Participant_1" not in drawn and set(FLOW_NODES + FLOWS) <= set(drawn)


def test_flow_nodes_without_shapes() -> None:
    assert flow_nodes_without_shapes(LICENSING) == []
    no_timer = re.sub(r'<bpmndi:BPMNShape id="Timer_1_di".*?</bpmndi:BPMNShape>', "", LICENSING,
                      flags=re.S)
    assert flow_nodes_without_shapes(no_timer) == ["Timer_1"]
    no_edge = re.sub(r'<bpmndi:BPMNEdge id="Flow_ok_di".*?</bpmndi:BPMNEdge>', "", no_timer,
                     flags=re.S)
    assert flow_nodes_without_shapes(no_edge) == ["Timer_1", "Flow_ok"]
    # a shape without bounds does not lay anything out; nor does an edge with one waypoint
    no_bounds = LICENSING.replace('<dc:Bounds x="420" y="290" width="100" height="80"/>', "")
    assert flow_nodes_without_shapes(no_bounds) == ["Task_review"]
    still_drawn = _drawn(render_svg(no_edge))
    assert "Timer_1" not in still_drawn and "Flow_ok" not in still_drawn


def test_sub_process_contents_are_checked() -> None:
    nested = LICENSING.replace(
        '<bpmn:serviceTask id="Task_notify" name="发送受理通知书"/>',
        '<bpmn:subProcess id="Task_notify" name="发送受理通知书">'
        '<bpmn:startEvent id="Inner_start"/></bpmn:subProcess>')
    assert flow_nodes_without_shapes(nested) == ["Inner_start"]
    assert _drawn(render_svg(nested))["Task_notify"].get("data-type") == "subProcess"


def test_lane_names_chinese_upright_latin_rotated() -> None:
    latin = LICENSING.replace('name="卫生健康委"', 'name="bureau"')
    drawn = _drawn(render_svg(latin))
    (chinese,) = drawn["institution"].iter(f"{SVG}text")
    assert [t.text for t in chinese.iter(f"{SVG}tspan")] == list("医疗机构")  # one per line
    (rotated,) = drawn["bureau"].iter(f"{SVG}text")
    assert rotated.text == "bureau" and rotated.get("transform", "").startswith("rotate(-90")
