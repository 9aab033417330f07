"""Uploads checked by their content (PDF, JPEG, PNG), page previews, and who may read them."""
from __future__ import annotations

import io
import logging
import threading
import unicodedata
from pathlib import Path

import pypdfium2 as pdfium
from flask import current_app
from PIL import Image, ImageOps
from pypdf import PdfReader
from werkzeug.datastructures import FileStorage

from service.access import policy
from service.access.models import Account
from service.core.extensions import db
from service.documents import storage
from service.documents.models import MEDIA_TYPES, Document

log = logging.getLogger(__name__)

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_IMAGE_PIXELS = 60_000_000  # an A4 scan at 600 dpi is 35 MP; more is a bomb, not a scan
MAX_PREVIEW_HEIGHT = 8000  # pixels: a page of absurd proportions must not exhaust memory
PREVIEW_WIDTH_RANGE = (100, 2400)
# Detected from the first bytes only: the file name and the client's content type are claims.
MAGIC = ((b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG))
KIND_MAX = 40
# PDFium is not thread-safe; every call into it holds this lock.
_pdfium_lock = threading.Lock()


class DocumentError(Exception):
    """A rejected upload or request, with its HTTP status and a message for the user."""

    def __init__(self, status: int, message: str, field: str = "file") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field


def sniff(head: bytes) -> str | None:
    """The media type of content starting with ``head``, if it is one we accept."""
    for magic, media_type in MAGIC:
        if head.startswith(magic):
            return media_type
    return None


def organisation_of(account: Account) -> tuple[str | None, int | None]:
    """The account's organisation as (kind, id), or (None, None) for persons and the platform."""
    if account.administration_id is not None:
        return "administration", account.administration_id
    if account.institution_id is not None:
        return "institution", account.institution_id
    return None, None


def _size_text(n: int) -> str:
    return f"{n / 1048576:g} MB" if n >= 1048576 else f"{n / 1024:g} KB"


