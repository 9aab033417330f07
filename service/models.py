"""Import every model module so that metadata (and migrations) see all tables."""
from __future__ import annotations


def import_all() -> None:
    from .access import models as _access  # noqa: F401
    from .documents import models as _documents  # noqa: F401
    from .engine import models as _engine  # noqa: F401
    from .notify import models as _notify  # noqa: F401
    from .registry import (  # noqa: F401
        certificates,
        institutions,
        persons,
        physician_admin,
        reference,
        verification,
        versioning,
    )
