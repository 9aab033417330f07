"""考核信息 (issue 16 item 7): periodic assessment records imported by the administration (CSV or
XLSX, all rows or none), shown to the physician and her institution, and read by the
cancellation grounds (failed twice; two cycles missed, 《医师法》第十七条) and by the refusal rule
of 《医师法》第十六条."""
from __future__ import annotations

import io
from datetime import date, timedelta

from conftest import logged_in
from physician_flow import PhysicianCase, days_ago, start

DEMO_ID = "110105198504178996"  # 陈思远, doctor.demo, at inst.chaoyang1 (朝阳)
HEADER = "身份证号,姓名,考核周期,考核次数,考核结果,考核机构,考核日期\n"
BODY = "北京市朝阳区医师定期考核委员会"


def _csv(*rows: str) -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode("utf-8")


def _import(client, content: bytes, name: str = "考核.csv", dry_run: bool = False):
    data = {"file": (io.BytesIO(content), name)}
    if dry_run:
        data["dry_run"] = "true"
    return client.post("/api/v1/physicians/assessments/import", data=data,
                       content_type="multipart/form-data")


def _records(api, demo) -> dict:
    response = api("doctor.demo").get(
        f"/api/v1/physicians/{demo.physician['doctor.demo']}/assessments")
    assert response.status_code == 200
    return response.get_json()


FAILED_TWICE = (f"{DEMO_ID},陈思远,2023-2025,首次考核,不合格,{BODY},{days_ago(200)}",
                f"{DEMO_ID},陈思远,2023-2025,再次考核,不合格,{BODY},{days_ago(20)}")


def test_the_administration_imports_and_the_physician_and_institution_see_them(
        api, demo, new_client):
    bureau = api("bj.chaoyang.wjw")
    response = _import(bureau, _csv(f"{DEMO_ID},陈思远,2020-2022,首次考核,合格,{BODY},2022-11-20"))
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"rows": 1, "created": 1, "updated": 0, "dry_run": False}
    (record,) = _records(api, demo)["items"]
    assert (record["cycle_start"], record["result_name"], record["assessing_body"]) == (
        2020, "合格", BODY)
    again = _import(bureau, _csv(f"{DEMO_ID},陈思远,2020-2022,1,不合格,{BODY},2022-11-21"))
    assert again.get_json()["updated"] == 1  # the same cycle and attempt: a new version
    assert _records(api, demo)["items"][0]["result"] == "failed"

    page = logged_in(new_client(), "doctor.demo").get("/physician/assessment")
    assert "2020—2022" in page.get_data(as_text=True) and BODY in page.get_data(as_text=True)
    inst = logged_in(new_client(), "inst.chaoyang1").get(
        f"/institution/physicians/{demo.physician['doctor.demo']}")
    assert "考核信息" in inst.get_data(as_text=True) and "2020—2022" in inst.get_data(as_text=True)


def test_a_file_with_a_bad_row_imports_nothing(api, demo):
    bureau = api("bj.chaoyang.wjw")
    response = _import(bureau, _csv(
        f"{DEMO_ID},陈思远,2020-2022,首次考核,合格,{BODY},2022-11-20",
        f"{DEMO_ID},陈思源,2020-2023,三次,优秀,,",
        f"500105199809161455,赵睿,2020-2022,首次考核,合格,{BODY},2022-11-20"))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "import_rejected"
    assert set(error["fields"]) >= {"3.name", "3.cycle", "3.attempt", "3.result",
                                    "3.assessing_body", "4.id_number"}
    assert "不在本辖区" in error["fields"]["4.id_number"][0]
    assert _records(api, demo)["items"] == []
    dry = _import(bureau, _csv(f"{DEMO_ID},陈思远,2020-2022,首次考核,合格,{BODY},2022-11-20"),
                  dry_run=True)
    assert dry.status_code == 200 and dry.get_json()["created"] == 1
    assert _records(api, demo)["items"] == []  # a dry run writes nothing


