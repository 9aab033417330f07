"""A clock the engine controls, so that timers evaluate the same way live and in replay.

SpiffWorkflow's timer events compare against ``datetime.now(timezone.utc)``. Each engine step
runs with the clock set to the time of the event being applied; replaying the same events
therefore fires the same timers at the same points.
"""
from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from datetime import UTC, datetime

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _timer

_now: contextvars.ContextVar[datetime | None] = contextvars.ContextVar("engine_now", default=None)


class _EngineDateTime(datetime):
    @classmethod
    def now(cls, tz=None):
        fixed = _now.get()
        if fixed is None:
            return datetime.now(tz)
        return fixed.astimezone(tz) if tz else fixed.replace(tzinfo=None)


_timer.datetime = _EngineDateTime  # the only patch: the timer module's view of "now"


@contextlib.contextmanager
def frozen(at: datetime) -> Iterator[None]:
    """Run engine code as if the time were ``at``."""
    token = _now.set(at.astimezone(UTC))
    try:
        yield
    finally:
        _now.reset(token)
