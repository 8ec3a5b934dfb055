"""A real HTTP server on loopback that plays the publishers' sites in link-preview tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

import pytest

OG_PAGE = b"""<!doctype html><html><head>
<title>Plain title</title>
<meta property="og:title" content="Open Graph title">
<meta property="og:description" content="Open Graph description">
<meta property="og:image" content="/images/card.png">
<meta name="description" content="Plain description">
</head><body>Hello</body></html>"""

FALLBACK_PAGE = b"""<!doctype html><html><head>
<title>  Only a   title </title>
<meta name="description" content="Meta description">
<meta name="twitter:image" content="https://cdn.example.com/t.jpg">
</head><body></body></html>"""

TWITTER_PAGE = b"""<html><head><meta name="twitter:title" content="Tweet title">
<meta name="twitter:description" content="Tweet description">
<meta property="og:image" content="javascript:alert(1)"></head></html>"""

LATIN1_PAGE = '<html><head><meta property="og:title" content="Caf\xe9 cr\xe8me"></head></html>'.encode("latin-1")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8", **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        path = self.path
        try:
            if path == "/og":
                self._send(200, OG_PAGE)
            elif path == "/fallback":
                self._send(200, FALLBACK_PAGE)
            elif path == "/twitter":
                self._send(200, TWITTER_PAGE)
            elif path == "/latin1":
                self._send(200, LATIN1_PAGE, "text/html; charset=iso-8859-1")
            elif path == "/gzip":
                import gzip

                self._send(200, gzip.compress(OG_PAGE), Content_Encoding="gzip")
            elif path == "/host":
                self._send(200, f"<title>{self.headers.get('Host')}</title>".encode())
            elif path.startswith("/redirect/"):
                n = int(path.rsplit("/", 1)[1])
                target = "/og" if n <= 0 else f"/redirect/{n - 1}"
                self._send(302, b"", Location=target)
            elif path.startswith("/echo/"):
                self._send(200, f"<title>{path}</title>".encode())
            elif path.startswith("/redirect-utf8?"):  # a raw (UTF-8) internationalised URL, as some servers send
                self._send(302, b"", Location=unquote(path.split("?", 1)[1]).encode().decode("latin-1"))
            elif path.startswith("/redirect-to?"):
                self._send(302, b"", Location=path.split("?", 1)[1])
            elif path == "/image":
                self._send(200, b"\x89PNG\r\n\x1a\n", "image/png")
            elif path == "/missing":
                self._send(404, b"<title>Not found</title>")
            elif path == "/huge":
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(50 * 1024 * 1024))
                self.end_headers()
                self.wfile.write(b'<html><head><meta property="og:title" content="Huge"></head><body>')
                chunk = b"x" * 65536
                for _ in range(800):
                    self.wfile.write(chunk)
            elif path == "/slow":
                time.sleep(3)
                self._send(200, OG_PAGE)
            elif path == "/drip":
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", "100000")
                self.end_headers()
                for _ in range(100):
                    self.wfile.write(b"<!-- drip -->")
                    self.wfile.flush()
                    time.sleep(0.1)
            else:
                self._send(404, b"")
        except (BrokenPipeError, ConnectionResetError):
            pass


@pytest.fixture(scope="session")
def page_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
