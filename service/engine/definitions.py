"""Process definitions: the BPMN files in ``bpmn/`` and their forms, versioned by content hash.

Deploying stores a new version only when the content changed; a case stays on the version it
started on. Parsed specs are cached per version in the process (they are immutable).
"""
from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from SpiffWorkflow.bpmn.specs.defaults import StartEvent
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.specs.defaults import UserTask
from sqlalchemy import func, select

from service.core.config import ROOT
from service.core.extensions import db
from service.engine.forms import FORMS_DIR
from service.engine.models import ProcessDefinition

BPMN_DIR = ROOT / "bpmn"
FORM_PROPERTY = "formJsonSchemaFilename"


class DefinitionError(Exception):
    """A process definition that may not be deployed, with the reasons.

    ``fields`` is the validation report: Chinese reasons by where they are found — a BPMN
    element's id, ``forms/<file>`` for a form, ``bpmn`` for the file as a whole — which the REST
    API answers in ``error.fields``; ``problems`` are the same reasons as lines.
    """

    def __init__(self, problems: list[str] | dict[str, list[str]]) -> None:
        self.fields = dict(problems) if isinstance(problems, dict) else {"bpmn": list(problems)}
        self.problems = [f"{where}：{reason}" for where, reasons in self.fields.items()
                         for reason in reasons]
        super().__init__("; ".join(self.problems))


@dataclass
class UserTaskInfo:
    name: str
    title: str
    lane: str
    form: str | None
    properties: dict = field(default_factory=dict)


@dataclass
class Parsed:
    process_id: str
    name: str
    spec: object
    subprocess_specs: dict
    user_tasks: dict[str, UserTaskInfo]
    start_lane: str | None
    # the start event's properties: ``check`` (a rule check run before the case starts) and
    # ``startable_by`` (lanes that may start it when more than the start event's own, e.g. a
    # cancellation started by the physician or by her institution)
    start_properties: dict = field(default_factory=dict)

    @property
    def startable_by(self) -> list[str]:
        declared = self.start_properties.get("startable_by", "").split()
        return declared or ([self.start_lane] if self.start_lane else [])


@dataclass(frozen=True)
class Deployed:
    """What running a case needs of its pinned version: cached per process, keyed by the
    definition's id (a deployed version never changes), so a step never reads the BPMN text or
    parses the forms again. ``forms`` is shared: read it, never change it."""

    id: int
    process_id: str
    name: str
    version: int
    forms: dict
    parsed: Parsed

    def form(self, filename: str | None) -> dict:
        return self.forms.get(filename or "", {})


_cache: dict[int, Deployed] = {}
_lock = threading.Lock()


def _parse(process_id: str, bpmn_xml: str, filename: str = "process.bpmn") -> Parsed:
    parser = SpiffBpmnParser()
    parser.add_bpmn_xml(etree.fromstring(bpmn_xml.encode()), filename=filename)
    spec = parser.get_spec(process_id)
    subprocess_specs = parser.get_subprocess_specs(process_id)
    user_tasks: dict[str, UserTaskInfo] = {}
    start_lane, start_properties = None, {}
    for task_spec in spec.task_specs.values():
        if isinstance(task_spec, StartEvent) and start_lane is None:
            start_lane = task_spec.lane
            start_properties = dict(task_spec.extensions.get("properties", {}))
        if isinstance(task_spec, UserTask):
            props = dict(task_spec.extensions.get("properties", {}))
            user_tasks[task_spec.name] = UserTaskInfo(
                name=task_spec.name, title=task_spec.bpmn_name or task_spec.name,
                lane=task_spec.lane or "", form=props.get(FORM_PROPERTY), properties=props,
            )
    return Parsed(process_id, spec.description or process_id, spec, subprocess_specs,
                  user_tasks, start_lane, start_properties)


def deployed(definition_id: int) -> Deployed:
    """A deployed version by id; the row is read (and the BPMN parsed) once per process."""
    hit = _cache.get(definition_id)
    if hit is None:
        with _lock:
            hit = _cache.get(definition_id)
            if hit is None:
                d = db.session.get(ProcessDefinition, definition_id)
                if d is None:
                    raise LookupError(f"process definition {definition_id} does not exist")
                hit = Deployed(d.id, d.process_id, d.name, d.version, d.forms,
                               _parse(d.process_id, d.bpmn_xml, d.bpmn_file))
                _cache[definition_id] = hit
    return hit


