"""Import every model module so that metadata (and migrations) see all tables."""
from __future__ import annotations


def import_all() -> None:
    from .access import models as _access  # noqa: F401
    from .notify import models as _notify  # noqa: F401
    from .registry import institutions, persons, reference, versioning  # noqa: F401
