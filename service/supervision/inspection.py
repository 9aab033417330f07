"""S3 self_inspection (seed 004 §1.3.2–1.3.3, §1.2.5, §2.2): the inspector answers every item
of her scope 是 / 否 / 合理缺项 with optional photos. 暂存 keeps an editable, deletable draft;
确认上报 completes the engine's ``fill`` task and makes the record immutable; each 否 becomes a
rectification item the institution's administrator follows to closure."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from service.access.models import Account
from service.core.errors import ApiError
from service.core.extensions import db
from service.core.times import SHANGHAI, utcnow
from service.documents.models import Document
from service.documents.service import can_read
from service.engine import runtime
from service.engine.plugins import ActionContext, CheckContext, action, check
from service.supervision.catalogue import ChecklistNode
from service.supervision.drafts import Drafts
from service.supervision.messages import tell
from service.supervision.models import (
    ANSWERS,
    InspectionAnswer,
    Rectification,
    SelfInspection,
    SupervisedUnit,
    SupervisionMember,
)
from service.supervision.processes import open_item

# Assumption (seed/README.md): the seed names no time limit for rectifications; 30 days is the
# default the administrator may change per item.
RECTIFICATION_DAYS = 30
MAX_PHOTOS = 9
IMMUTABLE = "已确认上报的自查记录不可修改"
DRAFTS = Drafts(SelfInspection, "inspector_id", "inspection_id", IMMUTABLE, "只能修改自己填报的暂存记录",
                "请从自查填报开始一次自查", "删除暂存的自查记录")
submit, delete = DRAFTS.submit, DRAFTS.delete
check("sv_inspection_start")(DRAFTS.start_rule)


@dataclass
class Group:
    code: str
    name: str
    sections: list[tuple[str, list[ChecklistNode]]] = field(default_factory=list)


@dataclass
class Area:
    code: str
    name: str
    groups: list[Group] = field(default_factory=list)


def beijing_today(at=None) -> date:
    return (at or utcnow()).astimezone(SHANGHAI).date()


def checklist(province: str, version: str, groups: list[str]) -> list[Area]:
    """The areas → groups → sections → items of ``groups``, in the catalogue's order."""
    nodes = db.session.scalars(select(ChecklistNode).where(
        ChecklistNode.province == province, ChecklistNode.version == version)
        .order_by(ChecklistNode.sort, ChecklistNode.code)).all()
    by_code = {n.code: n for n in nodes}
    areas: dict[str, Area] = {}
    groups_by_code: dict[str, Group] = {}
    for code in sorted(groups, key=lambda c: (by_code[c].parent_code, by_code[c].sort)
                       if c in by_code else ("", 0)):
        node = by_code.get(code)
        if node is None:
            continue
        parent = by_code[node.parent_code]
        area = areas.setdefault(parent.code, Area(parent.code, parent.name))
        group = Group(code, node.name)
        area.groups.append(group)
        groups_by_code[code] = group
    for n in nodes:
        group = groups_by_code.get(n.parent_code or "")
        if n.level == "item" and group is not None:
            if not group.sections or group.sections[-1][0] != (n.section or ""):
                group.sections.append((n.section or "", []))
            group.sections[-1][1].append(n)
    order = {n.code: n.sort for n in nodes}
    return sorted(areas.values(), key=lambda a: order.get(a.code, 0))


def item_codes(rec: SelfInspection) -> list[str]:
    return [item.code for area in checklist(rec.checklist_province, rec.checklist_version, rec.groups)
            for group in area.groups for _, items in group.sections for item in items]


def start(actor: Account, member: SupervisionMember) -> SelfInspection:
    """A new draft over the inspector's scope, and its case (in the caller's transaction)."""
    if "inspection" not in (member.duties or []):
        raise ApiError(403, "您没有医疗机构自查的业务范围")
    unit = member.unit
    rec = SelfInspection(unit_id=unit.id, inspector_id=actor.id, groups=list(member.scope),
                         checklist_province=unit.checklist_province,
                         checklist_version=unit.checklist_version, status="draft",
                         inspected_on=beijing_today(), division_code=unit.division_code,
                         city_code=unit.city_code, province_code=unit.province_code)
    db.session.add(rec)
    db.session.flush()
    rec.answers = [InspectionAnswer(inspection_id=rec.id, item_code=c, photo_ids=[])
                   for c in item_codes(rec)]
    db.session.flush()
    rec.case_id = runtime.start(actor, "self_inspection", {"unit_id": unit.id},
                                {"inspection_id": rec.id}, commit=False).id
    return rec


def _photos(actor: Account, ids: object, name: str) -> list[int]:
    if ids in (None, ""):
        return []
    if not isinstance(ids, list) or len(ids) > MAX_PHOTOS:
        raise ApiError(422, fields={name: [f"相关材料最多 {MAX_PHOTOS} 张"]})
    for doc_id in ids:
        doc = db.session.get(Document, doc_id) if isinstance(doc_id, int) else None
        if doc is None or not can_read(actor, doc):
            raise ApiError(422, fields={name: ["相关材料不存在或无权使用"]})
    return list(dict.fromkeys(ids))


