"""What every measurement gets: the app, the database, the scale, the run, and helpers."""
from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import event

from .report import ROOT, Result, Run
from .scales import Scale

PROFILE_DIR = ROOT / "bench" / "results" / "profiles"


@dataclass
class Context:
    app: Flask
    url: str
    scale: Scale
    run: Run
    instance_dir: str
    profile: bool = False
    log: Callable[[str], None] = print
    load_before: list[float] = field(default_factory=list)  # set before each measurement

    @property
    def postgres(self) -> bool:
        return self.url.startswith("postgresql")

    def add(self, *results: Result) -> None:
        """Keep results, stamped with the load average before and after the measurement
        (the latter includes the benchmark's own processes)."""
        load = [round(x, 2) for x in os.getloadavg()]
        for result in results:
            result.details.setdefault("loadavg_before", self.load_before)
            result.details.setdefault("loadavg", load)
        self.run.add(*results)

    @contextlib.contextmanager
    def profiled(self, name: str, interval: float = 0.0005) -> Iterator[None]:
        """Profile the block with pyinstrument when ``--profile`` was given."""
        if not self.profile:
            yield
            return
        from pyinstrument import Profiler

        profiler = Profiler(interval=interval)
        profiler.start()
        try:
            yield
        finally:
            profiler.stop()
            PROFILE_DIR.mkdir(parents=True, exist_ok=True)
            path = PROFILE_DIR / f"{self.scale.name}-{name}.txt"
            path.write_text(profiler.output_text(unicode=True, color=False, show_all=False),
                            encoding="utf-8")
            self.log(f"  profile written to {path.relative_to(ROOT)}")


class StatementCounter:
    """Round trips to the database while active: statements sent through SQLAlchemy, the
    commit, and each psycopg pipeline of a step's writes (its statements travel together)."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.count = 0
        self._pipelined = None

    def _on_execute(self, *_args) -> None:
        self.count += 1

    def __enter__(self) -> StatementCounter:
        from service.engine import store

        event.listen(self.engine, "before_cursor_execute", self._on_execute)
        event.listen(self.engine, "commit", self._on_execute)
        self._pipelined = original = store._pipelined

        def counted(*args, **kwargs):
            self.count += 1
            return original(*args, **kwargs)

        store._pipelined = counted
        return self

    def __exit__(self, *_exc) -> None:
        from service.engine import store

        store._pipelined = self._pipelined
        event.remove(self.engine, "before_cursor_execute", self._on_execute)
        event.remove(self.engine, "commit", self._on_execute)


@dataclass
class Timing:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    @contextlib.contextmanager
    def measure(self) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.cpu.append(time.process_time() - cpu)
            self.wall.append(time.perf_counter() - wall)

