"""Page forms of the physician's account: sign-up, activation, recovery, security settings.

The rules (and their Chinese messages) live in the access services; these forms only carry
the fields, the CSRF token and length limits, so the pages and REST refuse the same things.
"""
from __future__ import annotations

from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import Length, Optional

from service.web.forms import Form


def _text(label: str, max_length: int) -> StringField:
    return StringField(label, validators=[Optional(), Length(max=max_length)])


class IdentityForm(Form):
    name = _text("您的姓名", 40)
    id_number = _text("身份证号", 18)


class SignupAccountForm(Form):
    phone = _text("手机号码", 20)
    phone_code = _text("短信验证码", 6)
    email = EmailField("电子邮箱", validators=[Optional(), Length(max=120)])
    email_code = _text("邮箱验证码", 6)
    username = _text("用户名称", 12)
    password = PasswordField("登录密码", validators=[Optional(), Length(max=64)])
    confirm = PasswordField("确认密码", validators=[Optional(), Length(max=64)])


class ActivationCodeForm(Form):
    code = _text("账户激活码", 32)


class CertificateForm(Form):
    certificate_number = _text("医师资格证书编码", 32)


class ContactCodeForm(Form):
    """An address (phone or e-mail) and the code sent to it."""

    address = _text("手机号码或电子邮箱", 120)
    code = _text("验证码", 6)


class RecoverPersonalForm(Form):
    name = _text("姓名", 40)
    id_number = _text("身份证号", 18)
    certificate_number = _text("资格证书编号（医师资格证书编码 / 护士执业资格考试合格证明编号）", 32)


class NewPasswordForm(Form):
    password = PasswordField("新密码", validators=[Optional(), Length(max=64)])
    confirm = PasswordField("确认新密码", validators=[Optional(), Length(max=64)])


def put_errors(form: Form, fields: dict[str, list[str]], fallback: str) -> None:
    """Show service field errors beside the form's fields (unknown names on ``fallback``)."""
    for name, messages in fields.items():
        field = getattr(form, name, None) or getattr(form, fallback)
        field.errors = list(field.errors or []) + list(messages)
