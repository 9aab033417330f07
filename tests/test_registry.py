"""Registry rules below the HTTP layer: versions, registration numbers, masking, ID checks."""
from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import Database, Demo, resident_id
from sqlalchemy import func, select
from stdnum.cn import uscc

from service.core.masking import mask_id, mask_name, mask_phone
from service.institutions.face import Institution
from service.institutions.models import registration_number
from service.registry.validation import resident_id_problem, uscc_problem
from service.registry.versioning import RecordVersion, change_context, history, state_at


def _versions(database: Database, inst_id: int) -> int:
    return database.scalar(select(func.count()).select_from(RecordVersion).where(
        RecordVersion.entity == "institution", RecordVersion.entity_id == inst_id))


# --- versions --------------------------------------------------------------------------------

def test_every_change_is_a_new_version_with_a_full_snapshot(database: Database,
                                                            demo: Demo) -> None:
    inst_id = demo.institution["inst.chaoyang2"]
    with database.session() as s:
        inst = s.get(Institution, inst_id)
        with change_context(demo.account["bj.chaoyang.wjw"], "测试变更"):
            inst.beds = inst.beds + 10
            s.commit()
            inst.address = "北京市朝阳区新地址 8 号"
            inst.principal = "新负责人"
            s.commit()
        versions = history("institution", inst_id)
        assert [v.version for v in versions] == [1, 2, 3] and inst.version == 3
        assert versions[1].changed == ["beds"]
        assert versions[2].changed == ["address", "principal"]
        assert versions[2].reason == "测试变更"
        assert versions[2].actor_id == demo.account["bj.chaoyang.wjw"]
        assert versions[2].data["beds"] == versions[1].data["beds"] == versions[0].data["beds"] + 10
        assert versions[2].data["address"] == "北京市朝阳区新地址 8 号"
        assert versions[0].data["subjects"] == versions[2].data["subjects"]


def test_a_save_without_a_change_writes_no_version(database: Database, demo: Demo) -> None:
    inst_id = demo.institution["inst.chaoyang1"]
    with database.session() as s:
        inst = s.get(Institution, inst_id)
        inst.phone = inst.phone
        inst.beds = int(inst.beds)
        inst.subject_codes = list(inst.subject_codes)
        s.commit()
        assert inst.version == 1
    assert _versions(database, inst_id) == 1


def test_a_change_of_subjects_is_a_version(database: Database, demo: Demo) -> None:
    inst_id = demo.institution["inst.chaoyang1"]
    with database.session() as s:
        inst = s.get(Institution, inst_id)
        inst.subject_codes = [*inst.subject_codes, "27"]
        s.commit()
        latest = history("institution", inst_id)[-1]
        assert latest.version == 2 and "27" in latest.data["subjects"]
        assert "subjects" in latest.changed


def test_state_at_an_earlier_time_is_the_older_snapshot(database: Database, demo: Demo) -> None:
    inst_id = demo.institution["inst.jiangbei1"]
    with database.session() as s:
        inst = s.get(Institution, inst_id)
        old_name = inst.name
        inst.name = "重庆市江北区鸿恩中医医院（更名）"
        s.commit()
        first, second = history("institution", inst_id)
        assert second.valid_from > first.valid_from
        assert state_at("institution", inst_id, second.valid_from).data["name"] == inst.name
        between = second.valid_from - timedelta(microseconds=1)
        assert state_at("institution", inst_id, between).data["name"] == old_name
        assert state_at("institution", inst_id, first.valid_from - timedelta(seconds=1)) is None


def test_a_rolled_back_change_leaves_no_version(database: Database, demo: Demo) -> None:
    inst_id = demo.institution["inst.chaoyang1"]
    with database.session() as s:
        inst = s.get(Institution, inst_id)
        inst.beds += 1
        s.flush()
        s.rollback()
    assert _versions(database, inst_id) == 1


# --- registration number ---------------------------------------------------------------------

