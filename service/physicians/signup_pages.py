"""The physician's sign-up pages (医师个人版 用户注册, seed 003 ch.2 §1.2), public: the shared
sign-up pages (``service.persons.signup_pages``) over the physician's records and wording."""
from __future__ import annotations

from service.persons.signup_pages import SignupDoors, SignupWords, signup_blueprint
from service.physicians.signup import check_identity, create_account, summary

WORDS = SignupWords(
    edition="医师个人版", person="医师", record="医师资格信息",
    not_found_hints=(
        "请仔细核对您的身份证、医师资格证书上的姓名、身份证号码与您输入的是否一致；",
        "本系统按照医师资格证书上的姓名和身份证号进行验证；",
        "如果输入无误，请到所在医疗机构核实您的信息，或联系资格证书发证机关补录或修改医师资格信息。",
    ),
    notes=(
        "A 在册医师：个人用户注册 → 到所在机构获取激活码 → 个人用户登录后输入激活码激活账户。",
        "B 有资格从未注册或现处于变更出、备案、注销状态的医师：个人用户注册 → "
        "个人用户登录后输入资格证书编码自行激活账户。",
    ),
    unregistered_next=("您目前没有有效的执业注册：登录后输入您的医师资格证书编码即可自行激活账户。"
                       "激活前也可以直接提交“注册”或“变更”申请，审批通过后账户将自动激活。"),
)

bp = signup_blueprint("signup", "/physician/signup",
                      SignupDoors(check_identity, create_account, summary), WORDS)