def save(actor: Account, rec: SelfInspection, answers: object) -> None:
    """暂存: set the answers given ({item code: {"answer", "photo_ids", "note"}}); the
    others keep theirs. Refused once the record is submitted."""
    DRAFTS.own(actor, rec)
    if not isinstance(answers, dict):
        raise ApiError(422, fields={"answers": ["请按题目填写答案"]})
    rows = {a.item_code: a for a in rec.answers}
    for code, value in answers.items():
        row = rows.get(code)
        if row is None:
            raise ApiError(422, fields={f"answers.{code}": ["该题目不在本次自查范围内"]})
        value = value if isinstance(value, dict) else {"answer": value}
        answer = value.get("answer") or None
        if answer is not None and answer not in ANSWERS:
            raise ApiError(422, fields={f"answers.{code}": ["请选择 是 / 否 / 合理缺项"]})
        note = value.get("note")
        if note is not None and (not isinstance(note, str) or len(note) > 500):
            raise ApiError(422, fields={f"answers.{code}": ["说明不能超过 500 字"]})
        row.answer = answer
        if "photo_ids" in value:
            row.photo_ids = _photos(actor, value.get("photo_ids"), f"answers.{code}")
        if note is not None:
            row.note = note.strip() or None
    rec.updated_at = utcnow()
    db.session.flush()


@check("sv_inspection_complete")
def complete_rule(ctx: CheckContext) -> dict[str, list[str]]:
    """所有的题目都为必填 (seed 004 §1.3.2)."""
    rec = DRAFTS.of_case(ctx)
    missing = [a.item_code for a in rec.answers if a.answer is None]
    if missing:
        return {"answers": [f"还有 {len(missing)} 个题目未填报，所有的题目都为必填"]}
    return {}


@action("sv_inspection_submit")
def inspection_submit(ctx: ActionContext) -> int:
    """Freeze the record; each 否 becomes a rectification item; tell the administrator."""
    rec = DRAFTS.of_case(ctx)
    unit = db.session.get(SupervisedUnit, rec.unit_id)
    rec.status, rec.submitted_at = "submitted", ctx.at
    rec.inspected_on = beijing_today(ctx.at)
    rec.comprehensive = set(rec.groups) >= set(unit.scope)
    deadline = rec.inspected_on + timedelta(days=RECTIFICATION_DAYS)
    found = [a for a in rec.answers if a.answer == "no"]
    for answer in found:
        db.session.add(Rectification(inspection_id=rec.id, unit_id=unit.id,
                                     item_code=answer.item_code, deadline=deadline, evidence_ids=[]))
    if found:
        admin = db.session.scalars(select(SupervisionMember).where(
            SupervisionMember.unit_id == unit.id, SupervisionMember.is_admin)).first()
        if admin is not None:
            tell(admin.account, "自查发现问题待整改",
                 f"{rec.inspector.display_name} {rec.inspected_on:%Y-%m-%d} 上报的执业自查有 {len(found)} "
                 f"项为“否”，请制定整改措施并于 {deadline:%Y-%m-%d} 前整改到位。")
    return len(found)


def update_rectification(actor: Account, item: Rectification, data: dict, *, close: bool) -> None:
    """The administrator sets the deadline, measures and evidence, and closes the item (with
    evidence); closing the last one completes the case's ``rectify`` task."""
    if item.status != "open":
        raise ApiError(409, "该整改项已关闭", code="immutable")
    fields: dict = {}
    raw = data.get("deadline")
    if raw:
        try:
            item.deadline = date.fromisoformat(str(raw))
        except ValueError:
            fields["deadline"] = ["整改期限格式不正确"]
    measures = data.get("measures")
    if measures is not None:
        if not isinstance(measures, str) or len(measures) > 2000:
            fields["measures"] = ["整改措施不能超过 2000 字"]
        else:
            item.measures = measures.strip() or None
    if "evidence_ids" in data:
        item.evidence_ids = _photos(actor, data.get("evidence_ids"), "evidence_ids")
    if close:
        if not item.measures:
            fields["measures"] = ["关闭整改项须填写整改措施"]
        if not item.evidence_ids:
            fields["evidence_ids"] = ["关闭整改项须上传整改材料"]
    if fields:
        raise ApiError(422, fields=fields)
    if close:
        item.status, item.closed_by_id, item.closed_at = "closed", actor.id, utcnow()
    db.session.flush()
    if close and not db.session.scalar(select(Rectification.id).where(
            Rectification.inspection_id == item.inspection_id, Rectification.status == "open")):
        rec = db.session.get(SelfInspection, item.inspection_id)
        work = open_item(rec.case_id, "rectify")
        if work is not None:
            runtime.complete(actor, work.id, {"comment": "全部整改项已关闭"})


@check("sv_rectification_done")
def rectification_rule(ctx: CheckContext) -> dict[str, list[str]]:
    rec = DRAFTS.of_case(ctx)
    left = db.session.scalar(select(db.func.count()).select_from(Rectification).where(
        Rectification.inspection_id == rec.id, Rectification.status == "open"))
    return {"rectifications": [f"还有 {left} 项整改未关闭"]} if left else {}