def test_an_xlsx_file_is_read_and_only_administrations_import(api, demo):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(","))
    sheet.append([DEMO_ID, "陈思远", "2017-2019", "首次考核", "未参加", BODY, None])
    sheet.append([DEMO_ID, "陈思远", "2020-2022", "首次考核", "未参加", BODY, None])
    out = io.BytesIO()
    book.save(out)
    assert _import(api("inst.chaoyang1"), out.getvalue(), "考核.xlsx").status_code == 403
    response = _import(api("bj.chaoyang.wjw"), out.getvalue(), "考核.xlsx")
    assert response.status_code == 200, response.get_json()
    assert "连续两个考核周期" in _records(api, demo)["grounds"][0]
    assert _import(api("bj.chaoyang.wjw"), b"x", "考核.txt").status_code == 422


def test_the_import_page_shows_each_rows_problem(new_client):
    from conftest import csrf

    client = logged_in(new_client(), "bj.chaoyang.wjw")
    token = csrf(client, "/physicians/assessments/")
    response = client.post("/physicians/assessments/", data={
        "csrf_token": token, "file": (io.BytesIO(_csv(f"{DEMO_ID},陈思远,2020,首次考核,合格,{BODY},")),
                                      "考核.csv")}, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "考核周期应为连续三年" in page and "未导入任何记录" in page
    assert client.get("/physicians/assessments/template.csv").data.decode("utf-8-sig").startswith(
        "身份证号,姓名,考核周期")
    assert logged_in(new_client(), "inst.chaoyang1").get("/physicians/assessments/").status_code == 404


def _cancel_for(api, demo, reason: str) -> tuple[PhysicianCase, dict]:
    inst = api("inst.chaoyang1")
    flow = PhysicianCase(inst, inst, api("bj.chaoyang.wjw"), "physician_cancellation")
    flow.start(demo.institution["inst.chaoyang1"], demo.physician["doctor.demo"])
    return flow, flow.apply(422, task="report", reason=reason, occurred_on=days_ago(1))


def test_an_assessment_ground_of_cancellation_needs_the_records(api, demo):
    flow, refused = _cancel_for(api, demo, "failed_assessment")
    assert "没有“考核不合格、再次考核仍不合格”的记录" in refused["error"]["fields"]["reason"][0]
    flow.submitted.clear()
    missed = flow.apply(422, task="report", reason="missed_assessments", occurred_on=days_ago(1))
    assert "连续两个考核周期未参加" in missed["error"]["fields"]["reason"][0]
    flow.submitted.clear()
    assert _import(api("bj.chaoyang.wjw"), _csv(*FAILED_TWICE)).status_code == 200
    flow.apply(task="report", reason="failed_assessment", occurred_on=days_ago(1))
    assert flow.decide("approve")["outcome"] == "approved"


def test_a_second_failure_within_a_year_bars_registration(api, demo, database):
    """《医师法》第十六条: as a cancellation for a failed assessment, for one year."""
    from service.physicians.assessments import PhysicianAssessment

    doctor_new = demo.physician["doctor.new"]
    with database.session() as s:
        for attempt, when in ((1, date.today() - timedelta(days=300)),
                              (2, date.today() - timedelta(days=100))):
            s.add(PhysicianAssessment(physician_id=doctor_new, cycle_start=2023, cycle_end=2025,
                                      attempt=attempt, result="failed", assessing_body=BODY,
                                      assessed_on=when))
        s.commit()
    body = start(api("doctor.new"), "physician_registration", demo.institution["inst.chaoyang1"],
                 status=422)
    assert "再次考核仍不合格，不满一年，不予注册" in body["error"]["message"]
    with database.session() as s:
        from sqlalchemy import update

        s.execute(update(PhysicianAssessment).where(PhysicianAssessment.attempt == 2).values(
            assessed_on=date.today() - timedelta(days=400)))
        s.commit()
    start(api("doctor.new"), "physician_registration", demo.institution["inst.chaoyang1"])
