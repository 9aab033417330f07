"""Page forms every persons' domain shares: the two sign-up steps, and how service field
errors are shown beside a form's fields.

The rules (and their Chinese messages) live in the access services; these forms only carry
the fields, the CSRF token and length limits, so the pages and REST refuse the same things.
"""
from __future__ import annotations

from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import Length, Optional

from service.web.forms import Form


def text_field(label: str, max_length: int) -> StringField:
    return StringField(label, validators=[Optional(), Length(max=max_length)])


class IdentityForm(Form):
    name = text_field("您的姓名", 40)
    id_number = text_field("身份证号", 18)


class SignupAccountForm(Form):
    phone = text_field("手机号码", 20)
    phone_code = text_field("短信验证码", 6)
    email = EmailField("电子邮箱", validators=[Optional(), Length(max=120)])
    email_code = text_field("邮箱验证码", 6)
    username = text_field("用户名称", 12)
    password = PasswordField("登录密码", validators=[Optional(), Length(max=64)])
    confirm = PasswordField("确认密码", validators=[Optional(), Length(max=64)])


def put_errors(form: Form, fields: dict[str, list[str]], fallback: str) -> None:
    """Show service field errors beside the form's fields (unknown names on ``fallback``)."""
    for name, messages in fields.items():
        field = getattr(form, name, None) or getattr(form, fallback)
        field.errors = list(field.errors or []) + list(messages)