def _inst(**values: str) -> Institution:
    base = {"uscc": "12110105400824594H", "division_code": "110105", "economic_type_code": "11",
            "category_code": "A100", "management_class": "1"}
    return Institution(**{**base, **values})


def test_the_registration_number_is_org_code_county_economy_category_class() -> None:
    number = registration_number(_inst())
    assert number == "400824594" "110105" "11" "A100" "1"
    assert len(number) == 22


def test_the_registration_number_of_an_institution_without_credit_code_uses_zeros() -> None:
    assert registration_number(_inst(uscc=None)).startswith("000000000110105")


def test_a_three_character_category_is_padded_to_four() -> None:
    assert registration_number(_inst(category_code="B10"))[17:21] == "B10 "


def test_an_impossible_registration_number_is_refused() -> None:
    with pytest.raises(ValueError, match="23 characters"):
        registration_number(_inst(management_class="12"))


def test_every_demo_institution_has_a_consistent_registration_number(database: Database) -> None:
    rows = database.rows(select(Institution.registration_number, Institution.uscc,
                                Institution.division_code, Institution.category_code))
    assert rows
    for number, code, division, category in rows:
        assert len(number) == 22 and number[:9] == code[8:17]
        assert number[9:15] == division and number[17:21] == category


# --- masking ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "masked"), [
    ("110105199001011234", "110105********1234"),
    ("11010219690411378X", "110102********378X"),
    ("1101051990", "**********"),
    ("", ""),
    (None, None),
])
def test_id_numbers_keep_six_leading_and_four_trailing_characters(value, masked) -> None:
    assert mask_id(value) == masked


@pytest.mark.parametrize(("value", "masked"), [
    ("15112340658", "151****0658"), ("010-6591552", "010****1552"), ("1234567", "*******"),
    (None, None),
])
def test_phone_numbers_keep_three_leading_and_four_trailing_digits(value, masked) -> None:
    assert mask_phone(value) == masked


@pytest.mark.parametrize(("value", "masked"), [("张三丰", "张**"), ("李", "李"), (None, None)])
def test_names_keep_the_family_name(value, masked) -> None:
    assert mask_name(value) == masked


# --- identifier checks -----------------------------------------------------------------------

@pytest.mark.parametrize(("value", "message"), [
    (resident_id("11010519900101123"), None),
    ("11010219690411378X", None),
    ("", "请填写公民身份号码"),
    ("1101051990010112", "公民身份号码应为 18 位"),
    ("1101051990010112A3", "公民身份号码格式不正确（前 17 位为数字，末位为数字或 X）"),
    (resident_id("11010519900231123"), "公民身份号码中的地区码或出生日期无效"),
    (resident_id("11010519900101123")[:-1] + "0"
     if not resident_id("11010519900101123").endswith("0")
     else resident_id("11010519900101123")[:-1] + "1", "公民身份号码校验位不正确，请核对"),
], ids=["valid", "valid-X", "empty", "short", "letter", "31-February", "check-digit"])
def test_resident_id_numbers_are_checked_with_chinese_reasons(value: str,
                                                              message: str | None) -> None:
    assert resident_id_problem(value) == message


def _uscc(base17: str) -> str:
    return base17 + uscc.calc_check_digit(base17)


@pytest.mark.parametrize(("value", "message"), [
    (_uscc("91110105MA01QK7P3"), None),
    ("12110105400824594H", None),
    ("", "请填写统一社会信用代码"),
    ("12110105400824594", "统一社会信用代码应为 18 位"),
    ("1211010540082459OH", "统一社会信用代码含有无效字符"),
    ("12110105400824594J", "统一社会信用代码校验位不正确，请核对"),
], ids=["valid", "valid-demo", "empty", "short", "letter-O", "check-character"])
def test_credit_codes_are_checked_with_chinese_reasons(value: str, message: str | None) -> None:
    assert uscc_problem(value) == message
