"""The nurse's sign-up pages (护士个人版 用户注册), public: the shared sign-up pages
(``service.persons.signup_pages``) over the nurse exam records and the nurse's wording."""
from __future__ import annotations

from service.nurses.signup import check_identity, create_account, summary
from service.persons.signup_pages import SignupDoors, SignupWords, signup_blueprint

WORDS = SignupWords(
    edition="护士个人版", person="护士", record="护士执业资格考试成绩",
    not_found_hints=(
        "请仔细核对您的身份证、护士执业资格考试准考证上的姓名、身份证号码与您输入的是否一致；",
        "本系统按照护士执业资格考试成绩中的姓名和身份证号进行验证；",
        "如果输入无误，请联系考试所在地卫生健康行政部门核实或补录考试信息。",
    ),
    notes=(
        "A 在册护士：个人用户注册 → 到执业注册所在机构获取激活码 → 个人用户登录后输入激活码激活账户。",
        "B 通过护士执业资格考试、尚未注册或注册已注销的护士：个人用户注册 → "
        "个人用户登录后输入护士执业资格考试合格证明编号自行激活账户，或申请护士执业注册，"
        "获批准后账户自动激活。",
    ),
    unregistered_next=("您目前没有有效的护士执业注册：登录后输入您的护士执业资格考试合格证明编号"
                       "即可自行激活账户；也可以直接申请护士执业注册，审批通过后账户将自动激活。"),
)

bp = signup_blueprint("nurse_signup", "/nurse/signup",
                      SignupDoors(check_identity, create_account, summary), WORDS)
