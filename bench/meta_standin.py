"""A fast local Meta (and Shopify) stand-in for bench/scale_bench.py: canned answers after a set latency.

A threaded HTTP server (one thread per connection, so the latency overlaps across callers). Graph calls
`/<version>/<cms>/commerce_orders` answer an empty page (an unchanged poll); `/shopify/...` answers an
empty GraphQL result. Every call is recorded (time, kind, commerce account) for the bench to read back.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

EMPTY_ORDERS = json.dumps({"data": [], "paging": {}}).encode()
EMPTY_GRAPHQL = json.dumps({"data": {}}).encode()


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.calls: list[tuple[float, str, str]] = []  # (time, "meta" | "shopify" | "other", commerce account)

    def add(self, kind: str, account: str) -> None:
        with self.lock:
            self.calls.append((time.time(), kind, account))

    def since(self, start: float) -> list[tuple[float, str, str]]:
        with self.lock:
            return [call for call in self.calls if call[0] >= start]


def serve(*, port: int, latency: float) -> tuple[ThreadingHTTPServer, Recorder]:
    recorder = Recorder()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: the pollers' sessions reuse connections

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            path = self.path.split("?", 1)[0].strip("/").split("/")
            if path[0] == "shopify":
                kind, account, body = "shopify", "", EMPTY_GRAPHQL
            elif len(path) >= 3 and path[2] == "commerce_orders":
                kind, account, body = "meta", path[1], EMPTY_ORDERS
            else:
                kind, account, body = "other", "", json.dumps({"data": []}).encode()
            time.sleep(latency)
            recorder.add(kind, account)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, *args) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.request_queue_size = 1024
    threading.Thread(target=server.serve_forever, name="meta-standin", daemon=True).start()
    return server, recorder


def capacity(*, port: int, clients: int, seconds: float) -> float:
    """Calls per second the stand-in answers with `clients` callers at once (each on its own session)."""
    import requests

    done = []
    deadline = time.monotonic() + seconds

    def caller() -> None:
        session, count = requests.Session(), 0
        while time.monotonic() < deadline:
            session.get(f"http://127.0.0.1:{port}/v25.0/capacity/commerce_orders", timeout=10)
            count += 1
        done.append(count)

    threads = [threading.Thread(target=caller) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.monotonic() - started)
