"""Legacy import pages (数据导入, 导入核对): upload for a dry run, the row report on the page and
as XLSX, the real run with its progress bar, reconciliation by one click, and who sees what."""
from __future__ import annotations

import io
import re

from conftest import Database, csrf, logged_in
from import_helpers import LEGACY, LEGACY_FIXED, drain, read
from openpyxl import load_workbook
from sqlalchemy import select

from service.imports.models import ImportJob
from service.institutions.face import Institution
from service.physicians.models import Physician, PracticeRegistration
from service.registry.versioning import RecordVersion

CHAOYANG = "bj.chaoyang.wjw"


def _upload(client, path, kind: str = "physicians"):
    token = csrf(client, "/imports/")
    return client.post("/imports/", data={"csrf_token": token, "kind": kind,
                                          "file": (io.BytesIO(read(path)), path.name)},
                       content_type="multipart/form-data")


def _job_id(response) -> int:
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    return int(re.search(r"/imports/(\d+)$", response.headers["Location"]).group(1))


def test_the_import_page_offers_the_upload_the_templates_and_the_menu_entry(client) -> None:
    page = logged_in(client, CHAOYANG).get("/imports/").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and "上传并试导入" in page
    for kind in ("institutions", "physicians", "nurses"):
        assert f"/imports/template/{kind}.xlsx" in page and f"/imports/template/{kind}.csv" in page
    assert ">数据导入</a>" in page and ">导入核对</a>" in page


def test_the_xlsx_template_has_the_chinese_headers_as_text_cells(client) -> None:
    from service.imports import kinds

    response = logged_in(client, CHAOYANG).get("/imports/template/physicians.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    assert [c.value for c in sheet[1]] == [c.label for c in kinds.get("physicians").columns]
    assert all(c.number_format == "@" for c in sheet[2])


def test_the_journey_upload_report_fix_import_and_reconcile(client, database: Database) -> None:
    browser = logged_in(client, CHAOYANG)
    job_id = _job_id(_upload(browser, LEGACY))
    waiting = browser.get(f"/imports/{job_id}").get_data(as_text=True)
    # not finished: the bar, the script that moves it, and a refresh for browsers without scripts
    assert '<progress id="import-bar" max="100" value="0">' in waiting
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in waiting
    assert "/static/imports.js" in waiting
    assert browser.get(f"/imports/{job_id}/status").get_json() == {
        "status": "queued", "status_name": "排队中", "progress": 0, "done": 0, "rows": 7,
        "finished": False}
    drain()

    page = browser.get(f"/imports/{job_id}").get_data(as_text=True)
    assert "检查未通过：共 9 处错误" in page and "http-equiv" not in page
    assert "<td>公民身份号码</td><td>公民身份号码校验位不正确，请核对</td>" in page
    assert "<td>执业机构所在行政区划</td><td>该行政区划不在本机关辖区内</td>" in page
    assert "正式导入</button>" not in page
    report = browser.get(f"/imports/{job_id}/report.xlsx")
    rows = list(load_workbook(io.BytesIO(report.data), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 10 and rows[1] == (5, "id_number", "公民身份号码", "公民身份号码校验位不正确，请核对")

    fixed = _job_id(_upload(browser, LEGACY_FIXED))
    drain()
    page = browser.get(f"/imports/{fixed}").get_data(as_text=True)
    assert "检查通过：全部 5 行均可导入" in page and "正式导入</button>" in page
    token = csrf(browser, f"/imports/{fixed}")
    real = _job_id(browser.post(f"/imports/{fixed}/run", data={"csrf_token": token}))
    drain()
    page = browser.get(f"/imports/{real}").get_data(as_text=True)
    assert "导入成功：已写入 5 条记录" in page and f"/imports/reconcile?import_id={real}" in page
    assert 'value="100"' in page

    listing = browser.get(f"/imports/reconcile?import_id={real}").get_data(as_text=True)
    assert "韩雪" in listing and "朝阳区康泰医院" in listing and "吴建平" in listing
    kangtai = database.scalar(select(Institution.id).where(Institution.name == "北京市朝阳区康泰医院"))
    placement = int(re.search(r'id="placement-(\d+)"', listing).group(1))
    token = csrf(browser, f"/imports/reconcile?import_id={real}")
    linked = browser.post(f"/imports/reconcile/{placement}?import_id={real}",
                          data={"csrf_token": token, "institution_id": str(kangtai)})
    assert linked.status_code == 303
    listing = browser.get(linked.headers["Location"]).get_data(as_text=True)
    assert "已将韩雪关联到所选医疗机构" in listing and f'id="placement-{placement}"' not in listing
    reg = database.scalar(select(PracticeRegistration).join(PracticeRegistration.physician).where(
        Physician.id_number == "110105198607210047"))
    assert reg.institution_id == kangtai
    assert database.scalar(select(RecordVersion.reason).where(
        RecordVersion.entity == "practice_registration", RecordVersion.entity_id == reg.id)) == "数据补录：关联执业机构"


def test_an_upload_without_a_file_says_so_in_chinese(client, database: Database) -> None:
    browser = logged_in(client, CHAOYANG)
    before = database.count(select(ImportJob))
    token = csrf(browser, "/imports/")
    response = browser.post("/imports/", data={"csrf_token": token, "kind": "physicians"})
    assert response.status_code == 422 and "请选择要导入的 CSV 或 XLSX 文件" in response.get_data(as_text=True)
    assert database.count(select(ImportJob)) == before


def test_an_upload_without_csrf_is_refused(client, database: Database) -> None:
    browser = logged_in(client, CHAOYANG)
    before = database.count(select(ImportJob))
    response = browser.post("/imports/", data={"kind": "physicians",
                                               "file": (io.BytesIO(read(LEGACY)), "x.csv")},
                            content_type="multipart/form-data")
    assert response.status_code == 400 and database.count(select(ImportJob)) == before


def test_another_administration_gets_404_and_an_institution_403(client, new_client) -> None:
    job_id = _job_id(_upload(logged_in(client, CHAOYANG), LEGACY))
    drain()
    other = logged_in(new_client(), "bj.dongcheng.wjw")
    for path in (f"/imports/{job_id}", f"/imports/{job_id}/status", f"/imports/{job_id}/report.xlsx"):
        assert other.get(path).status_code == 404, path
    assert "没有待核对的人员" in other.get("/imports/reconcile").get_data(as_text=True)
    institution = logged_in(new_client(), "inst.chaoyang1")
    assert institution.get("/imports/").status_code == 403
    assert institution.get(f"/imports/{job_id}").status_code == 404
