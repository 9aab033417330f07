"""S3 and S4 over REST: self-inspections with their answers and rectifications, scored
persons, demerit reports, threshold crossings. Submitted records refuse every change (409
``immutable``); records outside the caller's read scope answer 404."""
from __future__ import annotations

from apispec import APISpec
from flask import jsonify, request

from service.access import policy
from service.api.v1 import bp
from service.api.v1.common import authenticated, caller, json_object, list_limit
from service.api.v1.openapi import path_param, responses, section
from service.core.errors import ApiError
from service.core.extensions import db
from service.core.masking import mask_id
from service.supervision import demerit, inspection, queries
from service.supervision.access import member_of
from service.supervision.catalogue import ChecklistNode
from service.supervision.models import (
    DemeritReport,
    Rectification,
    ScoredPerson,
    SelfInspection,
    SupervisionMember,
    ThresholdCrossing,
)


def _member() -> SupervisionMember:
    member = member_of(caller())
    if member is None or member.unit.status != "active":
        raise ApiError(403, "仅审核通过的医疗机构人员可以使用")
    return member


def dump_inspection(rec: SelfInspection, answers: bool = False) -> dict:
    out = {"id": rec.id, "unit_id": rec.unit_id, "unit": rec.unit.name,
           "division_code": rec.division_code, "inspector": rec.inspector.display_name,
           "groups": rec.groups, "comprehensive": rec.comprehensive, "status": rec.status,
           "inspected_on": rec.inspected_on.isoformat(), "case_id": rec.case_id,
           "checklist": f"{rec.checklist_province}/{rec.checklist_version}",
           "submitted_at": rec.submitted_at.isoformat() if rec.submitted_at else None}
    if answers:
        out["answers"] = {a.item_code: {"answer": a.answer, "photo_ids": a.photo_ids, "note": a.note}
                          for a in rec.answers}
    return out


def dump_rectification(r: Rectification) -> dict:
    item = db.session.get(ChecklistNode, (r.inspection.checklist_province,
                                          r.inspection.checklist_version, r.item_code))
    return {"id": r.id, "inspection_id": r.inspection_id, "unit_id": r.unit_id,
            "item_code": r.item_code, "item": item.name if item else r.item_code,
            "deadline": r.deadline.isoformat(), "measures": r.measures,
            "evidence_ids": r.evidence_ids, "status": r.status,
            "closed_at": r.closed_at.isoformat() if r.closed_at else None}


def dump_person(p: ScoredPerson) -> dict:
    return {"id": p.id, "name": p.name, "gender": p.gender, "id_number": mask_id(p.id_number),
            "title": p.title, "category": p.category, "scope": p.scope,
            "certificate_number": p.certificate_number, "unit_id": p.unit_id}


def dump_report(r: DemeritReport) -> dict:
    return {"id": r.id, "person": dump_person(r.person), "unit_id": r.unit_id,
            "unit": r.unit.name, "division_code": r.division_code,
            "rule_set": f"{r.rule_province}/{r.rule_version}", "rule_codes": r.rule_codes,
            "points": r.points, "attachment_ids": r.attachment_ids, "status": r.status,
            "scored_on": r.scored_on.isoformat(), "scorer": r.scorer.display_name,
            "case_id": r.case_id}


def dump_crossing(c: ThresholdCrossing) -> dict:
    return {"id": c.id, "person": dump_person(c.person), "threshold": c.threshold,
            "points": c.points, "cycle_from": c.cycle_from.isoformat(), "case_id": c.case_id,
            "measure": c.measure, "comment": c.comment,
            "decided_at": c.decided_at.isoformat() if c.decided_at else None}


def _page(stmt, date_column, id_column, dump) -> dict:
    rows, cursor = queries.page(stmt, date_column, id_column, request.args.get("cursor"), list_limit())
    return jsonify({"items": [dump(r) for r in rows], "next_cursor": cursor})


# --- S3 --------------------------------------------------------------------------------------

@bp.get("/supervision/checklist")
@authenticated
def supervision_checklist():
    """The items of the caller's self-inspection scope, area → group → section → item."""
    member = _member()
    unit = member.unit
    tree = inspection.checklist(unit.checklist_province, unit.checklist_version,
                                member.scope if member.scope else unit.scope)
    return jsonify({"checklist": f"{unit.checklist_province}/{unit.checklist_version}", "areas": [
        {"code": a.code, "name": a.name, "groups": [
            {"code": g.code, "name": g.name, "sections": [
                {"name": s, "items": [{"code": i.code, "name": i.name, "basis": i.basis} for i in items]}
                for s, items in g.sections]} for g in a.groups]} for a in tree]})


@bp.post("/supervision/inspections")
@authenticated
def inspection_create():
    """自查填报: a draft (暂存) with the answers given, or submitted at once (``submit``)."""
    body = json_object()
    rec = inspection.start(caller(), _member())
    inspection.save(caller(), rec, body.get("answers") or {})
    if body.get("submit"):
        inspection.submit(caller(), rec)  # commits the draft and the submission, or neither
    else:
        db.session.commit()
    return jsonify(dump_inspection(rec, answers=True)), 201


