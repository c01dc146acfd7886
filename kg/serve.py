"""A read-only local SPARQL endpoint over the built store.

Runs the Oxigraph server (the ``oxigraph`` PyPI package) as
``oxigraph serve-read-only --location SNAPSHOT --bind HOST:PORT --cors``
over a snapshot of ``OUT/store`` (so builds go on while it serves; see
:mod:`kg.store`): SPARQL 1.1 queries at ``/query`` (GET or POST, every
standard results format), the merge of the article graphs as the default
graph (as ``kg query`` sees it), cross-origin requests allowed so a browser
tool such as Yasgui can query it. Nothing can be written through it.
"""

from __future__ import annotations

import errno
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from kg.errors import ServeError, StoreError
from kg.store import pinned_snapshot


def oxigraph_executable() -> str:
    """The ``oxigraph`` CLI next to this Python (a venv), else on ``PATH``."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.exists():
        return str(beside)
    found = shutil.which("oxigraph")
    if not found:
        raise ServeError("the oxigraph server is not installed: `pip install oxigraph` "
                         "(it is in kg's test extra)")
    return found


def serve_command(store_path: str | Path, port: int = 7878, bind: str = "127.0.0.1") -> list[str]:
    """The command line that serves ``store_path`` read-only on ``bind:port``."""
    host = f"[{bind}]" if ":" in bind and not bind.startswith("[") else bind
    return [oxigraph_executable(), "serve-read-only", "--location", str(store_path),
            "--bind", f"{host}:{port}", "--cors"]


def _check_port(bind: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in bind else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((bind.strip("[]"), port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ServeError(f"port {port} on {bind} is in use: pick another with --port") from exc
            raise ServeError(f"cannot listen on {bind}:{port}: {exc.strerror}") from exc


def endpoint_url(bind: str, port: int) -> str:
    host = "127.0.0.1" if bind in ("0.0.0.0", "") else bind
    host = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"http://{host}:{port}/query"


def serve(store_path: str | Path, port: int = 7878, bind: str = "127.0.0.1",
          echo: Callable[[str], None] = print) -> int:
    """Serve the store until interrupted; the server's exit code (0 after Ctrl-C).

    The server reads a snapshot of the store (the last finished build), so
    builds go on while it runs; restart it to serve what they added.
    """
    store_path = Path(store_path)
    if not (store_path / "CURRENT").exists():
        raise StoreError(f"no store at {store_path}: run `kg build` first")
    _check_port(bind, port)
    with pinned_snapshot(store_path) as location:
        command = serve_command(location, port, bind)
        url = endpoint_url(bind, port)
        echo(f"SPARQL endpoint (read-only): {url}")
        echo(f"  try: curl -s {url} -H 'Accept: text/csv' "
             "--data-urlencode 'query=SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'")
        echo(f"  browser UI: http://{url.split('/')[2]}/   (Ctrl-C stops the server)")
        echo("  serves the store as the last build left it; restart after a build to see its articles")
        if bind not in ("127.0.0.1", "localhost", "::1"):
            echo(f"  note: listening on {bind} makes the endpoint reachable from other machines, "
                 "without authentication")
        return _run(command)


def _run(command: list[str]) -> int:
    try:
        process = subprocess.Popen(command)
    except OSError as exc:
        raise ServeError(f"cannot start {command[0]}: {exc.strerror}") from exc
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        return 0
