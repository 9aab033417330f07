"""Import every model module so that metadata (and migrations) see all tables."""
from __future__ import annotations


def import_all() -> None:
    from service.access import models as _access  # noqa: F401
    from service.audit import models as _audit  # noqa: F401
    from service.casework import saved_filters  # noqa: F401
    from service.documents import models as _documents  # noqa: F401
    from service.engine import models as _engine  # noqa: F401
    from service.helpdesk import models as _helpdesk  # noqa: F401
    from service.imports import models as _imports  # noqa: F401
    from service.institutions import (  # noqa: F401
        departments,
        licences,
        mailing,
        models,
        reminders,
        verification_records,
    )
    from service.integration import models as _integration  # noqa: F401
    from service.notify import models as _notify  # noqa: F401
    from service.nurses import models as _nurses  # noqa: F401
    from service.persons import models as _persons  # noqa: F401
    from service.persons import numbers  # noqa: F401
    from service.physicians import admin_models, assessments, certificates, replacement  # noqa: F401
    from service.physicians import models as _physicians  # noqa: F401
    from service.registry import business_numbers, reference, versioning  # noqa: F401
    from service.supervision import catalogue  # noqa: F401