@bp.get("/supervision/inspections")
@authenticated
def inspection_list():
    stmt = queries.inspections(caller(), request.args)
    return _page(stmt, SelfInspection.inspected_on, SelfInspection.id, dump_inspection)


@bp.get("/supervision/inspections/<int:record_id>")
@authenticated
def inspection_detail(record_id: int):
    return jsonify(dump_inspection(_inspection(record_id), answers=True))


def _record(model: type, immutable: str, record_id: int, action: str = policy.READ):
    """A record in the caller's scope (404 outside it); a change of a submitted one is 409."""
    record = policy.require(caller(), model, record_id)
    if action != policy.READ and record.status != "draft":
        raise ApiError(409, immutable, code="immutable")
    return policy.require(caller(), model, record_id, action)


def _inspection(record_id: int, action: str = policy.READ) -> SelfInspection:
    return _record(SelfInspection, inspection.IMMUTABLE, record_id, action)


@bp.put("/supervision/inspections/<int:record_id>")
@authenticated
def inspection_save(record_id: int):
    rec = _inspection(record_id, policy.CHANGE)
    inspection.save(caller(), rec, json_object().get("answers") or {})
    db.session.commit()
    return jsonify(dump_inspection(rec, answers=True))


@bp.post("/supervision/inspections/<int:record_id>/submit")
@authenticated
def inspection_submit(record_id: int):
    rec = _inspection(record_id, policy.CHANGE)
    inspection.submit(caller(), rec)
    return jsonify(dump_inspection(rec, answers=True))


@bp.delete("/supervision/inspections/<int:record_id>")
@authenticated
def inspection_delete(record_id: int):
    inspection.delete(caller(), _inspection(record_id, policy.CHANGE))
    return "", 204


@bp.get("/supervision/rectifications")
@authenticated
def rectification_list():
    stmt = db.select(Rectification).where(policy.scope(caller(), policy.READ, Rectification))
    if request.args.get("status") in ("open", "closed"):
        stmt = stmt.where(Rectification.status == request.args["status"])
    if (inspection_id := request.args.get("inspection_id", "")).isdigit():
        stmt = stmt.where(Rectification.inspection_id == int(inspection_id))
    rows = db.session.scalars(stmt.order_by(Rectification.deadline, Rectification.id).limit(list_limit()))
    return jsonify({"items": [dump_rectification(r) for r in rows], "next_cursor": None})


@bp.patch("/supervision/rectifications/<int:item_id>")
@authenticated
def rectification_update(item_id: int):
    """The administrator sets deadline, measures, evidence; ``close`` closes the item."""
    item = policy.require(caller(), Rectification, item_id)
    item = policy.require(caller(), Rectification, item_id, policy.CHANGE)
    body = json_object()
    inspection.update_rectification(caller(), item, body, close=bool(body.get("close")))
    db.session.commit()
    return jsonify(dump_rectification(item))


# --- S4 --------------------------------------------------------------------------------------

@bp.get("/supervision/rules")
@authenticated
def demerit_rules():
    """The province's rule set in force (articles with points) and its thresholds."""
    unit = _member().unit
    province, version, rules = demerit.rule_set(unit.province_code)
    return jsonify({"province": province, "version": version, "items": [
        {"code": r.code, "article": r.article, "item_no": r.item_no, "description": r.description,
         "points": r.points} for r in rules]})


@bp.get("/supervision/persons")
@authenticated
def person_search():
    unit = _member().unit
    found = demerit.search_persons(unit, request.args.get("name", ""), request.args.get("id_number", ""))
    return jsonify({"items": [dump_person(p) for p in found], "next_cursor": None})


@bp.post("/supervision/persons")
@authenticated
def person_create():
    member = _member()
    person = demerit.save_person(caller(), member.unit, json_object())
    db.session.commit()
    return jsonify(dump_person(person)), 201


@bp.put("/supervision/persons/<int:person_id>")
@authenticated
def person_update(person_id: int):
    member = _member()
    person = policy.require(caller(), ScoredPerson, person_id, policy.CHANGE)
    demerit.save_person(caller(), member.unit, json_object(), person)
    db.session.commit()
    return jsonify(dump_person(person))


@bp.get("/supervision/persons/<int:person_id>/points")
@authenticated
def person_points(person_id: int):
    """The person's points in the rolling 12 months ending today."""
    person = policy.require(caller(), ScoredPerson, person_id)
    today, cycle = inspection.beijing_today(), demerit.cycle_of(person.unit.province_code)
    return jsonify({"person_id": person.id, "from": demerit.cycle_start(today, cycle).isoformat(),
                    "to": today.isoformat(), "points": demerit.points_in_cycle(person.id, today, cycle)})


