"""Demo data for the embedded default (``seed/demo/``). Never loaded in production mode.

Each domain loads its own records; the accounts tie them together."""
from __future__ import annotations

from sqlalchemy import select

from service.access.models import Account
from service.access.passwords import hash_password
from service.core.extensions import db
from service.core.times import utcnow
from service.institutions import demo as institution_demo
from service.integration import demo as integration_demo
from service.nurses import demo as nurse_demo
from service.physicians import demo as physician_demo
from service.registry.reference import Administration
from service.registry.seeding import SEED_DIR, rows
from service.registry.versioning import change_context
from service.supervision import demo as supervision_demo

DEMO_DIR = SEED_DIR / "demo"
DEMO_PASSWORD = "Demo12345"


def usernames() -> set[str]:
    """The demo accounts' user names (lower case): exempt from a required second factor."""
    return {row["username"].lower() for row in rows(DEMO_DIR / "accounts.csv")}


def load_demo() -> dict[str, int]:
    """Create the demo organisations, persons and accounts once; a second run changes nothing."""
    if db.session.scalar(select(Account.id).where(Account.username == "admin")):
        return {}
    with change_context(None, "演示数据"):
        counts = _load()
    db.session.commit()
    return counts


def _load() -> dict[str, int]:
    admins = {a.division_code: a for a in db.session.scalars(select(Administration))}
    for row in rows(DEMO_DIR / "counters.csv"):  # the demo counters' address and hours
        admins[row["division_code"]].counter_address = row["counter_address"]
        admins[row["division_code"]].office_hours = row["office_hours"]
    institutions = institution_demo.load(admins)
    physicians = physician_demo.load(institutions)
    nurses = nurse_demo.load(institutions)

    # One hash for every demo account: all share the documented demo password.
    password_hash = hash_password(DEMO_PASSWORD)
    now = utcnow()
    accounts = 0
    for row in rows(DEMO_DIR / "accounts.csv"):
        account = Account(
            username=row["username"], display_name=row["display_name"], kind=row["kind"],
            roles=row["roles"].split(), password_hash=password_hash,
            phone=row["phone"] or None, email=row["email"] or None,
        )
        if row["kind"] == "administration":
            account.administration = admins[row["organisation"]]
        elif row["kind"] == "institution":
            account.institution = institutions[row["organisation"]]
        elif row["kind"] == "physician":
            account.physician, activated = physicians.account_person(row["person_key"])
            account.activated_at = now if activated else None  # doctor.new still has to activate
        elif row["kind"] == "nurse":
            account.nurse = nurses[row["person_key"]]
            # nurse.new still has to activate (or be activated by her first registration)
            account.activated_at = now if account.nurse.status != "unregistered" else None
        db.session.add(account)
        accounts += 1
        if row["username"] == "inst.jiangbei1":
            db.session.flush()
            accounts += supervision_demo.load(account.institution, account, password_hash)
    accounts += integration_demo.load()
    return {
        "institution": len(institutions), "qualification": len(physicians.qualifications),
        "physician": len(physicians.physicians), "nurse": len(nurses), "account": accounts,
    }
