"""Many open cases at one stage, copied from a real case in one bulk write.

Each HTTP completion needs its own open work item, each timer firing its own due case.
Walking thousands of cases through the engine first would take longer than the load itself,
so a real case of ``inst.chaoyang1`` is walked once and copied (``bench.gen_cases``): the
copies hold its real serialized state and task ids, so completing their items (or firing
their timers) is exactly the work a real case costs.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from flask import Flask
from sqlalchemy import text

from service.core.extensions import db

from . import cases, gen_cases
from .generate import Writer, _max_id, fix_sequences, write_cases

REVIEW_STAGE = 1
CONCLUDED_STAGE = 4


@dataclass
class Clones:
    case_ids: list[int]
    open_items: list[int]  # material-review items, in case order
    next_timer_at: datetime | None


def clone_cases(app: Flask, count: int, stage: int, conclusion: dict | None = None,
                seed: int = 7, template: gen_cases.Template | None = None) -> Clones:
    """``count`` copies of ``template`` (default: a case walked now) at ``stage``."""
    with app.app_context():
        template = template or gen_cases.make_template(conclusion)
        actors = cases.Actors.demo()
        inst = cases.institution(actors)
        owner = gen_cases.Owner(inst.id, inst.division_code, inst.name, actors.institution.id,
                                actors.bureau.id, inst.issuing_authority_id)
        db.session.commit()
        postgres = db.engine.dialect.name == "postgresql"
        with db.engine.connect() as conn:
            ids = gen_cases.Ids(_max_id(conn, "case") + 1, _max_id(conn, "case_event") + 1,
                                _max_id(conn, "work_item") + 1)
            first = ids.case
            writer = Writer(conn, postgres, chunk=5_000)
            write_cases(writer, gen_cases.clones(template, stage, count, ids, owner,
                                                 random.Random(seed)))
            fix_sequences(conn, postgres)
            conn.commit()
            items = [r[0] for r in conn.execute(text(
                "SELECT id FROM work_item WHERE case_id >= :first AND case_id < :last "
                "AND status = 'open' AND task = 'material_review' ORDER BY id"),
                {"first": first, "last": ids.case})]
        db.session.remove()
    return Clones(list(range(first, ids.case)), items,
                  template.stages[stage].next_timer_at)


def review_items(app: Flask, count: int) -> list[int]:
    """Ids of ``count`` new open material-review items of ``bj.chaoyang.wjw``'s inbox."""
    items = clone_cases(app, count, REVIEW_STAGE).open_items
    if len(items) != count:
        raise RuntimeError(f"cloned {count} cases but found {len(items)} open review items")
    return items


def discard_copies(app: Flask) -> int:
    """Delete the load-test copies once they are measured (and any an interrupted run left),
    so that they do not swell the inbox measured next. Copies are the cases of the demo
    institution ``inst.chaoyang1`` whose history starts with bulk-marked events (the generator
    never uses demo institutions; real cases never carry the marker). Returns how many."""
    with app.app_context():
        inst_id = cases.Actors.demo().institution.institution_id
        ids = [r[0] for r in db.session.execute(text(
            'SELECT c.id FROM "case" c JOIN case_event e ON e.case_id = c.id AND e.seq = 1 '
            "WHERE c.subject_institution_id = :inst AND e.hash = :bulk"),
            {"inst": inst_id, "bulk": gen_cases.BULK_HASH})]
        for start in range(0, len(ids), 5000):
            chunk = ",".join(str(int(i)) for i in ids[start:start + 5000])
            for table in ("work_item", "case_event"):
                db.session.execute(text(f"DELETE FROM {table} WHERE case_id IN ({chunk})"))
            db.session.execute(text(f'DELETE FROM "case" WHERE id IN ({chunk})'))
        db.session.commit()
        db.session.remove()
    return len(ids)
