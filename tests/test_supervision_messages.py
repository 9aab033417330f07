"""系统消息 (seed 004 §1.5): every in-app notice lands in the recipient's list, unread ones marked
red until opened, the unread count in the header; ``GET /api/v1/notifications`` as in api.md."""
from __future__ import annotations

from conftest import csrf, error_of, logged_in
from supervision_helpers import INSPECTOR, signup_body

from service.access.models import Account
from service.access.targets import Target, notify
from service.core.extensions import db


def _tell(app, username: str, subject: str, body: str = "正文") -> None:
    with app.app_context():
        account = db.session.scalar(db.select(Account).where(Account.username == username))
        notify(Target("account", account.id), subject, body)
        db.session.commit()


def test_the_api_lists_unread_and_marks_read(app, api) -> None:
    _tell(app, INSPECTOR, "第一条消息")
    _tell(app, INSPECTOR, "第二条消息")
    me = api(INSPECTOR)
    listed = me.get("/api/v1/notifications").get_json()
    assert [m["subject"] for m in listed["items"]][:2] == ["第二条消息", "第一条消息"]
    assert listed["unread"] >= 2 and not listed["items"][0]["read"]
    first = listed["items"][0]["id"]
    assert me.post(f"/api/v1/notifications/{first}/read").get_json()["read"] is True
    unread = me.get("/api/v1/notifications?unread=true").get_json()["items"]
    assert first not in [m["id"] for m in unread]
    # another account's message is not found
    other = api("cq.jiangbei.wjw")
    response = other.post(f"/api/v1/notifications/{first}/read")
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"
    assert first not in [m["id"] for m in other.get("/api/v1/notifications").get_json()["items"]]
    assert me.get("/api/v1/notifications?cursor=abc").status_code == 400


def test_the_header_counts_unread_and_opening_marks_read(app, new_client) -> None:
    _tell(app, INSPECTOR, "整改提醒", "请于期限前整改")
    page = logged_in(new_client(), INSPECTOR)
    home = page.get("/messages/").get_data(as_text=True)
    assert 'class="unread-count"' in home and "unread-dot" in home and "请于期限前整改" in home
    with app.app_context():
        from service.notify.inbox import messages

        account = db.session.scalar(db.select(Account.id).where(Account.username == INSPECTOR))
        ids = [m.id for m in messages(account, unread=True)]
    for message_id in ids:
        assert page.post(f"/messages/{message_id}/read",
                         data={"csrf_token": csrf(page, "/messages/")}).status_code == 302
    after = page.get("/messages/").get_data(as_text=True)
    assert "unread-dot" not in after and 'class="unread-count"' not in after
    assert page.post("/messages/999999/read", data={"csrf_token": csrf(page, "/messages/")}).status_code == 404


def test_a_returned_signup_is_told_in_app_and_by_sms(client, api) -> None:
    unit = client.post("/api/v1/supervision/signups", json=signup_body(77)).get_json()
    api("cq.jiangbei.wjw").post(f"/api/v1/supervision/signups/{unit['id']}/review",
                                json={"decision": "return", "reason": "照片不清晰"})
    # the administrator finds the return in her messages once she may log in
    with client.application.app_context():
        from service.notify.models import Notification

        rows = db.session.execute(db.select(Notification.channel, Notification.subject).join(
            Account, Account.id == Notification.account_id).where(
            Account.username == signup_body(77)["admin_phone"])).all()
    assert ("inbox", "注册已退回") in rows and ("sms", "注册已退回") in rows


def test_me_edits_name_and_logs_out_with_a_confirmation(new_client) -> None:
    page = logged_in(new_client(), INSPECTOR)
    assert "退出" in page.get("/supervision/logout").get_data(as_text=True)
    refused = page.post("/supervision/me", data={"name": "", "phone": "123", "csrf_token": csrf(page, "/supervision/me")})
    assert refused.status_code == 400 and "请填写姓名" in refused.get_data(as_text=True)
