"""Uploaded materials (seed 001): PDFs of several pages, scans, previews of every page, access."""
from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from conftest import ApiClient, Database, chinese, error_of
from flask import Flask
from PIL import Image
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from sqlalchemy import select

from service.access.models import Account
from service.core.extensions import db
from service.documents import Document, can_read
from service.documents.service import clean_filename

UPLOAD = "/api/v1/documents"
PAGE_W, PAGE_H = A4
BANDS = 6  # page n carries a black bar in horizontal band n, so a preview shows which page it is


def make_pdf(pages: int, label: str = "") -> bytes:
    """A real PDF whose pages differ: text, and a black bar at a height that names the page."""
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    nonce = os.urandom(8).hex()  # unique content per call, so uploads do not deduplicate by chance
    for n in range(1, pages + 1):
        pdf.setFont("Helvetica", 28)
        pdf.drawString(72, PAGE_H - 60, f"Page {n} of {pages} {label} {nonce}")
        band_h = PAGE_H / BANDS
        pdf.rect(0, PAGE_H - band_h * n, PAGE_W, band_h * 0.6, fill=1, stroke=0)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def make_image(fmt: str, size: tuple[int, int] = (640, 480)) -> bytes:
    image = Image.new("RGB", size, (255, 255, 255))
    image.paste((200, 0, 0), (10, 10, 200, 120))  # a red seal, roughly
    image.putpixel((size[0] - 1, size[1] - 1), tuple(os.urandom(3)))
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def upload(client: ApiClient, content: bytes, name: str = "材料.pdf",
           content_type: str = "application/pdf", **form: str):
    data = {"file": (io.BytesIO(content), name, content_type), **form}
    return client.post(UPLOAD, data=data, content_type="multipart/form-data")


def stored_files(app: Flask) -> set[Path]:
    root = Path(app.config["STORAGE_DIR"]) / "documents"
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def png_of(data: bytes) -> Image.Image:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.fixture
def chaoyang(api) -> ApiClient:
    return api("inst.chaoyang1")


def test_a_multi_page_pdf_is_counted_and_every_page_can_be_previewed(
        app: Flask, chaoyang: ApiClient) -> None:
    content = make_pdf(3)
    response = upload(chaoyang, content, name="校验申请书.pdf", kind="application_form")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["pages"] == 3
    assert body["media_type"] == "application/pdf"
    assert body["size"] == len(content)
    assert body["filename"] == "校验申请书.pdf"
    assert len(body["sha256"]) == 64
    previews = []
    for n in (1, 2, 3):
        answer = chaoyang.get(f"{UPLOAD}/{body['id']}/pages/{n}.png")
        assert answer.status_code == 200
        assert answer.mimetype == "image/png"
        image = png_of(answer.data).convert("L")
        assert image.width == 900
        assert abs(image.height - round(900 * PAGE_H / PAGE_W)) <= 1
        # the black bar of page n sits in band n and nowhere else
        dark = [image.getpixel((450, int(image.height * (b - 0.3) / BANDS))) < 60
                for b in range(1, BANDS + 1)]
        assert dark == [b == n for b in range(1, BANDS + 1)], (n, dark)
        previews.append(answer.data)
    assert len(set(previews)) == 3
    sha = body["sha256"]
    cached = Path(app.config["STORAGE_DIR"]) / "documents" / sha[:2] / sha[2:4]
    assert {f"{sha}.p{n}.w900.png" for n in (1, 2, 3)} <= {p.name for p in cached.iterdir()}
    again = chaoyang.get(f"{UPLOAD}/{body['id']}/pages/2.png")  # from the cache, same picture
    assert again.data == previews[1]


def test_previews_out_of_range_or_of_an_odd_width_are_refused(chaoyang: ApiClient) -> None:
    doc = upload(chaoyang, make_pdf(2)).get_json()
    for page in (0, 3, 99):
        response = chaoyang.get(f"{UPLOAD}/{doc['id']}/pages/{page}.png")
        assert response.status_code == 404
        error_of(response)
    small = chaoyang.get(f"{UPLOAD}/{doc['id']}/pages/1.png?width=600")
    assert small.status_code == 200 and png_of(small.data).width == 600
    odd = chaoyang.get(f"{UPLOAD}/{doc['id']}/pages/1.png?width=777")
    assert odd.status_code == 400
    assert "width" in error_of(odd)["fields"]


@pytest.mark.parametrize("fmt,media_type,name", [
    ("JPEG", "image/jpeg", "扫描件.jpg"), ("PNG", "image/png", "照片.png")])
