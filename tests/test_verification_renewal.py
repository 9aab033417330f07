"""Renewal combined with verification (issue 16 item 5, seed 001 附件2 (五)): ticking
同时申请延续 requires the 行政许可申请表 and the 延续申请书; a pass then extends the licence's
validity by the province's rule (``seed/licence_validity.csv``) and reissues the licence,
whose old verify code turns void; without the tick the validity stays."""
from __future__ import annotations

from datetime import date

from conftest import error_of, resident_id
from reminder_helpers import make_institution, with_account
from sqlalchemy import select
from verification_flow import Verification, open_item, upload

ROSTER = [{"kind": "physician", "name": "延续测试医师", "id_number": resident_id("11010519800101123")}]


def _institution(database, inst_id):
    from service.institutions.models import Institution

    return database.scalar(select(Institution).where(Institution.id == inst_id))


def _licences(database, inst_id):
    from service.institutions.licences import Licence

    return database.scalars(select(Licence).where(Licence.institution_id == inst_id).order_by(Licence.id))


def _verifying(api, database, beds: int) -> tuple[Verification, int]:
    from service.core.times import utcnow
    from service.institutions import licences
    from service.institutions.models import Institution

    inst_id = make_institution(database, beds=beds, licence_valid_from=date(2022, 1, 1),
                               licence_valid_to=date(2026, 12, 31))
    with database.session() as s:  # the licence it holds today
        licences.issue(s.get(Institution, inst_id), at=utcnow(), case_id=None, reason="测试")
        s.commit()
    flow = Verification(api(with_account(database, inst_id)), api("bj.chaoyang.wjw"))
    flow.start(inst_id)
    return flow, inst_id


def _pass(flow: Verification) -> dict:
    flow.review("approve")
    flow.counter()
    return flow.conclude("approve")


def test_ticking_renewal_asks_for_its_two_materials(api, database):
    flow, _ = _verifying(api, database, beds=50)
    item_id, data = flow.application(roster=ROSTER, renewal=True)
    response = flow.institution.post(f"/api/v1/work-items/{item_id}/complete", json={"data": data})
    assert response.status_code == 422
    fields = error_of(response)["fields"]
    assert {"licensing_application", "renewal_application"} <= set(fields)
    assert open_item(flow.institution, flow.case_id)["task"] == "submit_application"  # nothing moved


def test_a_pass_with_renewal_extends_the_validity_and_reissues_the_licence(api, database, app):
    flow, inst_id = _verifying(api, database, beds=120)  # 100 beds and more: 15 years
    old = _licences(database, inst_id)[-1]
    flow.submit(roster=ROSTER, renewal=True,
                licensing_application=[upload(flow.institution, flow.case_id, "licensing_application", 1)],
                renewal_application=[upload(flow.institution, flow.case_id, "renewal_application", 1)])
    assert _pass(flow)["outcome"] == "approved"
    inst = _institution(database, inst_id)
    assert (inst.licence_valid_from, inst.licence_valid_to) == (date(2027, 1, 1), date(2041, 12, 31))
    issued = _licences(database, inst_id)
    assert issued[-1].id != old.id and issued[-1].reason == "延续" and issued[-1].valid_to == date(2041, 12, 31)
    assert [lic.status for lic in issued] == ["void", "valid"]
    verified = app.test_client().get(f"/api/v1/licences/verify/{old.verify_code}").get_json()
    assert verified["status"] == "void" and verified["valid"] is False


def test_a_small_institution_renews_for_five_years(api, database):
    flow, inst_id = _verifying(api, database, beds=50)
    flow.submit(roster=ROSTER, renewal=True,
                licensing_application=[upload(flow.institution, flow.case_id, "licensing_application", 1)],
                renewal_application=[upload(flow.institution, flow.case_id, "renewal_application", 1)])
    _pass(flow)
    assert _institution(database, inst_id).licence_valid_to == date(2031, 12, 31)


def test_a_pass_without_renewal_keeps_the_validity(api, database):
    flow, inst_id = _verifying(api, database, beds=120)
    flow.submit(roster=ROSTER)
    _pass(flow)
    assert _institution(database, inst_id).licence_valid_to == date(2026, 12, 31)
    assert [lic.reason for lic in _licences(database, inst_id)] == ["测试"]
