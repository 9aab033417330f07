"""Running legacy imports in tests: upload over REST or the page, and a dramatiq worker that
consumes the import queue until it is empty."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from conftest import ROOT, ApiClient, run_worker

DEMO = ROOT / "seed" / "demo"
LEGACY = DEMO / "legacy_physicians.csv"
LEGACY_FIXED = DEMO / "legacy_physicians_fixed.csv"


def drain() -> None:
    """Run every queued import to its end (what the embedded worker does in the web process)."""
    run_worker("imports", timeout_ms=120_000)


def csv_bytes(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def upload(api: ApiClient, kind: str, content: bytes, name: str = "legacy.csv",
           dry_run: bool = False):
    data = {"kind": kind, "file": (io.BytesIO(content), name)}
    if dry_run:
        data["dry_run"] = "true"
    return api.post("/api/v1/imports", data=data, content_type="multipart/form-data")


def imported(api: ApiClient, kind: str, content: bytes, name: str = "legacy.csv",
             dry_run: bool = False) -> dict:
    """Upload, run the job, and answer ``GET /api/v1/imports/{id}``."""
    response = upload(api, kind, content, name, dry_run)
    assert response.status_code == 202, response.get_json()
    drain()
    body = api.get(f"/api/v1/imports/{response.get_json()['id']}").get_json()
    assert body["status"] in ("succeeded", "rejected"), body
    return body


def read(path: Path) -> bytes:
    return path.read_bytes()
