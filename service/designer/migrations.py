"""Moving running cases to a newer version: one case (the REST door) or every open case of a
version (the bulk page, with a dry run first). The rules and the move are the engine's
(``engine/migration.py``); this is who may ask and how many at once."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from service.core.errors import ApiError
from service.core.extensions import db
from service.designer import versions
from service.engine import migration
from service.engine.models import Case

BULK_LIMIT = 10_000


def _case(case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    if case is None:
        raise ApiError(404, "未找到该业务")
    return case


def migrate_case(actor, case_id: int, to_version: int, *, dry_run: bool = False):
    """The case on ``to_version`` (not committed), or with ``dry_run`` the assessment."""
    case = _case(case_id)
    target = versions.version(case.process_id, to_version)
    if dry_run:
        return migration.assess(case, target)
    return migration.migrate(actor, case, target, commit=False)


@dataclass
class BulkResult:
    target_version: int
    dry_run: bool
    rows: list[migration.Assessment] = field(default_factory=list)
    moved: int = 0

    @property
    def allowed(self) -> int:
        return sum(1 for r in self.rows if r.allowed)

    @property
    def refused(self) -> int:
        return len(self.rows) - self.allowed


def open_case_ids(process_id: str, from_version: int) -> list[int]:
    source = versions.version(process_id, from_version)
    return list(db.session.scalars(select(Case.id).where(
        Case.definition_id == source.id, Case.status == "open").order_by(Case.id).limit(BULK_LIMIT)))


def migrate_one(actor, case_id: int, target, *, dry_run: bool) -> migration.Assessment:
    """Assess (and unless ``dry_run`` move, in its own transaction) one case; a refusal or a
    concurrent step leaves it where it is, with the reasons."""
    case = _case(case_id)
    if dry_run:
        return migration.assess(case, target)
    verdict = migration.Assessment(case.id, case.deployed.version, target.version)
    try:
        migration.migrate(actor, case, target)
    except ApiError as exc:  # refused, or moved by a step meanwhile: say why, go on
        db.session.rollback()
        verdict.reasons = exc.fields.get("to_version") or [exc.message]
    return verdict


def migrate_all(actor, process_id: str, from_version: int, to_version: int, *,
                dry_run: bool) -> BulkResult:
    """Assess (and unless ``dry_run`` move) every open case of a version, each on its own."""
    target = versions.version(process_id, to_version)
    result = BulkResult(to_version, dry_run)
    for case_id in open_case_ids(process_id, from_version):
        verdict = migrate_one(actor, case_id, target, dry_run=dry_run)
        result.rows.append(verdict)
        result.moved += verdict.allowed and not dry_run
    return result