def clean_filename(raw: str | None, media_type: str) -> str:
    """The client's file name without directories or control characters, with a true extension."""
    name = unicodedata.normalize("NFC", (raw or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join("_" if ch in '"<>:|?*' else ch for ch in name
                   if unicodedata.category(ch)[0] != "C")  # also drops bidi overrides
    name = name.strip().strip(".").strip()
    ext = MEDIA_TYPES[media_type]
    accepted = (".jpg", ".jpeg") if media_type == JPEG else (ext,)
    if not name.lower().endswith(accepted):
        name = f"{name or 'document'}{ext}"  # report.txt holding a PDF is served as report.txt.pdf
    if len(name) > 200:
        stem, dot, suffix = name.rpartition(".")
        name = f"{stem[:199 - len(suffix)]}{dot}{suffix}"
    return name


def _pdfium_pages(path: Path, encrypted: bool) -> int:
    with _pdfium_lock:
        try:
            pdf = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as exc:
            message = ("PDF 文件已加密，无法读取，请上传未加密的文件" if encrypted
                       else "PDF 文件已损坏或加密，无法读取")
            raise DocumentError(422, message) from exc
        try:
            return len(pdf)
        finally:
            pdf.close()


def _pdf_pages(path: Path) -> int:
    """Count pages with pypdf, and check that PDFium (which draws the previews) opens the file."""
    try:
        reader = PdfReader(path)
        encrypted = reader.is_encrypted
        counted = None if encrypted else len(reader.pages)
    except Exception as exc:  # pypdf raises many kinds of errors on malformed input
        raise DocumentError(422, "PDF 文件已损坏或加密，无法读取") from exc
    # A file with only an owner password (print/copy restrictions, common from scanners) opens
    # without one, so PDFium decides; a user password keeps it closed, and it is refused.
    pages = _pdfium_pages(path, encrypted)
    if counted is not None and counted != pages:
        log.warning("page counts differ for %s: pypdf %s, PDFium %s", path.name, counted, pages)
    if pages < 1:
        raise DocumentError(422, "PDF 文件没有任何页面")
    return pages


def _image_pages(path: Path, media_type: str) -> int:
    """Check that an image decodes (verify, then a fast reduced decode); one page."""
    expected = "JPEG" if media_type == JPEG else "PNG"
    try:
        with Image.open(path) as image:
            if image.format != expected:
                raise DocumentError(422, "图片格式无法识别，仅支持 JPEG、PNG")
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise DocumentError(422, "图片像素过多，请降低扫描分辨率后重新上传")
            image.verify()
        with Image.open(path) as image:
            # verify() does not decode JPEG data; a reduced decode finds truncated files cheaply.
            image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
            image.load()
    except DocumentError:
        raise
    except Exception as exc:  # Pillow raises OSError, SyntaxError, ValueError, bomb errors...
        raise DocumentError(422, "图片文件已损坏，无法读取") from exc
    return 1


def store_upload(actor: Account, file_storage: FileStorage, case_id: int | None = None,
                 kind: str | None = None) -> Document:
    """Check and store an upload; the new row is flushed, and the caller commits."""
    kind = (kind or "").strip() or None
    if kind is not None and len(kind) > KIND_MAX:
        raise DocumentError(422, f"材料类型不能超过 {KIND_MAX} 个字符", field="kind")
    if case_id is not None and not policy.readable(actor, "case", case_id):
        raise DocumentError(422, "未找到该业务或无权访问", field="case_id")
    max_bytes = int(current_app.config.get("DOCUMENT_MAX_BYTES") or DEFAULT_MAX_BYTES)
    try:
        spooled = storage.spool(file_storage.stream, max_bytes)
    except storage.TooLarge:
        raise DocumentError(413, f"文件大小超过上限（{_size_text(max_bytes)}）") from None
    try:
        if spooled.size == 0:
            raise DocumentError(422, "文件为空，请重新选择文件")
        media_type = sniff(spooled.head)
        if media_type is None:
            raise DocumentError(422, "文件格式不支持，仅支持 PDF、JPEG、PNG 文件")
        pages = (_pdf_pages(spooled.path) if media_type == PDF
                 else _image_pages(spooled.path, media_type))
        key = storage.commit(spooled)
    except BaseException:
        spooled.discard()
        raise
    org_kind, org_id = organisation_of(actor)
    document = Document(
        sha256=spooled.sha256, filename=clean_filename(file_storage.filename, media_type),
        media_type=media_type, size=spooled.size, pages=pages, storage_key=key, kind=kind,
        case_id=case_id, uploaded_by_id=actor.id, organisation_kind=org_kind,
        organisation_id=org_id,
    )
    db.session.add(document)
    db.session.flush()
    return document


def can_read(actor: Account | None, doc: Document) -> bool:
    """The uploader, the uploader's organisation, or whoever may read the document's case."""
    if actor is None or not actor.is_enabled:
        return False
    if doc.uploaded_by_id == actor.id:
        return True
    org_kind, org_id = organisation_of(actor)
    if org_kind is not None and (org_kind, org_id) == (doc.organisation_kind, doc.organisation_id):
        return True
    if doc.case_id is not None:
        return bool(policy.readable(actor, "case", doc.case_id))
    return False


def file_path(doc: Document) -> Path:
    return storage.path_for(doc.storage_key)


def _render_pdf_page(path: Path, index: int, width: int) -> Image.Image:
    with _pdfium_lock:
        pdf = pdfium.PdfDocument(str(path))
        try:
            page = pdf[index]
            page_width, page_height = page.get_size()
            scale = min(width / page_width, MAX_PREVIEW_HEIGHT / page_height)
            bitmap = page.render(scale=scale)
            image = bitmap.to_pil().copy()  # detach from PDFium's buffer before closing
            page.close()
        finally:
            pdf.close()
    if image.width != width and image.height < MAX_PREVIEW_HEIGHT:
        image = image.resize((width, max(1, round(image.height * width / image.width))))
    return image


def _render_image(path: Path, width: int) -> Image.Image:
    with Image.open(path) as image:
        image.draft("RGB", (width, width))  # JPEG: decode at the smallest scale still ≥ width
        image = ImageOps.exif_transpose(image)  # phone photos of documents carry a rotation
        if image.mode not in ("RGB", "RGBA", "L", "LA"):
            image = image.convert("RGBA" if "transparency" in image.info else "RGB")
        height = min(MAX_PREVIEW_HEIGHT, max(1, round(image.height * width / image.width)))
        return image.resize((width, height), Image.Resampling.LANCZOS)


def page_png(doc: Document, page_number: int, width: int = 900) -> bytes:
    """Page ``page_number`` (from 1) as a PNG ``width`` pixels wide, cached next to the file."""
    if not 1 <= page_number <= doc.pages:
        raise DocumentError(404, "页码超出范围", field="page")
    if not PREVIEW_WIDTH_RANGE[0] <= width <= PREVIEW_WIDTH_RANGE[1]:
        raise DocumentError(400, "预览宽度超出范围", field="width")
    source = file_path(doc)
    cached = source.with_name(f"{doc.sha256}.p{page_number}.w{width}.png")
    if cached.exists():
        return cached.read_bytes()
    if doc.is_pdf:
        image = _render_pdf_page(source, page_number - 1, width)
    else:
        image = _render_image(source, width)
    out = io.BytesIO()
    image.save(out, "PNG")
    data = out.getvalue()
    storage.write_atomic(cached, data)
    return data
