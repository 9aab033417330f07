"""The left menu per role (government-portal layout)."""
from __future__ import annotations

from dataclasses import dataclass

from ..access.models import Account

# Accounts that receive work items (see engine.routing._organisation).
INBOX_KINDS = ("administration", "institution", "physician", "nurse")


@dataclass(frozen=True)
class MenuItem:
    label: str
    endpoint: str


def menu_for(account: Account) -> list[tuple[str, list[MenuItem]]]:
    """Menu groups for the account: (group title, items)."""
    groups: list[tuple[str, list[MenuItem]]] = [("工作台", [MenuItem("首页", "home.index")])]
    if account.kind in INBOX_KINDS:
        work = [MenuItem("我的待办", "inbox.index"), MenuItem("已办事项", "inbox.done"),
                MenuItem("我发起的业务", "inbox.started"), MenuItem("业务查询", "inbox.all_cases")]
        if account.kind == "institution":
            work.insert(0, MenuItem("发起业务", "cases.new"))
        groups.append(("业务办理", work))
    elif account.has_role("sysadmin", "auditor"):
        groups.append(("业务办理", [MenuItem("业务查询", "inbox.all_cases")]))
    if account.kind == "administration" or account.has_role("sysadmin", "auditor"):
        groups.append(("医疗机构管理", [MenuItem("综合查询", "institutions.search")]))
    if account.kind == "institution":
        groups.append(("本机构", [MenuItem("机构信息", "institutions.own")]))
    if account.has_role("bureau_accounts", "sysadmin"):
        groups.append(("系统管理", [MenuItem("账户管理", "accounts.index"),
                                  MenuItem("发放账户", "accounts.new")]))
    groups.append(("个人设置", [MenuItem("修改密码", "auth.change_password")]))
    return groups
