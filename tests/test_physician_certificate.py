"""The certificate (《医师执业证书》) PDF and the lifelong certificate number."""
from __future__ import annotations

import io
import re

import pytest
from conftest import logged_in
from physician_flow import PhysicianCase
from physician_setup import add_registration
from pypdf import PdfReader


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def registered(api, demo) -> int:
    """doctor.new, registered at inst.chaoyang1 by bj.chaoyang.wjw."""
    flow = PhysicianCase(api("doctor.new"), api("inst.chaoyang1"), api("bj.chaoyang.wjw"),
                         "physician_registration")
    flow.start(demo.institution["inst.chaoyang1"])
    flow.apply(category="1", scope="101", pledge=True)
    flow.confirm()
    flow.decide("approve")
    return demo.physician["doctor.new"]


def test_the_physician_prints_her_certificate(api, registered):
    doctor = api("doctor.new")
    number = doctor.get(f"/api/v1/physicians/{registered}").get_json()["certificate_number"]
    response = doctor.get(f"/api/v1/physicians/{registered}/certificate.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "no-store" in response.headers["Cache-Control"]
    text = _text(response.data)
    for expected in ("医师执业证书", number, "刘雨欣", "执业医师", "临床", "内科专业", "北京市",
                     "北京市朝阳区康泰医院", "发证机关：北京市朝阳区卫生健康委员会",
                     "110105199706082882"):
        assert expected in text, expected


def test_the_approving_administration_prints_it_and_nobody_else(api, registered, client):
    url = f"/api/v1/physicians/{registered}/certificate.pdf"
    assert api("bj.chaoyang.wjw").get(url).status_code == 200
    for other in ("cq.jiangbei.wjw", "inst.chaoyang1", "doctor.demo"):
        assert api(other).get(url).status_code == 404, other
    page = logged_in(client, "bj.chaoyang.wjw").get(f"/physicians/{registered}/certificate.pdf")
    assert page.status_code == 200 and page.mimetype == "application/pdf"


def test_there_is_no_certificate_before_registration(api, demo):
    doctor = demo.physician["doctor.new"]
    assert api("doctor.new").get(f"/api/v1/physicians/{doctor}/certificate.pdf").status_code == 404


def test_each_location_has_its_certificate_printed_by_its_authority(api, demo, database):
    doctor = demo.physician["doctor.demo"]
    chongqing = add_registration(database, doctor, demo.institution["inst.jiangbei1"],
                                 location="500000")
    url = f"/api/v1/physicians/{doctor}/certificate.pdf?registration={chongqing}"
    text = _text(api("doctor.demo").get(url).data)
    assert "重庆市江北区鸿恩中医医院" in text and "重庆市" in text
    assert "110110105229716" in text  # the same lifelong number
    assert api("cq.jiangbei.wjw").get(url).status_code == 200
    assert api("bj.chaoyang.wjw").get(url).status_code == 404


def test_new_numbers_continue_the_county_sequence_and_old_ones_stay(app, database, demo):
    from service.physicians.certificates import ensure_certificate_number, next_certificate_number
    from service.physicians.models import Physician

    with database.session() as s:
        first = next_certificate_number("physician", "1", "110105")
        second = next_certificate_number("physician", "1", "110105")
        assert re.fullmatch(r"110110105\d{6}", first)
        assert int(second[-6:]) == int(first[-6:]) + 1
        # continues after the highest number issued before the counter (the demo data)
        assert int(first[-6:]) > 974262
        assert next_certificate_number("assistant", "4", "500105") == "240500105000001"
        kept = s.get(Physician, demo.physician["doctor.demo"])
        assert ensure_certificate_number(kept, "assistant", "2", "500105") == "110110105229716"
        s.rollback()


def test_the_approved_case_page_links_the_certificate_for_who_may_print_it(api, demo, client):
    flow = PhysicianCase(api("doctor.new"), api("inst.chaoyang1"), api("bj.chaoyang.wjw"),
                         "physician_registration")
    flow.start(demo.institution["inst.chaoyang1"])
    flow.apply(category="1", scope="101", pledge=True)
    flow.confirm()
    case_page = f"/cases/{flow.case_id}"
    district = logged_in(client, "bj.chaoyang.wjw")
    assert "打印医师执业证书" not in district.get(case_page).get_data(as_text=True)  # not yet
    flow.decide("approve")
    for username in ("bj.chaoyang.wjw", "doctor.new"):
        html = logged_in(client.application.test_client(), username).get(case_page).get_data(as_text=True)
        link = re.search(r'href="([^"]+certificate\.pdf[^"]*)"[^>]*>打印医师执业证书', html)
        assert link, username
        browser = logged_in(client.application.test_client(), username)
        pdf = browser.get(link.group(1).replace("&amp;", "&"))
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf", username
    institution = logged_in(client.application.test_client(), "inst.chaoyang1").get(case_page)
    assert institution.status_code == 200
    assert "打印医师执业证书" not in institution.get_data(as_text=True)
