"""Data sizes and measurement lengths per scale.

``province`` and ``nation`` are the sizes of the issue. At national scale "2,000,000 cases,
1,000,000 open work items" is read as 2,000,000 cases in all, of which 1,000,000 are open
with one open work item each (province: 200,000 finished plus 20,000 open). ``smoke`` is the
tiny run of the test suite: every measurement runs, briefly, so the scripts cannot rot.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    institutions: int
    physicians: int
    finished_cases: int
    open_items: int
    busy_share: float  # share of open cases given to the busiest administration's institutions
    step_samples: int
    inbox_samples: int
    rounds: int  # the correction round compared with round 1
    round_samples: int
    replay_events: int
    replay_samples: int
    chain_events: int  # events whose hash chain is verified for the throughput figure
    pdf_samples: int
    pdf_batch: int
    http_seconds: float  # per gunicorn configuration
    http_workers: tuple[int, ...]
    http_clients_per_worker: int
    pgbench_seconds: int
    pgbench_scale: int
    scale_seconds: float  # two web processes and two timer workers
    timer_cases: int
    webhook_cases: int = 100  # cases started one by one for the webhook latency
    webhook_burst: int = 500  # events written at once for deliveries per second


SCALES: dict[str, Scale] = {
    "smoke": Scale(
        name="smoke", institutions=300, physicians=400, finished_cases=200, open_items=100,
        busy_share=0.3, step_samples=20, inbox_samples=20, rounds=5, round_samples=3,
        replay_events=10, replay_samples=3, chain_events=5_000, pdf_samples=3, pdf_batch=3,
        http_seconds=2, http_workers=(1,), http_clients_per_worker=2, pgbench_seconds=1,
        pgbench_scale=1, scale_seconds=2, timer_cases=6,
    ),
    "province": Scale(
        name="province", institutions=25_000, physicians=100_000, finished_cases=200_000,
        open_items=20_000, busy_share=0.05, step_samples=200, inbox_samples=300, rounds=20,
        round_samples=15, replay_events=50, replay_samples=30, chain_events=2_000_000,
        pdf_samples=30, pdf_batch=1000, http_seconds=20, http_workers=(1, 2, 4),
        http_clients_per_worker=2, pgbench_seconds=10, pgbench_scale=10, scale_seconds=20,
        timer_cases=300,
    ),
    "nation": Scale(
        name="nation", institutions=1_000_000, physicians=5_000_000, finished_cases=1_000_000,
        open_items=1_000_000, busy_share=0.04, step_samples=200, inbox_samples=300, rounds=20,
        round_samples=15, replay_events=50, replay_samples=30, chain_events=1_000_000,
        pdf_samples=30, pdf_batch=1000, http_seconds=20, http_workers=(1, 2, 4),
        http_clients_per_worker=2, pgbench_seconds=10, pgbench_scale=10, scale_seconds=20,
        timer_cases=300,
    ),
    # the registry alone at national size, for the licence measurement (the public verify
    # endpoint with 1,000,000 institutions and their licences); few persons and cases
    "registry": Scale(
        name="registry", institutions=1_000_000, physicians=1_000, finished_cases=200,
        open_items=100, busy_share=0.3, step_samples=50, inbox_samples=20, rounds=5,
        round_samples=3, replay_events=10, replay_samples=3, chain_events=5_000,
        pdf_samples=30, pdf_batch=3, http_seconds=2, http_workers=(1,),
        http_clients_per_worker=2, pgbench_seconds=1, pgbench_scale=1, scale_seconds=2,
        timer_cases=6,
    ),
}
