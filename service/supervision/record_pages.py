"""S3 and S4 pages, phone first: 自查填报 and 自查记录 (inspector, administrator, administration),
rectifications, 记分录入 and 记分记录 (scorer, administrator, administration), the files of a
record. Every refusal is a Chinese message on the page; records outside the reader's scope 404."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from service.access import policy
from service.core.errors import ApiError
from service.core.extensions import db
from service.documents.models import Document
from service.documents.service import DocumentError, file_path, store_upload
from service.supervision import demerit, inspection, queries
from service.supervision.access import member_of
from service.supervision.catalogue import scope_names, scope_tree
from service.supervision.models import (
    ANSWERS,
    GENDERS,
    TITLES,
    DemeritReport,
    Rectification,
    ScoredPerson,
    SelfInspection,
    SupervisionMember,
)
from service.supervision.pages import bp

PAGE = 30


def _member(duty: str | None = None) -> SupervisionMember:
    member = member_of(current_user)
    if member is None or member.unit.status != "active":
        abort(404)
    if duty and duty not in (member.duties or []):
        abort(403)
    return member


def _refused(exc: ApiError) -> dict:
    db.session.rollback()
    return exc.fields or {"form": [exc.message]}


def _uploads(name: str, case_id: int | None, kind: str) -> list[int]:
    files = [f for f in request.files.getlist(name) if f and f.filename]
    try:
        return [store_upload(current_user, f, case_id=case_id, kind=kind).id for f in files]
    except DocumentError as exc:
        raise ApiError(exc.status if exc.status in (413, 422) else 422, exc.message,
                       fields={name: [exc.message]}) from None


def _args() -> dict:
    return {k: request.args.get(k, "") for k in ("start", "end", "item", "division", "unit_id",
                                                 "name", "id_number", "cursor")}


# --- S3 自查填报 -------------------------------------------------------------------------------

@bp.post("/inspections/new")
@login_required
def inspection_new():
    rec = inspection.start(current_user, _member("inspection"))
    db.session.commit()
    return redirect(url_for("supervision.inspection_fill", record_id=rec.id))


def _own_draft(record_id: int) -> SelfInspection | None:
    rec = policy.require(current_user, SelfInspection, record_id)
    if rec.status != "draft" or rec.inspector_id != current_user.id:
        flash(inspection.IMMUTABLE if rec.status != "draft" else "只能修改自己填报的暂存记录", "error")
        return None
    return rec


@bp.get("/inspections/<int:record_id>/fill")
@login_required
def inspection_fill(record_id: int):
    rec = _own_draft(record_id)
    if rec is None:
        return redirect(url_for("supervision.inspection_detail", record_id=record_id))
    answered = {a.item_code for a in rec.answers if a.answer}
    tree = inspection.checklist(rec.checklist_province, rec.checklist_version, rec.groups)
    progress = {g.code: (sum(i.code in answered for _, items in g.sections for i in items),
                         sum(len(items) for _, items in g.sections))
                for area in tree for g in area.groups}
    return render_template("supervision/inspection_fill.html", rec=rec, tree=tree, progress=progress)


@bp.route("/inspections/<int:record_id>/groups/<code>", methods=["GET", "POST"])
@login_required
def inspection_group(record_id: int, code: str):
    """One group's items (执业内容): 是 / 否 / 合理缺项 and photos; 确定 keeps them (暂存)."""
    rec = _own_draft(record_id)
    if rec is None:
        return redirect(url_for("supervision.inspection_detail", record_id=record_id))
    tree = inspection.checklist(rec.checklist_province, rec.checklist_version, [code])
    if code not in rec.groups or not tree:
        abort(404)
    area, group = tree[0], tree[0].groups[0]
    answers = {a.item_code: a for a in rec.answers}
    errors: dict = {}
    if request.method == "POST":
        try:
            given = {}
            for _, items in group.sections:
                for item in items:
                    photos = _uploads(f"p_{item.code}", rec.case_id, "自查材料")
                    given[item.code] = {"answer": request.form.get(f"a_{item.code}") or None,
                                        "photo_ids": answers[item.code].photo_ids + photos}
            inspection.save(current_user, rec, given)
        except ApiError as exc:
            errors = _refused(exc)
        else:
            db.session.commit()
            flash(f"“{group.name}”已暂存。", "success")
            return redirect(url_for("supervision.inspection_fill", record_id=rec.id))
    return render_template("supervision/inspection_group.html", rec=rec, area=area, group=group,
                           answers=answers, choices=ANSWERS, errors=errors), 400 if errors else 200


