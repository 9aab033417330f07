"""Legacy import (I10) over REST: templates, dry run, the row report, the real run with its
progress, all rows or none, duplicates, jurisdiction, and reconciliation (seed 000 附件2, seed
002 §五(二) 清理整合、核实注册信息、建立关联关系, seed 003's FAQ on 标准名称)."""
from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from conftest import ApiClient, Database, chinese, error_of
from import_helpers import LEGACY, LEGACY_FIXED, csv_bytes, drain, imported, read, upload
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from stdnum.cn import uscc

from service.imports import runner
from service.imports.models import ImportJob, Placement
from service.institutions.face import Institution
from service.nurses.models import Nurse, NurseRegistration
from service.physicians.models import Physician, PracticeRegistration
from service.registry.versioning import RecordVersion

CHAOYANG = "bj.chaoyang.wjw"
# the demo legacy file's bad rows, as the old system's export had them
DEMO_ERRORS = [
    (5, "id_number", "公民身份号码校验位不正确，请核对"),
    (6, "division_code", "该行政区划不在本机关辖区内"),
    (6, "scope", "执业范围不在口腔类别的执业范围中"),
    (6, "valid_from", "日期格式应为 YYYY-MM-DD"),
    (7, "id_number", "与第 3 行重复"),
    (7, "qualification_certificate_number", "与第 3 行重复"),
    (8, "id_number", "该公民身份号码的人员已在册，请勿重复导入"),
    (8, "qualification_certificate_number", "该医师资格已有注册医师，请勿重复导入"),
    (8, "certificate_number", "该执业证书编码已登记"),
]
INSTITUTION_HEADER = ["name", "uscc", "category_code", "economic_type_code", "management_class",
                      "division_code", "address", "legal_representative", "subjects",
                      "licence_valid_from", "licence_valid_to"]


def _uscc(n: int, county: str = "110105") -> str:
    base = f"92{county}MA0{n:05d}X"[:17]
    return base + uscc.calc_check_digit(base)


def _clinic(n: int, county: str = "110105", **changes: str) -> list[str]:
    row = {"name": f"北京朝阳补录{n}号诊所", "uscc": _uscc(n, county), "category_code": "D211",
           "economic_type_code": "17", "management_class": "2", "division_code": county,
           "address": f"北京市朝阳区补录路{n}号", "legal_representative": "王补录",
           "subjects": "03 03.01", "licence_valid_from": "2020-01-01",
           "licence_valid_to": "2030-12-31"}
    row.update(changes)
    return [row[k] for k in INSTITUTION_HEADER]


def _counts(database: Database) -> tuple[int, int, int, int]:
    return tuple(database.scalar(select(func.count()).select_from(m)) for m in (
        Institution, Physician, PracticeRegistration, RecordVersion))


def _institution_id(database: Database, name: str) -> int:
    return database.scalar(select(Institution.id).where(Institution.name == name))


