"""BPMN 2.0 diagram interchange (BPMNDI) drawn as standalone inline SVG with a case's progress
highlighted, and the check that every flow node of a file has a layout.

Standard library only, so the case page shows the picture offline: no scripts, fonts or style
sheets are fetched. Styling uses presentation attributes, not a ``<style>`` element, because a
``<style>`` inside inline SVG applies to the whole HTML page (a ``.done`` rule would restyle the
page's own elements); the ``done`` / ``active`` classes are hooks only.
"""
from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from collections.abc import Set as AbstractSet
from xml.sax.saxutils import escape

from service.engine.diagram_text import is_wide
from service.engine.diagram_text import text_width as _width
from service.engine.diagram_text import wrap as _wrap

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"

TASKS = frozenset({"task", "userTask", "serviceTask", "scriptTask", "sendTask", "receiveTask",
                   "manualTask", "businessRuleTask", "callActivity"})
SUBPROCESSES = frozenset({"subProcess", "transaction", "adHocSubProcess"})
EVENTS = frozenset({"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent",
                    "boundaryEvent"})
GATEWAYS = frozenset({"exclusiveGateway", "parallelGateway", "inclusiveGateway",
                      "eventBasedGateway", "complexGateway"})
FLOW_NODES = TASKS | SUBPROCESSES | EVENTS | GATEWAYS
FLOWS = frozenset({"sequenceFlow", "messageFlow"})
FONT = "WenQuanYi Zen Hei, Microsoft YaHei, sans-serif"

# Government-portal palette: slate-blue shapes, grey flows, pale blue-grey pool headers.
INK, LINE, FILL, FLOW = "#1f2d3d", "#34577f", "#f7f9fc", "#7b8794"
POOL_LINE, POOL_FILL, POOL_HEAD, LANE_HEAD = "#a9b8c9", "#fcfdfe", "#dde7f2", "#edf2f8"
DONE_LINE, DONE_FILL, ACTIVE_LINE, ACTIVE_FILL = "#2e7d32", "#e8f5e9", "#e8710a", "#fff1e0"
HEADER = 30.0  # the name band of a pool or lane, as bpmn-js lays them out

