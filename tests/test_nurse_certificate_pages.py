"""The nurse's certificate (《护士执业证书》) from the browser: an approved N1 case's page links
it for the nurse and the issuing administration (``plugins.printout``), the link gives the PDF,
and nobody else sees the link or gets the PDF."""
from __future__ import annotations

import re

import pytest
from conftest import logged_in
from nurse_flow import application, nurse_of
from physician_flow import PhysicianCase

LINK = re.compile(r'href="([^"]+certificate\.pdf)"[^>]*>打印护士执业证书')


@pytest.fixture
def n1(api, demo) -> PhysicianCase:
    flow = PhysicianCase(api("nurse.new"), api("inst.chaoyang1"), api("bj.chaoyang.wjw"),
                         "nurse_registration")
    flow.start(demo.institution["inst.chaoyang1"])
    flow.apply(**application(flow.applicant))
    flow.confirm()
    return flow


def _page(client, username: str, url: str):
    return logged_in(client.application.test_client(), username).get(url)


def test_the_approved_case_page_links_the_certificate_for_the_nurse_and_her_administration(
        n1, client, database) -> None:
    case_page = f"/cases/{n1.case_id}"
    before = _page(client, "bj.chaoyang.wjw", case_page)
    assert before.status_code == 200 and "打印护士执业证书" not in before.get_data(as_text=True)
    n1.decide("approve")
    nurse = nurse_of(database, "nurse.new")
    for username in ("nurse.new", "bj.chaoyang.wjw"):
        link = LINK.search(_page(client, username, case_page).get_data(as_text=True))
        assert link and link.group(1) == f"/nurses/{nurse['id']}/certificate.pdf", username
        pdf = _page(client, username, link.group(1))
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf", username
        assert pdf.data.startswith(b"%PDF") and nurse["certificate_number"] in (
            pdf.headers["Content-Disposition"])
    institution = _page(client, "inst.chaoyang1", case_page)
    assert institution.status_code == 200
    assert "打印护士执业证书" not in institution.get_data(as_text=True)


@pytest.mark.parametrize("username", ["bj.dongcheng.wjw", "cq.jiangbei.wjw", "inst.chaoyang1",
                                      "nurse.demo"])
def test_another_district_or_person_gets_404_for_the_certificate(
        n1, client, database, username: str) -> None:
    n1.decide("approve")
    url = f"/nurses/{nurse_of(database, 'nurse.new')['id']}/certificate.pdf"
    assert _page(client, username, url).status_code == 404
    if username.endswith(".wjw"):
        assert _page(client, username, f"/cases/{n1.case_id}").status_code == 404


def test_without_a_registration_in_force_there_is_nothing_to_print(client, database) -> None:
    nurse = nurse_of(database, "nurse.new")
    assert nurse["registrations"] == []
    assert _page(client, "nurse.new", f"/nurses/{nurse['id']}/certificate.pdf").status_code == 404
    assert _page(client, "nurse.new", "/nurses/0/certificate.pdf").status_code == 404
