"""The site degrades gracefully: no JavaScript, a blocked or corrupt Python runtime, hostile text."""

import pytest

from calculators import widgets
from tests.site.browser_checks import recomputes_weight_memory

pytestmark = pytest.mark.browser
DEFAULT = widgets.run("weight-memory", {"params": "8.03e9", "format": "bf16"})["outputs"]["gib"]


def test_without_javascript_pages_read_and_widgets_show_prerendered_results(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site_url + "glossary/kv-cache/")
        assert page.locator("h1").inner_text().startswith("KV cache")
        assert "keys and values" in page.locator(".gl-summary").inner_text()
        page.goto(site_url + "calculators/weight-memory/")
        assert page.locator('.calc-widget [data-out="gib"]').inner_text() == DEFAULT
    finally:
        context.close()


@pytest.mark.parametrize("how", ["blocked", "corrupt"])
def test_broken_runtime_keeps_prerendered_result_and_says_so(page, site_url, how):
    def breaks(route):
        if how == "blocked":
            route.abort()
        else:
            route.fulfill(status=200, body=b"\x00not a wasm module", content_type="application/wasm")

    page.allow_errors = True
    page.context.route("**/assets/pyodide/pyodide.asm.wasm", breaks)  # the context: service worker fetches too
    page.goto(site_url + "calculators/weight-memory/")
    widget = page.locator(".calc-widget").first
    widget.locator('input[name="params"]').fill("70e9")
    page.wait_for_selector('.calc-widget[data-calc-state="failed"]', timeout=60_000)
    assert "unavailable" in widget.locator("[data-calc-status]").inner_text()
    assert widget.locator('[data-out="gib"]').inner_text() == DEFAULT
    assert widget.locator('input[name="params"]').input_value() == "70e9"


def test_script_payload_in_an_input_never_runs(page, site_url):
    page.goto(site_url + "calculators/weight-memory/")
    page.wait_for_selector('.calc-widget[data-calc-state="live"]', timeout=90_000)
    payload = '<img src=x onerror="window.__pwned=1">'
    field = page.locator('.calc-widget input[name="params"]')
    field.fill(payload)
    error = page.locator('.calc-widget [data-error-for="params"]')
    page.wait_for_function("() => document.querySelector('[data-error-for=\"params\"]').textContent.length > 0")
    assert "<img" in error.inner_text()  # shown as text
    assert page.locator(".calc-widget img, .calc-widget script").count() == 0
    assert page.evaluate("() => window.__pwned") is None


def test_a_first_visit_restores_the_snapshot_made_at_build_time(page, site_url):
    page.goto(site_url + "calculators/weight-memory/")
    page.wait_for_selector('.calc-widget[data-calc-state="live"]', timeout=90_000)
    assert page.evaluate("() => window.gpuGlossary.runtime.timings.snapshot") is True
    recomputes_weight_memory(page)


def test_a_damaged_snapshot_falls_back_to_starting_python_from_scratch(page, site_url):
    page.allow_errors = True
    page.context.route("**/assets/pyodide/snapshots/*", lambda route: route.fulfill(
        status=200, body=b"\x1f\x8b\x08\x00damaged" + bytes(4096), content_type="application/gzip"))
    page.goto(site_url + "calculators/weight-memory/")
    page.wait_for_selector('.calc-widget[data-calc-state="live"]', timeout=90_000)
    assert page.evaluate("() => window.gpuGlossary.runtime.timings.snapshot") is False
    recomputes_weight_memory(page)


def test_a_damaged_snapshot_in_the_browser_cache_is_fetched_again(page, site_url):
    page.goto(site_url + "calculators/weight-memory/")
    page.wait_for_selector('.calc-widget[data-calc-state="live"]', timeout=90_000)
    kept = page.evaluate("""async (site) => {
        const runtime = JSON.parse(document.querySelector('.calc-widget').dataset.runtime);
        const url = new URL('assets/pyodide/' + runtime.snapshot, site).href;
        await (await caches.open(window.gpuGlossary.runtime.snapshotCache)).put(url, new Response(new Uint8Array(4096)));
        return url; }""", site_url)
    page.allow_errors = True  # the damaged copy is reported with console.warn
    page.reload()
    page.wait_for_selector('.calc-widget[data-calc-state="live"]', timeout=90_000)
    assert page.evaluate("() => window.gpuGlossary.runtime.timings.snapshot") is True
    size = page.evaluate("""async (url) => {
        const cache = await caches.open(window.gpuGlossary.runtime.snapshotCache);
        for (let i = 0; i < 50; i++) {  // it is written back without being awaited
            const response = await cache.match(url);
            const bytes = response ? (await response.arrayBuffer()).byteLength : 0;
            if (bytes > 4096) return bytes;
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return 0; }""", kept)
    assert size > 1_000_000
    recomputes_weight_memory(page)

