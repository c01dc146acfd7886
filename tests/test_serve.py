"""kg serve: a read-only SPARQL endpoint (the Oxigraph server) over the built store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import records_fixture as rf
import requests
from click.testing import CliRunner
from servers import free_port, stop, wait_until_up

from kg.cli import main
from kg.serve import endpoint_url, serve_command

pytestmark = pytest.mark.server
KG = str(Path(sys.executable).parent / "kg")


@pytest.fixture
def out(tmp_path: Path) -> Path:
    rf.build_store(tmp_path / "store").close()
    return tmp_path


@pytest.fixture
def served(out: Path):
    port = free_port()
    process = subprocess.Popen([KG, "serve", "--port", str(port), "--out", str(out)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    url = f"http://127.0.0.1:{port}/query"
    try:
        wait_until_up(f"{url}?query=ASK%7B%7D", process, 30)
        yield url, process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        stop(process)


def test_command_line_uses_the_read_only_server(tmp_path: Path) -> None:
    command = serve_command(tmp_path / "store", 8000, "127.0.0.1")
    assert command[1:] == ["serve-read-only", "--location", str(tmp_path / "store"),
                           "--bind", "127.0.0.1:8000", "--cors"]
    assert endpoint_url("0.0.0.0", 8000) == "http://127.0.0.1:8000/query"
    help_text = subprocess.run([command[0], "--help"], capture_output=True, text=True, check=True).stdout
    assert "serve-read-only" in help_text


def test_endpoint_answers_queries_over_the_merge_of_graphs(served) -> None:
    url, _ = served
    query = ("PREFIX kg: <https://w3id.org/kgnews/ontology#> "
             "SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE { ?f a kg:Statement }")
    answer = requests.post(url, data={"query": query},
                           headers={"Accept": "application/sparql-results+json"}, timeout=10)
    assert answer.status_code == 200
    assert answer.json()["results"]["bindings"][0]["n"]["value"] == "8"
    total = requests.get(url, params={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
                         headers={"Accept": "text/csv"}, timeout=10)
    assert total.text.split()[-1] == str(len(rf.build_store()))
    browser = requests.get(url, params={"query": "ASK {}"}, timeout=10,
                           headers={"Origin": "https://yasgui.triply.cc"})
    assert browser.headers.get("Access-Control-Allow-Origin")  # --cors: Yasgui in a browser may ask


def test_endpoint_refuses_writes(served) -> None:
    url, _ = served
    base = url.rsplit("/", 1)[0]
    update = requests.post(f"{base}/update", data={"update": "CLEAR ALL"}, timeout=10)
    assert update.status_code >= 400
    put = requests.put(f"{base}/store", params={"graph": "http://example.org/g"},
                       data="<http://a> <http://b> <http://c> .",
                       headers={"Content-Type": "application/n-triples"}, timeout=10)
    assert put.status_code >= 400
    count = requests.get(url, params={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
                         headers={"Accept": "text/csv"}, timeout=10)
    assert count.text.split()[-1] == str(len(rf.build_store()))


def test_ctrl_c_stops_the_server(served) -> None:
    url, process = served
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=20) == 0
    output = process.stdout.read()
    assert f"SPARQL endpoint (read-only): {url}" in output
    with pytest.raises(requests.ConnectionError):
        requests.get(url, params={"query": "ASK {}"}, timeout=2)


def test_port_in_use_and_missing_store(out: Path, tmp_path: Path, served) -> None:
    url, _ = served
    port = url.split(":")[2].split("/")[0]
    result = CliRunner().invoke(main, ["serve", "--port", port, "--out", str(out)])
    assert result.exit_code == 1 and f"port {port} on 127.0.0.1 is in use" in result.output
    empty = CliRunner().invoke(main, ["serve", "--out", str(tmp_path / "nothing")])
    assert empty.exit_code == 1 and "kg build" in empty.output