@bp.post("/inspections/<int:record_id>/submit")
@login_required
def inspection_submit(record_id: int):
    rec = policy.require(current_user, SelfInspection, record_id)
    try:
        if rec.inspector_id != current_user.id:
            raise ApiError(403, "只能上报自己填报的记录")
        inspection.submit(current_user, rec)
    except ApiError as exc:
        db.session.rollback()
        flash("；".join(m for ms in (exc.fields or {"": [exc.message]}).values() for m in ms), "error")
        target = "supervision.inspection_fill" if rec.status == "draft" else "supervision.inspection_detail"
        return redirect(url_for(target, record_id=record_id))
    flash("自查已确认上报。", "success")
    return redirect(url_for("supervision.inspection_detail", record_id=record_id))


@bp.post("/inspections/<int:record_id>/delete")
@login_required
def inspection_delete(record_id: int):
    return _delete(inspection.DRAFTS, record_id, url_for("supervision.inspection_detail", record_id=record_id),
                   "暂存的自查记录已删除。", "supervision.inspections")


def _delete(drafts, record_id: int, back: str, done: str, endpoint: str):
    """Delete a draft of the caller's; a refusal goes back to the record with its reason."""
    record = policy.require(current_user, drafts.model, record_id)
    try:
        drafts.delete(current_user, record)
    except ApiError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(back)
    flash(done, "success")
    return redirect(url_for(endpoint))


# --- S3 自查记录 -------------------------------------------------------------------------------

def _scope_choices(member: SupervisionMember | None) -> list[tuple[str, str]]:
    """自查项目仅显示当前机构下的执业自查范围 (areas and groups)."""
    if member is None:
        return []
    unit = member.unit
    groups = set(member.scope if member.scope and not member.is_admin else unit.scope)
    out = []
    for area in scope_tree(unit.checklist_province, unit.checklist_version):
        chosen = [(c, n) for c, n in area.groups if c in groups]
        if chosen:
            out.append((area.code, area.name))
            out.extend((c, f"　{n}") for c, n in chosen)
    return out


@bp.get("/inspections")
@login_required
def inspections():
    member = member_of(current_user)
    if member is None and current_user.kind not in ("administration", "staff"):
        abort(404)
    args = _args()
    if member is not None and not member.is_admin:
        args["mine"] = "1"  # 仅能查询自己的填报记录
    error, rows, cursor = None, [], None
    try:
        rows, cursor = queries.page(queries.inspections(current_user, args), SelfInspection.inspected_on,
                                    SelfInspection.id, args["cursor"] or None, PAGE)
    except ApiError as exc:
        error = exc.message
    return render_template("supervision/inspections.html", rows=rows, cursor=cursor, args=args,
                           error=error, member=member, choices=_scope_choices(member),
                           units=queries.units_in_scope(current_user) if member is None else [],
                           scope_text=_scope_text), 422 if error else 200


def _scope_text(rec: SelfInspection) -> str:
    return "、".join(scope_names(rec.checklist_province, rec.checklist_version, rec.groups))


@bp.get("/inspections/<int:record_id>")
@login_required
def inspection_detail(record_id: int):
    rec = policy.require(current_user, SelfInspection, record_id)  # a draft is its institution's
    rectifications = db.session.scalars(db.select(Rectification).where(
        Rectification.inspection_id == rec.id).order_by(Rectification.id)).all()
    member = member_of(current_user)
    return render_template("supervision/inspection_detail.html", rec=rec,
                           answers={a.item_code: a for a in rec.answers}, unit=rec.unit,
                           tree=inspection.checklist(rec.checklist_province, rec.checklist_version,
                                                     rec.groups),
                           rectifications=rectifications, scope=_scope_text(rec),
                           unit_scope="、".join(scope_names(rec.checklist_province, rec.checklist_version,
                                                           rec.unit.scope)),
                           is_author=rec.inspector_id == current_user.id,
                           is_admin=member is not None and member.is_admin)


