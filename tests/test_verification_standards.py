"""The basic standards check at verification (issue 16 item 3, seed 001 (六) and the "人员不足"
example): each rule of ``seed/institution_standards.csv`` names its shortfall; the institution
reads them on its application before it submits, the reviewer on the review step; a figure the
data marks uncertain says so; the check warns and never blocks the submission."""
from __future__ import annotations

from decimal import Decimal

from conftest import logged_in
from reminder_helpers import make_institution
from verification_flow import Verification, open_item

CHAOYANG = "bj.chaoyang.wjw"


def _standards(api, inst_id: int) -> dict:
    response = api(CHAOYANG).get(f"/api/v1/institutions/{inst_id}/standards")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _messages(api, inst_id: int) -> list[str]:
    return [s["message"] for s in _standards(api, inst_id)["shortfalls"]]


def test_a_second_grade_hospital_without_staff_falls_short_by_its_beds(api, database):
    inst_id = make_institution(database, category_code="A100", level_code="2A", beds=150,
                               floor_area=Decimal("9000"), subject_codes=["03", "04"])
    body = _standards(api, inst_id)
    assert body["standard"]["code"] == "A100-2" and "1994" in body["standard"]["basis"]
    found = " ".join(_messages(api, inst_id))
    assert "人员不足：卫生技术人员 0 人，按每床 0.88 人、150 张床至少 132 人" in found
    assert "人员不足：注册护士 0 人，按每床 0.4 人、150 张床至少 60 人" in found
    assert "人员不足：副主任医师以上职称的医师 0 人，标准至少 3 人" in found
    assert "诊疗科目缺少：" in found and "（20）" in found and "（03）" not in found
    assert "建筑面积不足：登记 9000 平方米，按每床 45 平方米至少 6750" not in found  # 9000 ≥ 6750
    assert not any(s["uncertain"] for s in body["shortfalls"])


def test_the_grade_follows_the_level_or_else_the_beds(api, database):
    first = make_institution(database, category_code="A100", level_code="1A", beds=30)
    ungraded = make_institution(database, category_code="A100", level_code="9", beds=600)
    assert _standards(api, first)["standard"]["code"] == "A100-1"
    assert _standards(api, ungraded)["standard"]["code"] == "A100-3"
    assert "床位超出标准：登记 120 张，标准至多 99 张" in _messages(
        api, make_institution(database, category_code="A100", level_code="1A", beds=120))
    found = _messages(api, first)
    assert "人员不足：主治医师以上职称的医师 0 人，标准至少 1 人" in found
    assert "人员不足：执业（助理）医师 0 人，标准至少 3 人" in found
    small = make_institution(database, category_code="A100", level_code="2A", beds=150,
                             floor_area=Decimal("5000"))
    assert "建筑面积不足：登记 5000 平方米，按每床 45 平方米至少 6750 平方米" in _messages(api, small)
    assert "床位不足：登记 50 张，标准至少 100 张" in _messages(
        api, make_institution(database, category_code="A100", level_code="2A", beds=50))


def test_a_clinic_below_its_floor_area_and_without_staff(api, database):
    inst_id = make_institution(database, category_code="D211", level_code=None, beds=0,
                               floor_area=Decimal("30"), subject_codes=["03"])
    found = _messages(api, inst_id)
    assert "建筑面积不足：登记 30 平方米，标准至少 40 平方米" in found
    assert "人员不足：执业（助理）医师 0 人，标准至少 1 人" in found
    assert "人员不足：注册护士 0 人，标准至少 1 人" in found


def test_a_dental_clinic_needs_a_chair_and_an_uncertain_figure_says_so(api, database):
    dental = make_institution(database, category_code="D215", level_code=None, beds=0,
                              dental_chairs=0, floor_area=Decimal("80"), subject_codes=["12"])
    assert "牙椅不足：登记 0 台，标准至少 1 台" in _messages(api, dental)
    outpatient = make_institution(database, category_code="D110", level_code=None, beds=0,
                                  floor_area=Decimal("500"), subject_codes=["20", "03", "04", "30", "32"])
    shortfalls = {s["item"]: s for s in _standards(api, outpatient)["shortfalls"]}
    assert shortfalls["min_physicians"]["uncertain"] is True  # 综合门诊部: staff numbers unconfirmed
    assert "required_subjects" not in shortfalls  # 32 registered alone meets 32.01


def test_a_category_without_a_standard_is_not_checked(api, database):
    inst_id = make_institution(database, category_code="A518", level_code=None, beds=5)
    assert _standards(api, inst_id) == {"standard": None, "shortfalls": []}


def test_the_institution_is_warned_before_it_submits_and_the_reviewer_sees_it(new_client, api, demo):
    flow = Verification(api("inst.chaoyang1"), api(CHAOYANG))
    flow.start(demo.institution["inst.chaoyang1"])
    item = open_item(flow.institution, flow.case_id)
    page = logged_in(new_client(), "inst.chaoyang1").get(f"/tasks/{item['id']}").get_data(as_text=True)
    assert "对照医疗机构基本标准（二级综合医院" in page and "人员不足：卫生技术人员" in page
    assert "暂缓校验" in page
    case = flow.submit()  # a warning, not a refusal
    assert [i["task"] for i in case["open_work_items"]] == ["material_review"]
    review = open_item(flow.bureau, flow.case_id)
    page = logged_in(new_client(), CHAOYANG).get(f"/tasks/{review['id']}").get_data(as_text=True)
    assert "人员不足：卫生技术人员" in page and "退回修改" in page


def test_a_complete_application_shows_no_warning(new_client, api, database):
    from conftest import resident_id
    from reminder_helpers import with_account

    inst_id = make_institution(database, category_code="D211", level_code=None, beds=0,
                               floor_area=Decimal("60"), subject_codes=["03"])
    username = with_account(database, inst_id)
    flow = Verification(api(username), api(CHAOYANG))
    flow.start(inst_id)
    item_id, data = flow.application(roster=[
        {"kind": "physician", "name": "标准测试医师", "id_number": resident_id("11010519800101123")},
        {"kind": "nurse", "name": "标准测试护士", "id_number": resident_id("11010519900101124")}])
    api(username).post(f"/api/v1/work-items/{item_id}/draft", json={"data": data})
    page = logged_in(new_client(), username).get(f"/tasks/{item_id}").get_data(as_text=True)
    assert "对照医疗机构基本标准" not in page


def test_an_absolute_health_staff_minimum_counts_every_kind(monkeypatch, app):
    """No row states 卫生技术人员 as an absolute number yet; the rule reads it when one does."""
    from service.institutions import verification_standards as vs
    from service.institutions.models import Institution

    row = vs.Standard("X1", "A100", "", "测试标准", {**dict.fromkeys(vs.FIGURES), "min_health_tech": 4},
                      (), "测试", frozenset())
    monkeypatch.setattr(vs, "standards", lambda: (row,))
    inst = Institution(category_code="A100", beds=0, dental_chairs=0, level_code=None)
    with app.app_context():
        short = vs.shortfalls(inst, {"physicians_count": 1, "nurses_count": 1, "technicians_count": 1})
        enough = vs.shortfalls(inst, {"physicians_count": 1, "nurses_count": 1, "pharmacists_count": 2})
    assert [s.message for s in short] == ["人员不足：卫生技术人员 3 人，标准至少 4 人"]
    assert enough == []
