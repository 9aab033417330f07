"""The left menu per role (government-portal layout)."""
from __future__ import annotations

from dataclasses import dataclass

from service.access.models import Account

# Accounts that receive work items (their inbox key names an organisation or a person).
INBOX_KINDS = ("administration", "institution", "physician", "nurse", "applicant")


@dataclass(frozen=True)
class MenuItem:
    label: str
    endpoint: str


# The institution's physician functions (P11), in the order of seed 003 ch.3.
INSTITUTION_PHYSICIANS = [
    MenuItem("审批机关设置", "institution_physicians.authorities"),
    MenuItem("科室设置", "institution_physicians.departments"),
    MenuItem("本院医师", "institution_physicians.physicians"),
    MenuItem("医师账户激活", "institution_physicians.activation_codes"),
    MenuItem("医师验证", "institution_physicians.verify"),
    MenuItem("医师业务办理", "institution_physicians.applications"),
    MenuItem("医师在外省注册情况", "institution_physicians.other_provinces"),
]


# An administration's part of seed 004 (ch.2): sign-up review and the two queries.
SUPERVISION_ADMINISTRATION = [
    MenuItem("注册审核", "supervision.reviews"),
    MenuItem("自查记录查询", "supervision.inspections"),
    MenuItem("医疗人员不良记分查询", "supervision.demerits"),
]


# The physician's own portal (seed 003 ch.2 §2); until her account is activated she sees only
# what she may use then (seed 003 ch.4).
PHYSICIAN_BEFORE_ACTIVATION = [
    MenuItem("医师账户激活", "physician.activate"),
    MenuItem("资格信息", "physician.qualification"),
    MenuItem("业务申请", "physician.businesses"),
    MenuItem("业务查询", "physician.cases"),
]
PHYSICIAN = [
    MenuItem("基本信息", "physician.home"),
    MenuItem("资格信息", "physician.qualification"),
    MenuItem("执业信息", "physician.practice"),
    MenuItem("考核信息", "physician.assessment"),
    MenuItem("信息维护", "physician.info"),
    MenuItem("业务申请", "physician.businesses"),
    MenuItem("业务查询", "physician.cases"),
    MenuItem("我的待办", "inbox.index"),
    MenuItem("安全设置", "physician.security"),
]


# The nurse's own businesses (issue 13): before activation only registration and activation.
NURSE_BEFORE_ACTIVATION = [MenuItem("护士账户激活", "nurse.activate"),
                           MenuItem("护士执业注册", "nurse.registration")]
NURSE = [MenuItem("护士执业注册", "nurse.registration"), MenuItem("护士变更注册", "nurse.change"),
         MenuItem("护士延续注册", "nurse.renewal")]


def menu_for(account: Account) -> list[tuple[str, list[MenuItem]]]:
    """Menu groups for the account: (group title, items)."""
    if account.kind == "physician":
        if account.activated_at is None:
            return [("医师个人版", PHYSICIAN_BEFORE_ACTIVATION)]
        return [("医师个人版", PHYSICIAN)]
    groups: list[tuple[str, list[MenuItem]]] = [("工作台", [MenuItem("首页", "home.index")])]
    if account.kind in INBOX_KINDS:
        work = [MenuItem("我的待办", "inbox.index"), MenuItem("已办事项", "inbox.done"),
                MenuItem("我发起的业务", "inbox.started"), MenuItem("业务查询", "inbox.all_cases")]
        if account.kind == "institution":
            work.insert(0, MenuItem("发起业务", "cases.new"))
        groups.append(("业务办理", work))
    elif account.has_role("sysadmin", "auditor"):
        groups.append(("业务办理", [MenuItem("业务查询", "inbox.all_cases")]))
    if account.kind == "staff" and account.has_role("designer"):
        groups.append(("流程设计", [MenuItem("流程与版本", "designer.index")]))
    if account.kind == "administration" or account.has_role("sysadmin", "auditor"):
        items = [MenuItem("综合查询", "institutions.search"),
                 MenuItem("统计分析", "institutions.statistics"),
                 MenuItem("信封打印", "institutions.mailings")]
        if account.kind == "administration" and account.has_role("bureau_clerk"):
            items.insert(0, MenuItem("窗口受理", "institutions.counter"))
        if account.kind == "administration" and account.has_role("bureau_clerk", "bureau_head"):
            items += [MenuItem("数据导入", "imports.index"), MenuItem("导入核对", "imports.reconcile_list")]
        groups.append(("医疗机构管理", items))
        if account.kind == "administration" and account.has_role("bureau_clerk"):
            groups.append(("医师管理", [MenuItem("定期考核信息导入", "physician_assessments.index")]))
    if account.has_role("auditor"):
        groups.append(("审计", [MenuItem("审计工作台", "audit.index"),
                              MenuItem("哈希链校验", "audit.chain_runs"),
                              MenuItem("访问日志", "audit.access_log")]))
    if account.kind == "nurse":
        groups.append(("业务申请", NURSE if account.activated_at else NURSE_BEFORE_ACTIVATION))
    if account.kind == "institution":
        groups.append(("本机构", [MenuItem("机构信息", "institutions.own"),
                                 MenuItem("申请信息查询", "institutions.own_applications")]))
    if account.kind == "applicant":
        groups.append(("在线申请", [MenuItem("我的申请", "applicants.index")]))
    if account.kind == "institution" and account.has_role("inst_admin", "inst_clerk"):
        groups.append(("医师管理", INSTITUTION_PHYSICIANS))
        groups.append(("护士管理", [MenuItem("本院护士", "institution_nurses.nurses")]))
    if account.has_role("bureau_accounts", "sysadmin"):
        system = [MenuItem("账户管理", "accounts.index"), MenuItem("发放账户", "accounts.new")]
        if account.kind == "administration":
            system.append(MenuItem("办理窗口", "office.edit"))
        if account.has_role("sysadmin"):
            system.append(MenuItem("帮助内容管理", "help.manage"))
        groups.append(("系统管理", system))
    if account.has_role("support"):
        groups.append(("客服中心", [MenuItem("用户提问", "help.support"),
                                  MenuItem("常见问题", "help.index")]))
    if account.kind == "administration":
        groups.append(("依法执业自查与不良记分", SUPERVISION_ADMINISTRATION))
    groups.append(("个人设置", [MenuItem("系统消息", "messages.index"),
                              MenuItem("修改密码", "auth.change_password"),
                              MenuItem("电子钥匙", "second_factor.enrol")]))
    return groups
