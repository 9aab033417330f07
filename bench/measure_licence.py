"""The e-licence: issuing it, the signed licence PDF, the public verify endpoint, the state of
an institution at a moment.

Figures:

- the licence-issuing step: ``runtime.complete`` of the approver's 准予登记 on a real
  registration case (the engine step plus ``register_institution``: the institution record,
  its 22-character number, the licence row with its verify code, the institution account),
  beside the bare SpiffWorkflow step of the same task on the same state, whose service task
  answers at once (no database, no action);
- ``render_licence`` (《医疗机构执业许可证》 正本 with its QR code, rendered and signed with the
  issuing administration's key) beside the same page unsigned (its floor), the PAdES
  signature's own cost, and the CPU time of one signed PDF (what the page costs whatever the
  machine's load);
- ``GET /api/v1/licences/verify/{code}`` through the app (no login) beside the register
  look-up alone, on a random licence of the whole register (the ``registry`` scale holds
  1,000,000 institutions, each with its licence), and the web process's CPU time per answer;
- ``state_at`` of an institution with 50 versions (a moment in the middle of its history)
  beside reading one ``record_version`` row by its key.

Everything written here (registration cases, versions, licence rows) is rolled back or
removed at the end, so the generated data stays as it was.
"""
from __future__ import annotations

import json
import random
import time
from contextlib import nullcontext
from datetime import timedelta

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from sqlalchemy import func, select
from stdnum.cn import ric, uscc

from service.access.models import Account
from service.core.extensions import db
from service.engine import runtime
from service.engine.models import Case
from service.institutions import licence_prints, licences
from service.institutions.esign import sign_licence
from service.institutions.models import Institution
from service.registry.reference import Administration
from service.registry.versioning import RecordVersion, change_context, state_at

from . import cases
from .context import Context, Timing
from .measure_step import bare_step, full_state
from .report import Result, percentile

TARGET_MS = 400.0
VERIFY_TARGET_MS = 20.0
VERSIONS = 50
LEGAL_ID = "11010519800101001" + ric.calc_check_digit("110105198001010010")
DOCUMENTS = ("application_form", "premises_proof", "setup_approval", "staff_list")


def _timed(fn, n: int, clock=time.perf_counter) -> list[float]:
    """``n`` runs of ``fn`` by ``clock`` (wall time; ``time.process_time`` for CPU time)."""
    out = []
    for _ in range(n):
        started = clock()
        fn()
        out.append(clock() - started)
    return out


def _cpu(fn, n: int) -> list[float]:
    return _timed(fn, n, time.process_time)


class _AnsweringServices(TaskDataEnvironment):
    """The bare engine's service tasks answer at once, as if the action had approved."""

    def call_service(self, context, operation_name=None, operation_params=None, **_kw):
        return json.dumps("approved")


def _account(username: str) -> Account:
    return db.session.scalars(select(Account).where(Account.username == username)).one()


def _application(clerk: Account, case: Case, serial: int) -> dict:
    body = f"52110105{70_000_000 + serial:08d}X"  # 52: a private non-enterprise unit
    code = body + uscc.calc_check_digit(body + "0")
    form = {"name": f"北京朝阳基准测试医院{serial}", "uscc": code, "category_code": "A100",
            "economic_type_code": "17", "management_class": "2", "level_code": "9",
            "address": "北京市朝阳区望京街道阜通东大街6号", "postal_code": "100102",
            "phone": "010-64701234", "legal_representative": "赵明远",
            "legal_representative_id_number": LEGAL_ID, "principal": "钱晓岚",
            "contact_phone": "13911112222", "registered_capital": 3000,
            "service_mode": "门诊、住院", "beds": 120, "dental_chairs": 0, "floor_area": 8600.5,
            "staff_count": 140, "subjects": ["03", "03.01", "04", "21"]}
    for kind in DOCUMENTS:
        form[kind] = [cases._document(clerk, case.id, kind)]
    return form


def _registrations_at_approval(n: int) -> list[int]:
    """Registration cases at the Chaoyang counter, accepted and reviewed: the approval is next."""
    clerk = _account("bj.chaoyang.clerk")
    out = []
    for _ in range(n):
        case = runtime.start(clerk, "institution_registration", {"division_code": "110105"})
        seed = random.Random(case.id).randrange(10_000_000)
        for data in (_application(clerk, case, seed), {"decision": "accept"},
                     {"decision": "approve", "inspection": "not_needed"}):
            runtime.complete(clerk, cases.open_item_of(case.id).id, data)
        out.append(case.id)
    return out


