"""Page forms of the physician's account: activation, recovery, security settings (sign-up's
are shared: ``service.persons.page_forms``).

The rules (and their Chinese messages) live in the access services; these forms only carry
the fields, the CSRF token and length limits, so the pages and REST refuse the same things.
"""
from __future__ import annotations

from wtforms import PasswordField
from wtforms.validators import Length, Optional

from service.persons.page_forms import put_errors  # noqa: F401  (the physician pages use it)
from service.persons.page_forms import text_field as _text
from service.web.forms import Form


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
