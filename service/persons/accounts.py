"""What the shared account services (activation, activation codes, recovery, revocation) need
to know of a kind of person; each persons' domain registers its own with :func:`account_kind`."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from service.core.errors import ApiError


@dataclass(frozen=True)
class AccountKind:
    """A kind of person's account: her model and the column naming her (on accounts, codes and
    revocations), her words, whether she holds a valid registration (then her institution's
    code activates her), the institution it is at, her qualification's number (activation and
    recovery without a registration), and the person of an institution a code is for (404
    otherwise)."""

    kind: str
    model: type
    column: str
    label: str
    certificate_words: str
    registered: Callable[[Any], bool]
    institution_of: Callable[[Any], Any]
    qualification_number: Callable[[Any], str | None]
    person_here: Callable[[Any, Any, object], Any]


_KINDS: dict[str, AccountKind] = {}


def account_kind(spec: AccountKind) -> AccountKind:
    _KINDS[spec.kind] = spec
    return spec


def kind_of(kind: str) -> AccountKind | None:
    return _KINDS.get(kind)


def kinds() -> list[AccountKind]:
    return list(_KINDS.values())


def person_of(account) -> tuple[AccountKind, Any]:
    """The kind and person record of a person's account; 403 for any other account."""
    spec = _KINDS.get(account.kind)
    person = getattr(account, spec.column.removesuffix("_id"), None) if spec else None
    if spec is None or person is None:
        raise ApiError(403, "只有医师、护士账户需要激活", code="forbidden")
    return spec, person
