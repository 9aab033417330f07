"""The physician as the shared account services see her (``service.persons.accounts``): her
institution's code activates her while she holds a valid registration; the code comes from her
main institution (主要执业机构); without a registration her 医师资格证书编码 does."""
from __future__ import annotations

from service.persons.accounts import AccountKind, account_kind
from service.physicians.models import Physician
from service.physicians.services import physician_of
from service.physicians.signup import has_valid_registration, main_registration


def _main_institution(physician: Physician):
    main = main_registration(physician)
    return main.institution if main else None


PHYSICIAN = account_kind(AccountKind(
    "physician", Physician, "physician_id", "医师", "医师资格证书编码", has_valid_registration,
    _main_institution, lambda p: p.qualification.certificate_number,
    lambda actor, inst, person_id: physician_of(actor, inst, person_id, main_only=True)))
