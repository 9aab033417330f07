"""py-spy on a gunicorn worker under load, summarised as inclusive time per function.

Used by the HTTP measurement with ``--profile`` (pyinstrument profiles in-process code; a
server worker is another process). The raw collapsed stacks are kept next to the summary.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

from .report import ROOT

PYSPY = ROOT / ".venv" / "bin" / "py-spy"
_FRAME = re.compile(r"^(?P<func>.+?) \((?P<file>[^:)]+)(?::\d+)?\)$")


def binary() -> str | None:
    return str(PYSPY) if PYSPY.exists() else shutil.which("py-spy")


def record(pid: int, seconds: float, raw: Path) -> subprocess.Popen | None:
    """Start sampling ``pid`` for ``seconds`` into ``raw`` (collapsed stacks); None without py-spy."""
    spy = binary()
    if spy is None:
        return None
    raw.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [spy, "record", "--pid", str(pid), "--duration", str(max(1, int(seconds))), "--rate",
         "200", "--format", "raw", "--output", str(raw), "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _short(frame: str) -> str:
    match = _FRAME.match(frame.strip())
    if not match:
        return frame.strip()
    path = match["file"]
    for marker in ("site-packages/", "/service/", "/bench/"):
        if marker in path:
            path = path.split(marker, 1)[1] if marker == "site-packages/" else (
                marker.strip("/") + "/" + path.split(marker, 1)[1])
            break
    return f"{match['func']} ({path})"


# where a completion's time goes, by the function on the stack (matched in the raw frame text)
KEY_FRAMES = {
    "authentication (token and account)": "account_for_token (",
    "idempotency wrapper and view": "complete (service/api/v1/cases.py",
    "runtime.complete (the step)": "complete (service/engine/runtime.py",
    "  load work item and case (open_item)": "open_item (",
    "  may act (_require_actionable)": "_require_actionable (",
    "  form validation": "validate (service/engine/forms.py",
    "  deserialize state": "load (service/engine/serialization.py",
    "  engine run": "do_engine_steps (",
    "  serialize state": "dump (service/engine/serialization.py",
    "  fingerprint": "fingerprint (service/engine/serialization.py",
    "  work items and routing (_derive_work_items)": "_derive_work_items (",
    "  hash-chained event": "record (service/engine/events.py",
    "  writes (one pipeline)": "write (service/engine/store.py",
    "  COMMIT": "_commit (service/engine/runtime.py",
    "response (CaseSchema.dump)": "Schema.dump (",
    "waiting for PostgreSQL (psycopg)": "Connection.wait (",
    "pool checkout and pre-ping": "_checkout (",
}


def key_shares(raw: Path) -> list[tuple[str, float]]:
    counts: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        total += int(count)
        for label, needle in KEY_FRAMES.items():
            if needle in stack:
                counts[label] += int(count)
    return [(label, counts[label] / total if total else 0.0) for label in KEY_FRAMES]


def summarize(raw: Path, top: int = 45) -> str:
    """Functions by the share of samples in which they are on the stack (inclusive)."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [_short(f) for f in stack.split(";")]
        for name in set(frames):
            inclusive[name] += n
        own[frames[-1]] += n
    if not total:
        return "no samples\n"
    lines = [f"{total} samples (py-spy, 200/s, one gunicorn worker under load)", "",
             "Where the time goes (share of samples):", ""]
    lines += [f"{share:6.1%}  {label}" for label, share in key_shares(raw)]
    lines += ["", "Functions by share of samples on the stack (inclusive) and at the top (self):",
              ""]
    for name, n in inclusive.most_common(top):
        lines.append(f"{n / total:6.1%} {own[name] / total:6.1%}  {name}")
    return "\n".join(lines) + "\n"
