"""Bad numbers and ids in paths and query strings answer 400 or 404, never 500.

Ids beyond the primary-key columns used to overflow the database driver, and digits such as
"²" passed ``str.isdigit()`` and crashed ``int()``; one parser (``service/core/params.py``)
and a bounded ``<int:…>`` route converter handle them everywhere.
"""
from __future__ import annotations

import base64
import json

import pytest
from conftest import error_of, logged_in
from verification_flow import upload

from service.core.params import MAX_ID, local_path, to_id, to_int

HUGE = "99999999999999999999"
BAD_NUMBERS = ["²", "٣", "-1", "1.5", " ", "1e3", HUGE, str(MAX_ID + 1), "0x10"]


@pytest.mark.parametrize("raw", BAD_NUMBERS)
def test_the_parser_refuses_what_is_not_ascii_digits_in_bounds(raw: str) -> None:
    assert to_id(raw) is None or raw.strip() == "1"
    assert to_int(raw, maximum=100) is None


def test_the_parser_reads_plain_numbers_within_bounds() -> None:
    assert to_int("42") == 42 and to_id(str(MAX_ID)) == MAX_ID and to_id("0") is None
    assert to_int("101", maximum=100) is None and to_int(None) is None


@pytest.mark.parametrize("method,suffix", [
    ("get", ""), ("post", "/claim"), ("post", "/release"), ("post", "/draft"),
    ("post", "/complete")])
@pytest.mark.parametrize("ident", [HUGE, str(2**31), str(2**63)])
def test_work_item_ids_beyond_the_column_are_404(api, method: str, suffix: str, ident: str) -> None:
    client = api("bj.chaoyang.wjw")
    send = getattr(client.client, method)
    response = send(f"/api/v1/work-items/{ident}{suffix}", headers=client._headers(None),
                    json={"data": {}})
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


@pytest.mark.parametrize("path", [f"/tasks/{HUGE}", f"/cases/{HUGE}", f"/accounts/{HUGE}/reset"])
def test_pages_with_huge_ids_are_404(client, path: str) -> None:
    logged_in(client, "bj.chaoyang.wjw")
    assert client.get(path).status_code in (404, 405)


@pytest.mark.parametrize("query", [
    f"cursor={HUGE}", "cursor=²", "limit=²", f"limit={HUGE}", "limit=0", "subject=²",
    f"subject={HUGE}"])
def test_case_list_parameters_are_400(api, query: str) -> None:
    response = api("bj.chaoyang.wjw").get(f"/api/v1/cases?{query}")
    assert response.status_code == 400, response.get_json()
    name = query.split("=")[0]
    assert name in error_of(response)["fields"]


@pytest.mark.parametrize("path", ["/api/v1/work-items", "/api/v1/accounts"])
def test_cursors_of_every_list_are_400(api, path: str) -> None:
    for cursor in (HUGE, "²"):
        response = api("bj.chaoyang.wjw").get(f"{path}?cursor={cursor}")
        assert response.status_code == 400
        assert "cursor" in error_of(response)["fields"]


def test_a_name_cursor_with_a_huge_id_is_400(api) -> None:
    cursor = base64.urlsafe_b64encode(json.dumps(["某", 10**30]).encode()).decode().rstrip("=")
    response = api("bj.chaoyang.wjw").get(f"/api/v1/institutions?cursor={cursor}")
    assert response.status_code == 400
    assert "cursor" in error_of(response)["fields"]


@pytest.mark.parametrize("query", ["beds_min=²", f"beds_min={HUGE}"])
def test_registry_query_numbers_are_400(api, client, query: str) -> None:
    assert api("bj.chaoyang.wjw").get(f"/api/v1/institutions?{query}").status_code == 400
    logged_in(client, "bj.chaoyang.wjw")
    page = client.get(f"/institutions/?{query}")
    assert page.status_code in (200, 400) and "床位数" in page.get_data(as_text=True)


def test_physician_list_department_and_cursor_are_400(api, demo) -> None:
    inst = demo.institution["inst.chaoyang1"]
    client = api("inst.chaoyang1")
    for query in ("department=²", f"department={HUGE}"):
        assert client.get(f"/api/v1/institutions/{inst}/physicians?{query}").status_code == 400
    for query in ("cursor=²", f"cursor={HUGE}"):
        assert client.get(f"/api/v1/institutions/{inst}/physician-cases?{query}").status_code == 400


def test_a_certificate_with_a_strange_registration_is_not_a_500(api, demo) -> None:
    physician = demo.physician["doctor.demo"]
    for raw in ("²", HUGE):
        response = api("doctor.demo").get(
            f"/api/v1/physicians/{physician}/certificate.pdf?registration={raw}")
        assert response.status_code < 500


def test_a_preview_width_in_other_digits_is_400(api, demo) -> None:
    inst = api("inst.chaoyang1")
    started = inst.post("/api/v1/cases", json={
        "process": "institution_verification",
        "subject": {"institution_id": demo.institution["inst.chaoyang1"]}}).get_json()
    document = upload(inst, started["id"], "licence_copy", 1)
    for raw in ("²", HUGE, "901"):
        response = inst.get(f"/api/v1/documents/{document}/pages/1.png?width={raw}")
        assert response.status_code == 400
        assert "width" in error_of(response)["fields"]
    assert inst.get(f"/api/v1/documents/{document}/pages/1.png?width=600").status_code == 200


@pytest.mark.parametrize("query", ["after=²", f"after={HUGE}"])
def test_the_account_list_page_ignores_a_bad_after(client, query: str) -> None:
    logged_in(client, "bj.chaoyang.wjw")
    assert client.get(f"/accounts/?{query}").status_code == 200


@pytest.mark.parametrize("target", ["/\r\nX", "/%0d%0aX", "/\x00", "/a\tb", "//evil.example",
                                    "/\\evil.example", "https://evil.example/"])
def test_local_path_refuses_control_characters_and_other_hosts(target: str) -> None:
    from urllib.parse import unquote

    assert local_path(unquote(target)) is None
    assert local_path("/tasks/?page=2") == "/tasks/?page=2"


def test_login_with_a_crlf_next_is_not_a_500(client) -> None:
    from conftest import DEMO_PASSWORD, csrf

    token = csrf(client, "/login")
    response = client.post("/login?next=/%0d%0aX", data={
        "username": "bj.chaoyang.wjw", "password": DEMO_PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert "\n" not in response.headers["Location"] and "X" not in response.headers["Location"]