@bp.get("/rectifications")
@login_required
def rectifications():
    member = _member()
    if not member.is_admin:
        abort(403)
    rows = db.session.scalars(db.select(Rectification).where(
        policy.scope(current_user, policy.READ, Rectification))
        .order_by(Rectification.status.desc(), Rectification.deadline, Rectification.id)).all()
    return render_template("supervision/rectifications.html", rows=rows)


@bp.route("/rectifications/<int:item_id>", methods=["GET", "POST"])
@login_required
def rectification(item_id: int):
    item = policy.require(current_user, Rectification, item_id)
    may_change = policy.can(current_user, policy.CHANGE, item)
    errors: dict = {}
    if request.method == "POST":
        item = policy.require(current_user, Rectification, item_id, policy.CHANGE)
        try:
            evidence = _uploads("evidence", item.inspection.case_id, "整改材料")
            inspection.update_rectification(current_user, item, {
                "deadline": request.form.get("deadline"), "measures": request.form.get("measures", ""),
                "evidence_ids": item.evidence_ids + evidence}, close=request.form.get("action") == "close")
        except ApiError as exc:
            errors = _refused(exc)
        else:
            db.session.commit()
            flash("整改项已关闭。" if item.status == "closed" else "整改信息已保存。", "success")
            return redirect(url_for("supervision.rectification", item_id=item.id))
    node = inspection.checklist(item.inspection.checklist_province, item.inspection.checklist_version,
                                [item.item_code.split(".")[0]])
    text = next((i.name for a in node for g in a.groups for _, items in g.sections for i in items
                 if i.code == item.item_code), item.item_code)
    return render_template("supervision/rectification.html", item=item, text=text, errors=errors,
                           may_change=may_change and item.status == "open"), 400 if errors else 200


# --- S4 记分录入 -------------------------------------------------------------------------------

@bp.get("/scoring")
@login_required
def scoring():
    member = _member("scoring")
    name, id_number = request.args.get("name", ""), request.args.get("id_number", "")
    found, error = [], None
    if "name" in request.args or "id_number" in request.args:
        try:
            found = demerit.search_persons(member.unit, name, id_number)
        except ApiError as exc:
            error = exc.message
    return render_template("supervision/scoring.html", found=found, error=error, args=request.args), \
        422 if error else 200


@bp.route("/persons/new", methods=["GET", "POST"])
@bp.route("/persons/<int:person_id>", methods=["GET", "POST"])
@login_required
def person_edit(person_id: int | None = None):
    member = _member("scoring")
    person = policy.require(current_user, ScoredPerson, person_id, policy.CHANGE) if person_id else None
    errors: dict = {}
    data = {k: getattr(person, k) for k in ("name", "gender", "id_number", "title", "scope",
                                             "certificate_number")} if person else {}
    if request.method == "POST":
        data = {k: request.form.get(k, "") for k in ("name", "gender", "id_number", "title", "scope",
                                                     "certificate_number")}
        try:
            saved = demerit.save_person(current_user, member.unit, data, person)
        except ApiError as exc:
            errors = _refused(exc)
        else:
            db.session.commit()
            flash("人员已保存。", "success")
            return redirect(url_for("supervision.scoring", id_number=saved.id_number))
    return render_template("supervision/person.html", person=person, data=data, errors=errors,
                           genders=GENDERS, titles=TITLES), 400 if errors else 200


def _rules_by_article(report_province: str) -> tuple[str, list[tuple[str, list]]]:
    _, version, rules = demerit.rule_set(report_province)
    articles: list[tuple[str, list]] = []
    for r in rules:
        if not articles or articles[-1][0] != r.article:
            articles.append((r.article, []))
        articles[-1][1].append(r)
    return version, articles


def _report_form(person: ScoredPerson, report: DemeritReport | None, errors: dict, chosen: list[str]):
    version, articles = _rules_by_article(person.unit.province_code)
    return render_template("supervision/score.html", person=person, report=report, errors=errors,
                           articles=articles, chosen=chosen, version=version), 400 if errors else 200


@bp.route("/persons/<int:person_id>/score", methods=["GET", "POST"])
@login_required
def score(person_id: int):
    """不良记分录入: 暂存 or 确认上报; an article is required for both."""
    member = _member("scoring")
    person = policy.require(current_user, ScoredPerson, person_id)
    chosen = request.form.getlist("rule_codes")
    errors: dict = {}
    if request.method == "POST":
        def write() -> DemeritReport:
            report = demerit.start(current_user, member, person, {"rule_codes": chosen})
            report.attachment_ids = _uploads("attachments", report.case_id, "记分材料")
            return report
        done, errors = _report_written(write)
        if done is not None:
            return done
    return _report_form(person, None, errors, chosen)


