"""After one visit, pages and calculators keep working with the network switched off."""

import json
import re

import pytest

from tests.site.browser_checks import recomputes_weight_memory

pytestmark = pytest.mark.browser


def test_pages_and_calculators_work_offline_after_one_visit(page, site_url):
    page.goto(site_url + "calculators/weight-memory/")
    page.wait_for_selector('.calc-widget[data-calc-state="live"]', timeout=90_000)
    page.wait_for_function("() => navigator.serviceWorker.controller?.state === 'activated'", timeout=90_000)
    page.context.set_offline(True)
    try:
        page.goto(site_url + "glossary/kv-cache/")
        assert page.locator("h1").inner_text().startswith("KV cache")
        page.goto(site_url + "glossary/vram/")  # never visited: precached
        assert page.locator("h1").inner_text().startswith("VRAM")
        page.goto(site_url + "calculators/weight-memory/")
        page.wait_for_selector('.calc-widget[data-calc-state="live"]', timeout=90_000)
        recomputes_weight_memory(page)
    finally:
        page.context.set_offline(False)


def test_service_worker_cache_is_versioned_by_content(built_site):
    from hooks.runtime import offline
    sw = (built_site / "sw.js").read_text()
    assert f'const VERSION = "{offline.content_version(built_site)}";' in sw
    precache = json.loads(re.search(r"^const PRECACHE = (.*);$", sw, re.M).group(1))
    assert "./glossary/kv-cache/" in precache
    # Pyodide's runtime files are cached when a widget first needs them; of assets/pyodide only the wheel is precached
    assert [url for url in precache if "/assets/pyodide/" in url] == [
        f"./assets/pyodide/{json.loads((built_site / 'assets/pyodide/runtime.json').read_text())['wheel']}"]


def test_offline_without_the_kept_snapshot_python_starts_from_scratch(page, site_url):
    """The kept snapshot can be missing (storage quota, cleared site data); offline, the fallback fresh start then needs
    the calculators' wheel from the offline worker's cache."""
    page.goto(site_url + "calculators/weight-memory/")
    page.wait_for_selector('.calc-widget[data-calc-state="live"]', timeout=90_000)
    page.wait_for_function("() => navigator.serviceWorker.controller?.state === 'activated'", timeout=90_000)
    assert page.evaluate("() => window.gpuGlossary.runtime.timings.snapshot") is True
    # runtime.js keeps the snapshot without awaiting it: wait until it is kept, then remove it. The browser's HTTP
    # cache may also still hold the download; the route makes the snapshot unreachable there too.
    assert page.evaluate("""async () => {
        for (let i = 0; i < 100; i++) {
            const kept = await (await caches.open(window.gpuGlossary.runtime.snapshotCache)).keys();
            if (kept.length) return caches.delete(window.gpuGlossary.runtime.snapshotCache);
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return false; }""")
    page.context.route("**/assets/pyodide/snapshots/*", lambda route: route.abort())
    page.context.set_offline(True)
    page.allow_errors = True  # the snapshot download fails, and is reported
    try:
        page.reload()
        page.wait_for_selector('.calc-widget[data-calc-state="live"], .calc-widget[data-calc-state="failed"]',
                               timeout=90_000)
        assert page.evaluate("() => window.gpuGlossary.runtime.timings.snapshot") is False
        assert page.locator(".calc-widget").get_attribute("data-calc-state") == "live"
        recomputes_weight_memory(page)
    finally:
        page.context.set_offline(False)

