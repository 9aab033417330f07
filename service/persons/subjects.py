"""The applicant of a person's case, for every persons' domain: the calling person herself, or
``subject.<kind>_id`` when an institution acts for one of its persons; and the rule that a
person reads the cases about her. Each domain registers its kind with :func:`person_kind`."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import ColumnElement

from service.access.models import Account
from service.access.policy import READ, require
from service.core.errors import ApiError
from service.core.extensions import db
from service.core.masking import mask_id, mask_phone
from service.engine import plugins
from service.engine.models import Case


@dataclass(frozen=True)
class PersonKind:
    """A kind of person (``physician``, ``nurse``): her model, the account's and the case's
    columns naming her, what a case subject's id must be called, and how a reviewer and a
    printed application identify her: (person) -> [(label, value)], personal data masked."""

    kind: str
    model: type
    account_attr: str
    case_column: str
    label: str
    identity: Callable[[object], list[tuple[str, str]]]


_KINDS: dict[str, PersonKind] = {}


def person_kind(kind: str, model: type, label: str,
                identity: Callable[[object], list[tuple[str, str]]]) -> PersonKind:
    """Register a kind: accounts name her by ``<kind>_id``, cases by ``subject_<kind>_id``."""
    _KINDS[kind] = PersonKind(kind, model, f"{kind}_id", f"subject_{kind}_id", label, identity)
    return _KINDS[kind]


GENDERS = {"M": "男", "F": "女"}


def basic_identity(person) -> list[tuple[str, str]]:
    """The rows every kind of person starts with: name, gender, birth date, masked ID and phone."""
    return [("姓名", person.name), ("性别", GENDERS.get(person.gender, "")),
            ("出生日期", person.birth_date.isoformat() if person.birth_date else ""),
            ("身份证号", mask_id(person.id_number) or ""),
            ("联系电话", mask_phone(person.phone) or "")]


def kind_of_case(case: Case) -> tuple[PersonKind, object] | None:
    """The kind and record of the person a case is about, if it is about one."""
    for pk in _KINDS.values():
        person_id = getattr(case, pk.case_column, None)
        if person_id is not None:
            person = db.session.get(pk.model, person_id)
            return (pk, person) if person is not None else None
    return None


def _requested(actor: Account, subject: dict) -> tuple[PersonKind, object] | None:
    if actor.kind in _KINDS:
        pk = _KINDS[actor.kind]
        return pk, db.session.get(pk.model, getattr(actor, pk.account_attr))
    for pk in _KINDS.values():
        key = pk.account_attr
        if key not in subject:
            continue
        if not isinstance(subject[key], int):
            raise ApiError(422, fields={f"subject.{key}": [f"须为{pk.label}编号"]})
        return pk, require(actor, pk.model, subject[key], READ)
    return None


@plugins.subject_loader("person")
def load_applicant(actor, subject: dict, inst) -> plugins.PersonSubject | None:
    """The applicant: the calling person, or the person an institution acts for; none for an
    institution's own business."""
    found = _requested(actor, subject)
    if found is None or found[1] is None:
        return None
    pk, person = found
    return plugins.PersonSubject(
        record=person, columns={pk.case_column: person.id},
        data={pk.account_attr: person.id}, title=f"{person.name}（{inst.name}）")


@plugins.case_reader
def own_cases(actor: Account) -> ColumnElement[bool] | None:
    """A person reads the cases about her."""
    pk = _KINDS.get(actor.kind)
    person_id = getattr(actor, pk.account_attr) if pk else None
    if person_id:
        return getattr(Case, pk.case_column) == person_id
    return None


def may_start(kind: str, allowed_before_activation: set[str]) -> Callable:
    """The lane rule of a person's own processes: an activated account, or one of the
    processes she may apply for before activation (seed 003 ch.4)."""
    def rule(actor, definition, inst) -> bool:
        return actor.kind == kind and (
            actor.activated_at is not None or definition.process_id in allowed_before_activation)
    return rule
