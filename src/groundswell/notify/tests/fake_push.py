"""A push service on loopback for the tests: it takes Web Push requests the way a real one does (RFC 8030),
checks the VAPID signature (RFC 8292), decrypts the aes128gcm payload with the subscription's private key
(RFC 8291) and keeps what it received. Each subscription answers 201 unless told otherwise."""

from __future__ import annotations

import base64
import json
import os
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Received:
    sub_id: str
    headers: dict[str, str]  # lower-case names
    claims: dict[str, Any]
    payload: dict[str, Any]


@dataclass
class Device:
    sub_id: str
    key: ec.EllipticCurvePrivateKey
    auth: bytes
    answers: list[int] = field(default_factory=list)  # statuses to answer next, in order (then 201)


class FakePushService:
    def __init__(self) -> None:
        self.devices: dict[str, Device] = {}
        self.received: list[Received] = []
        self.errors: list[str] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                sub_id = self.path.rsplit("/", 1)[-1]
                device = service.devices.get(sub_id)
                status = 404 if device is None else (device.answers.pop(0) if device.answers else 201)
                if status == 201 and device is not None:
                    try:
                        service.received.append(
                            service._open(device, {k.lower(): v for k, v in self.headers.items()}, body)
                        )
                    except Exception as exc:  # a test reads service.errors
                        service.errors.append(repr(exc))
                        status = 400
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def new_subscription(self) -> dict[str, Any]:
        """A browser's ``PushSubscription.toJSON()`` whose endpoint is this service, with keys made here."""
        sub_id = b64(os.urandom(9))
        device = Device(sub_id=sub_id, key=ec.generate_private_key(ec.SECP256R1()), auth=os.urandom(16))
        self.devices[sub_id] = device
        public = device.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {"endpoint": f"{self.base}/push/{sub_id}", "keys": {"p256dh": b64(public), "auth": b64(device.auth)}}

    def _open(self, device: Device, headers: dict[str, str], body: bytes) -> Received:
        if headers.get("content-encoding") != "aes128gcm":
            raise ValueError(f"unexpected Content-Encoding {headers.get('Content-Encoding')!r}")
        if "ttl" not in headers:
            raise ValueError("no TTL header")
        scheme, _, params = headers.get("authorization", "").partition(" ")
        if scheme != "vapid":
            raise ValueError(f"not a VAPID authorization: {scheme!r}")
        parts = dict(p.strip().split("=", 1) for p in params.split(","))
        signer = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(parts["k"]))
        claims = jwt.decode(parts["t"], signer, algorithms=["ES256"], audience=self.base)
        plain = http_ece.decrypt(body, private_key=device.key, auth_secret=device.auth, version="aes128gcm")
        return Received(sub_id=device.sub_id, headers=headers, claims=claims, payload=json.loads(plain))
