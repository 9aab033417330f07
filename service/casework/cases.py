"""Case pages: start a business (发起业务), the case page, withdrawal, document previews.

The audit page lives in ``case_audit.py`` on the same blueprint; print-outs are added to it by
the domains that own them (listed on the case page through the engine's print-out table).
"""
from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select

from service.casework import case_page, case_progress
from service.casework import common as casework
from service.core.errors import ApiError
from service.core.extensions import db
from service.core.params import to_id, to_int
from service.documents import Document, DocumentError, can_read, page_png
from service.documents.service import file_path
from service.engine import definitions, events, plugins, runtime
from service.engine.models import Case, WorkItem
from service.engine.routing import may_act

bp = Blueprint("cases", __name__, url_prefix="/cases")

PREVIEW_WIDTHS = (600, 900, 1200)


def _startable() -> list:
    lane = plugins.start_lane(current_user.kind)
    return [d for d in definitions.all_latest() if lane and lane in (d.startable_by or [])]


def _subject() -> dict | None:
    if current_user.kind == "institution" and current_user.institution_id is not None:
        return {"institution_id": current_user.institution_id}
    return None


@bp.get("/new")
@login_required
def new():
    processes = _startable()
    subject = _subject()
    running = {}
    if subject and processes:
        # seed 001: an institution that already applied is shown its application instead
        for case in db.session.scalars(select(Case).where(
                Case.subject_institution_id == subject["institution_id"], Case.status == "open",
                Case.process_id.in_([d.process_id for d in processes
                                     if not plugins.get_process_info(d.process_id).for_person]))):
            running.setdefault(case.process_id, case)
    info = {d.process_id: plugins.get_process_info(d.process_id) for d in processes}
    kinds = {i.for_person for i in info.values() if i.for_person}
    people = {k: plugins.persons_of(k, subject["institution_id"]) for k in kinds} if subject else {}
    return render_template("cases/new.html", processes=processes, info=info, running=running,
                           may_start=subject is not None, people=people,
                           lane_labels=plugins.lane_labels())


@bp.post("/new")
@login_required
def start():
    process_id = request.form.get("process", "")
    subject = _subject()
    if subject is None or process_id not in {d.process_id for d in _startable()}:
        abort(404)
    kind = plugins.get_process_info(process_id).for_person
    if kind:
        person_id = to_id(request.form.get(f"{kind}_id"))
        if person_id is None:
            flash(f"请选择办理业务的{plugins.lane_labels().get(kind, '人员')}。", "error")
            return redirect(url_for("cases.new"), 303)
        subject[f"{kind}_id"] = person_id
    try:
        case = runtime.start(current_user, process_id, subject)
    except ApiError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("cases.new"), 303)
    return casework.to_started_case(current_user, case)


@bp.get("/<int:case_id>")
@login_required
def show(case_id: int):
    case = casework.readable_case(current_user, case_id)
    history = events.events_of(case.id)
    open_items = list(db.session.scalars(select(WorkItem).where(
        WorkItem.case_id == case.id, WorkItem.status == "open").order_by(WorkItem.id)))
    return render_template(
        "cases/show.html", case=case, history=case_page.history_rows(case, history),
        diagram=case_progress.diagram(case, open_items, history), open_items=open_items,
        actionable={i.id for i in open_items if may_act(current_user, i, read_only=True)},
        documents=case_page.attached_documents(case, history),
        rounds=case_page.review_rounds(case, history),
        may_withdraw=case_page.may_withdraw(current_user, case, open_items),
        may_audit=case_page.may_audit(current_user),
        printouts=plugins.printouts(current_user, case, history),
        deadline_note=casework.deadline_note,
    )


@bp.post("/<int:case_id>/withdraw")
@login_required
def withdraw(case_id: int):
    case = casework.readable_case(current_user, case_id)
    reason = request.form.get("reason", "").strip()
    if not reason:
        flash("请填写撤回原因。", "error")
        return redirect(url_for("cases.show", case_id=case.id, _anchor="withdraw"), 303)
    try:
        runtime.withdraw(current_user, case, reason[:500])
    except ApiError as exc:
        db.session.rollback()
        flash(exc.message, "warning")
        return redirect(url_for("cases.show", case_id=case_id), 303)
    flash("业务已撤回。", "success")
    return redirect(url_for("cases.show", case_id=case_id), 303)


def _document(document_id: int) -> Document:
    doc = db.session.get(Document, document_id) if 0 < document_id < 2**31 else None
    if doc is None or not can_read(current_user, doc):
        abort(404)
    return doc


def _private(response: Response) -> Response:
    response.cache_control.private = True
    response.cache_control.public = False
    return response


@bp.get("/documents/<int:document_id>")
@login_required
def document(document_id: int):
    """Every page of a document, one image under the other (seed 001 Q5: nothing hidden)."""
    doc = _document(document_id)
    width = to_int(request.args.get("width"))
    width = width if width in PREVIEW_WIDTHS else 900
    return render_template("cases/document.html", doc=doc, width=width, widths=PREVIEW_WIDTHS)


@bp.get("/documents/<int:document_id>/pages/<int:page>.png")
@login_required
def document_page(document_id: int, page: int):
    doc = _document(document_id)
    width = to_int(request.args.get("width", "900"))
    if width not in PREVIEW_WIDTHS:
        abort(400)
    try:
        data = page_png(doc, page, width)
    except DocumentError as exc:
        abort(exc.status)
    response = Response(data, mimetype="image/png")
    response.set_etag(f"{doc.sha256}.p{page}.w{width}")
    return _private(response.make_conditional(request))


@bp.get("/documents/<int:document_id>/content")
@login_required
def document_content(document_id: int):
    doc = _document(document_id)
    path = file_path(doc)
    if not path.is_file():
        abort(404)
    return _private(send_file(path, mimetype=doc.media_type, download_name=doc.filename,
                              etag=doc.sha256, conditional=True, max_age=0))