def test_scanned_images_are_accepted_as_one_page(chaoyang: ApiClient, fmt: str,
                                                 media_type: str, name: str) -> None:
    content = make_image(fmt)
    response = upload(chaoyang, content, name=name, content_type="application/octet-stream")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["pages"], body["media_type"], body["filename"]) == (1, media_type, name)
    preview = chaoyang.get(f"{UPLOAD}/{body['id']}/pages/1.png")
    image = png_of(preview.data)
    assert (image.width, image.height) == (900, 675)
    assert chaoyang.get(f"{UPLOAD}/{body['id']}/pages/2.png").status_code == 404


@pytest.mark.parametrize("content,name", [
    (b"just some text, not a PDF at all\n", "申请书.pdf"),
    (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "setup.pdf"),  # a renamed .exe
    (b"%PDF-1.7\nthis is not really a PDF\n%%EOF\n", "broken.pdf"),
    (b"\xff\xd8\xff\xe0 truncated jpeg", "photo.jpg"),
    (b"\x89PNG\r\n\x1a\n truncated png", "photo.png"),
])
def test_files_that_are_not_what_they_claim_are_refused_and_nothing_is_kept(
        app: Flask, chaoyang: ApiClient, database: Database, content: bytes, name: str) -> None:
    before_files, before_rows = stored_files(app), database.count(select(Document))
    response = upload(chaoyang, content, name=name)
    assert response.status_code == 422
    error = error_of(response)
    assert chinese(error["message"]) and "file" in error["fields"]
    assert database.count(select(Document)) == before_rows
    assert stored_files(app) == before_files


def test_an_encrypted_pdf_is_refused_with_a_chinese_reason(chaoyang: ApiClient) -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(1))))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    response = upload(chaoyang, out.getvalue(), name="加密.pdf")
    assert response.status_code == 422
    assert "加密" in error_of(response)["message"]


def test_a_pdf_with_only_print_restrictions_is_accepted(chaoyang: ApiClient) -> None:
    # Scanners often set an owner password (no user password): anyone can open and read it.
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(2))))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    response = upload(chaoyang, out.getvalue(), name="受限.pdf")
    assert response.status_code == 201, response.get_json()
    doc = response.get_json()
    assert doc["pages"] == 2
    assert png_of(chaoyang.get(f"{UPLOAD}/{doc['id']}/pages/2.png").data).width == 900


def test_an_empty_file_is_refused(chaoyang: ApiClient) -> None:
    response = upload(chaoyang, b"", name="空.pdf")
    assert response.status_code == 422
    assert "为空" in error_of(response)["message"]


def test_a_file_over_the_size_limit_is_refused_with_413(
        app: Flask, chaoyang: ApiClient, database: Database,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "DOCUMENT_MAX_BYTES", 2048)
    before_files, before_rows = stored_files(app), database.count(select(Document))
    response = upload(chaoyang, make_pdf(5) + b"\n" * 4096)
    assert response.status_code == 413
    assert chinese(error_of(response)["message"])
    assert database.count(select(Document)) == before_rows
    assert stored_files(app) == before_files


def test_the_same_content_twice_is_stored_once_with_two_rows(
        app: Flask, chaoyang: ApiClient, database: Database) -> None:
    content = make_pdf(2)
    first = upload(chaoyang, content, name="a.pdf").get_json()
    second = upload(chaoyang, content, name="b.pdf").get_json()
    assert first["id"] != second["id"] and first["sha256"] == second["sha256"]
    rows = database.scalars(select(Document).where(Document.sha256 == first["sha256"]))
    assert len(rows) == 2 and len({r.storage_key for r in rows}) == 1
    copies = [p for p in stored_files(app) if p.name == first["sha256"]]
    assert len(copies) == 1 and copies[0].read_bytes() == content


def test_the_file_is_served_inline_with_its_media_type(chaoyang: ApiClient) -> None:
    content = make_pdf(1)
    doc = upload(chaoyang, content, name="../../etc/许可证<副本>.pdf").get_json()
    assert doc["filename"] == "许可证_副本_.pdf"
    response = chaoyang.get(f"{UPLOAD}/{doc['id']}/content")
    assert response.status_code == 200
    assert response.data == content
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("inline;") and "filename*=UTF-8''" in disposition
    assert "private" in response.headers["Cache-Control"]
    metadata = chaoyang.get(f"{UPLOAD}/{doc['id']}").get_json()
    assert {k: metadata[k] for k in doc} == doc


