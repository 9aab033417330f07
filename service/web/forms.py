"""WTForms with Chinese messages; CSRF comes from Flask-WTF."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.meta import DefaultMeta
from wtforms.validators import DataRequired, EqualTo, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget


class Form(FlaskForm):
    """Base of every page form: WTForms' own messages (choice, length) in Chinese too."""

    class Meta:
        locales = ("zh",)

        def get_translations(self, form):
            # Flask-WTF translates only through Flask-Babel; use WTForms' bundled catalogue.
            return DefaultMeta.get_translations(self, form)


class LoginForm(Form):
    username = StringField("用户名/手机号码/证书编号", validators=[DataRequired("请输入用户名"), Length(max=40)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码"), Length(max=128)])


class ChangePasswordForm(Form):
    current = PasswordField("当前密码", validators=[DataRequired("请输入当前密码")])
    new = PasswordField("新密码", validators=[DataRequired("请输入新密码"), Length(max=64)])
    confirm = PasswordField("确认新密码", validators=[EqualTo("new", "两次输入的新密码不一致")])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class IssueAccountForm(Form):
    organisation = SelectField("所属单位", validators=[DataRequired("请选择账户所属的单位")])
    username = StringField("用户名", validators=[DataRequired("请填写用户名"), Length(max=40)])
    display_name = StringField("使用人姓名", validators=[DataRequired("请填写使用人姓名"), Length(max=80)])
    phone = StringField("手机号码", validators=[DataRequired("请填写手机号码"), Length(max=20)])
    email = EmailField("电子邮箱", validators=[Optional(), Length(max=120)])
    roles = MultiCheckboxField("角色", validate_choice=False)


class ContactForm(Form):
    phone = StringField("联系电话", validators=[Optional(), Length(max=32, message="过长")])
    fax = StringField("传真", validators=[Optional(), Length(max=32, message="过长")])
    postal_code = StringField("邮政编码", validators=[Optional(), Length(min=6, max=6, message="邮政编码为 6 位数字")])
    reason = StringField("修改原因", validators=[DataRequired("请填写修改原因"), Length(max=100, message="修改原因不超过 100 字")])


class SecondFactorCodeForm(Form):
    code = StringField("动态口令", validators=[DataRequired("请输入动态口令"), Length(max=20)])


class OfficeForm(Form):
    counter_address = StringField("办理窗口地址", validators=[
        DataRequired("请填写办理窗口地址"), Length(max=200, message="地址不能超过 200 字")])
    office_hours = StringField("办公时间", validators=[
        DataRequired("请填写办公时间"), Length(max=120, message="办公时间不能超过 120 字")])