def _issuing(n: int) -> tuple[Timing, Timing]:
    approver_id = _account("bj.chaoyang.wjw").id
    case_ids = _registrations_at_approval(n + 2)
    state = full_state(db.session.get(Case, case_ids[0]))
    engine = PythonScriptEngine(environment=_AnsweringServices())
    step, floor = Timing(), Timing()
    for i, case_id in enumerate(case_ids):
        warm = i < 2  # the first steps pay for parsing and caches
        cases.complete_fresh(approver_id, case_id, {"decision": "approve"}, None if warm else step)
        with nullcontext() if warm else floor.measure():
            bare_step(state, "approval", {"decision": "approve"}, engine)
    return step, floor


def _remove_registrations() -> None:
    """The institutions, licences, accounts and cases the issuing figure created."""
    from sqlalchemy import delete

    from service.documents.models import Document
    from service.engine.models import CaseEvent, WorkItem
    from service.institutions.models import InstitutionSubject
    from service.notify.models import Notification

    case_ids = list(db.session.scalars(select(Case.id).where(
        Case.process_id == "institution_registration", Case.title.contains("基准测试医院"))))
    inst_ids = list(db.session.scalars(select(Institution.id).where(
        Institution.name.startswith("北京朝阳基准测试医院"))))
    accounts = select(Account.id).where(Account.institution_id.in_(inst_ids)).scalar_subquery()
    for stmt in (delete(WorkItem).where(WorkItem.case_id.in_(case_ids)),
                 delete(CaseEvent).where(CaseEvent.case_id.in_(case_ids)),
                 delete(Document).where(Document.case_id.in_(case_ids)),
                 delete(licences.Licence).where(licences.Licence.institution_id.in_(inst_ids)),
                 delete(Notification).where(Notification.account_id.in_(accounts)),
                 delete(Account).where(Account.id.in_(accounts)),
                 delete(RecordVersion).where(RecordVersion.entity == "institution",
                                             RecordVersion.entity_id.in_(inst_ids)),
                 delete(InstitutionSubject).where(InstitutionSubject.institution_id.in_(inst_ids)),
                 delete(Case).where(Case.id.in_(case_ids)),
                 delete(Institution).where(Institution.id.in_(inst_ids))):
        db.session.execute(stmt)
    db.session.commit()


def _random_codes(k: int) -> list[str]:
    """Verify codes of ``k`` licences spread over the whole register."""
    top = db.session.scalar(select(func.max(licences.Licence.id))) or 0
    rnd, out = random.Random(20251202), []
    while len(out) < k and top:
        code = db.session.scalar(select(licences.Licence.verify_code).where(
            licences.Licence.id >= rnd.randint(1, top)).order_by(licences.Licence.id).limit(1))
        if code:
            out.append(code)
    return out


def _fifty_versions(inst: Institution) -> tuple[int, object]:
    """Give the institution 50 versions (in the open transaction); the moment in the middle."""
    start = inst.created_at
    middle = None
    for k in range(VERSIONS - inst.version):
        with change_context(None, "基准测试：版本"):
            inst.staff_count = (inst.staff_count or 0) + 1
            db.session.flush()
        row = db.session.scalars(select(RecordVersion).where(
            RecordVersion.entity == "institution", RecordVersion.entity_id == inst.id)
            .order_by(RecordVersion.version.desc()).limit(1)).one()
        row.valid_from = start + timedelta(days=k + 1)  # one version a day
        if k == VERSIONS // 2:
            middle = row.valid_from + timedelta(hours=1)
    db.session.flush()
    return inst.version, middle


