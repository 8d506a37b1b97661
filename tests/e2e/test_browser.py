"""The app in a real browser: open it, build the tiny fixture's variants, look at pages."""

from __future__ import annotations

import time

import pytest

from tests.conftest import TINY_PROJECT
from tests.e2e.conftest import assert_no_exception, screenshot, settle
from workbench.store import Store

pytestmark = [pytest.mark.docker, pytest.mark.e2e]


def open_page(page, url: str, title: str) -> float:
    page.get_by_role("link", name=title).first.click()
    seconds = settle(page)
    assert_no_exception(page)
    return seconds


def test_build_the_tiny_fixture_from_the_builds_page(page, app_url, stand_ins) -> None:
    page.goto(app_url)
    settle(page)
    assert_no_exception(page)
    assert "reachable" in page.inner_text("body")
    screenshot(page, "overview-sample")

    folder = page.get_by_label("Open a folder")
    folder.fill(str(TINY_PROJECT))
    folder.press("Enter")
    settle(page)
    assert str(TINY_PROJECT) in page.inner_text("[data-testid='stSidebar']")

    open_page(page, app_url, "Variants")
    assert "Diff against baseline" in page.inner_text("body")
    screenshot(page, "variants")

    open_page(page, app_url, "Builds")
    page.get_by_role("button", name="Build", exact=True).click()
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        page.wait_for_timeout(1000)
        records = Store().builds()  # the app's store: the same WORKBENCH_HOME
        if len(records) == 3 and all(r.finished for r in records):
            break
    else:
        raise AssertionError(page.inner_text("body")[-3000:])
    assert [r.status for r in records] == ["succeeded"] * 3, [r.error for r in records]
    assert {r.variant for r in records} == {"baseline", "no-cache", "multi-stage"}
    page.wait_for_timeout(2500)  # the live fragment notices and refreshes the history
    settle(page)
    assert "History" in page.inner_text("body")
    assert_no_exception(page)
    screenshot(page, "builds")

    open_page(page, app_url, "Compare")  # queues the analyses of the new images
    deadline = time.monotonic() + 180
    while "Savings against the baseline" not in page.inner_text("body"):
        assert time.monotonic() < deadline, page.inner_text("body")[-2000:]
        page.wait_for_timeout(1000)
    settle(page)
    assert_no_exception(page)
    body = page.inner_text("body")
    assert "Best: multi-stage" in body or "Best: no-cache" in body
    assert "Plan vs measured" in body
    screenshot(page, "compare")

    open_page(page, app_url, "Breakdown")
    assert "The plan's table" in page.inner_text("body")
    screenshot(page, "breakdown")
