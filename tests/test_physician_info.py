"""P10: a physician asks to change her personal information and photo; her main institution
agrees (a new version of the physician) or not (nothing changes). The qualification record
never changes (seed 003 ch.2 §2.3, ch.3 §7)."""
from __future__ import annotations

import io
import os

import pytest
from conftest import ApiClient, Database, Demo, csrf, error_of, logged_in
from flask.testing import FlaskClient
from physician_flow import start
from PIL import Image
from sqlalchemy import select
from verification_flow import complete, open_item

from service.documents.models import Document
from service.physicians.models import Physician, Qualification
from service.registry.versioning import RecordVersion

PROCESS = "physician_info_change"


def photo_bytes(size: tuple[int, int] = (354, 472), fmt: str = "PNG", noise: bool = False) -> bytes:
    """A portrait of the right size and a few KB; ``noise`` makes it far bigger than 80 KB."""
    if noise:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (250, 250, 250))
        image.paste((30, 60, 120), (100, 120, 254, 400))
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def upload_photo(caller: ApiClient, case_id: int, content: bytes, name: str = "photo.png") -> int:
    response = caller.post("/api/v1/documents", data={
        "file": (io.BytesIO(content), name), "case_id": str(case_id), "kind": "photo"},
        content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _snapshot(database: Database, model, ident: int) -> dict:
    with database.session() as s:
        row = s.get(model, ident)
        return {c.key: getattr(row, c.key) for c in model.__table__.columns}


@pytest.fixture
def doctor(api) -> ApiClient:
    return api("doctor.demo")


@pytest.fixture
def chaoyang1(api) -> ApiClient:
    return api("inst.chaoyang1")


def test_an_agreed_change_makes_a_new_version_and_leaves_the_qualification_alone(
        doctor: ApiClient, chaoyang1: ApiClient, demo: Demo, database: Database) -> None:
    physician_id = demo.physician["doctor.demo"]
    before = _snapshot(database, Physician, physician_id)
    qualification_before = _snapshot(database, Qualification, before["qualification_id"])

    case = start(doctor, PROCESS, demo.institution["inst.chaoyang1"])
    assert case["subject"]["institution_id"] == demo.institution["inst.chaoyang1"]
    item = open_item(doctor, case["id"])
    first = upload_photo(doctor, case["id"], photo_bytes())
    latest = upload_photo(doctor, case["id"], photo_bytes(fmt="JPEG"), "photo.jpg")
    complete(doctor, item["id"], {"title": "主任医师", "education": "博士研究生",
                                  "photo": [latest], "reason": "已晋升主任医师"})

    review = open_item(chaoyang1, case["id"])
    assert review["task"] == "institution_review"
    # the reviewer reads the photo through the case
    assert chaoyang1.get(f"/api/v1/documents/{latest}").status_code == 200
    done = complete(chaoyang1, review["id"], {"decision": "agree"})
    assert done["status"] == "completed" and done["outcome"] == "info_changed"

    after = _snapshot(database, Physician, physician_id)
    assert after["version"] == before["version"] + 1
    assert after["title"] == "主任医师" and after["education"] == "博士研究生"
    assert after["photo_document_id"] == latest != first
    assert {k: v for k, v in after.items() if k not in (
        "version", "title", "education", "photo_document_id")} == {
        k: v for k, v in before.items() if k not in (
            "version", "title", "education", "photo_document_id")}
    version = database.scalar(select(RecordVersion).where(
        RecordVersion.entity == "physician", RecordVersion.entity_id == physician_id,
        RecordVersion.version == after["version"]))
    assert version.case_id == case["id"] and version.actor_id == demo.account["inst.chaoyang1"]
    assert version.changed == ["education", "photo_document_id", "title"]
    assert _snapshot(database, Qualification, before["qualification_id"]) == qualification_before

    replay = doctor.post(f"/api/v1/cases/{case['id']}/replay")
    assert replay.status_code == 200 and replay.get_json()["ok"], replay.get_json()


def test_a_disagreement_changes_nothing(doctor: ApiClient, chaoyang1: ApiClient, demo: Demo,
                                        database: Database) -> None:
    physician_id = demo.physician["doctor.demo"]
    before = _snapshot(database, Physician, physician_id)
    case = start(doctor, PROCESS, demo.institution["inst.chaoyang1"])
    complete(doctor, open_item(doctor, case["id"])["id"], {"school": "北京大学医学部"})
    review = open_item(chaoyang1, case["id"])
    refused = complete(chaoyang1, review["id"], {"decision": "disagree"}, status=422)
    assert refused["error"]["fields"]["comment"] == ["必填项"]
    done = complete(chaoyang1, review["id"], {"decision": "disagree",
                                              "comment": "请提供毕业证书复印件"})
    assert done["outcome"] == "info_not_agreed"
    assert _snapshot(database, Physician, physician_id) == before
    assert doctor.post(f"/api/v1/cases/{case['id']}/replay").get_json()["ok"]


@pytest.mark.parametrize(("content", "name", "message"), [
    (photo_bytes((300, 400)), "small.png", "宽 354 像素、高 472 像素（您上传的相片为 300×400 像素）"),
    (photo_bytes(noise=True), "big.png", "相片大小不得超过 80 KB"),
    (None, "scan.pdf", "相片文件格式应为 jpg、jpeg 或 png"),
])
def test_a_photo_that_breaks_the_rules_is_refused(doctor: ApiClient, demo: Demo, content,
                                                  name: str, message: str) -> None:
    from verification_flow import pdf_bytes

    case = start(doctor, PROCESS, demo.institution["inst.chaoyang1"])
    item = open_item(doctor, case["id"])
    doc = upload_photo(doctor, case["id"], content if content is not None else pdf_bytes(1), name)
    response = doctor.post(f"/api/v1/work-items/{item['id']}/complete",
                           json={"data": {"photo": [doc]}})
    assert response.status_code == 422
    assert any(message in m for m in error_of(response)["fields"]["photo"])


def test_an_empty_request_is_refused(doctor: ApiClient, demo: Demo) -> None:
    case = start(doctor, PROCESS, demo.institution["inst.chaoyang1"])
    response = doctor.post(f"/api/v1/work-items/{open_item(doctor, case['id'])['id']}/complete",
                           json={"data": {"reason": "无"}})
    assert error_of(response)["fields"]["_form"] == ["请至少填写一项要修改的内容，或上传新的个人相片"]


def test_only_her_main_institution_reviews_and_one_request_at_a_time(
        doctor: ApiClient, api, demo: Demo) -> None:
    other = start(doctor, PROCESS, demo.institution["inst.chaoyang2"], status=422)
    assert "主要执业机构（北京市朝阳区康泰医院）" in other["error"]["message"]
    case = start(doctor, PROCESS, demo.institution["inst.chaoyang1"])
    again = start(doctor, PROCESS, demo.institution["inst.chaoyang1"], status=422)
    assert f"业务编号 {case['id']}" in again["error"]["message"]
    # another institution does not even see the task
    item = open_item(doctor, case["id"])
    complete(doctor, item["id"], {"title": "主任医师"})
    review = open_item(api("inst.chaoyang1"), case["id"])
    assert api("inst.chaoyang2").get(f"/api/v1/work-items/{review['id']}").status_code == 404


def test_an_unregistered_physician_cannot_ask(api, demo: Demo) -> None:
    newcomer = api("doctor.new")
    response = newcomer.post("/api/v1/cases", json={
        "process": PROCESS, "subject": {"institution_id": demo.institution["inst.chaoyang1"]}})
    assert response.status_code == 403  # not activated: only registration and change before


def test_on_the_pages_the_last_photo_uploaded_wins(client: FlaskClient, demo: Demo,
                                                   database: Database, api) -> None:
    logged_in(client, "doctor.demo")
    page = client.get("/physician/info").get_data(as_text=True)
    assert "原始资格信息不会被更新" in page and "宽 354 像素" in page
    token = csrf(client, "/physician/info")
    started = client.post("/physician/info/start", data={"csrf_token": token})
    assert started.status_code == 303 and started.headers["Location"].startswith("/tasks/")
    task = started.headers["Location"]
    token = csrf(client, task)
    wrong = client.post(task, data={"csrf_token": token, "action": "submit",
                                    "photo-upload": (io.BytesIO(photo_bytes((354, 400))), "a.png")},
                        content_type="multipart/form-data")
    assert wrong.status_code == 422 and "354×400" in wrong.get_data(as_text=True)
    kept = database.scalar(select(Document.id).order_by(Document.id.desc()).limit(1))
    done = client.post(task, data={"csrf_token": token, "action": "submit", "photo": str(kept),
                                   "photo-upload": (io.BytesIO(photo_bytes()), "b.png")},
                       content_type="multipart/form-data")
    assert done.status_code == 303, done.get_data(as_text=True)
    case_id = int(done.headers["Location"].rsplit("/", 1)[-1])
    review = open_item(api("inst.chaoyang1"), case_id)
    complete(api("inst.chaoyang1"), review["id"], {"decision": "agree"})
    photo = database.scalar(select(Physician.photo_document_id).where(
        Physician.id == demo.physician["doctor.demo"]))
    assert photo is not None and photo != kept
    assert "医师相片" in client.get("/physician/").get_data(as_text=True)
    assert client.get(f"/cases/documents/{photo}/content").status_code == 200
