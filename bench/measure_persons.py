"""The persons' registration steps in-process, each beside the bare SpiffWorkflow step of the
same task on the same workflow state (issue 16 item 16, issue 13):

- P1 ``physician_registration``: the physician's application (``apply``) and the authority's
  approval (``approve``, which runs the ``physician_register`` action: the registration, the
  lifelong number, the department, the activation, the notices);
- N1 ``nurse_registration``: the nurse's application and the approval (``nurse_register``:
  registration for 5 years, certificate number, notices).

Each sample has its own person who passed the exam and has an activated account, made before
the timed block (as demo data would be); the step itself is ``runtime.complete`` from an empty
session, as a request makes it. The floor is :func:`bench.measure_step.bare_step`: the same
workflow state in SpiffWorkflow's default format, the same task completed with the same data,
engine steps run, serialized — no database, no rules, no actions.
"""
from __future__ import annotations

import hashlib
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from sqlalchemy import select

from service.access.models import Account
from service.core.extensions import db
from service.core.times import utcnow
from service.documents.models import Document
from service.engine import runtime
from service.engine.models import Case
from service.nurses.models import Nurse, NurseQualification
from service.physicians.models import Physician, Qualification

from . import cases
from .context import Context, Timing
from .measure_step import TARGET_RATIO, bare_step, full_state
from .report import Result, percentile

INSTITUTION = "inst.chaoyang1"


@dataclass(frozen=True)
class Business:
    """One person's process to measure: who applies, what she submits, what approves it."""

    process: str
    label: str
    person: str  # "physician" / "nurse"

    def application(self, applicant: Account, case_id: int) -> dict:
        if self.person == "physician":
            return {"category": "1", "scope": "101", "pledge": True, "department": "内科"}
        return {"department": "内科", "title": "护士", "pledge": True,
                "health_certificate": [_document(applicant, case_id)]}


BUSINESSES = (Business("physician_registration", "P1", "physician"),
              Business("nurse_registration", "N1", "nurse"))
APPROVE = {"decision": "approve", "comment": ""}


class ApprovingEngine(PythonScriptEngine):
    """The floor's service tasks: every action answers "approved" at once (no registry)."""

    def call_service(self, task, **kwargs) -> str:
        return '"approved"'

CONFIRM = {"decision": "agree", "comment": ""}


def _id_number(serial: int) -> str:
    """A valid resident ID (GB 11643 check digit) born 1995-01-01 in Chaoyang, per sample."""
    body = f"110105199501{serial // 1000 % 100:02d}{serial % 1000:03d}"[:17]
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


def _person(business: Business, serial: int) -> Account:
    """A fresh person who passed the exam, with an activated account of her own."""
    id_number, name = _id_number(serial), "测试" + "甲乙丙丁戊己庚辛壬癸"[serial % 10]
    if business.person == "physician":
        q = Qualification(name=name, gender="F", birth_date=date(1995, 1, 1), id_number=id_number,
                          certificate_number=f"BENCHQ{serial:010d}", category="1",
                          level="physician", year=2020)
        person = Physician(qualification=q, name=name, id_number=id_number, gender="F",
                           birth_date=date(1995, 1, 1))
    else:
        q = NurseQualification(name=name, gender="F", birth_date=date(1995, 1, 1),
                               id_number=id_number, exam_date=date.today(),
                               certificate_number=f"BENCHN{serial:010d}")
        person = Nurse(name=name, gender="F", birth_date=date(1995, 1, 1), id_number=id_number,
                       status="unregistered", qualification=q)
    account = Account(username=f"bench{business.person[0]}{serial}", display_name=name,
                      kind=business.person, roles=[business.person], password_hash="!",
                      activated_at=utcnow())
    setattr(account, business.person, person)
    db.session.add(account)
    db.session.flush()
    return account


def _document(actor: Account, case_id: int) -> int:
    digest = hashlib.sha256(f"bench-person:{case_id}".encode()).hexdigest()
    doc = Document(sha256=digest, filename="体检证明.pdf", media_type="application/pdf",
                   size=1024, pages=1, storage_key=f"bench/{digest}", kind="health_certificate",
                   case_id=case_id, uploaded_by_id=actor.id)
    db.session.add(doc)
    db.session.flush()
    return doc.id


def _free_serial() -> int:
    taken = db.session.scalars(select(Account.username).where(
        Account.username.like("bench%"))).all()
    return max((int(u[6:]) for u in taken if u[6:].isdigit()), default=0) + 1


def _samples(business: Business, n: int) -> dict[str, tuple[Timing, Timing]]:
    """Apply and approve on fresh cases, each beside the bare step of the same task."""
    timings = {"apply": (Timing(), Timing()), "approve": (Timing(), Timing())}
    inst = cases._account(INSTITUTION)
    bureau = cases._account("bj.chaoyang.wjw")
    inst_account, inst_id, bureau_id = inst.id, inst.institution_id, bureau.id
    serial = _free_serial()
    for i in range(n + 3):
        warm = i < 3  # the first steps pay for parsing and caches
        db.session.remove()
        applicant = _person(business, serial + i)
        case = runtime.start(applicant, business.process, {"institution_id": inst_id})
        data = business.application(applicant, case.id)
        applicant_id, case_id = applicant.id, case.id
        db.session.commit()
        for task, actor_id, form in (("apply", applicant_id, data),
                                     ("confirm", inst_account, CONFIRM),
                                     ("approve", bureau_id, APPROVE)):
            state = full_state(db.session.get(Case, case_id))
            db.session.remove()
            step, floor = timings.get(task, (None, None))
            cases.complete_fresh(actor_id, case_id, dict(form), None if warm else step)
            if floor is None:
                continue
            with nullcontext() if warm else floor.measure():
                bare_step(state, task, dict(form), ApprovingEngine())
    return timings


def run(ctx: Context) -> list[Result]:
    n = ctx.scale.step_samples
    results: list[Result] = []
    with ctx.app.app_context():
        for business in BUSINESSES:
            with ctx.profiled(f"persons_{business.label}"):
                timings = _samples(business, n)
            for task, words in (("apply", "application"), ("approve", "approval")):
                step, floor = timings[task]
                ratio = percentile(step.wall, 50) / percentile(floor.wall, 50)
                results += [
                    Result("persons", f"{business.label} {words} step p50",
                           percentile(step.wall, 50) * 1000, "ms",
                           percentile(floor.wall, 50) * 1000, f"bare Spiff {task} p50",
                           f"≤ {TARGET_RATIO:g}× bare step", ratio <= TARGET_RATIO, samples=n),
                    Result("persons", f"{business.label} {words} step p95",
                           percentile(step.wall, 95) * 1000, "ms",
                           percentile(floor.wall, 95) * 1000, f"bare Spiff {task} p95",
                           samples=n),
                ]
    return results
