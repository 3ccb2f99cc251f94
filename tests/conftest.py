"""Shared fixtures: the built site, a local server on the site_url port, headless Chromium."""

import os
import pathlib

import pytest

from scripts.site_harness import CHROMIUM_ARGS, ROOT, RecordingHandler, build_site, find_chromium, free_port, serve

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def site_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def built_site(tmp_path_factory, site_port) -> pathlib.Path:
    """The site, built once per test session for the port the tests serve it on."""
    destination = tmp_path_factory.mktemp("site")
    result = build_site(destination, f"http://127.0.0.1:{site_port}/")
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}"
    return destination


@pytest.fixture
def served_paths():
    """Paths the test server has served to this test (cleared at its start)."""
    RecordingHandler.served.clear()
    return RecordingHandler.served


@pytest.fixture(scope="session")
def site_url(built_site, site_port):
    url, server = serve(built_site, site_port)
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    executable = find_chromium()
    if executable is None:
        message = "no Chromium found (set CHROMIUM, install Debian's chromium, or Playwright's browser)"
        if IN_CI:
            pytest.fail(message + "; browser tests may not skip in CI")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class RequestLog:
    """Every request of a browser context, and those the pages made (not the offline worker's own)."""

    def __init__(self):
        self.urls: list[str] = []
        self.page_urls: list[str] = []

    def add(self, request) -> None:
        self.urls.append(request.url)
        if request.service_worker is None:
            self.page_urls.append(request.url)

    def matching(self, fragment: str) -> list[str]:
        return [url for url in self.urls if fragment in url]

    def from_pages(self, fragment: str) -> list[str]:
        return [url for url in self.page_urls if fragment in url]


@pytest.fixture
def page(browser, site_url):
    """A fresh browser context; fails the test if any request leaves 127.0.0.1."""
    context = browser.new_context()
    log = RequestLog()
    context.on("request", log.add)
    page = context.new_page()
    page.request_log = log
    page.allow_errors = False  # a test that breaks the page on purpose sets this
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text else None)
    yield page
    foreign = [url for url in log.urls
               if not (url.startswith("http://127.0.0.1:") or url.startswith("data:") or url.startswith("blob:"))]
    context.close()
    assert not foreign, f"requests left 127.0.0.1: {foreign}"
    assert page.allow_errors or not errors, f"JavaScript errors or blocked content: {errors}"
