"""The licence of a registered institution: 正本 / 副本 PDFs with the name as text and a QR
code that decodes to the public verify page, whose facts follow the record's live status."""
from __future__ import annotations

import io

import pytest
from conftest import chinese, error_of
from registration_flow import Registration


@pytest.fixture
def registered(api) -> dict:
    flow = Registration(api("bj.chaoyang.clerk"), api("bj.chaoyang.wjw"))
    case = flow.through(name="北京朝阳安和医院")
    inst_id = case["subject"]["institution_id"]
    body = flow.approver.get(f"/api/v1/institutions/{inst_id}").get_json()
    return {"flow": flow, "id": inst_id, "code": body["licence_verify_code"], "body": body}


def _qr_texts(pdf: bytes) -> list[str]:
    import pypdfium2
    import zxingcpp

    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=3).to_pil()
    return [r.text for r in zxingcpp.read_barcodes(image)]


def _text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize("copy", ["original", "duplicate"])
def test_the_licence_prints_with_its_name_and_a_qr_code_to_the_verify_page(registered, copy):
    api = registered["flow"].approver
    response = api.get(f"/api/v1/institutions/{registered['id']}/licence.pdf?copy={copy}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _text(response.data)
    assert "北京朝阳安和医院" in text and registered["body"]["registration_number"] in text
    assert ("副本" if copy == "duplicate" else "正本") in text
    if copy == "duplicate":
        assert "校验记录" in text and "变更记录" in text
    assert _qr_texts(response.data) == [f"http://localhost/licences/verify/{registered['code']}"]


def test_an_unknown_copy_is_a_bad_request(registered):
    response = registered["flow"].approver.get(
        f"/api/v1/institutions/{registered['id']}/licence.pdf?copy=poster")
    assert response.status_code == 400 and chinese(error_of(response)["message"])


def test_no_licence_pdf_before_one_is_issued(api, demo):
    response = api("bj.chaoyang.wjw").get(
        f"/api/v1/institutions/{demo.institution['inst.chaoyang1']}/licence.pdf")
    assert response.status_code == 404


def test_another_district_cannot_print_the_licence(registered, api):
    response = api("cq.jiangbei.wjw").get(f"/api/v1/institutions/{registered['id']}/licence.pdf")
    assert response.status_code == 404


def test_the_verify_endpoint_answers_without_login_with_public_facts_only(registered, app):
    client = app.test_client()
    response = client.get(f"/api/v1/licences/verify/{registered['code']}")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"valid", "registration_number", "name", "status", "valid_from",
                         "valid_until", "issued_by", "issued_at"}
    assert body["valid"] is True and body["status"] == "active"
    assert body["name"] == "北京朝阳安和医院" and body["issued_by"] == "北京市朝阳区卫生健康委员会"
    page = client.get(f"/licences/verify/{registered['code']}")
    assert page.status_code == 200 and "该许可证真实有效" in page.get_data(as_text=True)


def test_the_verify_status_is_live(registered, app, database):
    from service.core.extensions import db
    from service.institutions.models import Institution

    with app.app_context():
        inst = db.session.get(Institution, registered["id"])
        inst.status = "suspended"
        db.session.commit()
    body = app.test_client().get(f"/api/v1/licences/verify/{registered['code']}").get_json()
    assert body["valid"] is False and body["status"] == "suspended"
    page = app.test_client().get(f"/licences/verify/{registered['code']}")
    assert "停业" in page.get_data(as_text=True)


def test_an_unknown_code_is_404_in_the_error_shape(app):
    response = app.test_client().get("/api/v1/licences/verify/not-a-real-code")
    assert response.status_code == 404 and chinese(error_of(response)["message"])
    assert app.test_client().get("/licences/verify/not-a-real-code").status_code == 404


def test_codes_are_unguessable():
    from service.signing import new_verify_code

    codes = {new_verify_code() for _ in range(1000)}
    assert len(codes) == 1000 and all(len(c) >= 22 for c in codes)


def test_the_verify_endpoint_is_rate_limited(app, registered):
    app.config["LICENCE_VERIFY_RATE_LIMIT"] = "3/minute"
    try:
        client = app.test_client()
        answers = [client.get(f"/api/v1/licences/verify/{registered['code']}",
                              environ_base={"REMOTE_ADDR": "10.9.8.7"}).status_code
                   for _ in range(5)]
    finally:
        app.config.pop("LICENCE_VERIFY_RATE_LIMIT")
    assert answers[:3] == [200, 200, 200] and answers[-1] == 429


def test_the_registration_case_offers_the_licence_prints(registered, client):
    from conftest import logged_in

    web = logged_in(client, "bj.chaoyang.wjw")
    page = web.get(f"/cases/{registered['flow'].case_id}").get_data(as_text=True)
    assert "打印《医疗机构执业许可证》正本" in page and "副本" in page
    pdf = web.get(f"/institutions/{registered['id']}/licence.pdf?copy=duplicate")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_the_licence_pdf_is_signed_by_the_issuing_administration(registered, app):
    from service.institutions.esign import keystore
    from service.signing import verify_pdf

    pdf = registered["flow"].approver.get(f"/api/v1/institutions/{registered['id']}/licence.pdf").data
    with app.app_context():
        roots = keystore().trust_roots()
    report = verify_pdf(pdf, roots)
    assert report.valid and report.signer_name == "北京市朝阳区卫生健康委员会"
    assert report.signer_id == "110105" and report.reason == "电子证照签发"
    # one changed byte breaks it
    at = pdf.index(b"/MediaBox") + 3
    tampered = pdf[:at] + bytes([pdf[at] ^ 0x01]) + pdf[at + 1:]
    assert not verify_pdf(tampered, roots).valid