Box = tuple[float, float, float, float]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _n(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _pt(x: float, y: float) -> str:
    return f"{_n(x)},{_n(y)}"


def _tag(name: str, body: str = "", /, **attrs: object) -> str:
    """``<name …>body</name>``: ``stroke_width=`` writes ``stroke-width``, ``class_=`` ``class``,
    floats are rounded, strings escaped, None left out. ``body`` must already be markup."""
    text = "".join(f' {k.rstrip("_").replace("_", "-")}="'
                   f'{_n(v) if isinstance(v, float) else escape(str(v), {chr(34): "&quot;"})}"'
                   for k, v in attrs.items() if v is not None)
    return f"<{name}{text}>{body}</{name}>" if body else f"<{name}{text}/>"


def _parse(bpmn_xml: str | bytes) -> ET.Element:
    # The files are the project's own; expat (>= 2.4) refuses entity bombs and ElementTree
    # never fetches external entities.
    root = ET.fromstring(bpmn_xml)
    if root.tag != f"{{{BPMN}}}definitions":
        raise ValueError("not a BPMN 2.0 file: the root element is not bpmn:definitions")
    return root


def _bounds(di: ET.Element | None) -> Box | None:
    b = None if di is None else di.find(f"{{{DC}}}Bounds")
    return None if b is None else (float(b.get("x", 0)), float(b.get("y", 0)),
                                   float(b.get("width", 0)), float(b.get("height", 0)))


class _Canvas:
    """The SVG fragments, and the bounding box of everything drawn (for the viewBox)."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.box = [math.inf, math.inf, -math.inf, -math.inf]

    def extend(self, x: float, y: float, w: float = 0, h: float = 0) -> None:
        b = self.box
        b[:] = min(b[0], x), min(b[1], y), max(b[2], x + w), max(b[3], y + h)

    def text(self, lines: list[str], x: float, top: float, size: float, *,
             anchor: str = "middle", weight: str | None = None, halo: bool = False) -> str:
        if not lines:
            return ""
        lh = size * 1.25
        spans = "".join(_tag("tspan", escape(s), x=x, y=top + size * 0.95 + i * lh)
                        for i, s in enumerate(lines))
        w = max(_width(s, size) for s in lines)
        self.extend(x - {"start": 0, "middle": w / 2}.get(anchor, w), top, w, len(lines) * lh)
        # a white halo keeps a label readable where a flow runs under it
        outline = {"stroke": "#fff", "stroke_width": 3.0, "paint_order": "stroke"} if halo else {}
        return _tag("text", spans, font_size=size, fill=INK, text_anchor=anchor,
                    font_weight=weight, **outline)


def _plane_for(root: ET.Element, semantic: dict[str, ET.Element],
               process_id: str | None) -> ET.Element:
    planes = root.findall(f"{{{BPMNDI}}}BPMNDiagram/{{{BPMNDI}}}BPMNPlane")
    if not planes:
        raise ValueError("the file has no diagram interchange (bpmndi:BPMNDiagram)")
    if process_id is None:
        return planes[0]
    for plane in planes:  # the process's own plane, or a collaboration's that holds it
        target = semantic.get(plane.get("bpmnElement", ""))
        if target is not None and (target.get("id") == process_id or any(
                p.get("processRef") == process_id for p in target.iter(f"{{{BPMN}}}participant"))):
            return plane
    raise ValueError(f"no diagram shows process {process_id!r}")


def render_svg(bpmn_xml: str | bytes, process_id: str | None = None, *,
               completed: AbstractSet[str] = frozenset(), active: AbstractSet[str] = frozenset(),
               taken_flows: AbstractSet[str] = frozenset(), labels: bool = True,
               lane_labels: Mapping[str, str] | None = None) -> str:
    """The diagram showing ``process_id`` (default: the file's first) as an ``<svg>`` string.

    An id both ``active`` and ``completed`` (a loop entered again) is drawn active.
    ``lane_labels`` shows a lane by a readable name instead of its role key.
    """
    root = _parse(bpmn_xml)
    semantic = {el.get("id", ""): el for el in root.iter() if el.tag.startswith(f"{{{BPMN}}}")}
    plane = _plane_for(root, semantic, process_id)
    items: list[tuple[int, float, int, ET.Element, ET.Element, str]] = []
    for order, di in enumerate(plane):
        el = semantic.get(di.get("bpmnElement", ""))
        if el is not None:
            kind, box = _local(el.tag), _bounds(di)
            expanded = kind in SUBPROCESSES and di.get("isExpanded") == "true"
            layer = 3 if kind in FLOWS else {"participant": 0, "lane": 1, "boundaryEvent": 5}.get(
                kind, 2 if expanded else 4)
            # pools, lanes and expanded sub-processes first (outer before inner), then flows
            # under the shapes, boundary events on top of their activity
            items.append((layer, -(box[2] * box[3]) if box else 0.0, order, di, el, kind))

    c = _Canvas()
    for *_, di, el, kind in sorted(items, key=lambda t: t[:3]):
        eid, name = el.get("id", ""), (el.get("name") or "").strip()
        if kind == "participant" and not name:
            name = (semantic.get(el.get("processRef", ""), el).get("name") or "").strip()
        if kind == "lane" and lane_labels:
            name = lane_labels.get(name, name)
        text = name if labels else ""
        cls, stroke, fill, sw = None, LINE, FILL, 1.5
        if kind in FLOWS:
            cls, stroke, sw = ("done", DONE_LINE, 2.5) if eid in taken_flows else (None, FLOW, 1.3)
        elif eid in active:
            cls, stroke, fill, sw = "active", ACTIVE_LINE, ACTIVE_FILL, 3.0
        elif eid in completed:
            cls, stroke, fill, sw = "done", DONE_LINE, DONE_FILL, 2.0
        box = _bounds(di)
        if kind in FLOWS:
            if not (body := _edge(c, di, kind, stroke, sw, cls == "done", text)):
                continue  # fewer than two waypoints: nothing to draw
        elif box is None:
            continue
        elif kind in ("participant", "lane"):
            body = _pool(c, kind, box, di.get("isHorizontal") != "false", text)
        elif kind in TASKS or kind in SUBPROCESSES:
            body = _activity(c, el, kind, box, (stroke, fill, sw), di.get("isExpanded") == "true",
                             text)
        elif kind in EVENTS:
            body = _event(el, kind, box, stroke, fill, sw)
        elif kind in GATEWAYS:
            body = _gateway(kind, box, stroke, fill, sw)
        else:
            continue  # data objects, annotations, groups: not part of a case's progress
        if box is not None:
            c.extend(*box)
        if box is not None and text and kind in EVENTS | GATEWAYS:
            label = _bounds(di.find(f"{{{BPMNDI}}}BPMNLabel"))  # else centred under the shape
            x, top, w = label[:3] if label else (box[0] + box[2] / 2 - 45, box[1] + box[3] + 6, 90)
            body += c.text(_wrap(text, max(w, 90), 11), x + w / 2, top, 11, halo=True)
        c.parts.append(_tag("g", _tag("title", escape(name or eid)) + body,
                            data_element_id=eid, data_type=kind, class_=cls))

    x0, y0, x1, y1 = c.box if math.isfinite(c.box[0]) else (0.0, 0.0, 100.0, 100.0)
    x0, y0 = math.floor(x0) - 20, math.floor(y0) - 20  # a margin round everything
    w, h = math.ceil(x1) + 20 - x0, math.ceil(y1) + 20 - y0
    target = semantic.get(plane.get("bpmnElement", ""))
    markers = "".join(
        _tag("marker", _tag("path", d="M0,1 L10,5 L0,9 Z", fill=colour), id=mid,
             viewBox="0 0 10 10", refX=9.5, refY=5, markerWidth=10, markerHeight=10,
             markerUnits="userSpaceOnUse", orient="auto")  # the same size on thick flows
        # fixed ids: two diagrams on one page define identical markers, which is harmless
        for mid, colour in (("yz-arrow", FLOW), ("yz-arrow-done", DONE_LINE)))
    return _tag("svg", _tag("defs", markers) + "".join(c.parts),
                xmlns="http://www.w3.org/2000/svg", class_="bpmn-diagram", role="img",
                aria_label=(target.get("name") if target is not None else None)
                or plane.get("bpmnElement", ""),
                viewBox=f"{x0} {y0} {w} {h}", width=w, height=h, font_family=FONT)


def _pool(c: _Canvas, kind: str, box: Box, horizontal: bool, name: str) -> str:
    x, y, w, h = box
    pool = kind == "participant"
    out = _tag("rect", x=x, y=y, width=w, height=h, fill=POOL_FILL if pool else "none",
               stroke=POOL_LINE)
    out += _tag("rect", x=x, y=y, width=HEADER if horizontal else w,
                height=h if horizontal else HEADER, fill=POOL_HEAD if pool else LANE_HEAD,
                stroke=POOL_LINE)
    size, weight = (13.0, "bold") if pool else (12.0, None)
    if not name:
        return out
    if not horizontal:
        return out + c.text(_wrap(name, w - 10, size, 1), x + w / 2, y + (HEADER - size * 1.25) / 2,
                            size, weight=weight)
    if any(is_wide(ch) for ch in name):  # Chinese is written vertically, upright
        chars = [ch for ch in name if not ch.isspace()]
        size = max(9.0, min(size, (h - 12) / len(chars) / 1.25))
        fits = max(1, int((h - 12) // (size * 1.25)))
        chars = chars if len(chars) <= fits else chars[:fits - 1] + ["︙"]
        return out + c.text(chars, x + HEADER / 2, y + (h - len(chars) * size * 1.25) / 2, size,
                            weight=weight)
    cx, cy = x + HEADER / 2, y + h / 2  # Latin reads bottom to top, as in bpmn-js
    return out + _tag("text", escape(_wrap(name, h - 12, size, 1)[0]), x=cx, y=cy + size * 0.35,
                      font_size=size, fill=INK, text_anchor="middle", font_weight=weight,
                      transform=f"rotate(-90 {_n(cx)} {_n(cy)})")


def _activity(c: _Canvas, el: ET.Element, kind: str, box: Box, look: tuple[str, str, float],
              expanded: bool, name: str) -> str:
    (x, y, w, h), (stroke, fill, sw) = box, look
    out = _tag("rect", x=x, y=y, width=w, height=h, rx=10, fill=fill, stroke=stroke,
               stroke_width=max(sw, 3.5) if kind == "callActivity" else sw,
               stroke_dasharray="6 3" if el.get("triggeredByEvent") == "true" else None)
    glyph = _task_glyph(kind, x + 7, y + 6, stroke)
    plus = kind in SUBPROCESSES | {"callActivity"} and not expanded
    if plus:  # collapsed: the [+] at the bottom centre
        px, py = x + w / 2 - 7, y + h - 18
        out += _tag("rect", x=px, y=py, width=14, height=14, fill="none", stroke=stroke)
        out += _tag("path", d=f"M{_pt(px + 3, py + 7)} h8 m-4,-4 v8", stroke=stroke)
    if name and expanded:
        return out + glyph + c.text(_wrap(name, w - 20, 12, 2), x + 10, y + 6, 12, anchor="start")
    if name:  # centred in the room the type marker and the [+] leave
        top, bottom = y + (20 if glyph else 6), y + h - (20 if plus else 6)
        lines = _wrap(name, w - 12, 12, max(1, int((bottom - top) // 15)))
        out += c.text(lines, x + w / 2, (top + bottom) / 2 - len(lines) * 7.5, 12)
    return out + glyph


def _task_glyph(kind: str, x: float, y: float, s: str) -> str:
    """The 14-pixel type marker with its top-left corner at (x, y)."""
    def p(d: str, fill: str = "#fff", width: float = 1.1) -> str:
        return _tag("path", d=d, fill=fill, stroke=s, stroke_width=width,
                    stroke_linejoin="round", stroke_linecap="round")

    at = f"M{_n(x)},{_n(y)} m"  # relative paths from the corner
    if kind == "userTask":  # head and shoulders
        return (p(at + "1,14 v-2 q0,-5 6,-5 q6,0 6,5 v2 Z")
                + p(at + "4,3.6 a3,3 0 1,0 6,0 a3,3 0 1,0 -6,0"))
    if kind == "serviceTask":  # a gear: eight teeth round a hub
        pts = " L".join(_pt(x + 7 + r * math.cos(a + da), y + 7 + r * math.sin(a + da))
                        for a in (k * math.pi / 4 for k in range(8))
                        for da, r in ((-.32, 5), (-.2, 7), (.2, 7), (.32, 5)))
        return p(f"M{pts} Z") + p(at + "5,7 a2,2 0 1,0 4,0 a2,2 0 1,0 -4,0", "none")
    if kind == "scriptTask":  # a scroll with lines of script
        return (p(at + "3,0 h10 c-4,3 4,8 0,14 h-10 c4,-6 -4,-11 0,-14 Z")
                + p(at + "4,4 h5 m1,3 h-5 m0,3 h5", "none", .9))
    if kind in ("sendTask", "receiveTask"):
        return _envelope(x + 7, y + 7, 14, 10, s, filled=kind == "sendTask")
    if kind == "manualTask":  # a hand: four fingers, the palm, the thumb
        return (p(at + "4.5,6 v-5 m2.5,5 v-5.5 m2.5,5.5 v-5 m2.5,5 v-3.8", "none", 1.6)
                + p(at + "3,6.5 h10.5 v4.5 q0,3 -3,3 h-5 q-1.5,0 -2.5,-1.5 l-3,-4.5 "
                      "q1,-1.3 2.2,0 Z"))
    if kind == "businessRuleTask":  # a decision table
        return (p(at + "0,2 h14 v11 h-14 Z") + p(at + "0,2 h14 v3 h-14 Z", s)
                + p(at + "0,9 h14 m-10,-4 v8", "none", .9))
    return ""


def _envelope(cx: float, cy: float, w: float, h: float, s: str, *, filled: bool) -> str:
    x, y = cx - w / 2, cy - h / 2
    return (_tag("rect", x=x, y=y, width=w, height=h, fill=s if filled else "#fff", stroke=s)
            + _tag("path", d=f"M{_pt(x, y)} L{_pt(cx, cy + h * .1)} L{_pt(x + w, y)}", fill="none",
                   stroke="#fff" if filled else s))


def _event(el: ET.Element, kind: str, box: Box, stroke: str, fill: str, sw: float) -> str:
    x, y, w, h = box
    cx, cy, r = x + w / 2, y + h / 2, min(w, h) / 2
    dash = "4 2.5" if "false" in (el.get("cancelActivity"), el.get("isInterrupting")) else None
    out = _tag("circle", cx=cx, cy=cy, r=r, fill=fill, stroke=stroke, stroke_dasharray=dash,
               stroke_width=max(sw + 1.5, 3.5) if kind == "endEvent" else sw)
    if kind not in ("startEvent", "endEvent"):  # intermediate and boundary: a double ring
        out += _tag("circle", cx=cx, cy=cy, r=r - 3, fill="none", stroke=stroke, stroke_width=1.1,
                    stroke_dasharray=dash)
    throw = kind in ("endEvent", "intermediateThrowEvent")
    solid = {"fill": stroke if throw else "#fff", "stroke": stroke, "stroke_linejoin": "round"}
    for definition in (d for d in el if _local(d.tag).endswith("EventDefinition")):
        what = _local(definition.tag).removesuffix("EventDefinition")
        if what == "timer":  # a clock face: twelve ticks and two hands
            k = r * .58
            ticks = " ".join(f"M{_pt(cx + k * .78 * math.cos(a), cy + k * .78 * math.sin(a))} "
                             f"L{_pt(cx + k * math.cos(a), cy + k * math.sin(a))}"
                             for a in (i * math.pi / 6 for i in range(12)))
            out += _tag("circle", cx=cx, cy=cy, r=k, fill="#fff", stroke=stroke, stroke_width=1.2)
            out += _tag("path", d=f"{ticks} M{_pt(cx, cy)} v{_n(-k * .7)} m0,{_n(k * .7)} "
                        f"h{_n(k * .55)}", stroke=stroke, stroke_linecap="round")
        elif what == "message":
            out += _envelope(cx, cy, r * 1.05, r * .72, stroke, filled=throw)
        elif what == "signal":
            out += _tag("path", d=f"M{_pt(cx, cy - r * .55)} l{_pt(r * .5, r * .85)} h{_n(-r)} Z",
                        **solid)
        elif what == "error":  # a lightning bolt
            pts = ((-.5, .5), (-.22, -.45), (.08, .08), (.5, -.5), (.22, .45), (-.08, -.08))
            out += _tag("polygon", points=" ".join(_pt(cx + a * r, cy + b * r) for a, b in pts),
                        **solid)
        elif what == "terminate":
            out += _tag("circle", cx=cx, cy=cy, r=r * .55, fill=stroke)
    return out


def _gateway(kind: str, box: Box, stroke: str, fill: str, sw: float) -> str:
    x, y, w, h = box
    cx, cy, k = x + w / 2, y + h / 2, min(w, h) * .2
    out = _tag("polygon", points=f"{_pt(cx, y)} {_pt(x + w, cy)} {_pt(cx, y + h)} {_pt(x, cy)}",
               fill=fill, stroke=stroke, stroke_width=sw, stroke_linejoin="round")
    line = {"fill": "none", "stroke": stroke, "stroke_linecap": "round"}
    cross = f"M{_pt(cx - k, cy - k)} l{_pt(2 * k, 2 * k)} m0,{_n(-2 * k)} l{_pt(-2 * k, 2 * k)}"
    plus = f"M{_pt(cx, cy - 1.3 * k)} v{_n(2.6 * k)} M{_pt(cx - 1.3 * k, cy)} h{_n(2.6 * k)}"
    if kind in ("exclusiveGateway", "parallelGateway", "complexGateway"):
        d = {"exclusiveGateway": cross, "parallelGateway": plus}.get(kind, cross + " " + plus)
        out += _tag("path", d=d, stroke_width=3.4, **line)
    elif kind == "inclusiveGateway":
        out += _tag("circle", cx=cx, cy=cy, r=1.25 * k, stroke_width=2.6, **line)
    elif kind == "eventBasedGateway":  # a double ring round a pentagon
        pentagon = " ".join(_pt(cx + .8 * k * math.sin(a), cy - .8 * k * math.cos(a))
                            for a in (i * 2 * math.pi / 5 for i in range(5)))
        out += (_tag("circle", cx=cx, cy=cy, r=1.45 * k, **line)
                + _tag("circle", cx=cx, cy=cy, r=1.2 * k, **line)
                + _tag("polygon", points=pentagon, **line))
    return out


def _edge(c: _Canvas, di: ET.Element, kind: str, stroke: str, sw: float, done: bool,
          name: str) -> str:
    pts = [(float(p.get("x", "0")), float(p.get("y", "0"))) for p in di.iter(f"{{{DI}}}waypoint")]
    if len(pts) < 2:
        return ""
    for px, py in pts:
        c.extend(px, py)
    d = "M" + " L".join(_pt(px, py) for px, py in pts)
    out = (_tag("path", d=d, fill="none", stroke="transparent", stroke_width=10.0)  # easy hover
           + _tag("path", d=d, fill="none", stroke=stroke, stroke_width=sw,
                  stroke_dasharray="7 4" if kind == "messageFlow" else None,
                  stroke_linejoin="round",
                  marker_end=f"url(#{'yz-arrow-done' if done else 'yz-arrow'})"))
    if not name:
        return out
    if (label := _bounds(di.find(f"{{{BPMNDI}}}BPMNLabel"))) is not None:
        return out + c.text(_wrap(name, max(label[2], 90), 11), label[0] + label[2] / 2, label[1],
                            11, halo=True)
    # the middle of the longest straight stretch: there is room for the words
    (ax, ay), (bx, by) = max(zip(pts, pts[1:], strict=False), key=lambda ab: math.dist(*ab))
    mx, my = (ax + bx) / 2, (ay + by) / 2
    if abs(bx - ax) >= abs(by - ay):  # above a horizontal stretch, narrow enough to stay over it
        lines = _wrap(name, max(22.0, min(90.0, abs(bx - ax) - 12)), 11)
        return out + c.text(lines, mx, my - 4 - len(lines) * 13.75, 11, halo=True)
    lines = _wrap(name, 90, 11)  # right of a vertical stretch
    return out + c.text(lines, mx + 6, my - len(lines) * 6.9, 11, anchor="start", halo=True)


def flow_nodes_without_shapes(bpmn_xml: str | bytes) -> list[str]:
    """Ids of the flow nodes without a BPMNShape (with bounds) and the sequence flows without a
    BPMNEdge (with two waypoints) in every process of the file, sub-processes included."""
    root = _parse(bpmn_xml)
    shapes = {s.get("bpmnElement") for s in root.iter(f"{{{BPMNDI}}}BPMNShape")
              if _bounds(s) is not None}
    edges = {e.get("bpmnElement") for e in root.iter(f"{{{BPMNDI}}}BPMNEdge")
             if len(e.findall(f"{{{DI}}}waypoint")) >= 2}
    return [el.get("id") or f"<{_local(el.tag)} without id>"
            for process in root.iter(f"{{{BPMN}}}process") for el in _flow_elements(process)
            if el.get("id") not in (edges if _local(el.tag) == "sequenceFlow" else shapes)]


def _flow_elements(container: ET.Element) -> Iterator[ET.Element]:
    """Flow nodes and sequence flows in document order, descending into sub-processes."""
    for child in container:
        kind = _local(child.tag)
        if kind in FLOW_NODES or kind == "sequenceFlow":
            yield child
        if kind in SUBPROCESSES:
            yield from _flow_elements(child)