# --- templates -------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["institutions", "physicians", "nurses"])
def test_the_template_names_every_column_by_its_field_name(api: Callable[..., ApiClient],
                                                           kind: str) -> None:
    from service.imports import kinds

    response = api(CHAOYANG).get(f"/api/v1/imports/template?kind={kind}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    header, example = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert header == [c.key for c in kinds.get(kind).columns]
    assert len(example) == len(header)


def test_an_unknown_template_kind_is_400_in_chinese(api: Callable[..., ApiClient]) -> None:
    response = api(CHAOYANG).get("/api/v1/imports/template?kind=dentists")
    assert response.status_code == 400 and chinese(error_of(response)["fields"]["kind"][0])


def test_the_documented_layout_lists_every_column_of_every_kind() -> None:
    from conftest import ROOT

    from service.imports import kinds

    doc = (ROOT / "docs" / "imports.md").read_text(encoding="utf-8")
    for kind in kinds.all_kinds():
        for col in kind.columns:
            assert f"| `{col.key}` | {col.label} |" in doc, (kind.name, col.key)


# --- dry run and the row report --------------------------------------------------------------

def test_a_dry_run_reports_every_bad_row_and_writes_nothing(
        api: Callable[..., ApiClient], database: Database) -> None:
    before = _counts(database)
    chaoyang = api(CHAOYANG)
    body = imported(chaoyang, "physicians", read(LEGACY), "legacy.csv", dry_run=True)
    assert body["status"] == "rejected" and body["dry_run"] is True
    assert (body["rows"], body["done"], body["progress"], body["imported"]) == (7, 7, 100, 0)
    assert [(e["row"], e["field"], e["message"]) for e in body["errors"]] == DEMO_ERRORS
    assert body["error_count"] == len(DEMO_ERRORS)
    assert _counts(database) == before

    report = chaoyang.get(f"/api/v1/imports/{body['id']}/report")
    assert report.status_code == 200
    sheet = load_workbook(io.BytesIO(report.data), read_only=True).worksheets[0]
    rows = [tuple(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ("行号", "列", "列名", "原因")
    labels = {"id_number": "公民身份号码", "division_code": "执业机构所在行政区划", "scope": "执业范围",
              "valid_from": "注册日期", "qualification_certificate_number": "资格证书编码",
              "certificate_number": "执业证书编码"}
    assert rows[1:] == [(r, f, labels[f], m) for r, f, m in DEMO_ERRORS]


def test_a_clean_dry_run_passes_writes_nothing_and_its_real_run_imports(
        api: Callable[..., ApiClient], database: Database) -> None:
    before = _counts(database)
    chaoyang = api(CHAOYANG)
    dry = imported(chaoyang, "physicians", read(LEGACY_FIXED), dry_run=True)
    assert (dry["status"], dry["errors"], dry["imported"]) == ("succeeded", [], 0)
    assert _counts(database) == before
    started = chaoyang.post(f"/api/v1/imports/{dry['id']}/run")
    assert started.status_code == 202
    again = chaoyang.post(f"/api/v1/imports/{dry['id']}/run")  # a double click: the same run
    assert again.get_json()["id"] == started.get_json()["id"]
    drain()
    real = chaoyang.get(f"/api/v1/imports/{started.get_json()['id']}").get_json()
    assert (real["status"], real["dry_run"], real["imported"], real["checked_by"]) == (
        "succeeded", False, 5, dry["id"])
    assert _counts(database)[1] == before[1] + 5


def test_a_real_run_of_a_rejected_dry_run_is_refused(api: Callable[..., ApiClient]) -> None:
    chaoyang = api(CHAOYANG)
    dry = imported(chaoyang, "physicians", read(LEGACY), dry_run=True)
    response = chaoyang.post(f"/api/v1/imports/{dry['id']}/run")
    assert response.status_code == 409 and chinese(error_of(response)["message"])


# --- the real run ----------------------------------------------------------------------------

def test_the_real_run_imports_every_row_as_version_1_by_the_actor_with_reason_backfill(
        api: Callable[..., ApiClient], database: Database, demo) -> None:
    before = _counts(database)
    body = imported(api(CHAOYANG), "physicians", read(LEGACY_FIXED))
    assert (body["status"], body["imported"], body["progress"], body["done"], body["rows"]) == (
        "succeeded", 5, 100, 5, 5)
    assert body["waiting_links"] == 2
    people = database.scalars(select(Physician).where(Physician.id_number.in_([
        "110105197903120033", "110105198607210047", "110105197211020058",
        "110105199005160024", "110105198309300079"])))
    assert sorted(p.name for p in people) == sorted(["郑文博", "韩雪", "吴建平", "冯秀兰", "蒋立群"])
    versions = database.scalars(select(RecordVersion).where(
        RecordVersion.entity == "physician", RecordVersion.entity_id.in_([p.id for p in people])))
    assert len(versions) == 5
    assert {(v.version, v.reason, v.actor_id) for v in versions} == {
        (1, "数据补录", demo.account[CHAOYANG])}
    # three named their institution by its standard name: registered there
    kangtai = _institution_id(database, "北京市朝阳区康泰医院")
    dental = _institution_id(database, "北京朝阳李明口腔诊所")
    registrations = database.rows(select(Physician.name, PracticeRegistration.institution_id,
                                         PracticeRegistration.level,
                                         PracticeRegistration.location_code)
                                  .join(PracticeRegistration.physician)
                                  .where(Physician.id.in_([p.id for p in people])))
    assert sorted(registrations) == sorted([
        ("郑文博", kangtai, "physician", "110000"), ("冯秀兰", dental, "assistant", "110105"),
        ("蒋立群", dental, "physician", "110000")])
    assert _counts(database)[2] == before[2] + 3
    reg_versions = database.scalars(select(RecordVersion).where(
        RecordVersion.entity == "practice_registration", RecordVersion.version == 1,
        RecordVersion.reason == "数据补录"))
    assert len(reg_versions) >= 3


def test_progress_is_published_batch_by_batch_and_answered_while_running(
        api: Callable[..., ApiClient], database: Database, monkeypatch) -> None:
    published: list[int] = []
    publish = runner._publish
    monkeypatch.setattr(runner, "BATCH", 2)
    monkeypatch.setattr(runner, "_publish", lambda job_id, done: (published.append(done),
                                                                  publish(job_id, done)))
    rows = [INSTITUTION_HEADER] + [_clinic(n) for n in range(1, 6)]
    body = imported(api(CHAOYANG), "institutions", csv_bytes(rows))
    assert body["status"] == "succeeded" and published == [2, 4, 5]

    # a run under way: the page and the API read the published count
    chaoyang = api(CHAOYANG)
    started = upload(chaoyang, "institutions", csv_bytes(rows[:1] + [_clinic(n) for n in range(6, 10)]))
    job_id = started.get_json()["id"]
    with database.session() as s:
        s.get(ImportJob, job_id).status = "running"
        s.commit()
    runner._progress[job_id] = 3
    try:
        running = chaoyang.get(f"/api/v1/imports/{job_id}").get_json()
        assert (running["status"], running["rows"], running["done"], running["progress"]) == (
            "running", 4, 3, 75)
    finally:
        runner._forget(job_id)
        with database.session() as s:
            s.get(ImportJob, job_id).status = "queued"
            s.commit()
    drain()


def test_a_failure_in_the_last_row_leaves_nothing_behind(
        api: Callable[..., ApiClient], database: Database, monkeypatch) -> None:
    monkeypatch.setattr(runner, "BATCH", 2)  # the first rows are written before the last is read
    before = _counts(database)
    rows = [INSTITUTION_HEADER] + [_clinic(n) for n in range(1, 5)]
    rows.append(_clinic(5, licence_valid_to="2019-12-31"))
    body = imported(api(CHAOYANG), "institutions", csv_bytes(rows))
    assert body["status"] == "rejected" and body["imported"] == 0
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(6, "licence_valid_to")]
    assert body["errors"][0]["message"] == "有效期截止日期须晚于起始日期"
    assert _counts(database) == before
    assert database.scalar(select(func.count()).select_from(Institution).where(
        Institution.name.like("北京朝阳补录%"))) == 0


def test_a_conflict_met_only_when_the_last_row_is_written_rolls_back_every_row(
        api: Callable[..., ApiClient], database: Database, monkeypatch) -> None:
    """Someone registers the last row's institution between the checks and the write: the
    database's unique key refuses it, and the rows written before it go too."""
    from service.institutions import legacy_import

    monkeypatch.setattr(runner, "BATCH", 2)
    monkeypatch.setattr(legacy_import.BatchLookup, "uscc_taken", lambda self, code: False)
    before = _counts(database)
    taken = database.scalar(select(Institution.uscc).where(Institution.name == "北京朝阳王建国诊所"))
    rows = [INSTITUTION_HEADER] + [_clinic(n) for n in range(1, 5)] + [_clinic(5, uscc=taken)]
    body = imported(api(CHAOYANG), "institutions", csv_bytes(rows))
    assert body["status"] == "rejected" and body["imported"] == 0
    assert "全部撤销" in body["message"]
    assert _counts(database) == before


# --- duplicates ------------------------------------------------------------------------------

def test_duplicates_within_the_file_and_against_the_registry_are_row_errors(
        api: Callable[..., ApiClient], database: Database) -> None:
    registered = database.scalar(select(Institution.uscc).where(Institution.name == "北京朝阳王建国诊所"))
    rows = [INSTITUTION_HEADER, _clinic(1), _clinic(2, uscc=_uscc(1)), _clinic(3, uscc=registered),
            _clinic(4, uscc=_uscc(4).lower())]
    body = imported(api(CHAOYANG), "institutions", csv_bytes(rows))
    assert [(e["row"], e["field"], e["message"]) for e in body["errors"]] == [
        (3, "uscc", "与第 2 行重复"), (4, "uscc", "该统一社会信用代码已登记")]


# --- formats and bad files -------------------------------------------------------------------

def test_an_xlsx_with_chinese_headers_imports_like_a_csv(
        api: Callable[..., ApiClient], database: Database, demo) -> None:
    from service.imports import kinds

    labels = {c.key: c.label for c in kinds.get("institutions").columns}
    book = Workbook()
    sheet = book.active
    sheet.append([labels[k] for k in INSTITUTION_HEADER])
    for n in (1, 2):
        sheet.append(_clinic(n))
    sheet.append([None] * len(INSTITUTION_HEADER))  # an empty row is skipped
    out = io.BytesIO()
    book.save(out)
    body = imported(api(CHAOYANG), "institutions", out.getvalue(), "旧数据.xlsx")
    assert (body["status"], body["imported"]) == ("succeeded", 2), body
    inst = database.scalar(select(Institution).where(Institution.uscc == _uscc(2)))
    assert inst.subject_codes == ["03", "03.01"] and inst.issuing_authority_id == demo.administration[CHAOYANG]
    version = database.scalar(select(RecordVersion).where(
        RecordVersion.entity == "institution", RecordVersion.entity_id == inst.id))
    assert (version.version, version.reason, version.actor_id) == (1, "数据补录", demo.account[CHAOYANG])


def test_a_gb18030_csv_from_the_old_system_is_read(api: Callable[..., ApiClient]) -> None:
    rows = [INSTITUTION_HEADER, _clinic(7)]
    content = "\r\n".join(",".join(r) for r in rows).encode("gb18030")
    assert imported(api(CHAOYANG), "institutions", content)["status"] == "succeeded"


def test_a_file_with_unknown_or_missing_columns_is_refused_as_a_whole(
        api: Callable[..., ApiClient]) -> None:
    body = imported(api(CHAOYANG), "institutions", csv_bytes([["name", "颜色"], ["x", "红"]]))
    assert body["status"] == "rejected" and body["imported"] == 0
    assert "颜色" in body["message"] and "统一社会信用代码" in body["message"]


@pytest.mark.parametrize(("data", "field"), [
    ({"kind": "dentists", "file": (io.BytesIO(b"a,b\r\n"), "x.csv")}, "kind"),
    ({"kind": "institutions"}, "file"),
    ({"kind": "institutions", "file": (io.BytesIO(b"%PDF-1.7"), "x.pdf")}, "file"),
], ids=["kind", "no-file", "pdf"])
def test_a_bad_upload_is_422_in_chinese(api: Callable[..., ApiClient], database: Database,
                                        data: dict, field: str) -> None:
    before = database.scalar(select(func.count()).select_from(ImportJob))
    response = api(CHAOYANG).post("/api/v1/imports", data=data, content_type="multipart/form-data")
    assert response.status_code == 422 and chinese(error_of(response)["fields"][field][0])
    assert database.scalar(select(func.count()).select_from(ImportJob)) == before


# --- jurisdiction ----------------------------------------------------------------------------

def test_rows_for_another_division_are_errors(api: Callable[..., ApiClient]) -> None:
    rows = [INSTITUTION_HEADER, _clinic(1), _clinic(2, county="110108"), _clinic(3, county="500105")]
    body = imported(api(CHAOYANG), "institutions", csv_bytes(rows), dry_run=True)
    assert [(e["row"], e["field"], e["message"]) for e in body["errors"]] == [
        (3, "division_code", "该行政区划不在本机关辖区内"),
        (4, "division_code", "该行政区划不在本机关辖区内")]


def test_an_administration_sees_only_its_own_imports(api: Callable[..., ApiClient]) -> None:
    body = imported(api(CHAOYANG), "physicians", read(LEGACY_FIXED))
    placement = api(CHAOYANG).get("/api/v1/imports/placements").get_json()["items"][0]
    for other in ("bj.dongcheng.wjw", "bj.wjw", "inst.chaoyang1"):
        client = api(other)
        assert client.get(f"/api/v1/imports/{body['id']}").status_code == 404
        assert client.get(f"/api/v1/imports/{body['id']}/report").status_code == 404
        assert client.post(f"/api/v1/imports/{body['id']}/run").status_code == 404
        assert client.get("/api/v1/imports/placements").get_json()["items"] == []
        assert client.post(f"/api/v1/imports/placements/{placement['id']}/link",
                           json={"institution_id": 1}).status_code == 404


def test_only_administration_clerks_import(api: Callable[..., ApiClient]) -> None:
    response = upload(api("inst.chaoyang1"), "institutions", csv_bytes([INSTITUTION_HEADER]))
    assert response.status_code == 403 and chinese(error_of(response)["fields"]["_schema"][0])


# --- reconciliation --------------------------------------------------------------------------

def test_reconciliation_suggests_the_standard_name_and_a_link_is_a_registry_version(
        api: Callable[..., ApiClient], database: Database, demo) -> None:
    chaoyang = api(CHAOYANG)
    imported(chaoyang, "physicians", read(LEGACY_FIXED))
    items = chaoyang.get("/api/v1/imports/placements").get_json()["items"]
    assert [(p["name"], p["institution_name"]) for p in items] == [
        ("韩雪", "朝阳区康泰医院"), ("吴建平", "北京朝阳和康医院（原和康门诊部）")]
    kangtai = _institution_id(database, "北京市朝阳区康泰医院")
    hekang = _institution_id(database, "北京朝阳和康医院")
    assert items[0]["suggestions"][0]["institution_id"] == kangtai
    assert items[1]["suggestions"][0]["institution_id"] == hekang
    assert all(s["score"] >= 0.6 for p in items for s in p["suggestions"])

    before = _counts(database)
    response = chaoyang.post(f"/api/v1/imports/placements/{items[0]['id']}/link",
                             json={"institution_id": kangtai})
    assert response.status_code == 200 and response.get_json()["institution_id"] == kangtai
    reg = database.scalar(select(PracticeRegistration).where(
        PracticeRegistration.physician_id == items[0]["person_id"]))
    assert (reg.institution_id, reg.kind, reg.status, reg.scope, reg.category) == (
        kangtai, "main", "active", "儿科专业", "1")
    version = database.scalar(select(RecordVersion).where(
        RecordVersion.entity == "practice_registration", RecordVersion.entity_id == reg.id))
    assert (version.version, version.reason, version.actor_id) == (
        1, "数据补录：关联执业机构", demo.account[CHAOYANG])
    assert _counts(database)[2:] == (before[2] + 1, before[3] + 1)
    assert [p["name"] for p in chaoyang.get("/api/v1/imports/placements").get_json()["items"]] == ["吴建平"]
    again = chaoyang.post(f"/api/v1/imports/placements/{items[0]['id']}/link",
                          json={"institution_id": kangtai})
    assert again.status_code == 409


@pytest.mark.parametrize("target", ["重庆市江北区鸿恩中医医院", "北京市东城区永宁医院", None, "x"])
def test_a_link_outside_the_jurisdiction_or_to_nothing_is_422(
        api: Callable[..., ApiClient], database: Database, target) -> None:
    chaoyang = api(CHAOYANG)
    imported(chaoyang, "physicians", read(LEGACY_FIXED))
    placement = chaoyang.get("/api/v1/imports/placements").get_json()["items"][0]
    institution_id = _institution_id(database, target) if target and target != "x" else target
    before = _counts(database)
    response = chaoyang.post(f"/api/v1/imports/placements/{placement['id']}/link",
                             json={"institution_id": institution_id})
    assert response.status_code == 422
    assert chinese(error_of(response)["fields"]["institution_id"][0])
    assert _counts(database) == before


NURSE_HEADER = ["姓名", "公民身份号码", "执业证书编号", "执业机构", "执业机构所在行政区划", "注册日期", "注册有效期至"]


def test_nurses_are_imported_and_an_unknown_institution_waits_for_its_link(
        api: Callable[..., ApiClient], database: Database, demo) -> None:
    from conftest import resident_id

    ids = [resident_id("11010519950412002"), resident_id("11010519970823004")]
    rows = [NURSE_HEADER,
            ["宋佳", ids[0], "201911000101", "北京市朝阳区康泰医院", "110105", "2024-01-10", "2029-01-09"],
            ["贺敏", ids[1], "201911000102", "康泰医院", "110105", "2021-05-01", "2026-04-30"]]
    chaoyang = api(CHAOYANG)
    body = imported(chaoyang, "nurses", csv_bytes(rows))
    assert (body["status"], body["imported"], body["waiting_links"]) == ("succeeded", 2, 1)
    kangtai = _institution_id(database, "北京市朝阳区康泰医院")
    song = database.scalar(select(Nurse).where(Nurse.id_number == ids[0]))
    assert (song.institution_id, song.status, song.gender) == (kangtai, "active", "F")
    he = database.scalar(select(Nurse).where(Nurse.id_number == ids[1]))
    assert (he.institution_id, he.status) == (None, "unregistered")
    placement = chaoyang.get(f"/api/v1/imports/placements?import_id={body['id']}").get_json()["items"][0]
    assert placement["suggestions"][0]["institution_id"] == kangtai
    assert chaoyang.post(f"/api/v1/imports/placements/{placement['id']}/link",
                         json={"institution_id": kangtai}).status_code == 200
    he = database.scalar(select(Nurse).where(Nurse.id_number == ids[1]))
    # her registration ended before today: linked, and expired as the file says
    assert (he.institution_id, he.status, he.valid_until.isoformat()) == (kangtai, "expired", "2026-04-30")
    assert database.scalar(select(NurseRegistration.institution_id).where(
        NurseRegistration.nurse_id == he.id)) == kangtai
    reasons = [v.reason for v in database.scalars(select(RecordVersion).where(
        RecordVersion.entity == "nurse", RecordVersion.entity_id == he.id).order_by(RecordVersion.version))]
    assert reasons == ["数据补录", "数据补录：关联执业机构"]
    assert database.scalar(select(Placement.linked_by_id).where(
        Placement.id == placement["id"])) == demo.account[CHAOYANG]


def test_a_damaged_xlsx_ends_rejected_with_a_reason(api: Callable[..., ApiClient]) -> None:
    book = Workbook()
    book.active.append(INSTITUTION_HEADER)
    out = io.BytesIO()
    book.save(out)
    damaged = out.getvalue()[: len(out.getvalue()) // 2]  # a zip cut in half
    body = imported(api(CHAOYANG), "institutions", damaged, "cut.xlsx")
    assert body["status"] == "rejected" and chinese(body["message"]) and body["imported"] == 0