def _report_written(write):
    """暂存 commits the written report, 确认上报 submits it too (both or neither); a refusal
    gives its field errors."""
    try:
        report = write()
        if request.form.get("action") == "submit":
            demerit.submit(current_user, report)
        else:
            db.session.commit()
    except ApiError as exc:
        return None, _refused(exc)
    flash("记分已确认上报。" if report.status == "submitted" else "记分已暂存。", "success")
    return redirect(url_for("supervision.demerit_detail", report_id=report.id)), {}


@bp.route("/demerits/<int:report_id>/edit", methods=["GET", "POST"])
@login_required
def demerit_edit(report_id: int):
    report = policy.require(current_user, DemeritReport, report_id)
    if report.status != "draft" or report.scorer_id != current_user.id:
        flash(demerit.IMMUTABLE if report.status != "draft" else "只能修改自己录入的暂存记录", "error")
        return redirect(url_for("supervision.demerit_detail", report_id=report_id))
    chosen = request.form.getlist("rule_codes") if request.method == "POST" else report.rule_codes
    errors: dict = {}
    if request.method == "POST":
        def write() -> DemeritReport:
            added = _uploads("attachments", report.case_id, "记分材料")
            demerit.save(current_user, report, {"rule_codes": chosen,
                                                "attachment_ids": report.attachment_ids + added})
            return report
        done, errors = _report_written(write)
        if done is not None:
            return done
    return _report_form(report.person, report, errors, chosen)


@bp.post("/demerits/<int:report_id>/delete")
@login_required
def demerit_delete(report_id: int):
    return _delete(demerit.DRAFTS, report_id, url_for("supervision.demerit_detail", report_id=report_id),
                   "暂存的记分记录已删除。", "supervision.demerits")


# --- S4 记分记录 -------------------------------------------------------------------------------

@bp.get("/demerits")
@login_required
def demerits():
    member = member_of(current_user)
    if member is None and current_user.kind not in ("administration", "staff"):
        abort(404)
    args = _args()
    if member is not None and not member.is_admin:
        args["mine"] = "1"  # 仅能查询自己录入的记分记录
    error, rows, cursor = None, [], None
    try:
        rows, cursor = queries.page(queries.demerits(current_user, args), DemeritReport.scored_on,
                                    DemeritReport.id, args["cursor"] or None, PAGE)
    except ApiError as exc:
        error = exc.message
    return render_template("supervision/demerits.html", rows=rows, cursor=cursor, args=args,
                           error=error, member=member), 422 if error else 200


@bp.get("/demerits/<int:report_id>")
@login_required
def demerit_detail(report_id: int):
    report = policy.require(current_user, DemeritReport, report_id)
    today = inspection.beijing_today()
    cycle = demerit.cycle_of(report.rule_province)
    return render_template("supervision/demerit_detail.html", report=report, person=report.person,
                           rules=demerit.rules_of(report),
                           cycle_points=demerit.points_in_cycle(report.person_id, today, cycle),
                           is_author=report.scorer_id == current_user.id)


# --- files of a record -----------------------------------------------------------------------

def _record_documents(kind: str, record_id: int) -> set[int]:
    if kind == "inspection":
        rec = policy.require(current_user, SelfInspection, record_id)
        return {d for a in rec.answers for d in a.photo_ids or []}
    if kind == "rectification":
        return set(policy.require(current_user, Rectification, record_id).evidence_ids or [])
    if kind == "demerit":
        return set(policy.require(current_user, DemeritReport, record_id).attachment_ids or [])
    abort(404)


@bp.get("/files/<kind>/<int:record_id>/<int:document_id>")
@login_required
def record_file(kind: str, record_id: int, document_id: int):
    """A photo of a record, for whoever reads the record (点击图片可放大查看)."""
    if document_id not in _record_documents(kind, record_id):
        abort(404)
    doc = db.session.get(Document, document_id)
    return send_file(file_path(doc), mimetype=doc.media_type, download_name=doc.filename)

