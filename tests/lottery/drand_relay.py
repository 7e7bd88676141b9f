"""A local drand relay for tests: serves recorded quicknet beacons over real HTTP.

The beacons are real: round 657413 is drand-verify's published example, round
5928395 was published with a BLS test program; both verify against quicknet's key.
Never the internet: the server listens on 127.0.0.1 only.
"""

from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from lottery.draw.core import QUICKNET_CHAIN_HASH

RECORDED_BEACONS = {
    657413: "b713718a38ae728dfd477991af2822e08d2f305e47718cef9f7848ce4050e7be"
    "41076862b98fad56e91a6b85b89cd97b",
    5928395: "a5d07c0071b4e386b3ae09206522253c68fefe8490ad59ecc44a7dd0d0745be9"
    "1da5779e2247a82403fbc0cb9a34cb61",
}


def beacon_json(round_number: int, signature: str) -> bytes:
    randomness = hashlib.sha256(bytes.fromhex(signature)).hexdigest()
    return json.dumps(
        {"round": round_number, "randomness": randomness, "signature": signature}
    ).encode()


class Relay:
    """One relay; `beacons` maps round → signature hex (forge one to test refusals)."""

    def __init__(self, beacons: dict[int, str] | None = None) -> None:
        self.beacons = dict(RECORDED_BEACONS if beacons is None else beacons)
        self.requests: list[str] = []
        relay = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                relay.requests.append(self.path)
                prefix = f"/{QUICKNET_CHAIN_HASH}/public/"
                body, status = b'{"error":"not found"}', 404
                if self.path.startswith(prefix) and self.path[len(prefix) :].isdigit():
                    round_number = int(self.path[len(prefix) :])
                    if round_number in relay.beacons:
                        body, status = beacon_json(round_number, relay.beacons[round_number]), 200
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def forged(signature: str) -> str:
    """A signature of the right shape that drand never made: one bit flipped."""
    raw = bytearray(bytes.fromhex(signature))
    raw[20] ^= 0x01
    return raw.hex()
