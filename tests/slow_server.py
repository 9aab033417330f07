"""A real server process whose steps stall after their writes, to be killed mid-request.

``python tests/slow_server.py DATABASE_URL PORT INSTANCE_DIR`` serves the application on
127.0.0.1:PORT; every work-item completion sleeps for a minute after the step was written and
committed as far as the request is concerned, the moment a worker death hurts most.
"""
from __future__ import annotations

import sys
import time

from werkzeug.serving import run_simple


def main() -> None:
    url, port, instance = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    from service import create_app
    from service.engine import runtime

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test-secret", "DEMO_DATA": "0",
                      "EVENT_CHAIN_KEY": "test-event-chain-key",
                      "INSTANCE_DIR": instance, "RATELIMIT_STORAGE_URI": "memory://"})
    commit = runtime._commit

    def commit_then_stall() -> None:
        commit()
        print("step committed", flush=True)
        time.sleep(60)

    runtime._commit = commit_then_stall
    run_simple("127.0.0.1", port, app, threaded=True)


if __name__ == "__main__":
    main()
