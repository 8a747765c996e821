"""Headless Chromium (Playwright's sync API) against pytest-django's live server.

Playwright's sync API runs an event loop in the test thread, so Django's ORM refuses to run
there unless DJANGO_ALLOW_ASYNC_UNSAFE is set; it must be set before any fixture touches the
database, hence here, at import time.
"""

import os

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402
from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 10_000

expect.set_options(timeout=TIMEOUT_MS)


# Package-scoped: Playwright's event loop ends with the browser tests, so later tests (pyHanko's
# asyncio.run, in notices/) do not find a loop running in their thread.
@pytest.fixture(scope="package")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing (scripts/bootstrap.sh installs it)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser) -> Page:
    """A fresh context (no cookies) per test. Uncaught script errors fail the test."""
    context = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 1280, "height": 900},
        accept_downloads=True,
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"script errors in the page: {errors}"


@pytest.fixture
def login(live_server):
    """Log in through the real form; returns once the browser has left the login page."""

    def do(page: Page, user, password: str | None = None) -> None:
        page.goto(live_server.url + "/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", password or "pw-" + user.username)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(lambda url: "/login/" not in url)

    return do
