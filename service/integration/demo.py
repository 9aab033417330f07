"""Demo data of the integration: the account the national registry simulator acts as."""
from __future__ import annotations

from service.integration.national import simulator_account


def load() -> int:
    simulator_account()
    return 1
