"""notebooks/explore.ipynb runs headless from top to bottom and shows what it promises.

The kernel is the Python running the tests (the venv's, with ipykernel from the
test extra), declared in a kernelspec in a temporary JUPYTER_PATH so neither a
user's kernels nor a Jupyter install elsewhere can change which Python runs it.
The notebook builds into a temporary folder ($KG_NOTEBOOK_OUT), never into out/.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"
KERNEL = "kg-test-venv"


def _outputs(nb, kind: str) -> list[str]:
    found = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if kind in data:
                found.append(data[kind])
            elif kind == "text/plain" and out.get("output_type") == "stream":
                found.append(out.get("text", ""))
    return found


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("notebook")
    spec = tmp / "jupyter" / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "kg tests", "language": "python"}), encoding="utf-8")
    out = tmp / "out-notebook"
    mp = pytest.MonkeyPatch()
    mp.setenv("JUPYTER_PATH", str(tmp / "jupyter"))
    mp.setenv("JUPYTER_RUNTIME_DIR", str(tmp / "runtime"))
    mp.setenv("IPYTHONDIR", str(tmp / "ipython"))
    mp.setenv("KG_NOTEBOOK_OUT", str(out))
    mp.delenv("MPLBACKEND", raising=False)      # the kernel's inline backend: Agg, no display
    try:
        nb = nbformat.read(NOTEBOOK, as_version=4)
        client = nbclient.NotebookClient(nb, kernel_name=KERNEL, timeout=600, allow_errors=False,
                                         resources={"metadata": {"path": str(NOTEBOOK.parent)}})
        client.execute()        # raises CellExecutionError on the first failing cell
    finally:
        mp.undo()
    return nb, out


@pytest.mark.slow
def test_notebook_runs_without_errors_and_builds_outside_out(executed):
    nb, out = executed
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
    assert (out / "store").is_dir() and (out / "graph.html").is_file()
    assert f"build folder: {out}" in "\n".join(_outputs(nb, "text/plain"))


@pytest.mark.slow
def test_notebook_shows_the_claims_table_the_plot_and_the_graph(executed):
    nb, out = executed
    tables = _outputs(nb, "text/html")
    assert any("<table" in t and "North Korea deploys Russia" in t and "disagrees_with" in t for t in tables)
    assert _outputs(nb, "image/png"), "the figures-over-time plot is missing"
    assert (out / "figures.png").stat().st_size > 5_000
    frames = [t for t in tables if "<iframe" in t]
    assert len(frames) == 1 and 'sandbox="allow-scripts"' in frames[0] and "srcdoc=" in frames[0]
    assert "kg-data" in frames[0]       # the page itself, inlined, not a link to a server
    text = "\n".join(_outputs(nb, "text/plain"))
    assert "articles   5 read" in text and "dated figures plotted" in text


def test_committed_notebook_has_no_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)


@pytest.mark.slow
@pytest.mark.browser
def test_the_inline_graph_draws_in_its_sandboxed_frame(executed, tmp_path):
    from kg.browser import browser_context

    nb, _ = executed
    (frame_html,) = [t for t in _outputs(nb, "text/html") if "<iframe" in t]
    host = tmp_path / "host.html"
    host.write_text(f"<!DOCTYPE html><html><body>{frame_html}</body></html>", encoding="utf-8")
    with browser_context() as context:
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.goto(host.as_uri())
        frame = page.frames[1]
        frame.wait_for_selector("html[data-kg-ready='1']", state="attached", timeout=60_000)
        assert frame.evaluate("kg.nodes.length") > 10
        assert errors == []
