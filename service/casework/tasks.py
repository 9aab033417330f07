"""The task form page: show a work item's form, save a draft, submit it to the engine.

The engine validates and decides; this page only turns the browser's form into JSON, stores
uploads, and shows the engine's Chinese field errors beside the fields, keeping the input.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from service.access.models import Account
from service.casework import common as casework
from service.casework import task_view
from service.casework.schema_forms import EXTRA_ROWS, MORE_ROWS, error_label, merge_errors, parse
from service.core.errors import ApiError
from service.core.extensions import db
from service.core.params import to_int
from service.documents import DocumentError, store_upload
from service.engine import forms, plugins, runtime
from service.engine.models import WorkItem
from service.engine.routing import may_act

bp = Blueprint("task_forms", __name__, url_prefix="/tasks")


def _item(item_id: int) -> WorkItem:
    try:
        return runtime.open_item(current_user, item_id)
    except ApiError as exc:
        casework.page_abort(exc)
        raise  # unreachable: abort raised


def _render(item: WorkItem, view: task_view.FormView, status: int = 200):
    case = item.case
    note, overdue = casework.deadline_note(item.deadline)
    claimed_by_other = item.assignee_id not in (None, current_user.id)
    return render_template(
        "tasks/form.html", item=item, case=case, view=view, deadline_note=note, overdue=overdue,
        process_name=case.deployed.name, may_act=may_act(current_user, item),
        claimed_by_other=claimed_by_other, shared=shared_with_others(item),
        notes=plugins.task_notes(item, view.values),
    ), status


def shared_with_others(item: WorkItem) -> bool:
    """Whether someone besides the current user could act on the item: only then is claiming
    it (to keep colleagues off) worth offering. A person's own task never is."""
    if item.organisation_kind not in ("administration", "institution"):
        return False
    column = Account.administration_id if item.organisation_kind == "administration" \
        else Account.institution_id
    others = db.session.scalars(select(Account).where(
        column == item.organisation_id, Account.is_enabled.is_(True), Account.id != current_user.id))
    return any(may_act(other, item) for other in others)


def _extra_rows(schema: dict) -> dict[str, int]:
    """Empty table rows to draw: as many as before, five more for the table whose "增加行"
    button was pressed (the no-JavaScript way to grow a roster)."""
    extra = {}
    for name in schema.get("properties", {}):
        raw = request.form.get(f"{name}-extra", "")
        rows = to_int(raw)
        extra[name] = min(rows, 200) if rows is not None else EXTRA_ROWS
    action = request.form.get("action", "")
    if action.startswith("add_rows:") and action[9:] in extra:
        extra[action[9:]] += MORE_ROWS
    return extra


def _store_uploads(item: WorkItem, schema: dict, data: dict) -> dict[str, list[str]]:
    """Store the files chosen in each document field and add their ids to the data."""
    errors: dict[str, list[str]] = {}
    for name in forms.document_fields(schema):
        # a returned material: the new file replaces the old one unless the box was unticked
        replace = request.form.get(f"{name}-replace") == "1"
        for upload in request.files.getlist(f"{name}-upload"):
            if not upload or not upload.filename:
                continue
            try:
                doc = store_upload(current_user, upload, case_id=item.case_id, kind=name)
            except DocumentError as exc:
                errors.setdefault(name, []).append(f"{upload.filename}：{exc.message}")
                continue
            if replace:
                data[name], replace = [doc.id], False  # the old file stays in the history
            elif schema["properties"][name].get("maxItems") == 1:
                data[name] = [doc.id]  # a single-file field (a photo): the last upload wins
            else:
                data.setdefault(name, []).append(doc.id)
    # Kept even if the submission is refused below: the page offers them again, so nobody
    # has to choose the same files twice.
    db.session.commit()
    return errors


def _phrase(label: str) -> str:
    """A decision's label as what was done: 退回修改 -> 已退回修改, 不予注册 -> 已决定不予注册."""
    if label.startswith("不予"):
        return "已决定" + label
    if label.startswith(("退回", "准予", "同意", "确认", "批准")):
        return "已" + label
    return label


def done_message(item: WorkItem, schema: dict, data: dict) -> str:
    """What the step just did, in the words of its form, and where the case goes next."""
    title = casework.task_title(item.case, item.task)
    if "decision" in data:
        text = f"{title}：{_phrase(casework.label_of(schema, 'decision', data['decision']))}。"
    else:
        text = f"已提交“{title}”。"
    nxt = [i.title for i in db.session.scalars(select(WorkItem).where(
        WorkItem.case_id == item.case_id, WorkItem.status == "open").order_by(WorkItem.id))]
    if nxt:
        return text + f"下一环节：{'、'.join(nxt)}。"
    return text + ("业务已办结。" if item.case.status != "open" else "")


def _keep_as_draft(item: WorkItem, data: dict) -> None:
    """A refused submission is kept as the draft: leaving and coming back loses no upload."""
    runtime.save_draft(current_user, item.id, data)


@bp.get("/<int:item_id>")
@login_required
def form(item_id: int):
    item = _item(item_id)
    if item.status != "open":
        flash("此环节已办理，无需再次办理；业务的当前进度见下方。", "info")
        return redirect(url_for("cases.show", case_id=item.case_id))
    return _render(item, task_view.build(item))


@bp.post("/<int:item_id>")
@login_required
def submit(item_id: int):
    item = _item(item_id)
    if item.status != "open":
        flash("此环节已办理，无需再次提交。", "warning")
        return redirect(url_for("inbox.index"), 303)
    schema = item.case.deployed.form(item.form)
    data, parse_errors = parse(schema, request.form)
    upload_errors = _store_uploads(item, schema, data)
    action = request.form.get("action", "submit")
    extra = _extra_rows(schema)

    if action.startswith("add_rows:"):
        return _render(item, task_view.build(item, data, upload_errors, extra))
    try:
        if action == "draft":
            runtime.save_draft(current_user, item.id, data)
            flash("草稿已保存，可随时回到本页继续填写。" + ("部分文件未能上传，请查看提示。" if upload_errors else ""),
                  "warning" if upload_errors else "success")
            pending = merge_errors(parse_errors, forms.validate(schema, data))
            if pending:
                # a draft may hold anything; say now what a submission would refuse
                flash(f"以下 {len(pending)} 项提交时将不能通过，请在提交前修改："
                      + "；".join(f"{error_label(schema, k)}（{v[0]}）" for k, v in pending.items()),
                      "warning")
            if upload_errors:
                return _render(item, task_view.build(item, data, upload_errors, extra), 422)
            return redirect(url_for("task_forms.form", item_id=item.id), 303)
        if parse_errors or upload_errors:
            # Do not submit with a file missing; show every problem of the form at once.
            errors = merge_errors(upload_errors, parse_errors, forms.validate(schema, data))
            _keep_as_draft(item, data)
            return _render(item, task_view.build(item, data, errors, extra), 422)
        case = runtime.complete(current_user, item.id, data)
    except ApiError as exc:
        db.session.rollback()
        if exc.status == 422:
            _keep_as_draft(item, data)
            return _render(item, task_view.build(item, data, exc.fields, extra), 422)
        if exc.status == 409:
            flash(exc.message, "warning")
            return redirect(url_for("inbox.index"), 303)
        casework.page_abort(exc)
        raise
    flash(done_message(item, schema, data), "success")
    return redirect(url_for("cases.show", case_id=case.id), 303)
