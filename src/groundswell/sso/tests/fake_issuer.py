"""A loopback HTTP server that answers like an OpenID provider's discovery endpoint (or wrongly, on purpose)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@contextmanager
def discovery_server(
    *, body: object = None, content_type: str = "application/json", status: int = 200
) -> Iterator[str]:
    """Yields the issuer URL. Without ``body`` the document is a valid one for that issuer."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
            document = (
                body
                if body is not None
                else {
                    "issuer": issuer,
                    "authorization_endpoint": issuer + "/auth",
                    "token_endpoint": issuer + "/token",
                    "jwks_uri": issuer + "/jwks",
                    "userinfo_endpoint": issuer + "/me",
                }
            )
            payload = document.encode() if isinstance(document, str) else json.dumps(document).encode()
            found = self.path == "/.well-known/openid-configuration"
            self.send_response(status if found else 404)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
