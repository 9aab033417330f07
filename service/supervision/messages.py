"""Seed 004's notices: an in-app message (系统消息) to one account, also when it is not yet
enabled (a returned sign-up's administrator reads it once she may log in), and an SMS to its
phone where the notice must reach someone who cannot log in yet."""
from __future__ import annotations

from service.access.models import Account
from service.notify import outbox


def tell(account: Account, subject: str, body: str, *, sms: bool = False) -> None:
    outbox.queue("inbox", subject, body, account_id=account.id)
    if sms and account.phone:
        outbox.queue("sms", subject, f"【医政管理平台】{body}", account_id=account.id,
                     address=account.phone)
