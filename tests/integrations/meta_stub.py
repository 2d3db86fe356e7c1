"""A tiny Graph API stand-in on 127.0.0.1: replays scripted responses and records every request it gets.

Tests script replies per method and path (optionally only when some query/form values match), and then
assert on what actually arrived over HTTP. A request nobody scripted gets a 404 with a Graph-shaped error
and is listed in `unexpected`, so a test cannot pass by accident.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]

    @property
    def params(self) -> dict[str, str]:
        """Query and form values together (GET/DELETE send the query, POST the form)."""
        return {**self.query, **self.form}


@dataclass
class Reply:
    method: str
    path: str
    status: int = 200
    json_body: Any = None
    raw_body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    when: dict[str, str] | None = None
    repeat: bool = False
    delay: float = 0.0

    def matches(self, request: RecordedRequest) -> bool:
        if (self.method, self.path) != (request.method, request.path):
            return False
        params = request.params
        return all(params.get(key) == value for key, value in (self.when or {}).items())


class MetaStub:
    def __init__(self, api_version: str = "v25.0"):
        self.api_version = api_version
        self.requests: list[RecordedRequest] = []
        self.unexpected: list[RecordedRequest] = []
        self._replies: list[Reply] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def path(self, path: str) -> str:
        return path if path.startswith("/") else f"/{self.api_version}/{path}"

    def url(self, path: str, **query: str) -> str:
        """An absolute URL on this stub, e.g. for paging.next."""
        suffix = f"?{urlencode(query)}" if query else ""
        return f"{self.base_url}{self.path(path)}{suffix}"

    def reply(
        self,
        method: str,
        path: str,
        *,
        status: int = 200,
        json: Any = None,
        body: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        when: dict[str, str] | None = None,
        repeat: bool = False,
        delay: float = 0.0,
    ) -> None:
        raw = body.encode() if isinstance(body, str) else body
        with self._lock:
            self._replies.append(
                Reply(method.upper(), self.path(path), status, json, raw, dict(headers or {}), when, repeat, delay)
            )

    def requests_to(self, path: str) -> list[RecordedRequest]:
        return [request for request in self.requests if request.path == self.path(path)]

    def start(self) -> MetaStub:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _answer(self, request: RecordedRequest) -> Reply | None:
        with self._lock:
            self.requests.append(request)
            for reply in self._replies:
                if reply.matches(request):
                    if not reply.repeat:
                        self._replies.remove(reply)
                    return reply
            self.unexpected.append(request)
            return None


def _handler_for(stub: MetaStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._handle()

        def do_POST(self) -> None:
            self._handle()

        def do_DELETE(self) -> None:
            self._handle()

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

        def _handle(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            form = dict(parse_qsl(raw.decode(), keep_blank_values=True)) if raw else {}
            request = RecordedRequest(
                method=self.command,
                path=parts.path,
                query=dict(parse_qsl(parts.query, keep_blank_values=True)),
                form=form,
                headers={key.lower(): value for key, value in self.headers.items()},
            )
            reply = stub._answer(request)
            if reply is None:
                reply = Reply(
                    self.command,
                    parts.path,
                    status=404,
                    json_body=graph_error(99999, f"stub: nothing scripted for {self.command} {parts.path}"),
                )
            if reply.delay:
                time.sleep(reply.delay)
            payload = reply.raw_body if reply.raw_body is not None else json.dumps(reply.json_body).encode()
            try:
                self.send_response(reply.status)
                json_reply = reply.raw_body is None
                self.send_header("Content-Type", "application/json; charset=UTF-8" if json_reply else "text/html")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
                pass

    return Handler


def graph_error(
    code: int | None,
    message: str,
    *,
    type: str = "OAuthException",
    subcode: int | None = None,
    is_transient: bool | None = None,
    fbtrace_id: str = "AbCdEfGhIjK",
    user_title: str | None = None,
    user_msg: str | None = None,
) -> dict:
    """A Graph error body, keys as Meta sends them (absent keys left out, as Meta does)."""
    error: dict[str, Any] = {"message": message, "type": type}
    if code is not None:
        error["code"] = code
    if subcode is not None:
        error["error_subcode"] = subcode
    if is_transient is not None:
        error["is_transient"] = is_transient
    if user_title is not None:
        error["error_user_title"] = user_title
    if user_msg is not None:
        error["error_user_msg"] = user_msg
    error["fbtrace_id"] = fbtrace_id
    return {"error": error}


def buc_header(object_id: str, *entries: dict) -> dict[str, str]:
    """An X-Business-Use-Case-Usage header: object id -> LIST of usage objects."""
    return {"X-Business-Use-Case-Usage": json.dumps({object_id: list(entries)})}


def buc_entry(
    *, type: str = "pages", call_count: int = 5, total_cputime: int = 1, total_time: int = 1, regain_minutes: int = 0
) -> dict:
    return {
        "type": type,
        "call_count": call_count,
        "total_cputime": total_cputime,
        "total_time": total_time,
        "estimated_time_to_regain_access": regain_minutes,
    }
