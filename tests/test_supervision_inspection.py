"""S3 self_inspection (seed 004 §1.3.2–1.3.3, §1.2.5, §2.2): every item answered 是 / 否 /
合理缺项; 暂存 keeps an editable, deletable draft; 确认上报 makes it immutable through every door;
each 否 is a rectification item the administrator closes with evidence; the administration
queries its jurisdiction (Jiangbei sees it, Chaoyang does not); the yearly reminder."""
from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import Database, csrf, error_of, logged_in
from sqlalchemy import select
from supervision_helpers import INSPECTOR, item_codes, send, upload

from service.engine.models import Case, WorkItem
from service.notify.models import Notification
from service.supervision.inspection import beijing_today
from service.supervision.models import InspectionAnswer, Rectification, SelfInspection
from service.supervision.reminders import yearly_reminders

INSPECTIONS = "/api/v1/supervision/inspections"


@pytest.fixture
def inspector(api):
    return api(INSPECTOR)


def _submitted(inspector, noes: int = 2) -> dict:
    codes = item_codes(inspector)
    answers = {c: ("no" if i < noes else "na" if i % 7 == 3 else "yes") for i, c in enumerate(codes)}
    created = inspector.post(INSPECTIONS, json={"answers": answers, "submit": True})
    assert created.status_code == 201, created.get_json()
    return created.get_json()


def test_draft_then_every_item_required_then_submitted_with_rectifications(
        inspector, api, database: Database) -> None:
    codes = item_codes(inspector)
    assert len(codes) > 50 and codes[0].startswith("A01.")
    draft = inspector.post(INSPECTIONS, json={"answers": {codes[0]: {"answer": "yes"}}})
    assert draft.status_code == 201 and draft.get_json()["status"] == "draft"
    rec_id = draft.get_json()["id"]
    # 所有的题目都为必填
    refused = inspector.post(f"{INSPECTIONS}/{rec_id}/submit")
    assert refused.status_code == 422 and "所有的题目都为必填" in error_of(refused)["message"]
    bad = send(inspector, "PUT", f"{INSPECTIONS}/{rec_id}", {"answers": {codes[1]: "maybe"}})
    assert bad.status_code == 422 and "是 / 否 / 合理缺项" in str(error_of(bad)["fields"])
    outside = send(inspector, "PUT", f"{INSPECTIONS}/{rec_id}", {"answers": {"Z99.001": "yes"}})
    assert outside.status_code == 422
    photo = upload(inspector, "自查材料")
    answers = {c: "yes" for c in codes[1:]}
    answers[codes[1]] = {"answer": "no", "photo_ids": [photo]}
    answers[codes[2]] = "no"
    answers[codes[3]] = "na"
    saved = send(inspector, "PUT", f"{INSPECTIONS}/{rec_id}", {"answers": answers})
    assert saved.status_code == 200 and saved.get_json()["answers"][codes[1]]["photo_ids"] == [photo]
    done = inspector.post(f"{INSPECTIONS}/{rec_id}/submit")
    assert done.status_code == 200 and done.get_json()["status"] == "submitted"
    assert done.get_json()["comprehensive"] is True
    items = {r["item_code"]: r for r in api("inst.jiangbei1").get(
        f"/api/v1/supervision/rectifications?inspection_id={rec_id}").get_json()["items"]}
    assert set(items) == {codes[1], codes[2]} and all(r["status"] == "open" for r in items.values())
    assert items[codes[1]]["deadline"] == (beijing_today() + timedelta(days=30)).isoformat()
    case = database.scalar(select(Case).where(Case.id == done.get_json()["case_id"]))
    assert case.status == "open"
    assert database.count(select(WorkItem).where(WorkItem.case_id == case.id, WorkItem.task == "rectify",
                                                 WorkItem.status == "open")) == 1
    told = database.scalars(select(Notification.subject).where(Notification.channel == "inbox"))
    assert "自查发现问题待整改" in told


def test_rectified_and_closed_by_the_administrator(inspector, api, database: Database) -> None:
    rec = _submitted(inspector)
    admin = api("inst.jiangbei1")
    items = admin.get(f"/api/v1/supervision/rectifications?inspection_id={rec['id']}").get_json()["items"]
    assert len(items) == 2
    first = f"/api/v1/supervision/rectifications/{items[0]['id']}"
    # the inspector reads but may not close
    assert send(inspector, "PATCH", first, {"close": True}).status_code == 403
    no_evidence = send(admin, "PATCH", first, {"measures": "已补办许可", "close": True})
    assert no_evidence.status_code == 422
    assert "整改材料" in error_of(no_evidence)["fields"]["evidence_ids"][0]
    bad_date = send(admin, "PATCH", first, {"deadline": "2026-13-01"})
    assert bad_date.status_code == 422
    for item in items:
        closed = send(admin, "PATCH", f"/api/v1/supervision/rectifications/{item['id']}",
                      {"measures": "已整改", "evidence_ids": [upload(admin, "整改材料")], "close": True})
        assert closed.status_code == 200 and closed.get_json()["status"] == "closed"
    assert send(admin, "PATCH", first, {"measures": "再改"}).status_code == 409
    case = database.scalar(select(Case).where(Case.id == rec["case_id"]))
    assert (case.status, case.outcome) == ("completed", "rectified")
    assert database.count(select(Rectification).where(Rectification.inspection_id == rec["id"],
                                                      Rectification.status == "open")) == 0


