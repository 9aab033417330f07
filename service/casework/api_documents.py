"""Documents over REST: multipart upload, metadata, the file itself and page previews."""
from __future__ import annotations

import logging

from flask import Response, jsonify, request, send_file
from marshmallow import Schema, fields

from service.api.v1 import bp
from service.api.v1.common import authenticated, caller
from service.core.errors import ApiError
from service.core.extensions import db
from service.core.params import to_id, to_int
from service.documents import Document, DocumentError, can_read, page_png, store_upload
from service.documents.service import file_path

log = logging.getLogger(__name__)

PREVIEW_WIDTHS = (300, 600, 900, 1200, 1800)  # a fixed set, so previews cannot fill the disk


class DocumentSchema(Schema):
    id = fields.Integer()
    sha256 = fields.String()
    filename = fields.String()
    media_type = fields.String()
    size = fields.Integer()
    pages = fields.Integer()
    kind = fields.String(allow_none=True)
    case_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


def _api_error(exc: DocumentError) -> ApiError:
    return ApiError(exc.status, exc.message,
                    fields={exc.field: [exc.message]} if exc.status == 422 else None)


def _case_id(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    case_id = to_id(raw)
    if case_id is None:
        raise ApiError(422, "业务编号须为正整数", fields={"case_id": ["须为正整数"]})
    return case_id


def _readable(document_id: int) -> Document:
    """The document if the caller may read it; 404 otherwise, so its existence stays hidden."""
    doc = db.session.get(Document, document_id) if 0 < document_id < 2**31 else None
    if doc is None or not can_read(caller(), doc):
        raise ApiError(404)
    return doc


def _private(response: Response) -> Response:
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.private = True
    response.cache_control.public = False
    return response


@bp.post("/documents")
@authenticated
def upload_document():
    if request.mimetype != "multipart/form-data":
        raise ApiError(415, "上传文件须使用 multipart/form-data")
    upload = request.files.get("file")
    if upload is None:
        raise ApiError(400, "缺少上传的文件（file）", fields={"file": ["必填项"]})
    case_id = _case_id(request.form.get("case_id"))
    try:
        doc = store_upload(caller(), upload, case_id=case_id, kind=request.form.get("kind"))
    except DocumentError as exc:
        raise _api_error(exc) from None
    db.session.commit()
    return jsonify(DocumentSchema().dump(doc)), 201


@bp.get("/documents/<int:document_id>")
@authenticated
def document(document_id: int):
    return jsonify(DocumentSchema().dump(_readable(document_id)))


@bp.get("/documents/<int:document_id>/content")
@authenticated
def document_content(document_id: int):
    doc = _readable(document_id)
    path = file_path(doc)
    if not path.is_file():
        log.error("document %s: stored file %s is missing", doc.id, doc.storage_key)
        raise ApiError(404, "文件不存在或已被移除")
    # send_file writes Content-Disposition with an ASCII fallback and an RFC 5987 UTF-8 name.
    response = send_file(path, mimetype=doc.media_type, as_attachment=False,
                         download_name=doc.filename, etag=doc.sha256, conditional=True, max_age=0)
    return _private(response)


@bp.get("/documents/<int:document_id>/pages/<int:page>.png")
@authenticated
def document_page(document_id: int, page: int):
    doc = _readable(document_id)
    width = to_int(request.args.get("width", "900"))
    if width not in PREVIEW_WIDTHS:
        allowed = "、".join(map(str, PREVIEW_WIDTHS))
        raise ApiError(400, f"width 须为 {allowed} 之一", fields={"width": [f"须为 {allowed} 之一"]})
    try:
        data = page_png(doc, page, width)
    except DocumentError as exc:
        raise _api_error(exc) from None
    response = Response(data, mimetype="image/png")
    response.set_etag(f"{doc.sha256}.p{page}.w{width}")
    return _private(response.make_conditional(request))
