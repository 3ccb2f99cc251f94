"""After one visit, pages and calculators keep working with the network switched off."""

import pytest

from calculators import widgets

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
        page.locator('.calc-widget input[name="params"]').fill("70e9")
        expected = widgets.run("weight-memory", {"params": "70e9", "format": "bf16"})["outputs"]["gib"]
        page.wait_for_function(
            "e => document.querySelector('.calc-widget [data-out=\"gib\"]').textContent === e", arg=expected)
    finally:
        page.context.set_offline(False)


def test_service_worker_cache_is_versioned_by_content(built_site):
    from hooks import offline
    sw = (built_site / "sw.js").read_text()
    assert f'const VERSION = "{offline.content_version(built_site)}";' in sw
    assert '"./glossary/kv-cache/"' in sw and "assets/pyodide" not in sw.split("const RUNTIME")[0]