@bp.post("/supervision/demerits")
@authenticated
def demerit_create():
    """不良记分录入: 暂存 (a draft) or 确认上报 (``submit``); an article is required for both."""
    body = json_object()
    member = _member()
    person_id = body.get("person_id")
    person = policy.require(caller(), ScoredPerson, person_id if isinstance(person_id, int) else 0)
    report = demerit.start(caller(), member, person, body)
    if body.get("submit"):
        demerit.submit(caller(), report)  # commits the draft and the submission, or neither
    else:
        db.session.commit()
    return jsonify(dump_report(report)), 201


@bp.get("/supervision/demerits")
@authenticated
def demerit_list():
    stmt = queries.demerits(caller(), request.args)
    return _page(stmt, DemeritReport.scored_on, DemeritReport.id, dump_report)


def _report(report_id: int, action: str = policy.READ) -> DemeritReport:
    return _record(DemeritReport, demerit.IMMUTABLE, report_id, action)


@bp.get("/supervision/demerits/<int:report_id>")
@authenticated
def demerit_detail(report_id: int):
    report = _report(report_id)
    out = dump_report(report)
    out["articles"] = [{"code": r.code, "article": r.article, "item_no": r.item_no,
                        "description": r.description, "points": r.points}
                       for r in demerit.rules_of(report)]
    return jsonify(out)


@bp.put("/supervision/demerits/<int:report_id>")
@authenticated
def demerit_save(report_id: int):
    report = _report(report_id, policy.CHANGE)
    demerit.save(caller(), report, json_object())
    db.session.commit()
    return jsonify(dump_report(report))


@bp.post("/supervision/demerits/<int:report_id>/submit")
@authenticated
def demerit_submit(report_id: int):
    report = _report(report_id, policy.CHANGE)
    demerit.submit(caller(), report)
    return jsonify(dump_report(report))


@bp.delete("/supervision/demerits/<int:report_id>")
@authenticated
def demerit_delete(report_id: int):
    demerit.delete(caller(), _report(report_id, policy.CHANGE))
    return "", 204


@bp.get("/supervision/thresholds")
@authenticated
def threshold_list():
    rows = db.session.scalars(db.select(ThresholdCrossing).where(
        policy.scope(caller(), policy.READ, ThresholdCrossing))
        .order_by(ThresholdCrossing.id.desc()).limit(list_limit()))
    return jsonify({"items": [dump_crossing(c) for c in rows], "next_cursor": None})


@section
def supervision_record_paths(spec: APISpec, sec: list) -> None:
    def op(summary: str, status: int = 200, params: list | None = None, errors=(400, 401, 404, 409, 422)):
        out = {"summary": summary, "security": sec, "responses": responses({"type": "object"}, status, errors)}
        if params:
            out["parameters"] = params
        return out
    record = path_param("record_id")
    spec.path("/api/v1/supervision/checklist", operations={"get": op("The caller's self-inspection checklist")})
    spec.path("/api/v1/supervision/inspections", operations={
        "post": op("Start a self-inspection: answers, optionally submit (S3)", 201),
        "get": op("Self-inspections in scope: start, end, division, unit_id, item, mine; newest first")})
    spec.path("/api/v1/supervision/inspections/{record_id}", operations={
        "get": op("One self-inspection with its answers", params=record),
        "put": op("暂存: change a draft's answers (409 once submitted)", params=record),
        "delete": op("Delete a draft", 204, record)})
    spec.path("/api/v1/supervision/inspections/{record_id}/submit", operations={
        "post": op("确认上报: every item answered; each 否 becomes a rectification", params=record)})
    spec.path("/api/v1/supervision/rectifications", operations={"get": op("Rectification items in scope")})
    spec.path("/api/v1/supervision/rectifications/{item_id}", operations={
        "patch": op("Deadline, measures, evidence; close", params=path_param("item_id"))})
    spec.path("/api/v1/supervision/rules", operations={"get": op("The province's demerit rule set in force")})
    spec.path("/api/v1/supervision/persons", operations={
        "get": op("Find persons by name or ID number (one required)"),
        "post": op("Add a person (ID valid and unique)", 201)})
    spec.path("/api/v1/supervision/persons/{person_id}", operations={
        "put": op("Edit a person", params=path_param("person_id"))})
    spec.path("/api/v1/supervision/persons/{person_id}/points", operations={
        "get": op("Points in the rolling 12 months", params=path_param("person_id"))})
    report = path_param("report_id")
    spec.path("/api/v1/supervision/demerits", operations={
        "post": op("A demerit report: 暂存 or submit (an article required)", 201),
        "get": op("Demerit reports in scope: name, id_number (fuzzy), start, end, division, mine")})
    spec.path("/api/v1/supervision/demerits/{report_id}", operations={
        "get": op("One demerit report with its articles", params=report),
        "put": op("Change a draft (409 once submitted)", params=report),
        "delete": op("Delete a draft", 204, report)})
    spec.path("/api/v1/supervision/demerits/{report_id}/submit", operations={
        "post": op("确认上报", params=report)})
    spec.path("/api/v1/supervision/thresholds", operations={"get": op("Threshold crossings in scope")})
