"""Debian's headless Chromium through Playwright, shared by the browser tests.

The browser is the system's ``/usr/bin/chromium`` (Playwright never downloads one). Every
request that is not ``file:``, ``data:``, ``blob:`` or ``about:`` is blocked and recorded,
and every console error is kept, so a test can assert that a page made none.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = os.environ.get("KRATOMKG_CHROMIUM", "/usr/bin/chromium")
REQUIRE_REAL_PARTS = os.environ.get("KRATOMKG_REQUIRE_REAL_PARTS") == "1"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
LOCAL = ("file:", "data:", "blob:", "about:")


def missing(reason: str) -> None:
    """Skip, or fail in CI (KRATOMKG_REQUIRE_REAL_PARTS=1), where a real part is absent."""
    if REQUIRE_REAL_PARTS:
        pytest.fail(f"{reason} (KRATOMKG_REQUIRE_REAL_PARTS=1)")
    pytest.skip(reason)


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Launch the system's Chromium headless (or skip / fail when it is not there)."""
    if shutil.which(CHROMIUM) is None:
        missing(f"Chromium not found at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the Python package 'playwright' is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def watch(context: Any, page: Any, errors: list[str], external: list[str]) -> None:
    """Block and record every non-local request of ``context``; keep ``page``'s errors."""

    def route(request_route: Any) -> None:
        url = request_route.request.url
        if url.startswith(LOCAL):
            request_route.continue_()
        else:
            external.append(url)
            request_route.abort()

    context.route("**/*", route)

    def console(message: Any) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
