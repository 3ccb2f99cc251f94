"""Build the site, serve it on 127.0.0.1 recording what is fetched, and find a headless Chromium.

Shared by the browser tests (``tests/conftest.py``) and ``scripts/benchmark_site.py``, so both measure the
same build served the same way.
"""

import functools
import http.server
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import threading

ROOT = pathlib.Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build_site(destination: pathlib.Path, site_url: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, SITE_URL=site_url, NO_MKDOCS_2_WARNING="1")
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(destination)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


class RecordingHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files quietly and appends each path it serves to ``served``: what really crossed the network."""

    served: list[str] = []

    def log_message(self, format, *args):  # noqa: A002 - signature from the base class
        pass

    def send_head(self):
        self.served.append(self.path.split("?", 1)[0])
        return super().send_head()


def serve(site: pathlib.Path, port: int) -> tuple[str, http.server.ThreadingHTTPServer]:
    """Serve ``site`` on ``port`` from a background thread; the caller shuts the server down."""
    handler = functools.partial(RecordingHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/", server


def find_chromium() -> str | None:
    """CHROMIUM, then /usr/bin/chromium, then Playwright's own browser."""
    candidates = [os.environ.get("CHROMIUM"), "/usr/bin/chromium"]
    for candidate in candidates:
        if candidate and shutil.which(candidate):
            return shutil.which(candidate)
    try:
        from playwright.sync_api import sync_playwright
        with sync_playwright() as pw:
            path = pw.chromium.executable_path
        return path if path and os.path.exists(path) else None
    except Exception:  # Playwright without its own browser download
        return None
