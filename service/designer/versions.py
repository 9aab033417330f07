"""Deployed versions of a process: deploy through the engine's validator, list, read."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from service.core.errors import ApiError
from service.core.extensions import db
from service.designer.sources import Source
from service.engine import definitions, plugins
from service.engine.models import Case, ProcessDefinition


def validate(source: Source) -> definitions.Parsed:
    """The engine's validator, as every deploy runs it (raises ``DefinitionError``)."""
    return definitions.validate(source.process_id, source.bpmn_xml, source.forms,
                                plugins.known_routes(), plugins.known_actions())


def deploy(source: Source, actor) -> tuple[ProcessDefinition, bool]:
    """Deploy a definition; (the version, whether it is new). The same content twice keeps
    its version; anything else is validated first and becomes the next version."""
    digest = definitions.content_hash(source.bpmn_xml, source.forms)
    existing = db.session.scalars(select(ProcessDefinition).where(
        ProcessDefinition.process_id == source.process_id,
        ProcessDefinition.content_hash == digest)).first()
    if existing is not None:
        return existing, False
    definition = definitions.deploy(source.process_id, source.bpmn_xml, source.forms,
                                    source.filename, actor.id, plugins.known_routes(),
                                    plugins.known_actions())
    db.session.commit()
    return definition, True


@dataclass
class VersionRow:
    definition: ProcessDefinition
    open_cases: int
    all_cases: int

    def as_dict(self) -> dict:
        d = self.definition
        return {"version": d.version, "hash": d.content_hash,
                "deployed_by": d.deployed_by.username if d.deployed_by else None,
                "deployed_at": d.deployed_at.isoformat(), "open_cases": self.open_cases,
                "cases": self.all_cases, "name": d.name}


def _case_counts(process_ids: list[str]) -> dict[int, tuple[int, int]]:
    """(open, all) cases per definition version of the processes, in one query."""
    counts: dict[int, tuple[int, int]] = {}
    for definition_id, status, n in db.session.execute(
            select(Case.definition_id, Case.status, func.count())
            .where(Case.process_id.in_(process_ids)).group_by(Case.definition_id, Case.status)):
        open_, total = counts.get(definition_id, (0, 0))
        counts[definition_id] = (open_ + (n if status == "open" else 0), total + n)
    return counts


def versions_by_process(process_ids: list[str]) -> dict[str, list[VersionRow]]:
    """Every version of each process, newest first, with its cases."""
    rows = db.session.scalars(select(ProcessDefinition).where(
        ProcessDefinition.process_id.in_(process_ids))
        .order_by(ProcessDefinition.process_id, ProcessDefinition.version.desc()))
    counts = _case_counts(process_ids)
    out: dict[str, list[VersionRow]] = {p: [] for p in process_ids}
    for d in rows:
        out[d.process_id].append(VersionRow(d, *counts.get(d.id, (0, 0))))
    return out


def versions_of(process_id: str) -> list[VersionRow]:
    """Every version of a process, newest first, with its cases (404 for an unknown process)."""
    rows = versions_by_process([process_id])[process_id]
    if not rows:
        raise ApiError(404, "未找到该业务流程")
    return rows


def processes() -> list[tuple[ProcessDefinition, list[VersionRow]]]:
    """The newest version of every process with all its versions (the designer's home)."""
    latest = definitions.all_latest()
    by_process = versions_by_process([d.process_id for d in latest])
    return [(d, by_process[d.process_id]) for d in latest]


def version(process_id: str, number: int) -> ProcessDefinition:
    found = db.session.scalars(select(ProcessDefinition).where(
        ProcessDefinition.process_id == process_id, ProcessDefinition.version == number)).first()
    if found is None:
        raise ApiError(404, f"流程 {process_id} 没有第 {number} 版")
    return found
