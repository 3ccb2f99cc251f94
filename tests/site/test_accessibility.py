"""Widgets are usable with the keyboard alone, announce results, and fit a 390 px wide phone screen."""

import pytest

from calculators import widgets

pytestmark = pytest.mark.browser


def test_every_input_has_a_label_and_results_are_announced(built_site):
    import re
    html = (built_site / "calculators" / "training-memory" / "index.html").read_text()
    ids = re.findall(r'<(?:input|select|textarea) id="([^"]+)"', html)
    assert ids
    for element_id in ids:
        assert f'<label for="{element_id}">' in html, element_id
    assert 'class="calc-results" aria-live="polite"' in html


def test_keyboard_only_use(page, site_url):
    page.goto(site_url + "calculators/weight-memory/")
    field = page.locator('.calc-widget input[name="params"]')
    field.focus()  # reached with Tab in a real session; focusing starts Python too
    page.wait_for_selector('.calc-widget[data-calc-state="live"]', timeout=90_000)
    page.keyboard.press("Control+a")
    page.keyboard.type("70e9")
    page.keyboard.press("Tab")  # on to the number format
    assert page.evaluate("() => document.activeElement.name") == "format"
    page.keyboard.press("ArrowDown")  # next format in the list, from the keyboard
    chosen = page.evaluate("() => document.activeElement.value")
    expected = widgets.run("weight-memory", {"params": "70e9", "format": chosen})["outputs"]["gib"]
    page.wait_for_function("v => document.querySelector('[data-out=\"gib\"]').textContent === v", arg=expected)


@pytest.mark.parametrize("path", ["calculators/inference-memory/", "calculators/gpu-picker/", "glossary/kv-cache/"])
def test_pages_fit_a_390_px_screen(browser, site_url, path):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(site_url + path)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"the page scrolls sideways by {overflow} px"
        for field in page.locator(".calc-widget [name]").all():
            box = field.bounding_box()
            assert box is None or box["x"] >= 0 and box["x"] + box["width"] <= 391
    finally:
        context.close()
