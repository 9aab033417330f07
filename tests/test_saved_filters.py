"""Saved inbox filters per account, the organisation and division filters of administrations,
and a count per saved filter."""
from __future__ import annotations

import re

from conftest import csrf, login
from verification_flow import Verification


def _client(app, username: str):
    client = app.test_client()
    login(client, username)
    return client


def _save(client, endpoint: str, query: str, name: str, page: str):
    return client.post("/tasks/filters", data={
        "endpoint": endpoint, "query": query, "name": name, "csrf_token": csrf(client, page)},
        follow_redirects=True)


def _count(html: str, name: str) -> str:
    found = re.search(rf">{re.escape(name)}</a> <span class=\"count\">（([^）]*)）", html)
    assert found, html[-3000:]
    return found.group(1)


def test_administrations_filter_by_organisation_and_division(app, api, demo):
    one, two = demo.institution["inst.chaoyang1"], demo.institution["inst.chaoyang2"]
    Verification(api("inst.chaoyang1"), api("bj.chaoyang.wjw")).start(one)
    Verification(api("inst.chaoyang2"), api("bj.chaoyang.wjw")).start(two)
    client = _client(app, "bj.chaoyang.wjw")
    page = client.get(f"/tasks/cases/all?institution={one}").get_data(as_text=True)
    assert "康泰医院" in page and "青枫社区" not in page
    county = client.get("/tasks/cases/all?division=110105").get_data(as_text=True)
    assert "康泰医院" in county and "青枫社区" in county
    assert "青枫社区" in client.get("/tasks/cases/all?division=110000").get_data(as_text=True)
    assert "康泰医院" not in client.get("/tasks/cases/all?division=500105").get_data(as_text=True)
    bad = client.get("/tasks/cases/all?division=11x")
    assert bad.status_code == 400 and "行政区划代码应为 6 位数字" in bad.get_data(as_text=True)


def test_a_saved_filter_is_the_accounts_own_and_shows_its_count(app, api, demo):
    one = demo.institution["inst.chaoyang1"]
    Verification(api("inst.chaoyang1"), api("bj.chaoyang.wjw")).start(one)
    Verification(api("inst.chaoyang2"), api("bj.chaoyang.wjw")).start(
        demo.institution["inst.chaoyang2"])
    client = _client(app, "bj.chaoyang.wjw")
    done = _save(client, "inbox.all_cases", f"institution={one}&cursor=9", "康泰的业务",
                 "/tasks/cases/all").get_data(as_text=True)
    assert "已保存常用查询：康泰的业务" in done
    _save(client, "inbox.all_cases", "division=110105", "朝阳区", "/tasks/cases/all")
    listing = client.get("/tasks/cases/all").get_data(as_text=True)
    assert _count(listing, "康泰的业务") == "1" and _count(listing, "朝阳区") == "2"
    assert "已有同名" in _save(client, "inbox.all_cases", "", "朝阳区",
                               "/tasks/cases/all").get_data(as_text=True)
    assert "未保存" in _save(client, "inbox.all_cases", "division=1", "坏的",
                            "/tasks/cases/all").get_data(as_text=True)

    other = _client(app, "bj.wjw")  # sees the same cases, not the same saved filters
    assert "康泰的业务" not in other.get("/tasks/cases/all").get_data(as_text=True)
    saved_id = re.search(r"/tasks/filters/(\d+)/delete", listing).group(1)
    refused = other.post(f"/tasks/filters/{saved_id}/delete",
                         data={"csrf_token": csrf(other, "/tasks/")}, follow_redirects=True)
    assert "不存在" in refused.get_data(as_text=True)
    assert "康泰的业务" in client.get("/tasks/cases/all").get_data(as_text=True)


def test_the_inbox_counts_open_items_of_a_saved_filter(app, api, demo):
    Verification(api("inst.chaoyang1"), api("bj.chaoyang.wjw")).start(
        demo.institution["inst.chaoyang1"])
    client = _client(app, "inst.chaoyang1")
    _save(client, "inbox.index", "process=institution_verification", "校验", "/tasks/")
    _save(client, "inbox.index", "process=physician_registration", "注册", "/tasks/")
    page = client.get("/tasks/").get_data(as_text=True)
    assert _count(page, "校验") == "1" and _count(page, "注册") == "0"
