"""A scripted loopback HTTP server speaking the two protocols the API critics use:
OpenAI chat completions (POST .../chat/completions) and DashScope multimodal generation
(POST .../services/aigc/multimodal-generation/generation). It records every request with its start and end
times, so tests can check what was sent and whether requests overlapped. Used by tests and the benchmark."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Step:
    """One scripted response: HTTP status, reply text (for 200), extra headers, delay before answering."""

    text: str = "{}"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    body: bytes | None = None  # sent as is instead of the protocol's JSON (garbage replies)
    drip_s: float = 0.0  # > 0: the whole response (status line, headers, body) one byte per drip_s seconds


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    start: float
    end: float = 0.0

    @property
    def protocol(self) -> str:
        return "openai" if self.path.endswith("/chat/completions") else "dashscope"

    def prompt_text(self) -> str:
        content = self.body["messages"][0]["content"] if self.protocol == "openai" else \
            self.body["input"]["messages"][0]["content"]
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))

    def image_urls(self) -> list[str]:
        if self.protocol == "openai":
            content = self.body["messages"][0]["content"]
            return [p["image_url"]["url"] for p in content if p.get("type") == "image_url"]
        content = self.body["input"]["messages"][0]["content"]
        return [p["image"] for p in content if "image" in p]


class LoopbackVLMServer:
    """responder(recorded_request) -> Step; the default replays `script` in order, then `default`."""

    def __init__(self, responder: Callable[[Recorded], Step] | None = None, default: Step | None = None,
                 latency_s: float = 0.0) -> None:
        self.script: list[Step] = []
        self.default = default or Step()
        self.latency_s = latency_s
        self.requests: list[Recorded] = []
        self._responder = responder
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:  # noqa: N802  GET /requests: the recorded intervals (for out-of-process use)
                data = json.dumps([[r.start, r.end] for r in server.requests]).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                start = time.perf_counter()
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                rec = Recorded(self.path, dict(self.headers), body, start)
                with server._lock:
                    server.requests.append(rec)
                step = server._next(rec)
                time.sleep(server.latency_s + step.delay_s)
                data = step.body if step.body is not None else json.dumps(server._payload(rec, step)).encode()
                if step.drip_s > 0:
                    server._drip(self, step, data)
                    rec.end = time.perf_counter()
                    return
                try:
                    self.send_response(step.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for k, v in step.headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)
                rec.end = time.perf_counter()

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def openai_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def dashscope_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1"

    def start(self) -> LoopbackVLMServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def _drip(self, handler: BaseHTTPRequestHandler, step: Step, data: bytes) -> None:
        """A slow-drip server: every single read succeeds (so per-read socket timeouts never fire), the reply
        just never finishes in time. Stops when the client hangs up or the server is stopped."""
        head = f"HTTP/1.1 {step.status} OK\r\nContent-Type: application/json\r\nContent-Length: {len(data)}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in step.headers.items()) + "\r\n"
        for byte in head.encode() + data:
            if self._stopping.is_set():
                break
            try:
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
            except OSError:  # the client gave up: what a wall-clock deadline should make it do
                break
            self._stopping.wait(step.drip_s)
        handler.close_connection = True

    def _next(self, rec: Recorded) -> Step:
        if self._responder is not None:
            return self._responder(rec)
        with self._lock:
            return self.script.pop(0) if self.script else self.default

    @staticmethod
    def _payload(rec: Recorded, step: Step) -> dict[str, Any]:
        if rec.protocol == "openai":
            if step.status != 200:
                return {"error": {"message": f"scripted {step.status}", "type": "server_error", "code": step.status}}
            return {"id": "chatcmpl-loopback", "object": "chat.completion", "created": int(time.time()),
                    "model": rec.body.get("model", ""),
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": step.text}}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
        if step.status != 200:
            return {"request_id": "loopback", "code": "Throttling" if step.status == 429 else "InternalError",
                    "message": f"scripted {step.status}"}
        return {"request_id": "loopback",
                "output": {"choices": [{"finish_reason": "stop",
                                        "message": {"role": "assistant", "content": [{"text": step.text}]}}]},
                "usage": {"input_tokens": 1, "output_tokens": 1}}


def max_overlap(requests: list[Recorded]) -> int:
    """The largest number of requests that were in flight at the same moment."""
    events = sorted([(r.start, 1) for r in requests] + [(r.end, -1) for r in requests], key=lambda e: (e[0], e[1]))
    best = cur = 0
    for _, d in events:
        cur += d
        best = max(best, cur)
    return best