def run(ctx: Context) -> list[Result]:
    n = ctx.scale.pdf_samples
    app = ctx.app
    with app.app_context(), app.test_request_context("/"):
        with ctx.profiled("licence_issuing"):
            issuing, bare = _issuing(max(5, n // 2))
        _remove_registrations()
        inst = cases.institution(cases.Actors.demo())
        licence = licences.current(inst.id) or licences.issue(
            inst, at=inst.created_at, case_id=None, reason="bench")
        issuer = db.session.get(Administration, licence.issued_by_id)
        signed_pdf = licence_prints.render_licence(inst, licence)
        if not signed_pdf.startswith(b"%PDF-"):
            raise RuntimeError("the licence did not render")
        plain = licence_prints.render_licence(inst, licence, sign=False)
        with ctx.profiled("licence"):
            signed = _timed(lambda: licence_prints.render_licence(inst, licence), n)
            floor = _timed(lambda: licence_prints.render_licence(inst, licence, sign=False), n)
            signing = _timed(lambda: sign_licence(plain, issuer), n)
            cpu = _cpu(lambda: licence_prints.render_licence(inst, licence), n)
        register = {"institutions": db.session.scalar(select(func.count(Institution.id))),
                    "licences": db.session.scalar(select(func.count(licences.Licence.id)))}
        codes = _random_codes(n * 10)
        client = app.test_client()
        app.config["LICENCE_VERIFY_RATE_LIMIT"] = "1000000/minute"
        for code in codes[:20]:  # warm: compiled statements, the server's prepared plan
            answer = client.get(f"/api/v1/licences/verify/{code}")
            if answer.status_code != 200 or "valid" not in answer.get_json():
                raise RuntimeError(f"verify answered {answer.status_code}")
        with ctx.profiled("licence_verify"):
            verify = [_timed(lambda c=c: client.get(f"/api/v1/licences/verify/{c}"), 1)[0]
                      for c in codes]
            lookup = [_timed(lambda c=c: licences.verification(c), 1)[0] for c in codes]
            verify_cpu = [_cpu(lambda c=c: client.get(f"/api/v1/licences/verify/{c}"), 1)[0]
                          for c in codes]
        app.config.pop("LICENCE_VERIFY_RATE_LIMIT")
        versions, middle = _fifty_versions(inst)
        one = db.session.scalar(select(RecordVersion.id).where(
            RecordVersion.entity == "institution", RecordVersion.entity_id == inst.id).limit(1))
        for _ in range(5):
            state_at("institution", inst.id, middle)
        at = _timed(lambda: state_at("institution", inst.id, middle), n * 10)
        by_key = _timed(lambda: db.session.get(RecordVersion, one, populate_existing=True), n * 10)
        db.session.rollback()
        db.session.remove()
    results = []
    for q in (50, 95):
        results.append(Result(
            "licence", f"licence-issuing step (准予登记) p{q}", percentile(issuing.wall, q) * 1000,
            "ms", percentile(bare.wall, q) * 1000, f"bare Spiff approval step p{q}",
            samples=len(issuing.wall)))
    for q in (50, 95):
        results.append(Result(
            "licence", f"signed licence PDF p{q}", percentile(signed, q) * 1000, "ms",
            percentile(floor, q) * 1000, f"the same page unsigned p{q}",
            f"< {TARGET_MS:g} ms" if q == 95 else "",
            percentile(signed, q) * 1000 < TARGET_MS if q == 95 else None, samples=n,
            details={"signature_ms_p50": round(percentile(signing, 50) * 1000, 2),
                     "signature_ms_p95": round(percentile(signing, 95) * 1000, 2),
                     "cpu_ms_p50": round(percentile(cpu, 50) * 1000, 1),
                     "cpu_ms_p95": round(percentile(cpu, 95) * 1000, 1)}))
    results.append(Result(
        "licence", "PAdES signature alone p95", percentile(signing, 95) * 1000, "ms",
        samples=n, details={"p50_ms": round(percentile(signing, 50) * 1000, 2)}))
    results.append(Result(
        "licence", "signed licence PDF, CPU time p95", percentile(cpu, 95) * 1000, "ms",
        target=f"< {TARGET_MS:g} ms", met=percentile(cpu, 95) * 1000 < TARGET_MS, samples=n,
        details={"p50_ms": round(percentile(cpu, 50) * 1000, 1)}))
    for q in (50, 95):
        results.append(Result(
            "licence", f"GET /api/v1/licences/verify p{q}", percentile(verify, q) * 1000, "ms",
            percentile(lookup, q) * 1000, f"the register look-up alone p{q}",
            f"< {VERIFY_TARGET_MS:g} ms" if q == 95 else "",
            percentile(verify, q) * 1000 < VERIFY_TARGET_MS if q == 95 else None,
            samples=len(verify), details=register))
    results.append(Result(
        "licence", "GET /api/v1/licences/verify, CPU time of the web process p95",
        percentile(verify_cpu, 95) * 1000, "ms", target=f"< {VERIFY_TARGET_MS:g} ms",
        met=percentile(verify_cpu, 95) * 1000 < VERIFY_TARGET_MS, samples=len(verify_cpu),
        details={"p50_ms": round(percentile(verify_cpu, 50) * 1000, 2)}))
    for q in (50, 95):
        results.append(Result(
            "licence", f"state_at of an institution with {versions} versions p{q}",
            percentile(at, q) * 1000, "ms", percentile(by_key, q) * 1000,
            f"one record_version row by key p{q}", samples=len(at)))
    return results
