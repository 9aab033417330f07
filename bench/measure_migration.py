"""Moving 10,000 open cases to a newer version of their process (the designer's bulk page).

Figure: ``designer.migrations.migrate_one`` (the bulk page's step) over ``BENCH_MIGRATION_CASES``
(default 10,000; smoke scale 200) open cases of version 1 of the verification process, each
at its material review (real serialized states copied from one
walked case, ``bench/clone.py``), to a version 2 that renames the review task: per case, read
the case, load its workflow, check that its open task and completed path exist in version 2,
re-attach the workflow to the new spec (SpiffWorkflow's spec diff), serialize, fingerprint,
re-title the open work item, append the ``migrated`` event, commit. The dry run (assessment
only, what the page's 试运行 does) is measured first on the same cases.

Floor: the engine's part alone on one case's state, no database: deserialize, diff and
re-attach to the new spec, serialize again.

Version 2 and the copies are removed afterwards, so the other measurements (and the next run)
find the database as generated.
"""
from __future__ import annotations

import os
import time

from sqlalchemy import delete, select

from service.access.models import Account
from service.core.extensions import db
from service.designer import sources, versions
from service.designer.migrations import migrate_one
from service.engine import definitions, migration, serialization
from service.engine.models import Case, ProcessDefinition

from . import clone
from .context import Context
from .report import Result

PROCESS = "institution_verification"
TARGET_PER_S = 100.0
FLOOR_SAMPLES = 200


def _version_2(actor: Account) -> ProcessDefinition:
    v1 = definitions.latest(PROCESS)
    if v1.version != 1:
        raise RuntimeError(f"{PROCESS} is at version {v1.version}; the bench needs a fresh version 1")
    xml = v1.bpmn_xml.replace('name="材料审核"', 'name="材料审核（第 2 版）"')
    definition, _ = versions.deploy(sources.from_text(xml, v1.forms), actor)
    return definition


def _floor(case: Case, target: ProcessDefinition) -> float:
    old, new = case.deployed.parsed, definitions.deployed(target.id).parsed
    started = time.perf_counter()
    for _ in range(FLOOR_SAMPLES):
        wf = serialization.load(case.state, old.spec, old.subprocess_specs)
        migration.convert(wf, new)
        serialization.dump(wf)
    return FLOOR_SAMPLES / (time.perf_counter() - started)


def _remove(target_id: int, case_ids: list[int]) -> None:
    with db.engine.begin() as conn:
        for start in range(0, len(case_ids), 5000):
            chunk = case_ids[start:start + 5000]
            conn.execute(Case.__table__.update().where(Case.id.in_(chunk))
                         .values(definition_id=select(ProcessDefinition.id).where(
                             ProcessDefinition.process_id == PROCESS,
                             ProcessDefinition.version == 1).scalar_subquery()))
        conn.execute(delete(ProcessDefinition).where(ProcessDefinition.id == target_id))
    definitions._cache.pop(target_id, None)


def run(ctx: Context) -> list[Result]:
    count = int(os.environ.get("BENCH_MIGRATION_CASES") or (200 if ctx.scale.name == "smoke" else 10_000))
    copies = clone.clone_cases(ctx.app, count, clone.REVIEW_STAGE)
    results: list[Result] = []
    with ctx.app.app_context():
        designer = db.session.scalars(select(Account).where(Account.username == "designer")).one()
        target = _version_2(designer)
        designer_id, target_id = designer.id, target.id
        floor = _floor(db.session.get(Case, copies.case_ids[0]), target)
        db.session.remove()
        try:
            for dry_run in (True, False):
                actor = db.session.get(Account, designer_id)
                target = db.session.get(ProcessDefinition, target_id)
                started = time.perf_counter()
                with ctx.profiled(f"migration-{'dry' if dry_run else 'move'}"):
                    rows = [migrate_one(actor, case_id, target, dry_run=dry_run)
                            for case_id in copies.case_ids]
                elapsed = time.perf_counter() - started
                refused = [r.reasons for r in rows if not r.allowed]
                if refused:
                    raise RuntimeError(f"{len(refused)} of {count} copies refused: {refused[:3]}")
                label = "dry run (assessment)" if dry_run else "migration"
                rate = count / elapsed
                results.append(Result(
                    "migration", f"{label} of {count:,} open cases", rate, "cases/s", floor,
                    "engine re-attach alone (deserialize, diff, serialize)",
                    "" if dry_run else f"≥ {TARGET_PER_S:g} cases/s",
                    None if dry_run else rate >= TARGET_PER_S, samples=count,
                    details={"seconds": round(elapsed, 2)}))
                db.session.remove()
        finally:
            db.session.remove()
            _remove(target_id, copies.case_ids)
    clone.discard_copies(ctx.app)
    return results