def test_a_submitted_record_is_immutable_through_every_door(inspector, api, app, new_client,
                                                           database: Database) -> None:
    rec = _submitted(inspector, noes=0)
    url = f"{INSPECTIONS}/{rec['id']}"
    assert rec["status"] == "submitted"
    codes = item_codes(inspector)
    for method, path, body in (("PUT", url, {"answers": {codes[0]: "no"}}), ("POST", f"{url}/submit", None),
                               ("DELETE", url, None)):
        response = send(inspector, method, path, body)
        assert response.status_code == 409 and error_of(response)["code"] == "immutable", (method, path)
    # the engine: its fill task is done, a completion or a draft is refused
    fill = database.scalar(select(WorkItem.id).where(WorkItem.case_id == rec["case_id"], WorkItem.task == "fill"))
    for door in ("complete", "draft"):
        response = inspector.post(f"/api/v1/work-items/{fill}/{door}", json={"data": {}})
        assert response.status_code == 409, door
    # the pages
    page = logged_in(new_client(), INSPECTOR)
    group = codes[0].split(".")[0]
    answer = page.post(f"/supervision/inspections/{rec['id']}/groups/{group}",
                       data={f"a_{codes[0]}": "no", "csrf_token": csrf(page, "/supervision/inspections")},
                       follow_redirects=True)
    assert "已确认上报的自查记录不可修改" in answer.get_data(as_text=True)
    deleted = page.post(f"/supervision/inspections/{rec['id']}/delete",
                        data={"csrf_token": csrf(page, "/supervision/inspections")}, follow_redirects=True)
    assert "不可修改" in deleted.get_data(as_text=True)
    assert database.scalar(select(SelfInspection.status).where(SelfInspection.id == rec["id"])) == "submitted"
    assert database.count(select(InspectionAnswer).where(InspectionAnswer.inspection_id == rec["id"],
                                                         InspectionAnswer.answer == "no")) == 0


def test_a_draft_is_edited_and_deleted_by_its_author_only(inspector, api, database: Database) -> None:
    draft = inspector.post(INSPECTIONS, json={"answers": {}}).get_json()
    url = f"{INSPECTIONS}/{draft['id']}"
    admin = api("inst.jiangbei1")
    assert admin.get(url).status_code == 200  # the administrator reads the institution's records
    assert send(admin, "PUT", url, {"answers": {}}).status_code == 403
    assert api("cq.jiangbei.wjw").get(url).status_code == 404  # a draft is not the administration's
    assert send(inspector, "DELETE", url).status_code == 204
    assert inspector.get(url).status_code == 404
    case = database.scalar(select(Case).where(Case.id == draft["case_id"]))
    assert case.status == "withdrawn"


def test_jiangbei_sees_the_records_and_chaoyang_none(inspector, api) -> None:
    rec = _submitted(inspector)
    jiangbei, chaoyang = api("cq.jiangbei.wjw"), api("bj.chaoyang.wjw")
    listed = jiangbei.get(f"{INSPECTIONS}?division=500105").get_json()["items"]
    assert rec["id"] in [r["id"] for r in listed]
    assert jiangbei.get(f"{INSPECTIONS}/{rec['id']}").get_json()["answers"]
    assert len(jiangbei.get(f"/api/v1/supervision/rectifications?inspection_id={rec['id']}")
               .get_json()["items"]) == 2
    assert chaoyang.get(INSPECTIONS).get_json()["items"] == []
    assert chaoyang.get(f"{INSPECTIONS}/{rec['id']}").status_code == 404
    assert chaoyang.get("/api/v1/supervision/rectifications").get_json()["items"] == []
    assert chaoyang.get(f"/api/v1/cases/{rec['case_id']}").status_code == 404
    assert jiangbei.get(f"/api/v1/cases/{rec['case_id']}").status_code == 200


