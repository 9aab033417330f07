"""帮助中心 / 客服中心 (seed 003 ch.4): hot questions per kind of user, 我要提问, the support
queue and its replies with an unread mark, and the platform administrator's article editing."""
from __future__ import annotations

import re

from conftest import csrf, logged_in
from sqlalchemy import select


def _page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def _ask(client, title: str, body: str):
    return client.post("/help/ask", data={
        "title": title, "body": body, "csrf_token": csrf(client, "/help/ask")})


def _question_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    return int(re.search(r"/help/questions/(\d+)", response.headers["Location"]).group(1))


def _reply(client, question_id: int, text: str):
    return client.post(f"/help/support/{question_id}", data={
        "answer": text, "csrf_token": csrf(client, f"/help/support/{question_id}")})


def _unread_badge(html: str) -> str | None:
    found = re.search(r'class="help-link"[^>]*>帮助中心(?: <span class="unread-count"[^>]*>(\d+)</span>)?</a>', html)
    assert found, "no 帮助中心 link in the header"
    return found.group(1)


def test_each_kind_of_user_sees_the_seeded_questions_written_for_it(new_client):
    physician = logged_in(new_client(), "doctor.demo")
    page = _page(physician, "/help/")
    assert "热点问题" in page and "我要提问" in page
    assert "什么是“老人老办法资格”？" in page  # seed 003's FAQ, for physicians
    assert "系统使用过程中，遇到问题如何寻求帮助？" in page  # for everybody
    assert "机构未查询到医师账户激活的信息" not in page  # an institution's question
    institution = _page(logged_in(new_client(), "inst.chaoyang1"), "/help/")
    assert "机构未查询到医师账户激活的信息，怎么办？" in institution
    assert "医师如何完成账户激活" in institution and "老人老办法" not in institution

    article_id = re.search(r'/help/articles/(\d+)">什么是“老人老办法资格”', page).group(1)
    detail = _page(physician, f"/help/articles/{article_id}")
    assert "经省级卫生计生行政人事部门认定的资格简称“老人资格”" in detail
    # another kind's article is not found, not merely hidden from the list
    _page(logged_in(new_client(), "inst.chaoyang1"), f"/help/articles/{article_id}", 404)


def test_search_finds_questions_by_words_of_their_answers(new_client):
    client = logged_in(new_client(), "doctor.demo")
    found = _page(client, "/help/?q=资格证书编码")
    assert "处于注册无效状态及规培的医师如何激活？" in found
    assert "什么是“新人新办法资格”？" not in found
    assert "没有找到相关问题" in _page(client, "/help/?q=不存在的关键词")


def test_a_question_is_answered_and_the_asker_sees_an_unread_mark_until_she_opens_it(
        new_client, app):
    from service.core.extensions import db
    from service.notify.models import Notification

    asker = logged_in(new_client(), "doctor.demo")
    assert _unread_badge(_page(asker, "/help/")) is None
    question_id = _question_id(_ask(asker, "变更执业地点后多久生效", "我提交了变更申请，想知道审批需要多少个工作日。"))
    mine = _page(asker, "/help/questions/")
    assert "变更执业地点后多久生效" in mine and "待回复" in mine

    support = logged_in(new_client(), "support")
    assert support.get("/").headers["Location"].endswith("/help/support/")
    queue = _page(support, "/help/support/")
    assert "变更执业地点后多久生效" in queue and "陈思远" in queue
    assert _reply(support, question_id, "变更注册由卫生健康行政部门在受理之日起20个工作日内审批。").status_code == 302
    assert "变更执业地点后多久生效" not in _page(support, "/help/support/")  # no longer waiting
    assert "变更执业地点后多久生效" in _page(support, "/help/support/?status=answered")

    with app.app_context():
        message = db.session.scalar(select(Notification).where(
            Notification.account_id == _account_id(app, "doctor.demo"),
            Notification.subject == "客服已回复您的问题"))
        assert message is not None and "变更执业地点后多久生效" in message.body

    home = _page(asker, "/help/")
    assert _unread_badge(home) == "1" and "您有 1 条客服回复尚未查看" in home
    assert "未读" in _page(asker, "/help/questions/")
    detail = _page(asker, f"/help/questions/{question_id}")
    assert "20个工作日内审批" in detail and "新回复" in detail
    assert _unread_badge(_page(asker, "/help/")) is None
    assert "新回复" not in _page(asker, f"/help/questions/{question_id}")

    # a revised reply is unread again
    _reply(support, question_id, "变更注册的审批时限为20个工作日，请在“业务查询”中查看进度。")
    assert _unread_badge(_page(asker, "/help/")) == "1"


def _account_id(app, username: str) -> int:
    from service.access.models import Account
    from service.core.extensions import db

    with app.app_context():
        return db.session.scalar(select(Account.id).where(Account.username == username))


def test_a_question_is_the_askers_own(new_client):
    asker = logged_in(new_client(), "inst.chaoyang1")
    question_id = _question_id(_ask(asker, "如何打印校验申请书", "保存后在哪里打印？"))
    other = logged_in(new_client(), "inst.chaoyang2")
    _page(other, f"/help/questions/{question_id}", 404)
    assert "如何打印校验申请书" not in _page(other, "/help/questions/")
    refused = other.post(f"/help/questions/{question_id}/delete",
                         data={"csrf_token": csrf(other, "/help/questions/")})
    assert refused.status_code == 404
    assert "如何打印校验申请书" in _page(asker, "/help/questions/")


