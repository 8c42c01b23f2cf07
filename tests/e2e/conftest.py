"""End-to-end fixtures: the app served the README's way, and Debian Chromium through Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
    "--no-first-run", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


#: The browser tests' server starts sessions at 512 px (``IMLAB_WORKING_SIZE``): they test the browser — the
#: canvas, links, uploads, layout at 1024×768 — and a quarter of the pixels keeps every page's first run short.
E2E_WORKING_SIZE = 512


def start_server(port: int | None = None, working_size: int | None = None) -> tuple[subprocess.Popen, str]:
    """Start ``streamlit run app.py`` headless on a free local port; return (process, url).

    ``working_size``: the sessions' starting working size (``IMLAB_WORKING_SIZE``; default: the app's, 1024 px).
    The server's output goes to a temporary file (never a pipe: a chatty server would block once it filled),
    read back by :func:`server_output`.
    """
    port = port or _free_port()
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
        "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
    ]
    log = tempfile.TemporaryFile()
    env = {**os.environ, **({"IMLAB_WORKING_SIZE": str(working_size)} if working_size else {})}
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
    proc.log = log
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.3)
        if proc.poll() is not None:
            break
    proc.kill()
    raise RuntimeError(f"streamlit did not start:\n{server_output(proc)[-3000:]}")


def server_output(proc: subprocess.Popen) -> str:
    """Everything a server started by :func:`start_server` has printed so far."""
    proc.log.seek(0)
    return proc.log.read().decode(errors="replace")


def stop_server(proc: subprocess.Popen | None) -> None:
    """Stop a server started by :func:`start_server` (terminate, then kill if it has not gone in 10 s)."""
    if proc is None:
        return
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def server_url():
    proc, url = start_server(working_size=E2E_WORKING_SIZE)
    yield url
    stop_server(proc)


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium not found at {CHROMIUM}; CI must install it (apt-get install -y chromium)")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()


def wait_for_app(pg, timeout: float = 60_000, settle_ms: int = 500) -> None:
    """Wait until Streamlit has finished running the script and stays idle for ``settle_ms``.

    The app's root carries ``data-test-script-state`` (initial → running → notRunning); a rerun may
    follow a finished run at once, so idleness must hold for a moment before the page counts as done.
    """
    pg.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    idle = """() => {
        const app = document.querySelector('[data-testid="stApp"]');
        return app && app.getAttribute('data-test-script-state') === 'notRunning'
            && app.getAttribute('data-test-connection-state') === 'CONNECTED';
    }"""
    deadline = time.time() + timeout / 1000
    while True:
        pg.wait_for_function(idle, timeout=max(1000, (deadline - time.time()) * 1000))
        pg.wait_for_timeout(settle_ms)
        if pg.evaluate(idle) or time.time() > deadline:
            return


def choose(pg, box, name: str, tries: int = 4, timeout: float = 300_000) -> None:
    """Open the select box ``box`` (a ``stSelectbox`` locator) and click its option ``name``.

    A rerun that lands while the list is open re-renders the box and closes the list (seen once in CI under
    load, after the canvas sent its value late): then the list is opened again, at most ``tries`` times.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    option = pg.get_by_role("option", name=name, exact=True)
    for _ in range(tries):
        wait_for_app(pg, timeout=timeout)
        box.get_by_role("combobox").first.click()
        try:
            option.click(timeout=15_000)
            wait_for_app(pg, timeout=timeout)
            return
        except PlaywrightTimeout:
            pg.keyboard.press("Escape")
    raise AssertionError(f"the option {name!r} did not open in {tries} tries")


def screenshot(pg, name: str) -> Path:
    path = SCREENSHOTS / f"{name}.png"  # name may hold a folder: "1024x768/home"
    path.parent.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(path), full_page=True)
    return path


def no_exception_in_page(pg) -> None:
    exceptions = pg.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, exceptions.first.inner_text()
