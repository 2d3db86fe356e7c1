"""Loopback receivers that play Slack, Teams and a signed-webhook endpoint: a small HTTP server on
127.0.0.1 (a free port), answering from a script and recording what it received."""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 1_000_000


@dataclass(frozen=True)
class Answer:
    status: int = 200
    body: str = "ok"
    headers: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


class Receiver:
    """Answers each POST with the next scripted Answer, then with `default`."""

    def __init__(self, *, default: Answer):
        self.default = default
        self.script: deque[Answer] = deque()
        self.received: list[Received] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = min(int(self.headers.get("Content-Length") or 0), MAX_BODY)
                receiver.received.append(Received(self.path, dict(self.headers), self.rfile.read(length)))
                answer = receiver.script.popleft() if receiver.script else receiver.default
                body = answer.body.encode()
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        # A short poll interval: shutdown() waits for the next poll, and the default 0.5 s adds up over the tier.
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)

    def answer(self, *answers: Answer) -> None:
        self.script.extend(answers)

    def url(self, path: str = "/hook") -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}{path}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def slack_receiver() -> Receiver:
    return Receiver(default=Answer(200, "ok"))


def teams_receiver() -> Receiver:
    return Receiver(default=Answer(202, ""))


def webhook_receiver() -> Receiver:
    return Receiver(default=Answer(204, ""))
