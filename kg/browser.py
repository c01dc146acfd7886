"""Headless Chromium for the HTML graph: screenshots, the render benchmark and the browser tests.

Uses Debian's ``chromium`` through Playwright for Python (a test extra), never
a browser that Playwright downloads. Each launch gets a fresh profile in a
temporary directory and no background networking.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from kg.errors import RenderError

CHROMIUM = os.environ.get("KG_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
# a selector, not a JS predicate: the page's CSP forbids the eval Playwright would need for one
READY = "html[data-kg-ready='1']"


def chromium_path() -> str:
    """The Chromium executable, or a RenderError saying how to get one."""
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if not path:
        raise RenderError(f"no Chromium at {CHROMIUM}: run `make browser` (Debian's chromium package)")
    return path


@contextmanager
def browser_context(width: int = 1400, height: int = 900) -> Iterator:
    """A Playwright ``BrowserContext`` on a fresh profile; closed and removed on exit."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise RenderError("Playwright is not installed: pip install -e '.[test]'") from exc
    executable = chromium_path()
    profile = tempfile.mkdtemp(prefix="kg-chromium-")
    try:
        with sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                user_data_dir=profile, executable_path=executable, args=ARGS, headless=True,
                viewport={"width": width, "height": height})
            try:
                yield context
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def open_page(context, html_path: str | Path, timeout_ms: int = 120_000):
    """Open the page from disk and wait until the graph has drawn its first frame."""
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(Path(html_path).resolve().as_uri())
    page.wait_for_selector(READY, state="attached", timeout=timeout_ms)
    return page


def screenshot(html_path: str | Path, png_path: str | Path, *, width: int = 1600, height: int = 1000) -> Path:
    """Write a PNG of the drawn page (for the README and ``out/graph.png``)."""
    out = Path(png_path)
    out.parent.mkdir(parents=True, exist_ok=True)

    def shoot() -> Path:
        with browser_context(width, height) as context:
            page = open_page(context, html_path)
            page.screenshot(path=str(out))
        return out

    return in_own_thread_if_needed(shoot)


def in_own_thread_if_needed(work):
    """Run ``work()`` here, or in a worker thread when this thread runs an asyncio loop.

    Playwright's sync API refuses to start inside a running loop (a Jupyter
    kernel, or another sync Playwright session in the same thread).
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()
