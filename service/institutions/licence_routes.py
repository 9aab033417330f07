"""Licence doors: the 正本 / 副本 PDFs for those who may read the institution, and the public
verify page and endpoint behind the QR code (no login, public facts only, rate-limited)."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request
from flask_login import current_user, login_required

from service.access.policy import require
from service.api.v1 import bp as api
from service.api.v1.common import authenticated, caller
from service.core.errors import ApiError
from service.core.extensions import limiter
from service.institutions.licence_prints import COPIES, licence_of, pdf_response, render_licence
from service.institutions.licences import LICENCE_STATUSES, verification
from service.institutions.models import INSTITUTION_STATUSES, Institution
from service.institutions.pages import bp as pages

public = Blueprint("licences", __name__, url_prefix="/licences")

STATUS_NAMES = {**INSTITUTION_STATUSES, **LICENCE_STATUSES, "expired": "已过有效期"}


def verify_rate_limit() -> str:
    return current_app.config.get("LICENCE_VERIFY_RATE_LIMIT", "60/minute")


def _copy() -> str:
    copy = request.args.get("copy", "original")
    if copy not in COPIES:
        raise ApiError(400, "copy 须为 original 或 duplicate", fields={"copy": ["取值不在允许范围内"]})
    return copy


def _licence_pdf(inst: Institution, copy: str):
    licence = licence_of(inst)
    return pdf_response(render_licence(inst, licence, copy),
                        f"licence-{inst.registration_number}-{copy}.pdf")


@pages.get("/<int:institution_id>/licence.pdf")
@login_required
def licence_pdf(institution_id: int):
    inst = require(current_user, Institution, institution_id)
    copy = request.args.get("copy", "original")
    return _licence_pdf(inst, copy if copy in COPIES else "original")


@api.get("/institutions/<int:institution_id>/licence.pdf")
@authenticated
def licence_pdf_api(institution_id: int):
    inst = require(caller(), Institution, institution_id)
    copy = _copy()
    return _licence_pdf(inst, copy)


@api.get("/licences/verify/<code>")
@limiter.limit(verify_rate_limit)
def verify_api(code: str):
    facts = verification(code) if len(code) <= 64 else None
    if facts is None:
        raise ApiError(404, "未找到该许可证，请核对二维码")
    return jsonify(facts)


@public.get("/verify/<code>")
@limiter.limit(verify_rate_limit)
def verify_page(code: str):
    facts = verification(code) if len(code) <= 64 else None
    status = 200 if facts else 404
    return render_template("institutions/licence_verify.html", facts=facts,
                           status_name=STATUS_NAMES.get((facts or {}).get("status"), "")), status
