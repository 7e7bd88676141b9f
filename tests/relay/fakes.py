"""Small fake Mastodon and Bluesky servers on 127.0.0.1, speaking the endpoints the
client libraries call (Mastodon's REST API, Bluesky's XRPC), recording what they get.

`fail_next` holds HTTP statuses the next posting calls answer with, in order.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

MASTODON_TOKEN = "mastodon-token-s3cret"
BLUESKY_PASSWORD = "abcd-efgh-ijkl-mnop"
BLUESKY_DID = "did:plc:assofake"


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args) -> None:  # quiet
        pass

    def _body(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        if "json" in (self.headers.get("Content-Type") or ""):
            return json.loads(raw or "{}")
        return {k: v[0] if len(v) == 1 else v for k, v in parse_qs(raw).items()}

    def _send(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self.server.fake.handle(self, "GET")

    def do_POST(self) -> None:
        self.server.fake.handle(self, "POST")

    def do_DELETE(self) -> None:
        self.server.fake.handle(self, "DELETE")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeServer


class FakeServer:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.posts: list[dict] = []
        # Mastodon: Idempotency-Key → the status made; Bluesky: rkey → the record made.
        self.made: dict[str, dict] = {}
        self.deleted: list[str] = []
        self.fail_next: list[int] = []
        self.lock = threading.Lock()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.fake = self
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def start(self) -> FakeServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def handle(self, h: _Handler, method: str) -> None:
        path = urlsplit(h.path).path
        with self.lock:
            self.calls.append((method, path))
        self.route(h, method, path)

    def _failure(self) -> int | None:
        with self.lock:
            return self.fail_next.pop(0) if self.fail_next else None


class FakeMastodon(FakeServer):
    def route(self, h: _Handler, method: str, path: str) -> None:
        authorised = h.headers.get("Authorization") == f"Bearer {MASTODON_TOKEN}"
        if path == "/api/v1/instance":
            return h._send(200, {"uri": "127.0.0.1", "title": "Fake", "version": "4.3.0"})
        if not authorised:
            return h._send(401, {"error": "The access token is invalid"})
        if method == "GET" and path == "/api/v1/accounts/verify_credentials":
            return h._send(200, {"id": "7", "username": "asso", "acct": "asso"})
        if method == "POST" and path == "/api/v1/statuses":
            body = h._body()
            key = h.headers.get("Idempotency-Key") or ""
            # Slow enough for two runs at once to overlap.
            time.sleep(0.2)
            failure = self._failure()
            if failure:
                return h._send(failure, {"error": f"Fake failure {failure}"})
            with self.lock:
                if key and key in self.made:
                    return h._send(200, self.made[key])
                self.posts.append(body)
                number = len(self.posts)
                status = {
                    "id": str(number),
                    "url": f"{self.url}/@asso/{number}",
                    "content": body.get("status", ""),
                }
                if key:
                    self.made[key] = status
            return h._send(200, status)
        if method == "DELETE" and path.startswith("/api/v1/statuses/"):
            status_id = path.rsplit("/", 1)[-1]
            with self.lock:
                self.deleted.append(status_id)
            return h._send(200, {"id": status_id, "text": ""})
        return h._send(404, {"error": "Record not found"})


def _jwt(payload: dict) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(payload)}.c2lnbmF0dXJl"


CID = "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"


def _at_uri(rkey: str) -> str:
    return f"at://{BLUESKY_DID}/app.bsky.feed.post/{rkey}"


class FakeBluesky(FakeServer):
    def route(self, h: _Handler, method: str, path: str) -> None:
        nsid = path.removeprefix("/xrpc/")
        if nsid == "com.atproto.server.createSession":
            body = h._body()
            if body.get("password") != BLUESKY_PASSWORD:
                return h._send(
                    401,
                    {
                        "error": "AuthenticationRequired",
                        "message": "Invalid identifier or password",
                    },
                )
            exp = int(time.time()) + 3600
            return h._send(
                200,
                {
                    "accessJwt": _jwt(
                        {"sub": BLUESKY_DID, "exp": exp, "scope": "com.atproto.appPass"}
                    ),
                    "refreshJwt": _jwt(
                        {"sub": BLUESKY_DID, "exp": exp, "scope": "com.atproto.refresh"}
                    ),
                    "handle": body["identifier"],
                    "did": BLUESKY_DID,
                },
            )
        if not (h.headers.get("Authorization") or "").startswith("Bearer "):
            return h._send(401, {"error": "AuthenticationRequired", "message": "No session"})
        if nsid == "com.atproto.repo.createRecord":
            body = h._body()
            time.sleep(0.2)
            failure = self._failure()
            if failure:
                return h._send(
                    failure, {"error": "InternalServerError", "message": f"Fake failure {failure}"}
                )
            with self.lock:
                rkey = body.get("rkey") or f"rkey{len(self.posts) + 1}"
                if rkey in self.made:
                    return h._send(400, {"error": "InvalidRequest", "message": "Record exists"})
                self.posts.append(body)
                self.made[rkey] = body
            return h._send(200, {"uri": _at_uri(rkey), "cid": CID})
        if nsid == "com.atproto.repo.getRecord":
            rkey = parse_qs(urlsplit(h.path).query).get("rkey", [""])[0]
            with self.lock:
                record = self.made.get(rkey)
            if record is None:
                return h._send(400, {"error": "RecordNotFound", "message": "Could not locate"})
            return h._send(200, {"uri": _at_uri(rkey), "cid": CID, "value": record["record"]})
        if nsid == "com.atproto.repo.deleteRecord":
            body = h._body()
            with self.lock:
                self.deleted.append(f"{body['repo']}/{body['collection']}/{body['rkey']}")
            return h._send(200, {})
        return h._send(501, {"error": "MethodNotImplemented", "message": nsid})
