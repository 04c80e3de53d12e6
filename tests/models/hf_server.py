"""A loopback HTTP server that speaks the Hugging Face file endpoints huggingface_hub 2.x calls for
snapshot_download (read from its source): GET /api/models/{repo}/revision/{rev} (sha + siblings),
GET /api/models/{repo}/tree/{rev} (the file list), HEAD/GET /{repo}/resolve/{rev}/{file} (X-Repo-Commit,
ETag, Content-Length, Range -> 206). It also serves plain files at /files/{name} (the SAM 1 URL path).
`cut_once` makes the first GET of a file stop half-way (the connection drops), to exercise resume."""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlparse

COMMIT = "0123456789abcdef0123456789abcdef01234567"


class HubState:
    def __init__(self) -> None:
        self.repos: dict[str, dict[str, bytes]] = {}
        self.files: dict[str, bytes] = {}  # /files/NAME
        self.cut_once: set[str] = set()  # file paths whose first GET is cut half-way
        self.requests: list[tuple[str, str, str | None, str | None]] = []  # (method, path, Range, Authorization)
        self.gated: set[str] = set()
        self.missing: set[str] = set()  # "repo/file" answered 404 (a file the mirror does not have yet)
        self.throttle_s = 0.0  # pause between 64 KB pieces (to cancel a download mid-way)
        self.lock = threading.Lock()

    def add_folder(self, repo_id: str, folder: Path) -> None:
        self.repos[repo_id] = {str(p.relative_to(folder)).replace("\\", "/"): p.read_bytes()
                               for p in sorted(folder.rglob("*")) if p.is_file()}


class _Handler(BaseHTTPRequestHandler):
    state: HubState
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet
        pass

    def _record(self) -> None:
        with self.state.lock:
            self.state.requests.append((self.command, self.path, self.headers.get("Range"),
                                        self.headers.get("Authorization")))

    def _json(self, obj, status=200) -> None:
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _error(self, status: int, code: str = "") -> None:
        body = json.dumps({"error": code or "error"}).encode()
        self.send_response(status)
        if code:
            self.send_header("X-Error-Code", code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_GET(self) -> None:
        self._serve(head=False)

    def _serve(self, head: bool) -> None:
        self._record()
        path = unquote(urlparse(self.path).path)
        if m := re.fullmatch(r"/api/models/([^/]+/[^/]+)/revision/([^/]+)", path):
            repo = self._repo(m.group(1))
            if repo is not None:
                self._json({"id": m.group(1), "sha": COMMIT, "private": False,
                            "siblings": [{"rfilename": f} for f in repo]})
            return
        if m := re.fullmatch(r"/api/models/([^/]+/[^/]+)/tree/([^/]+)(/.*)?", path):
            repo = self._repo(m.group(1))
            if repo is not None:
                self._json([{"type": "file", "path": f, "size": len(b), "oid": hashlib.sha1(b).hexdigest()}
                            for f, b in repo.items()])
            return
        if m := re.fullmatch(r"/([^/]+/[^/]+)/resolve/([^/]+)/(.+)", path):
            repo = self._repo(m.group(1))
            if repo is None:
                return
            if m.group(3) not in repo or f"{m.group(1)}/{m.group(3)}" in self.state.missing:
                self._error(404, "EntryNotFound")
                return
            self._send_bytes(repo[m.group(3)], head, key=f"{m.group(1)}/{m.group(3)}", commit=True)
            return
        if m := re.fullmatch(r"/files/(.+)", path):
            if m.group(1) not in self.state.files:
                self._error(404)
                return
            self._send_bytes(self.state.files[m.group(1)], head, key=m.group(1))
            return
        self._error(404)

    def _repo(self, repo_id: str) -> dict[str, bytes] | None:
        if repo_id in self.state.gated and not self.headers.get("Authorization"):
            self._error(401, "GatedRepo")
            return None
        if repo_id not in self.state.repos:
            self._error(404, "RepoNotFound")
            return None
        return self.state.repos[repo_id]

    def _send_bytes(self, data: bytes, head: bool, key: str, commit: bool = False) -> None:
        start = 0
        rng = self.headers.get("Range")
        if rng and (m := re.fullmatch(r"bytes=(\d+)-", rng.strip())):
            start = int(m.group(1))
            if start >= len(data):
                self._error(416)
                return
        self.send_response(206 if start else 200)
        if commit:
            self.send_header("X-Repo-Commit", COMMIT)
        self.send_header("ETag", f'"{hashlib.sha256(data).hexdigest()}"')
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(len(data) - start))
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.end_headers()
        if head:
            return
        body = data[start:]
        with self.state.lock:
            cut = key in self.state.cut_once
            self.state.cut_once.discard(key)
        if cut:  # send half, then drop the connection
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)
            return
        try:
            if self.state.throttle_s:
                for i in range(0, len(body), 1 << 16):
                    self.wfile.write(body[i : i + (1 << 16)])
                    time.sleep(self.state.throttle_s)
            else:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client cancelled
            self.close_connection = True


class LoopbackHub:
    def __init__(self) -> None:
        self.state = HubState()
        handler = type("Handler", (_Handler,), {"state": self.state})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> LoopbackHub:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
