"""The offline worker across deploys and on shared origins: each copy of the site keeps to its own caches, an
update is stored whole (fresh from the server, retried) before it replaces the build being served, and aliases and
the 404 page work offline too."""

import functools
import http.server
import re
import shutil
import threading

import pytest

from hooks.runtime import offline
from scripts.site_harness import free_port

pytestmark = pytest.mark.browser

BUILD_2_MARK = "// build 2"
ACTIVATED = "() => navigator.serviceWorker.controller?.state === 'activated'"


class DeployServer(http.server.ThreadingHTTPServer):
    """Serves site copies under path prefixes, as GitHub Pages does (``max-age=600``), and fails chosen paths."""

    def __init__(self):
        self.mounts: dict[str, str] = {}
        self.failures: dict[str, int] = {}  # path -> failures left (-1: always)
        self.requests: list[str] = []
        super().__init__(("127.0.0.1", free_port()), _Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def mount(self, prefix: str, directory):
        self.mounts[prefix] = str(directory)

    def stop(self):
        if self.url:
            self.shutdown()
            self.server_close()
            self.url_while_up, self.url = self.url, None


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature from the base class
        pass

    def translate_path(self, path):
        clean = path.split("?", 1)[0].split("#", 1)[0]
        for prefix, directory in sorted(self.server.mounts.items(), key=lambda item: -len(item[0])):
            if clean.startswith(prefix):
                return str(__import__("pathlib").Path(directory) / clean[len(prefix):].lstrip("/"))
        return "/nonexistent"

    def send_head(self):
        clean = self.path.split("?", 1)[0]
        self.server.requests.append(clean)
        left = self.server.failures.get(clean, 0)
        if left:
            self.server.failures[clean] = left - 1 if left > 0 else left
            self.send_error(503, "deploy in progress")
            return None
        return super().send_head()

    def end_headers(self):
        self.send_header("Cache-Control", "max-age=600")
        super().end_headers()


@pytest.fixture
def server():
    deploy = DeployServer()
    yield deploy
    deploy.stop()


@pytest.fixture(scope="module")
def second_build(built_site, tmp_path_factory):
    """The same site with one script changed, as the next deploy would be: a new version, the same file list."""
    target = tmp_path_factory.mktemp("build-2") / "site"
    shutil.copytree(built_site, target)
    script = target / "javascripts" / "page.js"
    script.write_text(script.read_text() + f"\n{BUILD_2_MARK}\n")
    sw = target / "sw.js"
    sw.write_text(re.sub(r'const VERSION = "[0-9a-f]+";', f'const VERSION = "{offline.content_version(target)}";',
                         sw.read_text()))
    return target


@pytest.fixture
def tab(browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()


WAITING = "async () => !!(await navigator.serviceWorker.getRegistration())?.waiting"
SETTLED = "async () => { const r = await navigator.serviceWorker.getRegistration(); return !r.installing && !r.waiting; }"


def wait_until(tab, script, timeout_s=90):
    """Poll an async page script until it answers true (wait_for_function takes the promise itself as true)."""
    for _ in range(int(timeout_s * 2)):
        if tab.evaluate(script):
            return
        tab.wait_for_timeout(500)
    raise AssertionError(f"never true within {timeout_s} s: {script}")


def visit_until_stored(tab, url):
    tab.goto(url)
    tab.wait_for_function(ACTIVATED, timeout=90_000)


def go_offline(server, tab) -> str:
    """The network off for the page and the server gone (what a worker fetches then fails for certain)."""
    url = server.url
    tab.context.set_offline(True)
    server.stop()
    return url


def page_script(tab) -> str:
    return tab.evaluate("async () => (await fetch('../../javascripts/page.js')).text()")


def test_two_copies_on_one_origin_keep_their_own_offline_caches(server, built_site, tab):
    server.mount("/one/", built_site)
    server.mount("/two/", built_site)
    visit_until_stored(tab, f"{server.url}/one/glossary/kv-cache/")
    visit_until_stored(tab, f"{server.url}/two/glossary/kv-cache/")
    names = tab.evaluate("() => caches.keys()")
    assert names and all(name.startswith(("gpu-glossary /one/ ", "gpu-glossary /two/ ")) for name in names), names
    assert any(name.startswith("gpu-glossary /one/ pages-") for name in names)
    url = go_offline(server, tab)
    for copy in ("one", "two"):
        tab.goto(f"{url}/{copy}/glossary/vram/")  # never visited: precached by that copy's worker
        assert tab.locator("h1").inner_text().startswith("VRAM")


def test_an_update_is_stored_from_the_server_and_served_only_when_whole(server, built_site, second_build, tab):
    """Deploy 2 arrives while the browser's HTTP cache still holds deploy 1's files (max-age=600): the new worker
    stores deploy 2's files, the old build keeps serving until the reader takes the update, then all of it is new."""
    server.mount("/", built_site)
    visit_until_stored(tab, f"{server.url}/glossary/kv-cache/")
    assert BUILD_2_MARK not in page_script(tab)
    server.mount("/", second_build)
    tab.reload()
    wait_until(tab, WAITING)
    assert BUILD_2_MARK not in page_script(tab), "the old build is still the one being served"
    notice = tab.locator(".site-update")
    notice.wait_for(timeout=10_000)
    assert "newer version" in notice.inner_text()
    with tab.expect_navigation():
        notice.locator("button").click()
    tab.wait_for_function(ACTIVATED, timeout=30_000)
    url = go_offline(server, tab)
    tab.goto(f"{url}/glossary/vram/")
    assert BUILD_2_MARK in page_script(tab), "the update was stored with deploy 1's script from the HTTP cache"


def test_a_failed_request_during_an_update_is_retried(server, built_site, second_build, tab):
    server.mount("/", built_site)
    visit_until_stored(tab, f"{server.url}/glossary/kv-cache/")
    server.mount("/", second_build)
    server.failures["/glossary/vram/"] = 2
    tab.reload()
    wait_until(tab, WAITING)
    assert server.requests.count("/glossary/vram/") >= 3


def test_an_update_that_cannot_be_stored_whole_leaves_the_old_build_serving(server, built_site, second_build, tab):
    server.mount("/", built_site)
    visit_until_stored(tab, f"{server.url}/glossary/kv-cache/")
    server.mount("/", second_build)
    server.failures["/glossary/vram/"] = -1
    tab.reload()
    for _ in range(180):  # the new worker tries the page, retries it, and gives up
        if server.requests.count("/glossary/vram/") >= 1 + 4:  # once for the first visit
            break
        tab.wait_for_timeout(500)
    wait_until(tab, SETTLED)
    assert server.requests.count("/glossary/vram/") == 1 + 4
    names = tab.evaluate("() => caches.keys()")
    assert sum(name.startswith("gpu-glossary / pages-") for name in names) == 1, names  # the partial copy is gone
    url = go_offline(server, tab)
    tab.goto(f"{url}/glossary/vram/")
    assert tab.locator("h1").inner_text().startswith("VRAM")
    assert BUILD_2_MARK not in page_script(tab)


def test_aliases_keep_the_query_and_fragment_and_work_offline_like_the_404_page(server, built_site, tab):
    server.mount("/", built_site)
    visit_until_stored(tab, f"{server.url}/glossary/kv-cache/")
    tab.goto(f"{server.url}/glossary/key-value-cache/?from=show-notes#memory-per-token")
    tab.wait_for_url("**/glossary/kv-cache/?from=show-notes#memory-per-token")
    url = go_offline(server, tab)
    tab.goto(f"{url}/glossary/tp/?x=1#top")
    tab.wait_for_url("**/glossary/tensor-parallelism/?x=1#top")
    assert tab.locator("h1").inner_text().startswith("Tensor parallelism")
    response = tab.goto(f"{url}/glossary/no-such-term/")
    assert response.status == 404
    assert "404" in tab.locator("body").inner_text()