@pytest.mark.parametrize("raw,media_type,clean", [
    ('C:\\扫描\\"许可证".PDF', "application/pdf", "_许可证_.PDF"),
    ("照片.jpeg", "image/jpeg", "照片.jpeg"),
    ("\u202egpj.exe", "image/png", "gpj.exe.png"),  # a right-to-left override is dropped
    ("...", "image/png", "document.png"),
    ("长" * 300 + ".pdf", "application/pdf", "长" * 196 + ".pdf"),  # 200 characters
])
def test_file_names_are_cleaned(raw: str, media_type: str, clean: str) -> None:
    assert clean_filename(raw, media_type) == clean


def test_a_pdf_under_another_name_is_served_with_a_pdf_extension(chaoyang: ApiClient) -> None:
    doc = upload(chaoyang, make_pdf(1), name="说明.txt", content_type="text/plain").get_json()
    assert (doc["media_type"], doc["filename"]) == ("application/pdf", "说明.txt.pdf")


@pytest.mark.parametrize("other", ["inst.jiangbei1", "bj.chaoyang.wjw"])
def test_another_organisation_cannot_see_the_document(api, chaoyang: ApiClient, other: str) -> None:
    doc = upload(chaoyang, make_pdf(2)).get_json()
    stranger = api(other)
    for path in ("", "/content", "/pages/1.png"):
        response = stranger.get(f"{UPLOAD}/{doc['id']}{path}")
        assert response.status_code == 404, path
        error_of(response)
    assert stranger.get(f"{UPLOAD}/999999999").status_code == 404


def test_colleagues_of_the_same_organisation_can_read(
        app: Flask, chaoyang: ApiClient, demo) -> None:
    doc_id = upload(chaoyang, make_pdf(1)).get_json()["id"]
    with app.app_context():
        doc = db.session.get(Document, doc_id)
        assert (doc.organisation_kind, doc.organisation_id) == (
            "institution", demo.institution["inst.chaoyang1"])
        colleague = Account(id=-1, username="x", kind="institution", is_enabled=True,
                            institution_id=demo.institution["inst.chaoyang1"])
        outsider = Account(id=-2, username="y", kind="institution", is_enabled=True,
                           institution_id=demo.institution["inst.jiangbei1"])
        assert can_read(colleague, doc) and not can_read(outsider, doc)
        colleague.is_enabled = False
        assert not can_read(colleague, doc)


def test_readers_of_the_case_can_read_its_documents(
        api, chaoyang: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from service.access import policy

    asked: list[tuple[str, int]] = []

    def readable(actor: Account, name: str, case_id: int) -> bool:
        assert name == "case"
        asked.append((actor.username, case_id))
        return actor.username in {"inst.chaoyang1", "bj.chaoyang.wjw"}

    monkeypatch.setattr(policy, "readable", readable)
    doc = upload(chaoyang, make_pdf(1), case_id="42", kind="roster").get_json()
    assert doc["case_id"] == 42 and doc["kind"] == "roster"
    assert api("bj.chaoyang.wjw").get(f"{UPLOAD}/{doc['id']}/content").status_code == 200
    assert api("inst.jiangbei1").get(f"{UPLOAD}/{doc['id']}/content").status_code == 404
    assert ("bj.chaoyang.wjw", 42) in asked
    refused = upload(api("inst.jiangbei1"), make_pdf(1), case_id="42")
    assert refused.status_code == 422 and "case_id" in error_of(refused)["fields"]


def test_malformed_upload_requests(chaoyang: ApiClient, client) -> None:
    not_multipart = chaoyang.post(UPLOAD, json={"file": "x"})
    assert not_multipart.status_code == 415
    error_of(not_multipart)
    no_file = chaoyang.post(UPLOAD, data={"kind": "x"}, content_type="multipart/form-data")
    assert no_file.status_code == 400
    assert "file" in error_of(no_file)["fields"]
    bad_case = upload(chaoyang, make_pdf(1), case_id="abc")
    assert bad_case.status_code == 422 and "case_id" in error_of(bad_case)["fields"]
    long_kind = upload(chaoyang, make_pdf(1), kind="k" * 41)
    assert long_kind.status_code == 422 and "kind" in error_of(long_kind)["fields"]
    anonymous = client.post(UPLOAD, data={"file": (io.BytesIO(make_pdf(1)), "a.pdf")})
    assert anonymous.status_code == 401
