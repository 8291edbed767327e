"""The outbox page in a real browser: headless Chromium (Debian's package) driven by
Playwright for Python. Skipped, saying why, only when no browser can be found."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import persona
from persona.testing import ReferenceServer

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="needs Playwright: pip install -r test-requirements-browser.txt"
)
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="needs Chromium: apt-get install chromium (.ci/run installs it)"
)

ANN = "ann@example.com"
XSS = '"<script>alert(1)</script>"@example.com'
SCREENSHOT = Path(__file__).resolve().parents[1] / "docs" / "outbox.png"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as play:
        chromium = play.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def server() -> Iterator[ReferenceServer]:
    with ReferenceServer(accounts={ANN: "old-pass-1", XSS: "old-pass-1"}, outbox="") as srv:
        yield srv


@pytest.fixture
def api(server: ReferenceServer) -> Iterator[persona.AccountApi]:
    with persona.ApiClient(persona.Configuration(host=server.url)) as client:
        yield persona.AccountApi(client)


@pytest.fixture
def page(browser: Any, server: ReferenceServer) -> Iterator[Any]:
    context = browser.new_context(
        viewport={"width": 720, "height": 640},
        permissions=["clipboard-read", "clipboard-write"],
    )
    page = context.new_page()
    page.problems = []  # console errors, page errors and dialogs (an XSS would open one)
    page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    page.on("dialog", lambda d: (page.problems.append("dialog: " + d.message), d.dismiss()))
    yield page
    context.close()


def forgot(api: persona.AccountApi, email: str = ANN) -> None:
    api.account_forgot_pass_post(persona.ForgotPasswordData(email=email))


def open_live(page: Any, server: ReferenceServer) -> None:
    page.goto(server.outbox_url)
    page.wait_for_selector("body[data-live=true]", timeout=5000)


def test_the_page_loads_without_console_errors(page: Any, server: ReferenceServer) -> None:
    open_live(page, server)
    assert page.title() == "Outbox · Persona reference server"
    assert page.locator("#empty").is_visible()
    assert page.problems == []


def test_new_mail_appears_within_a_second_without_a_reload(
    page: Any, server: ReferenceServer, api: persona.AccountApi
) -> None:
    open_live(page, server)
    forgot(api)
    code = server.last_code(ANN)
    page.wait_for_selector(f".message .code-value:text-is('{code}')", timeout=1000)
    assert page.locator(".message .to").first.inner_text() == ANN
    assert page.locator("#status").inner_text() == "1 message"
    assert page.problems == []


def test_the_filter_and_the_copy_button_work(
    page: Any, server: ReferenceServer, api: persona.AccountApi
) -> None:
    forgot(api)
    forgot(api, XSS)
    open_live(page, server)
    page.fill("#email", "ann@")
    assert page.locator(".message:visible").count() == 1
    assert page.locator("#status").inner_text() == "1 message"
    button = page.locator(".message:visible button.copy")
    button.click()
    # (Locators, not wait_for_function: the page's CSP forbids eval, as it should.)
    page.wait_for_selector(".message:not([hidden]) button.copy:text-is('Copied')", timeout=2000)
    assert page.evaluate("navigator.clipboard.readText()") == server.last_code(ANN)
    page.fill("#email", "")
    assert page.locator(".message:visible").count() == 2
    assert page.problems == []


def test_an_address_with_markup_shows_as_text(
    page: Any, server: ReferenceServer, api: persona.AccountApi
) -> None:
    forgot(api, XSS)
    open_live(page, server)  # rendered by the server
    assert page.locator(".message .to").first.inner_text() == XSS
    forgot(api, XSS)  # and rendered by the script, live
    page.wait_for_selector(".message >> nth=1", timeout=2000)
    assert page.locator(".message .to").first.inner_text() == XSS
    assert page.locator(".message script").count() == 0
    assert page.problems == []  # no alert() ran


def test_without_javascript_a_reload_lists_new_mail(
    browser: Any, server: ReferenceServer, api: persona.AccountApi
) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(server.outbox_url)
        assert page.locator(".message").count() == 0
        forgot(api)
        page.reload()
        assert page.locator(".message .code-value").inner_text() == server.last_code(ANN)
        page.fill("#email", "nobody@example.com")
        page.click("form.filter button")  # the form submits without a script
        page.wait_for_url("**/outbox?email=nobody%40example.com")
        assert page.locator(".message").count() == 0
    finally:
        context.close()


def test_a_screenshot_of_the_page(
    page: Any, server: ReferenceServer, api: persona.AccountApi, tmp_path: Path
) -> None:
    forgot(api)
    server.add_account("bob@example.com", "old-pass-1")
    forgot(api, "bob@example.com")
    open_live(page, server)
    # docs/outbox.png is made by this test: UPDATE_SCREENSHOTS=1 writes it there.
    target = SCREENSHOT if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path / "o.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.read_bytes().startswith(b"\x89PNG")
    assert target.stat().st_size > 5000


def test_the_page_marks_replaced_and_used_codes(
    page: Any, server: ReferenceServer, api: persona.AccountApi
) -> None:
    forgot(api)
    first = server.last_code(ANN)
    forgot(api)
    open_live(page, server)
    newest, older = page.locator(".message").all()
    assert newest.get_attribute("data-state") == "live"
    assert newest.locator(".state").inner_text() == "Live"
    assert older.locator(".state").inner_text() == "Replaced by a newer code"
    assert older.locator(".code-value").inner_text() == first
    api.account_code_for_token_post(persona.CodeForTokenData(email=ANN, code=server.last_code(ANN)))
    # The page hears of it (its event stream) and shows it without a reload.
    page.wait_for_selector(".message[data-state=used] .state:text-is('Used')", timeout=2000)
    assert page.locator(".message[data-state=live]").count() == 0
    assert page.problems == []
