"""The designer's pages: processes, versions with downloads and diffs, the modeler with its
form editor, and the bulk migration of a version's open cases (dry run first)."""
from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from service.access.models import ROLES
from service.casework.task_view import FormView
from service.core.errors import ApiError
from service.core.params import to_int
from service.designer import access, diff, sources, versions
from service.designer.migrations import migrate_all, open_case_ids
from service.engine import plugins
from service.engine.definitions import DefinitionError
from service.engine.validation import Report, check_forms

bp = Blueprint("designer", __name__, url_prefix="/designer")


@bp.before_request
@login_required
def _designers_only():
    if not access.may_design(current_user):
        abort(403)


def _version_or_404(process_id: str, number: int):
    try:
        return versions.version(process_id, number)
    except ApiError:
        abort(404)


def _rows_or_404(process_id: str):
    try:
        return versions.versions_of(process_id)
    except ApiError:
        abort(404)


@bp.get("/")
def index():
    return render_template("designer/index.html", processes=versions.processes())


@bp.get("/<process_id>")
def process(process_id: str):
    rows = _rows_or_404(process_id)
    return render_template("designer/process.html", process_id=process_id, rows=rows,
                           latest=rows[0].definition)


@bp.get("/<process_id>/versions/<int:number>/process.bpmn")
def download_bpmn(process_id: str, number: int):
    d = _version_or_404(process_id, number)
    return Response(d.bpmn_xml, mimetype="application/xml", headers={
        "Content-Disposition": f'attachment; filename="{process_id}_v{number}.bpmn"'})


@bp.get("/<process_id>/versions/<int:number>/forms.zip")
def download_forms(process_id: str, number: int):
    d = _version_or_404(process_id, number)
    return Response(sources.forms_zip(d.forms), mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{process_id}_v{number}_forms.zip"'})


@bp.get("/<process_id>/versions/<int:number>/source.json")
def source(process_id: str, number: int):
    d = _version_or_404(process_id, number)
    return jsonify({"id": d.process_id, "version": d.version, "bpmn": d.bpmn_xml, "forms": d.forms})


@bp.get("/catalog.json")
def catalog():
    """What the modeler's properties panel offers: the engine's plug-in table and the roles."""
    return jsonify({
        "lanes": [{"value": k, "label": f"{v}（{k}）"} for k, v in sorted(plugins.lane_labels().items())],
        "actions": sorted(plugins.known_actions()), "routes": sorted(plugins.known_routes()),
        "checks": sorted(plugins.known_checks()), "prefills": sorted(plugins.known_prefills()),
        "roles": [{"value": k, "label": f"{v}（{k}）"} for k, v in ROLES.items()],
    })


@bp.get("/<process_id>/edit")
def edit(process_id: str):
    rows = _rows_or_404(process_id)
    number = to_int(request.args.get("version", ""), minimum=1) or rows[0].definition.version
    d = _version_or_404(process_id, number)
    return render_template("designer/edit.html", definition=d, latest=rows[0].definition)


def _source_from_json(process_id: str) -> sources.Source:
    """The page's BPMN text and forms, for the process the page edits."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("bpmn"), str) \
            or not isinstance(body.get("forms", {}), dict):
        raise DefinitionError({"bpmn": ["请求须包含 bpmn（文本）与 forms（对象）"]})
    source = sources.from_text(body["bpmn"], body.get("forms", {}))
    if source.process_id != process_id:
        raise DefinitionError({"bpmn": [
            f"流程标识已改为 {source.process_id}，请在原流程中保留标识 {process_id}"]})
    return source


def _report(exc: DefinitionError, status: int = 422):
    return jsonify({"ok": False, "report": exc.fields, "problems": exc.problems}), status


@bp.post("/<process_id>/validate")
def validate(process_id: str):
    try:
        versions.validate(_source_from_json(process_id))
    except DefinitionError as exc:
        return _report(exc, 200)
    return jsonify({"ok": True, "report": {}, "problems": []})


@bp.post("/<process_id>/deploy")
def deploy(process_id: str):
    try:
        definition, created = versions.deploy(_source_from_json(process_id), current_user)
    except DefinitionError as exc:
        return _report(exc)
    return jsonify({"ok": True, "version": definition.version, "created": created,
                    "hash": definition.content_hash,
                    "url": url_for("designer.process", process_id=process_id)})


@bp.post("/forms/preview")
def form_preview():
    """A form as the task page draws it, with the same macros (an empty submission)."""
    body = request.get_json(silent=True)
    schema = body.get("schema") if isinstance(body, dict) else None
    if not isinstance(schema, dict):
        return jsonify({"ok": False, "problems": ["表单须为 JSON 对象"]})
    found = Report()
    check_forms(found, {"form": schema})
    if found.fields:
        return jsonify({"ok": False, "problems": found.fields["forms/form"]})
    return jsonify({"ok": True, "html": render_template("designer/_preview.html",
                                                        view=FormView(schema, {}))})


@bp.get("/<process_id>/diff")
def compare(process_id: str):
    rows = _rows_or_404(process_id)
    numbers = [to_int(request.args.get(k, ""), minimum=1) for k in ("from", "to")]
    if None in numbers:
        newest = rows[0].definition.version
        return redirect(url_for("designer.compare", process_id=process_id,
                                **{"from": max(1, newest - 1), "to": newest}))
    old, new = (_version_or_404(process_id, n) for n in numbers)
    result = diff.compare(old.bpmn_xml, old.forms, new.bpmn_xml, new.forms)
    return render_template("designer/diff.html", process_id=process_id, old=old, new=new,
                           diff=result, rows=rows)


@bp.route("/<process_id>/migrate", methods=["GET", "POST"])
def migrate(process_id: str):
    rows = _rows_or_404(process_id)
    newest = rows[0].definition.version
    choices = [r.definition.version for r in rows]
    source_version = to_int(request.values.get("from", ""), minimum=1) or \
        next((r.definition.version for r in rows[1:] if r.open_cases), None)
    target = to_int(request.values.get("to", ""), minimum=1) or newest
    result = None
    if request.method == "POST":
        if source_version not in choices or target not in choices or target <= source_version:
            flash("请选择一个旧版本和一个更新的目标版本", "error")
        else:
            dry_run = request.form.get("action") != "migrate"
            result = migrate_all(current_user, process_id, source_version, target, dry_run=dry_run)
            if not dry_run:
                flash(f"已将 {result.moved} 件业务迁移到第 {target} 版"
                      + (f"，{result.refused} 件不能迁移（见下表原因）" if result.refused else ""),
                      "success")
    pending = len(open_case_ids(process_id, source_version)) if source_version in choices else 0
    return render_template("designer/migrate.html", process_id=process_id, rows=rows,
                           source_version=source_version, target=target, result=result,
                           pending=pending, name=rows[0].definition.name)
