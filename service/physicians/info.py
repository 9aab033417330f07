"""P10: a physician's personal information and photo (seed 003 ch.2 §2.3, ch.3 §7).

She asks for new values of the items that live on her practice registration (school,
education, major, title) and/or a new photo; her main institution agrees or not. Only the
agreement changes the registry: a new version of the physician, never the qualification.
"""
from __future__ import annotations

from PIL import Image, UnidentifiedImageError

from service.core.extensions import db
from service.engine.plugins import ActionContext, CheckContext, action, check
from service.physicians.models import Physician

INFO_FIELDS = ("school", "education", "major", "title")
PHOTO_FIELD = "photo"
PHOTO_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}
# seed 003 个人相片格式要求; the form's ``x-image`` may narrow them per definition version
PHOTO_RULES = {"width": 354, "height": 472, "max_bytes": 80 * 1024}


@check("physician_info_start")
def info_change_may_start(ctx: CheckContext) -> dict[str, list[str]]:
    """Her main institution reviews the change, and one change is under review at a time."""
    from sqlalchemy import select

    from service.engine.models import Case
    from service.physicians.signup import main_registration

    physician = ctx.person
    if physician is None:
        return {"subject.physician_id": ["个人信息修改只能由医师本人申请"]}
    main = main_registration(physician)
    if main is None:
        return {"subject.institution_id": [
            "您目前没有有效的主要执业机构，个人信息修改须由执业所在医疗机构审核"]}
    if ctx.institution.id != main.institution_id:
        return {"subject.institution_id": [
            f"个人信息修改须由您的主要执业机构（{main.institution.name}）审核"]}
    running = db.session.scalar(select(Case.id).where(
        Case.process_id == ctx.process_id, Case.subject_physician_id == physician.id,
        Case.status == "open").limit(1))
    if running is not None:
        return {"process": [f"您已有正在审核的个人信息修改申请（业务编号 {running}），"
                            "请等待审核完成或撤回后再申请"]}
    return {}


@check("physician_info_request")
def info_request_is_complete(ctx: CheckContext) -> dict[str, list[str]]:
    """Something to change, and a photo that meets seed 003's rules (checked by its content)."""
    data = ctx.data
    photos = data.get(PHOTO_FIELD) or []
    if not photos and not any(isinstance(data.get(k), str) and data[k].strip()
                              for k in INFO_FIELDS):
        return {"_form": ["请至少填写一项要修改的内容，或上传新的个人相片"]}
    if photos:
        rules = _photo_rules(ctx)
        problems = photo_problems(photos[-1], rules)  # the last upload wins
        if problems:
            return {PHOTO_FIELD: problems}
    return {}


def _photo_rules(ctx: CheckContext) -> dict:
    schema = ctx.case.deployed.form("request.json") if ctx.case is not None else {}
    declared = schema.get("properties", {}).get(PHOTO_FIELD, {}).get("x-image") or {}
    return {**PHOTO_RULES, **declared}


def photo_problems(document_id: int, rules: dict = PHOTO_RULES) -> list[str]:
    """Chinese reasons why an uploaded document is not an acceptable physician photo."""
    from service.documents.models import Document
    from service.documents.service import file_path

    doc = db.session.get(Document, document_id)
    if doc is None:
        return ["相片不存在，请重新上传"]
    if doc.media_type not in PHOTO_FORMATS.values():
        return ["相片文件格式应为 jpg、jpeg 或 png"]
    problems = []
    limit_kb = rules["max_bytes"] // 1024
    if doc.size > rules["max_bytes"]:
        problems.append(f"相片大小不得超过 {limit_kb} KB（您上传的相片为 {-(-doc.size // 1024)} KB）")
    try:
        with Image.open(file_path(doc)) as image:
            width, height = image.size
    except (OSError, UnidentifiedImageError):
        return problems + ["相片文件无法读取，请重新上传"]
    if (width, height) != (rules["width"], rules["height"]):
        problems.append(f"相片尺寸应为宽 {rules['width']} 像素、高 {rules['height']} 像素"
                        f"（您上传的相片为 {width}×{height} 像素）")
    return problems


@action("physician_info_apply")
def physician_info_apply(ctx: ActionContext) -> str:
    """The institution agreed: the asked-for items and photo become the physician's new version
    (the step's change context names the case and the reviewer)."""
    physician = db.session.get(Physician, ctx.case.subject_physician_id, with_for_update=True)
    for key in INFO_FIELDS:
        value = ctx.data.get(key)
        if isinstance(value, str) and value.strip():
            setattr(physician, key, value.strip())
    photos = ctx.data.get(PHOTO_FIELD) or []
    if photos:
        physician.photo_document_id = int(photos[-1])
    return "info_changed"
