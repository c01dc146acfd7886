"""Real triple stores for the push and serve tests, started on free loopback ports.

* :func:`oxigraph_server`: ``oxigraph serve --location DIR --bind 127.0.0.1:PORT``;
* :func:`virtuoso_server`: Debian's ``virtuoso-t`` with a copied ``virtuoso.ini``
  pointing at a temporary directory (fresh database, dba password ``dba``);
* :class:`AuthProxy`: a small reverse proxy that demands HTTP basic auth (and can
  answer 503 a few times first), in front of any of them.

Each waits until the server answers and stops it afterwards.
"""

from __future__ import annotations

import base64
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen | None = None, timeout: float = 60.0,
                  log: Path | None = None) -> None:
    """Poll ``url`` until it answers (any HTTP status)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            detail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
            raise RuntimeError(f"server exited with {process.returncode}: {detail}")
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def oxigraph_binary() -> str:
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.exists() else (shutil.which("oxigraph") or "oxigraph")


@contextlib.contextmanager
def oxigraph_server(location: Path) -> Iterator[str]:
    """A read-write Oxigraph server on ``location``; yields its base URL."""
    port = free_port()
    log = location.parent / f"{location.name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen([oxigraph_binary(), "serve", "--location", str(location),
                                    "--bind", f"127.0.0.1:{port}"], stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/query?query=ASK%7B%7D", process, 30, log)
        yield base
    finally:
        stop(process)


def virtuoso_available() -> bool:
    return shutil.which("virtuoso-t") is not None and VIRTUOSO_INI.exists()


@contextlib.contextmanager
def virtuoso_server(workdir: Path) -> Iterator[str]:
    """A fresh Virtuoso (dba/dba) in ``workdir``; yields its HTTP base URL."""
    workdir.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    db = workdir / "virtuoso"
    settings = {
        "Database": {"DatabaseFile": f"{db}.db", "ErrorLogFile": f"{db}.log", "LockFile": f"{db}.lck",
                     "TransactionFile": f"{db}.trx", "xa_persistent_file": f"{db}.pxa"},
        "TempDatabase": {"DatabaseFile": f"{db}-temp.db", "TransactionFile": f"{db}-temp.trx"},
        "Parameters": {"ServerPort": f"127.0.0.1:{sql_port}",
                       "DirsAllowed": f"., {workdir}, /usr/share/virtuoso-opensource-7/vad"},
        "HTTPServer": {"ServerPort": f"127.0.0.1:{http_port}"},
    }
    lines, section = [], ""
    for line in VIRTUOSO_INI.read_text().splitlines():
        header = re.match(r"\[(.+)\]\s*$", line)
        if header:
            section = header.group(1)
        key = re.match(r"([A-Za-z_]+)\s*=", line)
        if key and key.group(1) in settings.get(section, {}):
            line = f"{key.group(1)} = {settings[section][key.group(1)]}"
        lines.append(line)
    ini = "\n".join(lines) + "\n"
    config = workdir / "virtuoso.ini"
    config.write_text(ini)
    log = workdir / "stdout.log"
    with log.open("wb") as out:
        process = subprocess.Popen(["virtuoso-t", "+foreground", "+configfile", str(config)],
                                   cwd=workdir, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    base = f"http://127.0.0.1:{http_port}"
    try:
        wait_until_up(f"{base}/sparql?query=ASK%7B%7D", process, 120, log)
        # the HTTP listener answers before the SPARQL service is ready: wait for a real answer
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{base}/sparql", params={"query": "ASK {}"}, timeout=5).ok:
                    break
            time.sleep(0.5)
        yield base
    finally:
        stop(process)


class AuthProxy:
    """A reverse proxy to ``target`` that wants basic auth ``user``/``password``.

    ``fail_first`` requests are answered with 503 before anything is forwarded
    (to exercise retries); after ``puts_before_error`` forwarded PUTs, every
    further PUT gets a 500; ``seen`` counts the requests that reached the proxy.
    """

    def __init__(self, target: str, user: str = "kg", password: str = "secret",
                 fail_first: int = 0, puts_before_error: int | None = None) -> None:
        self.target = target.rstrip("/")
        self.expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.fail_first = fail_first
        self.puts_before_error = puts_before_error
        self.seen = 0
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with proxy.lock:
                    proxy.seen += 1
                    failing = proxy.fail_first > 0
                    if failing:
                        proxy.fail_first -= 1
                if failing:
                    self._reply(503, b"busy", {"Content-Type": "text/plain"})
                    return
                if self.headers.get("Authorization") != proxy.expected:
                    self._reply(401, b"unauthorized", {"WWW-Authenticate": 'Basic realm="kg"'})
                    return
                if self.command == "PUT" and proxy.puts_before_error is not None:
                    with proxy.lock:
                        refuse = proxy.puts_before_error <= 0
                        proxy.puts_before_error -= 1
                    if refuse:
                        self._reply(500, b"disk full", {"Content-Type": "text/plain"})
                        return
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() in ("content-type", "accept")}
                answer = requests.request(self.command, proxy.target + self.path, data=body,
                                          headers=headers, timeout=30)
                self._reply(answer.status_code, answer.content,
                            {"Content-Type": answer.headers.get("Content-Type", "text/plain")})

            def _reply(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> AuthProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def env_with(**values: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(values)
    return env
