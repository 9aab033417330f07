"""Real verification cases made through the engine in-process, for the measurements.

Everything here goes through ``service.engine.runtime`` exactly as the REST API does (minus
HTTP); documents are registered as rows (the files themselves are not needed by a step).
"""
from __future__ import annotations

import hashlib
from contextlib import nullcontext
from dataclasses import dataclass

from sqlalchemy import select

from service.access.models import Account
from service.core.extensions import db
from service.documents.models import Document
from service.engine import runtime
from service.engine.models import Case, WorkItem
from service.institutions.face import Institution

from .context import StatementCounter, Timing

PROCESS = "institution_verification"
REVIEW_APPROVE = {"decision": "approve"}
COUNTER = {"originals_checked": True}


@dataclass
class Actors:
    institution: Account
    bureau: Account

    @classmethod
    def demo(cls) -> Actors:
        """inst.chaoyang1 and its issuing authority's account bj.chaoyang.wjw."""
        return cls(_account("inst.chaoyang1"), _account("bj.chaoyang.wjw"))


def _account(username: str) -> Account:
    account = db.session.scalars(select(Account).where(Account.username == username)).first()
    if account is None:
        raise LookupError(f"account {username} missing: was the demo data loaded?")
    return account


def _document(actor: Account, case_id: int, kind: str) -> int:
    digest = hashlib.sha256(f"bench:{case_id}:{kind}".encode()).hexdigest()
    doc = Document(sha256=digest, filename=f"{kind}.pdf", media_type="application/pdf", size=1024,
                   pages=1, storage_key=f"bench/{digest}", kind=kind, case_id=case_id,
                   uploaded_by_id=actor.id, organisation_kind="institution",
                   organisation_id=actor.institution_id)
    db.session.add(doc)
    db.session.flush()
    return doc.id


def application(actor: Account, case: Case, round_: int = 1, roster_size: int = 12) -> dict:
    """A complete application form as an institution submits it (documents registered)."""
    docs = {kind: [_document(actor, case.id, kind)]
            for kind in ("application_form", "licence_copy", "work_summary")}
    roster = [{"kind": "physician", "name": f"医师{n}", "id_number": f"11010519800101{n:03d}X",
               "certificate_number": f"1101101050{n:05d}", "title": "主治医师", "department": "内科"}
              for n in range(roster_size)]
    return {
        "verification_year": 2025, "period_start": "2022-07-01", "period_end": "2025-06-30",
        "renewal": False, "contact_person": "周海涛", "contact_phone": "010-65915529",
        "physicians_count": roster_size, "nurses_count": 20, "technicians_count": 4,
        "pharmacists_count": 2, "outpatient_visits": 120000, "inpatient_discharges": 3000,
        "self_inspection": f"依法执业，各项制度落实。第 {round_} 次提交。", "roster": roster,
        **docs, "other_materials": [],
    }


def open_item_of(case_id: int) -> WorkItem:
    item = db.session.scalars(select(WorkItem).where(
        WorkItem.case_id == case_id, WorkItem.status == "open")).first()
    if item is None:
        raise LookupError(f"case {case_id} has no open work item")
    return item


def _free_institution(actors: Actors) -> int:
    """The institution account's institution, or (when it already has an open verification:
    one per institution) a copy of it the account now acts for, in the same jurisdiction."""
    inst_id = actors.institution.institution_id
    busy = db.session.scalar(select(Case.id).where(
        Case.process_id == PROCESS, Case.status == "open",
        Case.subject_institution_id == inst_id).limit(1))
    if busy is None:
        return inst_id
    inst = db.session.get(Institution, inst_id)
    skip = {"id", "uscc", "registration_number", "version"}
    copy = Institution(**{c.key: getattr(inst, c.key) for c in Institution.__table__.columns
                          if c.key not in skip})
    db.session.add(copy)
    db.session.flush()
    actors.institution.institution_id = copy.id
    db.session.commit()
    return copy.id


def start(actors: Actors, institution_id: int | None = None) -> int:
    case = runtime.start(actors.institution, PROCESS,
                         {"institution_id": institution_id or _free_institution(actors)})
    return case.id


def submit(actors: Actors, case_id: int, round_: int = 1) -> None:
    item = open_item_of(case_id)
    case = db.session.get(Case, case_id)
    runtime.complete(actors.institution, item.id, application(actors.institution, case, round_))


def review(actors: Actors, case_id: int, decision: str = "approve") -> None:
    data = dict(REVIEW_APPROVE) if decision == "approve" else {
        "decision": decision, "comment": "请补充材料"}
    runtime.complete(actors.bureau, open_item_of(case_id).id, data)


def at_review(actors: Actors) -> int:
    """A new case whose open work item is the bureau's material review."""
    case_id = start(actors)
    submit(actors, case_id)
    return case_id


def institution(actors: Actors) -> Institution:
    return db.session.get(Institution, actors.institution.institution_id)


def complete_fresh(actor_id: int, case_id: int, data: dict, timing: Timing | None = None,
                   counter: StatementCounter | None = None) -> None:
    """Complete the case's open item as a request would: from an empty session.

    The work item id and the actor are looked up outside the timed block (routing and
    authentication are not the step); the step then loads the item and the case itself.
    """
    db.session.remove()
    item_id = open_item_of(case_id).id
    db.session.remove()
    actor = db.session.get(Account, actor_id)
    with timing.measure() if timing else nullcontext(), counter or nullcontext():
        runtime.complete(actor, item_id, data)
    db.session.remove()
