"""A real app server and a real browser (Debian's Chromium driven by Playwright)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

ARTIFACTS = REPO_ROOT / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_app(home: Path, env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    log = (home / "streamlit.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "streamlit_app.py",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
        ],
        cwd=REPO_ROOT,
        env={**os.environ, "WORKBENCH_HOME": str(home), **(env or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return process, url
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise AssertionError(f"the app did not start: {(home / 'streamlit.log').read_text()[-2000:]}")


@pytest.fixture
def app_url(workbench_home: Path) -> Iterator[str]:
    workbench_home.mkdir(parents=True, exist_ok=True)
    process, url = start_app(workbench_home)
    yield url
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: run `make setup`"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    yield page
    context.close()


def settle(page, timeout_ms: int = 60_000) -> float:
    """Wait until the app has finished running the page's script; return seconds taken."""
    started = time.monotonic()
    page.wait_for_timeout(400)  # let a rerun that an action asked for begin
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout_ms
    )
    page.wait_for_selector("[data-testid='stMain'] h1", timeout=timeout_ms)
    return time.monotonic() - started


def load(page, url: str, timeout_ms: int = 60_000) -> float:
    """Open a URL in the tab (a reload, a shared link: a new session) and wait until the
    app has run the page's script once; return the seconds from the request."""
    started = time.monotonic()
    page.goto(url)
    page.wait_for_function(
        "() => document.querySelector(\"[data-testid='stApp']\")?.dataset.testScriptState"
        " === 'notRunning' && document.querySelector(\"[data-testid='stMain'] h1\") !== null",
        timeout=timeout_ms,
    )
    return time.monotonic() - started


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    # the app scrolls inside its main block: grow the window to show all of it
    height = page.evaluate(
        "() => Math.max(document.querySelector('[data-testid=\"stMain\"]')?.scrollHeight"
        " || 0, document.body.scrollHeight)"
    )
    width = page.viewport_size["width"]
    page.set_viewport_size({"width": width, "height": min(int(height) + 40, 12000)})
    page.wait_for_timeout(500)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": width, "height": 1000})
    return path


def window_screenshot(page, name: str) -> Path:
    """What the window shows as it is (no scrolling, no growing): a projector's view."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def fully_in_window(page, selector: str) -> bool:
    """Whether the first element ``selector`` finds lies wholly inside the window."""
    box = page.locator(selector).first.bounding_box()
    size = page.viewport_size
    return (
        box is not None
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= size["width"]
        and box["y"] + box["height"] <= size["height"]
    )


def assert_no_exception(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0, page.inner_text("body")
