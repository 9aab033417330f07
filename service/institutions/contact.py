"""Phone, fax and postal code (seed 000 机构版: 修改传真及电话号码): kept by the institution itself
or its issuing authority, without a case; each change a registry version whose reason names
why, as the one changing it wrote it."""
from __future__ import annotations

import re

from service.core.errors import ApiError
from service.core.extensions import db
from service.institutions.models import Institution
from service.registry.versioning import change_context

REASON = "修改联系方式"
PHONE = re.compile(r"^[0-9()+\- ]{3,32}$")
POSTAL = re.compile(r"^\d{6}$")


def change_contact(actor, inst: Institution, *, phone: str | None, fax: str | None,
                   postal_code: str | None, reason: str | None) -> bool:
    """Write the new contact details as one version (422 with Chinese reasons, nothing
    written, when a value is wrong); False when nothing changed."""
    values = {k: (v or "").strip() or None for k, v in
              (("phone", phone), ("fax", fax), ("postal_code", postal_code))}
    why = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    for key, label in (("phone", "联系电话"), ("fax", "传真")):
        if values[key] and not PHONE.match(values[key]):
            errors[key] = [f"{label}只能包含数字、空格、括号、+ 和 -，不超过 32 位"]
    if values["postal_code"] and not POSTAL.match(values["postal_code"]):
        errors["postal_code"] = ["邮政编码为 6 位数字"]
    if not why:
        errors["reason"] = ["请填写修改原因"]
    elif len(why) > 100:
        errors["reason"] = ["修改原因不超过 100 字"]
    if errors:
        raise ApiError(422, "联系方式未保存：" + "；".join(m for ms in errors.values() for m in ms),
                       fields=errors)
    if all(getattr(inst, k) == v for k, v in values.items()):
        return False
    with change_context(actor.id, f"{REASON}：{why}"):
        for key, value in values.items():
            setattr(inst, key, value)
        db.session.commit()
    return True
