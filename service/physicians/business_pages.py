"""业务申请 and 信息维护: the physician starts her businesses (seed 003 ch.2 §2.3–2.4).

Each business is a process; a button starts it when it is deployed. The case's subject is the
institution the application is addressed to: one she picks among the active institutions
(registration, change, filing, military in), her main institution (upgrade, to military,
cancellation, personal information), or one of her filed / legacy locations (cancelling them).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select

from service.casework import common as casework
from service.core.errors import ApiError
from service.core.extensions import db
from service.core.params import to_id
from service.engine import definitions
from service.engine.models import Case
from service.institutions.face import Department, Institution
from service.physicians.pages import bp, me, physician, start_case
from service.physicians.routes import ALLOWED_BEFORE_ACTIVATION
from service.physicians.services import assign_department, department_of
from service.physicians.signup import main_registration

SEARCH_LIMIT = 20
INFO_CHANGE = "physician_info_change"


@dataclass(frozen=True)
class Business:
    process_id: str
    name: str
    help: str
    target: str  # "choose" | "main" | "filed" | "legacy"


# Names and explanations are seed 003's 业务说明, in its order.
BUSINESSES = (
    Business("physician_registration", "注册", "凡取得国内医师资格的，均可申请医师执业注册。执业医师的执业地点为执业医师执业的医疗、预防、保健机构所在的省级行政区划，执业助理医师的执业地点为执业助理医师执业的医疗、预防、保健机构所在的县级行政区划。执业医师可以在不同省份同时注册执业地点。一个执业地点下，有并且只有一个主要执业机构。", "choose"),
    Business("physician_upgrade", "助理医师升执业医师", "在医师类别相同并且主要执业机构不变的情况下，由助理注册升级为执业医师注册。助师升医师完成后，助理医师注册信息自动失效。", "main"),
    Business("physician_military_in", "军队变更入", "军队的医师要变更到本卫生健康委下的医疗机构进行执业，请在此处操作。", "choose"),
    Business("physician_to_military", "变更到军队", "地方注册的医师，要变更到军队，请在此操作。重要提示：变更到军队业务完成后，地方的注册信息全部失效。", "main"),
    Business("physician_change", "变更", "可进行执业地点变更、执业范围变更、执业类别变更，并可变更主要执业机构。医师提交变更申请后，直接到拟执业机构进行确认，然后由拟执业机构所属卫生健康委审批。", "choose"),
    Business("physician_cancellation", "注销", "医师注册后有死亡或者被宣告失踪、受刑事处罚、受吊销《医师执业证书》行政处罚、定期考核不合格经培训后再次考核仍不合格、连续两个考核周期未参加定期考核、中止执业活动满两年、身体健康状况不适宜继续执业、出借出租抵押转让涂改《医师执业证书》、在医师资格考试中参与有组织作弊，或本人主动申请等情形之一的，可申请办理注销注册。", "main"),
    Business("physician_multi_site_filing", "多执业机构备案", "医师注册了一个执业地点并有了一个主要执业机构后，如果要到其他机构执业，需到批准该机构执业的卫生健康委分别申请备案。提交申请后，直接到拟执业机构进行备案确认，然后由拟执业机构所属卫生健康委审批。", "choose"),
    Business("physician_multi_site_cancel", "多执业机构取消备案", "在主要执业机构之外的其他机构备案的注册信息，可申请取消。", "filed"),
    Business("physician_certificate_replacement", "证书补办", "《医师执业证书》遗失或者损毁的，可申请补办：说明遗失或损毁情况，经主要执业机构确认后由审批机关审批。补发的证书沿用原执业证书编码（终身一号），并注明“补发”，原证书作废。", "main"),
    Business("physician_legacy_cancel", "申请取消“多地点执业”", "按原医师多地点注册政策办理的医师多地点注册信息，可以查询和取消，不可新增；一次业务只允许取消一个多地点。如果要在本省多个机构执业，可按“多执业机构备案”业务办理。", "legacy"),
)
BY_ID = {b.process_id: b for b in BUSINESSES}
TARGET_KINDS = {"filed": "multi_site", "legacy": "legacy_multi_location"}


def _deployed() -> dict:
    return {d.process_id: d for d in definitions.all_latest()}


def _may_start_now(process_id: str) -> bool:
    return me().activated_at is not None or process_id in ALLOWED_BEFORE_ACTIVATION


def _own_options(business: Business) -> list[Institution]:
    """The institutions a business about her existing registrations may address."""
    doc = physician()
    if business.target == "main":
        main = main_registration(doc)
        return [main.institution] if main else []
    kind = TARGET_KINDS[business.target]
    return [r.institution for r in doc.registrations if r.kind == kind and r.status == "active"]


def _search(q: str) -> list[Institution]:
    if not q:
        return []
    return list(db.session.scalars(
        select(Institution).where(Institution.status == "active", Institution.name.contains(q))
        .order_by(Institution.name, Institution.id).limit(SEARCH_LIMIT)))


@bp.get("/businesses")
@login_required
def businesses():
    """业务申请: every business with its explanation; a button where it can be started."""
    deployed = _deployed()
    rows = [(b, deployed.get(b.process_id), _may_start_now(b.process_id),
             bool(_own_options(b)) if b.target != "choose" else True) for b in BUSINESSES]
    return render_template("physician/businesses.html", rows=rows, activated=me().activated_at)


@bp.route("/apply/<process_id>", methods=["GET", "POST"])
@login_required
def apply(process_id: str):
    """Pick the institution the application goes to, then start it and open its first form."""
    business = BY_ID.get(process_id)
    definition = _deployed().get(process_id)
    if business is None or definition is None:
        abort(404)
    if not _may_start_now(process_id):
        flash("账户激活后方可办理该业务。", "warning")
        return redirect(url_for("physician.activate"))
    own = _own_options(business) if business.target != "choose" else []
    if request.method == "POST":
        raw = request.form.get("institution_id", "")
        chosen = db.session.get(Institution, to_id(raw)) if to_id(raw) else None
        allowed = (chosen is not None and chosen.status == "active") if business.target == "choose" \
            else chosen in own
        if not allowed:
            flash("请选择有效的医疗机构。", "error")
        else:
            started = start_case(process_id, chosen.id)
            if started is not None:
                return started
    q = (request.args.get("q") or "").strip()[:40]
    return render_template("physician/apply.html", business=business, definition=definition,
                           own=own, q=q, results=_search(q) if business.target == "choose" else [])


@bp.get("/info")
@login_required
def info():
    """信息维护: her personal information and photo, and the change she asked for."""
    doc = physician()
    running = db.session.scalars(select(Case).where(
        Case.process_id == INFO_CHANGE, Case.subject_physician_id == doc.id,
        Case.status == "open").order_by(Case.id.desc())).first()
    recent = list(db.session.scalars(select(Case).where(
        Case.process_id == INFO_CHANGE, Case.subject_physician_id == doc.id)
        .order_by(Case.id.desc()).limit(5)))
    return render_template(
        "physician/info.html", physician=doc, q=doc.qualification, running=running,
        recent=recent, main=main_registration(doc), deployed=INFO_CHANGE in _deployed())


@bp.post("/info/start")
@login_required
def start_info_change():
    main = main_registration(physician())
    if main is None:
        flash("您目前没有有效的主要执业机构，个人信息修改须由执业所在医疗机构审核。", "error")
        return redirect(url_for("physician.info"), 303)
    if INFO_CHANGE not in _deployed():
        abort(404)
    return start_case(INFO_CHANGE, main.institution_id) or redirect(url_for("physician.info"), 303)


@bp.route("/department", methods=["GET", "POST"])
@login_required
def department():
    """我的科室: she picks her department at each institution where she practises, among the
    departments that institution set up (seed 003 ch.2 §2.3.3); the institution may correct it."""
    doc = physician()
    places = [r.institution for r in doc.registrations if r.status == "active"]
    places = list(dict.fromkeys(places))  # main and filed at one institution: one choice
    if request.method == "POST":
        raw_inst, raw_dept = request.form.get("institution_id", ""), request.form.get("department_id", "")
        inst = next((i for i in places if str(i.id) == raw_inst), None)
        if inst is None:
            abort(404)
        try:
            chosen = assign_department(me(), inst, doc.id, to_id(raw_dept))
        except ApiError as exc:
            db.session.rollback()
            flash(casework.fields_text(exc) or exc.message, "error")
        else:
            db.session.commit()
            flash(f"已将您在{inst.name}的科室设为“{chosen.name}”。" if chosen
                  else f"已清除您在{inst.name}的科室。", "success")
        return redirect(url_for("physician.department"), 303)
    rows = [(inst, department_of(inst, doc.id), list(db.session.scalars(
        select(Department).where(Department.institution_id == inst.id, Department.active.is_(True))
        .order_by(Department.code)))) for inst in places]
    return render_template("physician/department.html", rows=rows)