def test_queries_filter_by_item_and_dates_newest_first(inspector, api) -> None:
    first, second = _submitted(inspector), _submitted(inspector)
    mine = inspector.get(INSPECTIONS).get_json()["items"]
    assert [r["id"] for r in mine][:2] == [second["id"], first["id"]]
    today = beijing_today().isoformat()
    jiangbei = api("cq.jiangbei.wjw")
    assert len(jiangbei.get(f"{INSPECTIONS}?start={today}&end={today}&item=A01").get_json()["items"]) >= 2
    assert jiangbei.get(f"{INSPECTIONS}?item=H").get_json()["items"] == []  # 放射诊疗 not in scope
    tomorrow = (beijing_today() + timedelta(days=1)).isoformat()
    assert jiangbei.get(f"{INSPECTIONS}?start={tomorrow}").get_json()["items"] == []
    wrong = jiangbei.get(f"{INSPECTIONS}?start={tomorrow}&end={today}")
    assert wrong.status_code == 422 and error_of(wrong)["message"] == "开始时间不可大于结束时间"
    assert jiangbei.get(f"{INSPECTIONS}?start=2026-02-30").status_code == 422
    page = jiangbei.get(f"{INSPECTIONS}?limit=1").get_json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    assert jiangbei.get(f"{INSPECTIONS}?limit=1&cursor={page['next_cursor']}").get_json()["items"][0]["id"] \
        == first["id"]


def test_the_pages_fill_a_group_and_refuse_start_after_end(inspector, new_client, database: Database) -> None:
    page = logged_in(new_client(), INSPECTOR)
    created = page.post("/supervision/inspections/new", data={"csrf_token": csrf(page, "/supervision/")})
    assert created.status_code == 302
    rec_id = int(created.headers["Location"].split("/")[-2])
    fill = page.get(f"/supervision/inspections/{rec_id}/fill").get_data(as_text=True)
    assert "机构资质" in fill and "已填 0/" in fill
    group = page.get(f"/supervision/inspections/{rec_id}/groups/A01").get_data(as_text=True)
    assert 'accept="image/*" capture' in group and "【合理缺项】" in group
    codes = database.scalars(select(InspectionAnswer.item_code).where(
        InspectionAnswer.inspection_id == rec_id, InspectionAnswer.item_code.startswith("A01.")))
    form = {f"a_{c}": "yes" for c in codes}
    form["csrf_token"] = csrf(page, f"/supervision/inspections/{rec_id}/groups/A01")
    assert page.post(f"/supervision/inspections/{rec_id}/groups/A01", data=form).status_code == 302
    assert f"已填 {len(codes)}/{len(codes)}" in page.get(f"/supervision/inspections/{rec_id}/fill").get_data(as_text=True)
    refused = page.post(f"/supervision/inspections/{rec_id}/submit",
                        data={"csrf_token": csrf(page, "/supervision/")}, follow_redirects=True)
    assert "所有的题目都为必填" in refused.get_data(as_text=True)
    wrong = page.get("/supervision/inspections?start=2026-05-02&end=2026-05-01")
    assert wrong.status_code == 422 and "开始时间不可大于结束时间" in wrong.get_data(as_text=True)


def test_yearly_reminder_when_no_comprehensive_inspection_in_12_months(app, inspector, database: Database) -> None:
    def reminders() -> list[int]:
        return database.scalars(select(Notification.account_id).where(
            Notification.subject == "年度全面自查提醒"))

    today = beijing_today()
    with app.app_context():
        assert yearly_reminders(today) == 0
        later = today + timedelta(days=400)  # a moved date: more than 12 months without one
        assert yearly_reminders(later) >= 1
        told = len(reminders())
        assert told >= 2  # the administrator and the inspector
        assert yearly_reminders(later) == 0 and len(reminders()) == told  # once per due date
    _submitted(inspector)
    with app.app_context():
        assert yearly_reminders(today + timedelta(days=300)) == 0


def test_photos_open_for_readers_and_each_author_reads_only_her_own(inspector, api, new_client) -> None:
    codes = item_codes(inspector)
    photo = upload(inspector, "自查材料")
    answers = {c: "yes" for c in codes}
    answers[codes[0]] = {"answer": "yes", "photo_ids": [photo]}
    rec = inspector.post(INSPECTIONS, json={"answers": answers, "submit": True}).get_json()
    url = f"/supervision/files/inspection/{rec['id']}/{photo}"
    assert logged_in(new_client(), "cq.jiangbei.wjw").get(url).mimetype == "image/png"  # 点击图片放大查看
    assert logged_in(new_client(), "bj.chaoyang.wjw").get(url).status_code == 404
    assert logged_in(new_client(), INSPECTOR).get(f"/supervision/files/inspection/{rec['id']}/{photo + 1}") \
        .status_code == 404
    # the scorer of the same institution does not read the inspector's records
    assert api("13800000002").get(f"{INSPECTIONS}/{rec['id']}").status_code == 404
    assert api("13800000002").get(INSPECTIONS).get_json()["items"] == []


def test_the_item_filter_offers_only_the_institutions_scope(new_client) -> None:
    page = logged_in(new_client(), INSPECTOR).get("/supervision/inspections").get_data(as_text=True)
    assert '<option value="A">机构执业</option>' in page and "机构资质" in page
    assert "放射诊疗" not in page and "临床用血" not in page
