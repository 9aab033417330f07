"""The legacy import's bulk path: the records and versions it writes in bulk are the ones a
single backfill writes for the same institution, and both XLSX string layouts read alike."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from flask import Flask
from openpyxl import Workbook
from sqlalchemy import func, select
from stdnum.cn import uscc

from service.access.models import Account
from service.core.extensions import db
from service.imports import kinds
from service.imports.reading import read_rows
from service.institutions.backfill import backfill_institution
from service.institutions.models import Institution
from service.nurses.models import Nurse, NurseRegistration
from service.physicians.models import Physician, PracticeRegistration
from service.registry.versioning import RecordVersion, change_context, history, insert_new

CHAOYANG = "bj.chaoyang.wjw"
# what differs between the two institutions compared, and what the database sets per row
OWN = {"id", "name", "uscc", "registration_number", "created_at"}


def _uscc(n: int) -> str:
    base = f"92110105MA0{n:05d}Y"[:17]
    return base + uscc.calc_check_digit(base)


def _data(n: int) -> dict[str, str]:
    data = {c.key: c.example for c in kinds.get("institutions").columns}
    data.update(name=f"北京朝阳批量比对{n}号诊所", uscc=_uscc(n), beds="12",
                registered_capital="20.5", subjects="03.01 03 03.01")
    return data


def _record(inst_id: int) -> dict:
    inst = db.session.get(Institution, inst_id)
    return {c.key: getattr(inst, c.key) for c in Institution.__table__.columns if c.key not in OWN}


def _version(inst_id: int) -> tuple:
    [v] = history("institution", inst_id)
    data = {k: val for k, val in v.data.items() if k not in OWN}
    return (v.version, v.reason, v.actor_id, v.case_id, v.changed, sorted(v.data), data)


def test_the_bulk_write_records_what_a_single_backfill_records(app: Flask, demo) -> None:
    kind = kinds.get("institutions")
    with app.app_context():
        actor = db.session.scalar(select(Account).where(Account.username == CHAOYANG))
        single = backfill_institution(actor, _data(1)).id
        row = kinds.Row(2, _data(2))
        ctx = kinds.Context(actor, actor.administration)
        items = kind.check([row], ctx)
        assert row.errors == {}
        with change_context(actor.id, "数据补录"):
            assert kind.write(items, ctx) == []
        bulk = db.session.scalar(select(Institution.id).where(Institution.uscc == _uscc(2)))
        db.session.expire_all()

        assert _record(bulk) == _record(single)
        assert db.session.get(Institution, bulk).subject_codes == ["03", "03.01"]
        assert _version(bulk) == _version(single)
        assert _version(bulk)[:3] == (1, "数据补录", demo.account[CHAOYANG])
        assert db.session.get(Institution, bulk).version == 1
        versions = [db.session.get(Institution, i).snapshot() for i in (single, bulk)]
        assert [history("institution", i)[0].data for i in (single, bulk)] == versions


def test_insert_new_returns_the_ids_in_the_order_of_its_rows(app: Flask) -> None:
    with app.app_context(), change_context(None, "测试数据"):
        admin_id = db.session.scalar(select(Institution.issuing_authority_id).limit(1))
        rows = [dict(name=f"顺序{n}", uscc=_uscc(100 + n), registration_number=None,
                     category_code="D211", economic_type_code="17", management_class="2",
                     address="地址", legal_representative="王", division_code="110105",
                     city_code="110100", province_code="110000", issuing_authority_id=admin_id)
                for n in range(3)]
        ids = insert_new(Institution, rows, [{"subjects": []}] * 3)
        assert [db.session.get(Institution, i).name for i in ids] == ["顺序0", "顺序1", "顺序2"]
        assert [db.session.scalar(select(RecordVersion.data["name"].as_string()).where(
            RecordVersion.entity == "institution", RecordVersion.entity_id == i)) for i in ids] == [
            "顺序0", "顺序1", "顺序2"]


@pytest.mark.parametrize("inline", [False, True], ids=["shared strings", "inline strings"])
def test_both_xlsx_string_layouts_read_the_same_rows(tmp_path: Path, inline: bool) -> None:
    kind = kinds.get("institutions")
    data = [_data(n) for n in (1, 2, 3)]
    rows = [[c.label for c in kind.columns]] + [[row[c.key] or None for c in kind.columns]
                                                 for row in data]
    path = tmp_path / "legacy.xlsx"
    if inline:  # openpyxl writes every string inline
        book = Workbook(write_only=True)
        sheet = book.create_sheet("医疗机构")
        for cells in rows:
            sheet.append(cells)
        book.save(path)
    else:  # as Excel and WPS write their exports
        with xlsxwriter.Workbook(path) as book:
            sheet = book.add_worksheet("医疗机构")
            for i, cells in enumerate(rows):
                sheet.write_row(i, 0, cells)
    with zipfile.ZipFile(path) as z:
        sheet_xml = z.read("xl/worksheets/sheet1.xml")
        assert ("xl/sharedStrings.xml" in z.namelist()) == (not inline)
    assert (b't="inlineStr"' in sheet_xml) == inline
    assert [(r.number, r.values) for r in read_rows(path, "xlsx", kind)] == [
        (n, row) for n, row in enumerate(data, start=2)]



def test_the_persons_bulk_versions_are_their_records_snapshots(
        app: Flask, api, demo) -> None:
    """Physicians, nurses and their registrations written in bulk: each version 1 is what the
    record's own snapshot (the one a flush takes) says of it, under 数据补录 by the actor."""
    from conftest import resident_id
    from import_helpers import LEGACY_FIXED, csv_bytes, imported, read

    nurses = [["name", "id_number", "certificate_number", "institution_name", "division_code",
               "registered_on", "valid_until"],
              ["宋佳", resident_id("11010519950412002"), "201911000101", "北京市朝阳区康泰医院",
               "110105", "2024-01-10", "2029-01-09"],
              ["贺敏", resident_id("11010519970823004"), "201911000102", "康泰医院", "110105",
               "2021-05-01", "2026-04-30"]]
    chaoyang = api(CHAOYANG)
    with app.app_context():
        before = db.session.scalar(select(func.max(RecordVersion.id)))
    jobs = [imported(chaoyang, "physicians", read(LEGACY_FIXED)),
            imported(chaoyang, "nurses", csv_bytes(nurses))]
    assert [(j["status"], j["imported"]) for j in jobs] == [("succeeded", 5), ("succeeded", 2)]
    with app.app_context():
        versions = db.session.scalars(select(RecordVersion).where(
            RecordVersion.id > before, RecordVersion.entity.in_(
                ["physician", "practice_registration", "nurse", "nurse_registration"]))).all()
        models = {m.__tablename__: m for m in (Physician, PracticeRegistration, Nurse, NurseRegistration)}
        assert sorted({v.entity for v in versions}) == sorted(models)
        assert len(versions) == 5 + 3 + 2 + 1  # the people, and those placed at an institution
        for v in versions:
            record = db.session.get(models[v.entity], v.entity_id)
            assert (v.version, v.changed, v.reason, v.actor_id, record.version) == (
                1, [], "数据补录", demo.account[CHAOYANG], 1)
            assert v.data == record.snapshot(), v.entity