def test_only_support_answers_and_only_the_platform_administrator_edits(new_client):
    for username in ("doctor.demo", "bj.chaoyang.wjw", "admin"):
        page = _page(logged_in(new_client(), username), "/help/support/", 403)
        assert "只有平台客服人员可以查看和回复用户提问" in page
    for username in ("support", "bj.chaoyang.wjw"):
        page = _page(logged_in(new_client(), username), "/help/manage/", 403)
        assert "只有平台系统管理员可以维护帮助内容" in page


def test_bad_questions_are_refused_in_chinese_and_nothing_is_saved(new_client):
    client = logged_in(new_client(), "doctor.demo")
    empty = _ask(client, "  ", "")
    text = empty.get_data(as_text=True)
    assert empty.status_code == 422 and "请填写问题标题" in text and "请填写问题详细描述" in text
    long_body = "描" * 1001
    too_long = _ask(client, "标题", long_body)
    text = too_long.get_data(as_text=True)
    assert too_long.status_code == 422 and "问题详细描述不能超过 1000 字（已填 1001 字）" in text
    assert long_body in text  # nothing the user typed is cut or lost
    assert "您还没有提过问题" in _page(client, "/help/questions/")
    no_token = client.post("/help/ask", data={"title": "标题", "body": "内容"})
    assert no_token.status_code == 400
    assert "您还没有提过问题" in _page(client, "/help/questions/")


def test_a_user_waits_for_replies_after_twenty_open_questions(new_client, monkeypatch):
    from service.helpdesk import service

    monkeypatch.setattr(service, "OPEN_QUESTIONS_MAX", 2)
    client = logged_in(new_client(), "nurse.demo")
    _question_id(_ask(client, "问题一", "内容"))
    _question_id(_ask(client, "问题二", "内容"))
    third = _ask(client, "问题三", "内容")
    assert third.status_code == 422
    assert "您已有 2 个问题尚未回复，请等待客服回复后再提问" in third.get_data(as_text=True)


def test_support_cannot_reply_to_a_deleted_question(new_client):
    asker = logged_in(new_client(), "doctor.new")  # not activated yet: help is open to her too
    question_id = _question_id(_ask(asker, "不需要了", "已经解决"))
    asker.post(f"/help/questions/{question_id}/delete",
               data={"csrf_token": csrf(asker, "/help/questions/")})
    assert "不需要了" not in _page(asker, "/help/questions/")
    support = logged_in(new_client(), "support")
    assert "不需要了" not in _page(support, "/help/support/")
    assert "提问人已删除" in _page(support, "/help/support/?status=all")
    refused = support.post(f"/help/support/{question_id}", data={
        "answer": "好的", "csrf_token": csrf(support, "/help/support/")})
    assert refused.status_code == 422
    _page(asker, f"/help/questions/{question_id}", 404)


def test_the_platform_administrator_keeps_the_articles(new_client):
    admin = logged_in(new_client(), "admin")
    listing = _page(admin, "/help/manage/")
    assert "什么是“老人老办法资格”？" in listing
    bad = admin.post("/help/manage/new", data={
        "title": "", "body": "内容", "category": "系统操作指南", "audience": "nobody",
        "position": "x", "csrf_token": csrf(admin, "/help/manage/new")})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "请填写问题标题" in text and "请选择适用对象" in text and "排序应为 0–9999 的整数" in text
    made = admin.post("/help/manage/new", data={
        "title": "护士如何申请延续注册", "body": "在有效期届满前30日内提出。", "category": "系统操作指南",
        "audience": "nurse", "position": "5", "hot": "1", "published": "1",
        "csrf_token": csrf(admin, "/help/manage/new")})
    assert made.status_code == 302
    nurse = logged_in(new_client(), "nurse.demo")
    assert "护士如何申请延续注册" in _page(nurse, "/help/")
    assert "护士如何申请延续注册" not in _page(logged_in(new_client(), "doctor.demo"), "/help/")

    listing = _page(admin, "/help/manage/")
    row = re.search(r"<tr>(?:(?!</tr>).)*护士如何申请延续注册(?:(?!</tr>).)*</tr>", listing, re.S).group(0)
    article_id = re.search(r"/help/manage/(\d+)", row).group(1)
    unpublished = admin.post(f"/help/manage/{article_id}", data={
        "title": "护士如何申请延续注册", "body": "在有效期届满前30日内提出。", "category": "系统操作指南",
        "audience": "nurse", "position": "5", "csrf_token": csrf(admin, f"/help/manage/{article_id}")})
    assert unpublished.status_code == 302
    assert "护士如何申请延续注册" not in _page(nurse, "/help/")
    _page(nurse, f"/help/articles/{article_id}", 404)


def test_loading_the_seed_again_keeps_what_the_administrator_edited(app):
    from service.core.extensions import db
    from service.helpdesk.models import HelpArticle
    from service.helpdesk.service import load_articles

    with app.app_context():
        article = db.session.scalar(select(HelpArticle).where(HelpArticle.key == "qual_old"))
        article.title = "老人老办法资格是什么"
        db.session.flush()
        assert load_articles() == {"help_article": 0}
        assert db.session.scalar(select(HelpArticle.title).where(HelpArticle.key == "qual_old")) \
            == "老人老办法资格是什么"
