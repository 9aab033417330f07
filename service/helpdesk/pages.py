"""帮助中心 pages: hot questions, 我要提问 and 我的提问 for every user; the support queue; the
platform administrator's article editing."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from service.core.extensions import db
from service.helpdesk import service
from service.helpdesk.models import AUDIENCES, HelpQuestion

bp = Blueprint("help", __name__, url_prefix="/help")


def _saved(write):
    """Run a form's write: a refusal rolls back and gives its field errors; success commits and
    gives what was written (errors empty)."""
    try:
        result = write()
    except service.HelpError as exc:
        db.session.rollback()
        return None, exc.fields
    db.session.commit()
    return result, {}


@bp.get("/")
@login_required
def index():
    q = (request.args.get("q") or "").strip()[:40]
    articles = service.articles_for(current_user, q)
    return render_template(
        "help/index.html", q=q, hot=[a for a in articles if a.hot] if not q else [],
        articles=articles, unread=service.unread_replies(current_user))


@bp.get("/articles/<int:article_id>")
@login_required
def article(article_id: int):
    return render_template("help/article.html",
                           article=service.article_for(current_user, article_id))


@bp.route("/ask", methods=["GET", "POST"])
@login_required
def ask():
    errors: dict = {}
    form = {"title": "", "body": ""}
    if request.method == "POST":
        form = {"title": request.form.get("title", ""), "body": request.form.get("body", "")}
        question, errors = _saved(lambda: service.ask(current_user, form["title"], form["body"]))
        if not errors:
            flash("问题已提交，客服人员回复后将在“我的提问”中显示并提醒您。", "success")
            return redirect(url_for("help.question", question_id=question.id))
    return render_template("help/ask.html", form=form, errors=errors,
                           title_max=service.TITLE_MAX, body_max=service.BODY_MAX), \
        422 if errors else 200


@bp.get("/questions/")
@login_required
def questions():
    return render_template("help/questions.html", items=service.my_questions(current_user))


@bp.get("/questions/<int:question_id>")
@login_required
def question(question_id: int):
    item = service.own_question(current_user, question_id)
    was_unread = service.mark_read(item)
    db.session.commit()
    return render_template("help/question.html", item=item, was_unread=was_unread)


@bp.post("/questions/<int:question_id>/delete")
@login_required
def delete_question(question_id: int):
    service.delete_question(service.own_question(current_user, question_id))
    db.session.commit()
    flash("问题已删除。", "success")
    return redirect(url_for("help.questions"))


# --- support -----------------------------------------------------------------------------------

def _support_only() -> None:
    if not service.is_support(current_user):
        abort(403, "只有平台客服人员可以查看和回复用户提问。")


@bp.get("/support/")
@login_required
def support():
    _support_only()
    which = request.args.get("status", "waiting")
    if which not in service.QUEUES:
        which = "waiting"
    return render_template("help/support.html", items=service.support_queue(which), which=which,
                           queues=service.QUEUES)


@bp.route("/support/<int:question_id>", methods=["GET", "POST"])
@login_required
def reply(question_id: int):
    _support_only()
    item = db.get_or_404(HelpQuestion, question_id)
    errors: dict = {}
    text = item.answer or ""
    if request.method == "POST":
        text = request.form.get("answer", "")
        _, errors = _saved(lambda: service.answer(current_user, item, text))
        if not errors:
            flash("已回复，提问人将收到消息提醒。", "success")
            return redirect(url_for("help.support"))
    return render_template("help/reply.html", item=item, text=text, errors=errors,
                           answer_max=service.ANSWER_MAX), 422 if errors else 200


# --- articles (platform administrator) ----------------------------------------------------------

def _editor_only() -> None:
    if not service.is_editor(current_user):
        abort(403, "只有平台系统管理员可以维护帮助内容。")


@bp.get("/manage/")
@login_required
def manage():
    _editor_only()
    return render_template("help/manage.html", items=service.all_articles())


@bp.route("/manage/new", methods=["GET", "POST"], defaults={"article_id": None})
@bp.route("/manage/<int:article_id>", methods=["GET", "POST"])
@login_required
def edit(article_id: int | None):
    _editor_only()
    article = service.article_by_id(article_id) if article_id is not None else None
    errors: dict = {}
    data = {"title": article.title, "body": article.body, "category": article.category,
            "audience": article.audience, "position": str(article.position), "hot": article.hot,
            "published": article.published} if article else \
        {"audience": "all", "position": "0", "published": True, "category": "常见问题解答"}
    if request.method == "POST":
        data = {k: request.form.get(k, "") for k in ("title", "body", "category", "audience",
                                                     "position", "hot", "published")}
        saved, errors = _saved(lambda: service.save_article(current_user, article, data))
        if not errors:
            flash(f"已保存：{saved.title}", "success")
            return redirect(url_for("help.manage"))
    return render_template("help/edit.html", article=article, data=data, errors=errors,
                           audiences=AUDIENCES), 422 if errors else 200


@bp.post("/manage/<int:article_id>/delete")
@login_required
def delete_article(article_id: int):
    _editor_only()
    article = service.article_by_id(article_id)
    title = article.title
    service.delete_article(article)
    db.session.commit()
    flash(f"已删除：{title}", "success")
    return redirect(url_for("help.manage"))
