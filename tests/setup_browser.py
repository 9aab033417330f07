"""Make sure Debian's Chromium and a CJK font are present for the browser tests.

Installs them with apt-get when running as root; in CI a missing browser is an error, so the
browser tests can never be skipped there.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

PACKAGES = ["chromium", "fonts-wqy-zenhei", "poppler-utils"]


def have_browser() -> bool:
    return shutil.which("chromium") is not None


def main() -> int:
    if have_browser() and os.path.exists("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"):
        return 0
    apt = shutil.which("apt-get")
    if apt and os.geteuid() == 0:
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run([apt, "update", "-qq"], check=True, env=env)
        subprocess.run([apt, "install", "-y", "-qq", *PACKAGES], check=True, env=env)
    if have_browser():
        return 0
    message = "Chromium is not installed (apt-get install chromium fonts-wqy-zenhei as root)"
    if os.environ.get("CI") == "true":
        print(f"error: {message}", file=sys.stderr)
        return 1
    print(f"note: {message}; browser tests will be skipped", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
