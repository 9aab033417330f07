"""Benchmarks: what a case step, an inbox page, a replay and a print cost, against their floors.

Entry: ``python -m bench --scale smoke|province|nation`` (see docs/benchmarks.md). Speed is
measured here, never by timed tests; ``tests/test_bench_smoke.py`` only checks that the
scripts run and report.
"""