def parsed(definition: ProcessDefinition) -> Parsed:
    """The parsed spec of a deployed version (cached; specs are never mutated)."""
    return deployed(definition.id).parsed


def _process_ids(bpmn_xml: str) -> list[str]:
    root = etree.fromstring(bpmn_xml.encode())
    ns = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
    return [p.get("id") for p in root.findall("bpmn:process", ns)
            if p.get("isExecutable", "true") != "false"]


def read_source(path: Path) -> list[tuple[str, str, dict]]:
    """(process id, BPMN text, forms by file name) for each executable process in one file."""
    xml = path.read_text(encoding="utf-8")
    out = []
    for process_id in _process_ids(xml):
        forms = {}
        form_dir = FORMS_DIR / process_id
        if form_dir.is_dir():
            for form_file in sorted(form_dir.glob("*.json")):
                forms[form_file.name] = json.loads(form_file.read_text(encoding="utf-8"))
        out.append((process_id, xml, forms))
    return out


def content_hash(bpmn_xml: str, forms: dict) -> str:
    digest = hashlib.sha256(bpmn_xml.encode())
    digest.update(json.dumps(forms, sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()


def validate(process_id: str, bpmn_xml: str, forms: dict, known_lanes, known_actions) -> Parsed:
    """Parse and check a definition; raises DefinitionError with the report of every problem.

    The one validator of every door (the designer's page, ``POST /api/v1/processes``, ``flask
    processes deploy`` and start-up): the file parses; every user task has a lane with a routing
    rule and an existing form that is valid JSON Schema; routes, checks, pre-fillers, roles and
    actions are registered; scripts, conditions and timer expressions compile; there is an end
    event; every flow node and sequence flow has a diagram shape.
    """
    from service.engine.validation import Report, check_definition

    report = Report()
    try:
        result = _parse(process_id, bpmn_xml)
    except Exception as exc:  # parser errors come in many types
        report.add("bpmn", f"BPMN 文件无法解析：{exc}")
        raise DefinitionError(report.fields) from None
    check_definition(report, result, bpmn_xml, forms, known_lanes, known_actions)
    if report.fields:
        raise DefinitionError(report.fields)
    return result


def deploy_all(actor_id: int | None = None, bpmn_dir: Path = BPMN_DIR) -> list[ProcessDefinition]:
    """Deploy every BPMN file; unchanged ones keep their version. Returns the current versions."""
    from service.engine.plugins import known_actions, known_routes

    current = []
    for path in sorted(bpmn_dir.glob("*.bpmn")):
        for process_id, xml, forms in read_source(path):
            current.append(deploy(process_id, xml, forms, path.name, actor_id,
                                  known_routes(), known_actions()))
    db.session.commit()
    return current


def deploy(process_id: str, xml: str, forms: dict, filename: str, actor_id: int | None,
           known_lanes, known_actions) -> ProcessDefinition:
    digest = content_hash(xml, forms)
    existing = db.session.scalars(select(ProcessDefinition).where(
        ProcessDefinition.process_id == process_id, ProcessDefinition.content_hash == digest
    )).first()
    if existing is not None:
        return existing
    result = validate(process_id, xml, forms, known_lanes, known_actions)
    version = (db.session.scalar(select(func.max(ProcessDefinition.version)).where(
        ProcessDefinition.process_id == process_id)) or 0) + 1
    definition = ProcessDefinition(
        process_id=process_id, name=result.name, version=version, content_hash=digest,
        bpmn_file=filename, bpmn_xml=xml, forms=forms,
        startable_by=result.startable_by, deployed_by_id=actor_id,
    )
    db.session.add(definition)
    db.session.flush()
    return definition


def latest(process_id: str) -> ProcessDefinition | None:
    return db.session.scalars(
        select(ProcessDefinition).where(ProcessDefinition.process_id == process_id)
        .order_by(ProcessDefinition.version.desc()).limit(1)
    ).first()


def all_latest() -> list[ProcessDefinition]:
    newest = select(ProcessDefinition.process_id, func.max(ProcessDefinition.version).label("v")) \
        .group_by(ProcessDefinition.process_id).subquery()
    return list(db.session.scalars(
        select(ProcessDefinition).join(newest, (ProcessDefinition.process_id == newest.c.process_id)
                                       & (ProcessDefinition.version == newest.c.v))
        .order_by(ProcessDefinition.process_id)
    ))
