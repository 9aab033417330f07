"""A real HTTP receiver on 127.0.0.1 for webhook tests: it checks every request's signature
(api.md) and answers from a script of statuses (e.g. 500, 500, then 200)."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(self, secret: str, statuses: list[int]) -> None:
        self.secret = secret
        self.statuses = list(statuses)
        self.requests: list[dict] = []
        self.accepted: list[dict] = []
        self.bad_signatures = 0
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                stamp = self.headers.get("X-Yizheng-Timestamp", "")
                expected = "sha256=" + hmac.new(receiver.secret.encode(), stamp.encode() + b"." + body,
                                                hashlib.sha256).hexdigest()
                good = hmac.compare_digest(expected, self.headers.get("X-Yizheng-Signature", "")) \
                    and abs(time.time() - int(stamp or 0)) < 300
                with receiver._lock:
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    if not good:
                        receiver.bad_signatures += 1
                        status = 401
                    record = {"delivery": self.headers.get("X-Yizheng-Delivery"),
                              "event": self.headers.get("X-Yizheng-Event"), "status": status,
                              "body": json.loads(body), "at": time.time()}
                    receiver.requests.append(record)
                    if 200 <= status < 300:
                        receiver.accepted.append(record)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
