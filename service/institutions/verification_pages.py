"""The 校验申请业务提示 page (seed 001 step 二): the year's notice and the materials to prepare,
read before the application; its 下一步 starts the verification case."""
from __future__ import annotations

import json
from functools import lru_cache

from flask import abort, render_template
from flask_login import current_user, login_required

from service.core.extensions import db
from service.institutions.models import Institution
from service.institutions.pages import bp
from service.institutions.verification_rules import PROCESS, open_verification
from service.registry.seeding import SEED_DIR


@lru_cache(maxsize=4)
def _notices() -> dict:
    return json.loads((SEED_DIR / "notices" / f"{PROCESS}.json").read_text(encoding="utf-8"))


def notice_for(province_code: str) -> dict:
    """The province's notice, or the default one."""
    notices = _notices()
    return notices.get(province_code) or notices["default"]


@bp.get("/verification/notice")
@login_required
def verification_notice():
    if current_user.kind != "institution" or current_user.institution_id is None:
        abort(404)
    inst = db.session.get(Institution, current_user.institution_id)
    running = open_verification(inst.id)
    return render_template(
        "institution/verification_notice.html", inst=inst, notice=notice_for(inst.province_code),
        running=running, filed_clinic=inst.is_filed_clinic, process=PROCESS)
