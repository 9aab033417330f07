"""Content-addressed file storage under ``STORAGE_DIR/documents/ab/cd/<sha256>``.

Files are written to a temporary file in the same tree and renamed into place, so a reader
never sees half a file, and equal content is stored once.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app

CHUNK = 1024 * 1024
HEAD_BYTES = 16


class TooLarge(Exception):
    """The upload exceeded the size limit while it was being read."""


@dataclass
class Spooled:
    """An upload written to a temporary file, with its digest, size and first bytes."""

    path: Path
    sha256: str
    size: int
    head: bytes

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


def root() -> Path:
    return Path(current_app.config["STORAGE_DIR"]) / "documents"


def key_for(sha256: str) -> str:
    """The storage key (relative to ``STORAGE_DIR``) of content with this digest."""
    return f"documents/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def path_for(key: str) -> Path:
    return Path(current_app.config["STORAGE_DIR"]) / key


def _temp_dir() -> Path:
    # Inside the storage tree, so the final rename stays on one file system (atomic).
    path = root() / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return path


def spool(stream: BinaryIO, max_bytes: int) -> Spooled:
    """Copy ``stream`` to a temporary file, hashing it; ``TooLarge`` past ``max_bytes``."""
    digest, size, head = hashlib.sha256(), 0, b""
    fd, name = tempfile.mkstemp(dir=_temp_dir(), prefix="upload-")
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge()
                if len(head) < HEAD_BYTES:
                    head += chunk[:HEAD_BYTES - len(head)]
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Spooled(path, digest.hexdigest(), size, head)


def commit(spooled: Spooled) -> str:
    """Move a spooled upload to its content address (once per content); returns the key."""
    key = key_for(spooled.sha256)
    target = path_for(key)
    if target.exists():
        spooled.discard()
        return key
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(spooled.path, "rb") as f:
        os.fsync(f.fileno())
    os.chmod(spooled.path, 0o640)
    os.replace(spooled.path, target)
    return key


def write_atomic(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` through a temporary file and a rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(name, target)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
